r"""Judging strategies: parsed statement + hypotheses -> :class:`~verify.rule.Evidence`.

* ``scalar``: no vectors or matrices. The statement is evaluated exactly in SymPy (``f''`` by
  differentiating the definition) and the provers decide it: a proof, or a counterexample
  confirmed by exact evaluation of the parsed statement at the point.
* ``vector``: a proof in the typed encoding (:mod:`verify.encoding`, every dimension, symbolic
  n; inequalities pointwise and by spectral reduction, :mod:`verify.spectral`); failing that, a
  counterexample on a concrete instance (d = 1 or 2, n = 1 or 2) found by the provers and
  confirmed exactly (:mod:`verify.instances`).
* ``mean value``: a statement that evaluates a Hessian at a ``mean value point`` is proved as a
  vector statement if it can be. If it is proved only once the mean value relation
  ``\nabla f(b) - \nabla f(a) = \nabla^2 f(zeta)(b - a)`` is assumed, it is "unsupported": the
  library refutes that relation for d >= 2 (:mod:`verify.library`), a missing hypothesis
  exhibited. Otherwise counterexamples are sought with the relation assumed.

* ``recursion``: a bound on ``\lim`` or ``\limsup`` of a sequence that a hypothesis bounds by a
  linear recursion (:mod:`verify.recursions`).
* ``equivalence``: ``A \Leftrightarrow B`` is proved as the two implications, each link of the
  conclusion under the hypotheses and the links of the premise. A premise ``\forall x \in [a,
  b], P(x)`` is used at the endpoints ``P(a), P(b)`` (a weakening: a refutation found from it is
  not a counterexample, and raises :class:`Undecided`); a conclusion ``\forall x \in [a, b],
  P(x)`` is proved for a fresh ``x`` with ``a \le x \le b``. A refuted direction is refuted.

A prover that neither proves nor refutes raises :class:`Undecided`: an error, never a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from verify import instances, library, recursions, series
from verify import terms as t
from verify.elaborate import HessAt, elaborate, points, substitute
from verify.encoding import Encoder, nonneg, zero_vector
from verify.gram import GramError, Vec
from verify.instances import Undecided, prove
from verify.parse import links, parse, symbol
from verify.rule import Evidence
from verify.scope import Scope
from verify.spectral import reduce

__all__ = ["Problem", "Undecided", "evidence", "problem"]


@dataclass
class Problem:
    """A statement and its hypotheses, parsed and elaborated against one claim's scope."""

    scope: Scope
    statement: t.Chain
    hypotheses: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def scalar(self) -> bool:
        return all(_scalar_node(n, self.scope) for n in (self.statement, *self.hypotheses))

    def mean_value_points(self) -> list[str]:
        return sorted({n.point for n in t.walk(self.statement) if isinstance(n, HessAt)
                       and self.scope.decls.get(n.point) is not None
                       and self.scope.decls[n.point].kind == "mean value point"})

    def assumes_mean_value(self, point: str) -> bool:
        return any(isinstance(h, t.Chain) and h.ops == ("=",) and any(
            isinstance(n, HessAt) and n.point == point for n in t.walk(h)) for h in self.hypotheses)


def _scalar_node(node, scope: Scope) -> bool:
    for n in t.walk(node):
        if type(n).__name__ in ("GradAt", "HessAt", "OpNorm", "Transpose") or isinstance(
                n, (t.Expect, t.Norm, t.Inner)):
            return False
        if isinstance(n, t.Sym) and n.name not in scope.bound:
            decl = scope.decls.get(n.name) or scope.decls.get(n.base)
            if decl is not None and decl.kind not in ("real", "integer", "positive integer",
                                                      "function", "any function"):
                return False
    return True


def problem(symbols, definitions, hypotheses, statement: str) -> Problem:
    """Parse and elaborate a statement and its hypotheses (``any point`` ones instantiated)."""
    scope = Scope(dict(symbols), [parse(d) for d in definitions])
    node = parse(statement)
    if isinstance(node, t.Iff):
        stmt = t.Iff(_side(node.left, scope), _side(node.right, scope))
    elif not (isinstance(node, t.Chain) and len(node.ops) == 1):
        raise GramError("a statement must be one relation (a chain is judged link by link)")
    else:
        stmt = elaborate(node, scope)
    raw, notes = [], []
    for text in hypotheses:
        h = parse(text)
        raw += links(h) if isinstance(h, t.Chain) else [h]
    for d in scope.of_kind("minimiser"):
        f = d.param("of")
        raw.append(t.Chain((t.Grad(symbol(f), t.Group((symbol(d.name),))), t.Num(0)), ("=",),
                           (None,)))
        notes.append(f"{d.name} minimises {f}, so \\nabla {f}({d.name}) = 0 (Fermat's rule)")
    anys = {d.name for d in scope.of_kind("any point")}
    fixed = [h for h in raw if not _mentions(h, anys)]
    hyps = [_hypothesis(h, scope) for h in fixed]
    targets = sorted(points(stmt).union(*(points(h) for h in hyps)))
    if not targets:  # nothing to instantiate at: the hypothesis holds at a generic point
        targets = sorted(anys)
    for h in raw:
        for name in sorted(anys & _names(h)):
            hyps += [elaborate(h, scope, rename={name: p}) for p in targets]
    return Problem(scope, stmt, hyps, notes)


def _hypothesis(node, scope: Scope):
    r"""An elaborated hypothesis; ``<limit> \text{ exists}`` is kept as a predicate."""
    if (isinstance(node, t.Predicate) and isinstance(node.subject, t.Lim)
            and node.text.strip() == "exists"):
        return t.Predicate(elaborate(node.subject, scope), node.text)
    return elaborate(node, scope)


def _side(node, scope: Scope):
    r"""One side of an equivalence: a chain, or ``\forall x \in [a, b],`` a chain."""
    if isinstance(node, t.Forall) and isinstance(node.domain, t.Interval):
        domain = t.Interval(elaborate(node.domain.lo, scope), elaborate(node.domain.hi, scope))
        return t.Forall(node.var, domain, _side(node.body, scope))
    if isinstance(node, t.Chain):
        return elaborate(node, scope)
    raise GramError("each side of an equivalence must be a relation, a chain, or "
                    "\\forall x \\in [a, b], a relation")


def _names(node) -> set[str]:
    return {t.Sym(n.base, n.sub, n.star).name for n in t.walk(node) if isinstance(n, t.Sym)}


def _mentions(node, names) -> bool:
    return bool(_names(node) & names)


# --------------------------------------------------------------------------------- the deciders
def evidence(p: Problem) -> Evidence:
    """The evidence for ``p`` (see the module docstring for the strategy chosen)."""
    if isinstance(p.statement, t.Iff):
        return _equivalence(p)
    if recursions.applies(p):
        return recursions.evidence(p)
    if p.scalar:
        if series.has_series(p.statement):
            return series.evidence(p)
        return instances.scalar_evidence(p)
    proof = _gram_proof(p)
    if isinstance(proof, Evidence):
        return proof
    for point in p.mean_value_points():
        if p.assumes_mean_value(point):
            continue
        with_relation = _with_mean_value(p, point)
        if isinstance(_gram_proof(with_relation), Evidence):
            return _mean_value_unsupported(p, point)
        # The relation is not what is missing. Counterexamples are sought with it assumed: in
        # d = 1 the mean value theorem provides it, so they are instances of the slide's setting.
        p = with_relation
    refutation = instances.refute(p)
    if refutation is not None:
        return refutation
    raise Undecided(f"no proof in the typed encoding ({proof}) and no counterexample with "
                    "d, n <= 2")


def _premises(side) -> tuple[list, bool]:
    """What a side gives as hypotheses, and whether that is a weakening (endpoints only)."""
    if isinstance(side, t.Forall):
        name = side.var.name
        return [substitute(link, {name: end}) for end in (side.domain.lo, side.domain.hi)
                for link in links(side.body)], True
    return links(side), False


def _conclusions(side) -> tuple[list, list]:
    """The links a side asks for, and the range of its bound variable (as hypotheses)."""
    if isinstance(side, t.Forall):
        return links(side.body), [t.Member(side.var, side.domain)]
    return links(side), []


def _equivalence(p: Problem) -> Evidence:
    r"""Both implications of ``A \Leftrightarrow B`` (see the module docstring)."""
    methods, undecided = [], None
    for arrow, premise, conclusion in (("=>", p.statement.left, p.statement.right),
                                       ("<=", p.statement.right, p.statement.left)):
        given, weakened = _premises(premise)
        goals, ranges = _conclusions(conclusion)
        for goal in goals:
            found = evidence(Problem(p.scope, goal, [*p.hypotheses, *given, *ranges], p.notes))
            if found.status == "proved":
                methods.append(found.method)
            elif weakened:
                undecided = undecided or (f"direction {arrow} is not proved from the quantified "
                                          f"premise at the endpoints of its range "
                                          f"({found.counterexample})")
            else:
                return Evidence(found.status, f"direction {arrow}: {found.method}",
                                counterexample=f"direction {arrow} fails: "
                                               f"{found.counterexample}")
    if undecided:
        raise Undecided(undecided)
    return Evidence("proved", "both directions: " + "; ".join(dict.fromkeys(methods)))


def _mean_value_relation(p: Problem, point: str) -> str:
    decl = p.scope.decls[point]
    f, (a, b) = decl.param("of"), decl.param("between")
    a, b, z = (t.latex(symbol(x)) for x in (a, b, point))
    return f"\\nabla {f}({b}) - \\nabla {f}({a}) = \\nabla^2 {f}({z})({b} - {a})"


def _with_mean_value(p: Problem, point: str) -> Problem:
    extra = elaborate(parse(_mean_value_relation(p, point)), p.scope)
    return Problem(p.scope, p.statement, [*p.hypotheses, extra], p.notes)


def _mean_value_unsupported(p: Problem, point: str) -> Evidence:
    decl = p.scope.decls[point]
    a, b = decl.param("between")
    relation = _mean_value_relation(p, point)
    thm = library.theorem("mean value theorem fails in d >= 2")
    return Evidence(
        "unsupported",
        f"not proved without the mean value relation {relation}; {thm.method()}",
        counterexample=f"the step needs {relation} for a point {point} of the segment "
                       f"[{a}, {b}], which fails in d = 2: {thm.text}")


def _gram_proof(p: Problem) -> Evidence | str:
    """A proof in the typed encoding, or the reason there is none."""
    enc = Encoder(p.scope)
    for h in p.hypotheses:
        enc.hypothesis(h)
    (op,) = p.statement.ops
    lhs, rhs = zero_vector(enc.conv(p.statement.items[0]), enc.conv(p.statement.items[1]))
    assumptions = [*enc.assumptions, *enc.table.facts(), *(g >= 0 for g in enc.norms),
                   *_spectrum_nonempty(enc)]
    where = "typed encoding (every dimension"
    where += ", n symbolic)" if enc.count else ")"
    for c in enc.divisors:
        if not prove(c, "neq", 0, assumptions).holds:
            return f"a hypothesis was solved by dividing by {c}, which may be 0"
    if op == "=" and isinstance(lhs, Vec):
        diff = enc.add(lhs, enc.scale(-1, rhs))
        checks = [prove(c, "=", 0, assumptions) for c in diff.terms.values()]
        if all(c.holds for c in checks):
            return Evidence("proved", f"{where}: the two sides have the same coefficient on every "
                            f"atom" + "".join(f"; {c.method}" for c in checks[:1]))
        return "the coefficients of the two sides differ"
    if isinstance(lhs, Vec) or isinstance(rhs, Vec):
        raise GramError("vectors can only be compared with '='")
    if op == "=":
        if sympy.expand(lhs - rhs) == 0:
            return Evidence("proved", f"{where}: the Gram expansions of the two sides agree",
                            note=_integrand_note(p))
        check = prove(lhs, "=", rhs, assumptions)
        if check.holds:
            return Evidence("proved", f"{where}: {check.method}", note=_integrand_note(p))
        return "the Gram expansions of the two sides differ"
    lhs, rhs = _pointwise(enc, lhs, rhs)
    if lhs is None:
        return "the sides are not linear in the expectations over the history"
    if (lhs - rhs).has(sympy.Pow) and nonneg(lhs, enc.table) and nonneg(rhs, enc.table):
        lhs, rhs = lhs**2, rhs**2  # both sides >= 0: compare squares
    keep = set().union(*(sympy.sympify(a).free_symbols for a in enc.assumptions))
    try:
        lhs, rhs, spectral = reduce(sympy.expand(lhs), sympy.expand(rhs), enc.table,
                                    enc.spectral, keep)
    except GramError as exc:
        return str(exc)
    check = prove(lhs, op, rhs, [*assumptions, *spectral])
    if check.holds:
        how = "pointwise, spectral reduction to one eigenvalue, " if spectral else "pointwise, "
        return Evidence("proved", f"{where}: {how}{check.method}")
    return "the provers did not prove the encoded inequality"


def _spectrum_nonempty(enc: Encoder) -> list:
    """``lo <= hi`` for each ``lo I \\preceq H \\preceq hi I``: H has an eigenvalue in between."""
    return [b["lo"] <= b["hi"] for b in enc.spectral.values() if "lo" in b and "hi" in b]


def _pointwise(enc: Encoder, lhs, rhs):
    """The sides with each history expectation E[m] replaced by m, if they are linear in them."""
    diff = sympy.expand(lhs - rhs)
    esyms = {s for s in diff.free_symbols if enc.table.info.get(s, {}).get("kind") == "E"}
    if not esyms:
        return lhs, rhs  # a statement about the outcome itself holds pointwise or not at all
    if any(enc.table.is_random(s) for s in diff.free_symbols - esyms):
        return None, None
    for term in sympy.Add.make_args(diff):
        if sum(sympy.degree(term, s) for s in esyms if term.has(s)) > 1:
            return None, None
    subs = {s: enc.table.info[s]["content"] for s in esyms}
    return lhs.xreplace(subs), rhs.xreplace(subs)


def _integrand_note(p: Problem) -> str | None:
    """Say so when two sides are equal only in expectation (their integrands differ)."""
    if not any(isinstance(n, t.Expect) for n in t.walk(p.statement)):
        return None
    enc = Encoder(p.scope)
    enc.integrands = True
    for h in p.hypotheses:
        enc.hypothesis(h)
    try:
        diff = sympy.expand(enc.conv(p.statement.items[0]) - enc.conv(p.statement.items[1]))
    except GramError:
        return None
    if diff == 0:
        return None
    return ("equal in expectation only: before averaging over the random index the two sides "
            "differ, by terms whose expectation is 0")
