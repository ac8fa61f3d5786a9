r"""Scalar statements with infinite series ``\sum_{n=a}^{\infty} t(n)``: closed forms and termwise
comparison, each step decided by the provers.

Both sides are evaluated exactly (:mod:`verify.evaluate`), each series left as a SymPy ``Sum``.

* *Convergence.* Every series must pass the ratio test with limit 0: ``t(n + 1) = r(n) t(n)``
  (an identity SymPy checks exactly) with ``r(n) -> 0`` for every value of the symbols (SymPy's
  limit is the number 0). Then ``sum |t(n)|`` converges (a term that vanishes makes every later
  one vanish; W. Rudin, *Principles of Mathematical Analysis*, 3rd ed., 1976, Thm. 3.34). Any
  other series is refused (:class:`~verify.instances.Undecided`).
* *Equations* are decided on the closed forms SymPy's summation gives (``Sum.doit``, the
  exponential series summed); a refutation is a point where the closed forms differ, confirmed
  exactly by the provers.
* *Inequalities* ``L \le R`` are proved termwise. ``R - L`` is linear in the series; each series
  is shifted to a common first index ``N`` (the terms before it join the finite part ``c``), so
  ``R - L = c + \sum_{n \ge N} g(n)``, which is ``\ge 0`` when ``c \ge 0`` and ``g(n) \ge 0`` for
  every integer ``n \ge N`` (limit of nonnegative partial sums of convergent series). In ``g``
  each power ``b^n`` and ``n!`` becomes an unknown constrained by invariants proved by induction
  on ``n`` (the candidates ``P > 0``, ``P \ge 0``, ``P \le b``, ``P \ge b``, ``P \le 1``,
  ``P \ge 1`` whose base case holds at ``n = N`` and which are preserved by ``P \mapsto bP``
  jointly, the Houdini fixed point; ``n! \ge 1``). If the termwise proof fails, the closed forms
  are compared: a confirmed counterexample refutes the statement, anything else is undecided.
"""

from __future__ import annotations

import sympy

from verify import provers
from verify import terms as t
from verify.evaluate import Instance, relations
from verify.instances import Undecided, _relational, _split, prove
from verify.rule import Evidence

__all__ = ["evidence", "has_series"]

_REL = {"leq": "<=", "geq": ">=", "<": "<", ">": ">"}


def has_series(node: t.Node) -> bool:
    """Whether the parsed statement sums a series to infinity."""
    return any(isinstance(n, t.Sum) and isinstance(n.hi, t.Infinity) for n in t.walk(node))


def _sums(expr) -> list[sympy.Sum]:
    return sorted(expr.atoms(sympy.Sum), key=sympy.default_sort_key)


def convergence(s: sympy.Sum) -> str:
    """Why ``s`` converges absolutely (the ratio test); :class:`Undecided` if not shown."""
    (k, lo, hi), = s.limits
    if hi is not sympy.oo or not lo.is_Integer or lo < 0:
        raise Undecided(f"only series from a fixed index n >= 0 to infinity: {s}")
    term = s.function
    ratio = sympy.powsimp(sympy.combsimp(term.subs(k, k + 1) / term), force=True)
    same = sympy.simplify(sympy.expand_power_base(term.subs(k, k + 1) - ratio * term,
                                                  force=True)) == 0
    if not same or ratio.has(sympy.Sum) or sympy.limit(ratio, k, sympy.oo) != 0:
        raise Undecided(f"cannot show that {s} converges (ratio test)")
    shown = ratio.xreplace({k: sympy.Symbol("n", integer=True)})
    return f"t(n + 1) = ({shown}) t(n), a ratio that tends to 0: absolutely convergent"


def _denominator_free(expr, index=None) -> bool:
    """No sub-term divides by what may vanish (the summation ``index`` aside)."""
    allowed = {index} if index is not None else set()
    dens = (sympy.denom(sympy.together(a)) for a in sympy.preorder_traversal(expr)
            if isinstance(a, sympy.Expr))
    return all(d.free_symbols <= allowed or d.is_nonzero for d in dens)


def _closed(expr, strict: bool = True):
    """``expr`` with each series replaced by SymPy's closed form of it, and the divisors of
    those closed forms that may vanish.

    A series whose terms divide by nothing is continuous in its symbols; when SymPy's form
    divides by a symbol (``(x - y)(e^{x-y}/(x - y) - 1/(x - y))``), ``sympy.cancel`` must remove
    every such division (``strict``): the result, defined everywhere, is then the continuous
    extension. Otherwise (not ``strict``) the form is kept with its divisors, to be used only
    where they do not vanish.
    """
    subs, divisors = {}, []
    for s in _sums(expr):
        out = s.doit()
        if out.has(sympy.Sum, sympy.Piecewise):
            raise Undecided(f"no closed form for {s}")
        if not _denominator_free(out) and _denominator_free(s.function, s.limits[0][0]):
            cancelled = sympy.cancel(sympy.together(out))
            if _denominator_free(cancelled):
                out = cancelled
            elif strict:
                raise Undecided(f"the closed form of {s} divides by a symbol")
            else:
                divisors.append(sympy.denom(sympy.together(out)))
        subs[s] = out
    return expr.xreplace(subs), divisors


def _point(check) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sorted(check.counterexample.items()))


def _refuted(check, how: str) -> Evidence:
    witness = (1, 1, tuple(sorted((k, str(v)) for k, v in check.counterexample.items())))
    return Evidence("refuted", f"{how}: {check.method}", counterexample=_point(check),
                    witness=witness)


def _by_closed_forms(lhs, op, rhs, assumptions, methods) -> Evidence:
    how = "series summed in closed form by SymPy"
    try:
        (left, _), (right, _) = _closed(lhs), _closed(rhs)
    except Undecided:
        # Closed forms with removable singularities: a refutation where no divisor vanishes
        # (the closed forms equal the series there) is exact; a proof there would not be.
        (left, dl), (right, dr) = _closed(lhs, strict=False), _closed(rhs, strict=False)
        extra = [sympy.Ne(d, 0) for d in (*dl, *dr)]
        check = prove(left, op, right, [*assumptions, *extra])
        if check.counterexample is not None and check.undefined is None:
            return _refuted(check, f"{how}, where its divisors do not vanish")
        raise Undecided(f"{how}: no proof where the closed forms divide by a symbol; "
                        f"{check.detail}") from None
    check = prove(left, op, right, assumptions)
    if check.holds:
        return Evidence("proved", f"{'; '.join(methods)}; {how}, then {check.method}")
    if check.counterexample is not None:
        return _refuted(check, how)
    raise Undecided(f"{how}: {check.detail}")


def _linear(expr, sums):
    """``expr = c + sum_j coeff_j S_j`` with no series in ``c`` or the ``coeff_j``; else None."""
    marks = [sympy.Dummy(f"S{j}") for j in range(len(sums))]
    e = sympy.expand(expr.xreplace(dict(zip(sums, marks, strict=True))))
    coeffs = [e.coeff(m) for m in marks]
    const = e.subs({m: 0 for m in marks})
    if any(c.has(*marks) or c.has(sympy.Sum) for c in (*coeffs, const)):
        return None
    if sympy.expand(const + sum(c * m for c, m in zip(coeffs, marks, strict=True)) - e) != 0:
        return None
    return const, coeffs


_CANDIDATES = (
    lambda p, b: p > 0, lambda p, b: p >= 0, lambda p, b: p <= b, lambda p, b: p >= b,
    lambda p, b: p <= 1, lambda p, b: p >= 1,
)


def _invariants(base, start: int, assumptions) -> list:
    """Candidate facts about ``P = base^n`` (n >= start) proved by joint induction on n."""
    p = sympy.Dummy(f"P_{base}", real=True)
    held = []
    for cand in _CANDIDATES:
        check = provers.implies([], cand(base**start, base), assumptions=assumptions)
        if check.holds:
            held.append(cand)
    while held:
        premises = [c(p, base) for c in held]
        kept = [c for c in held
                if provers.implies(premises, c(base * p, base), assumptions=assumptions).holds]
        if len(kept) == len(held):
            break
        held = kept
    return [c(p, base) for c in held], p


def _termwise(diff, k, start: int, assumptions) -> tuple[bool, str]:
    """Whether ``diff(k) >= 0`` for every integer ``k >= start``, by induction facts on powers."""
    facts = [k >= start]
    subs = {}
    powers = [a for a in diff.atoms(sympy.Pow) if a.exp == k and not a.base.has(k)]
    for power in powers:
        found, unknown = _invariants(power.base, start, assumptions)
        subs[power] = unknown
        facts += found
    for fact_atom in diff.atoms(sympy.factorial):
        if fact_atom.args[0] == k:
            f = sympy.Dummy("F_factorial", real=True)
            base = provers.implies([], sympy.factorial(start) >= 1, assumptions=())
            step = provers.implies([f >= 1, k >= start], (k + 1) * f >= 1, assumptions=())
            if base.holds and step.holds:
                facts.append(f >= 1)
            subs[fact_atom] = f
    term = diff.xreplace(subs)
    if term.has(k) and any(a.has(k) for a in term.atoms(sympy.Pow, sympy.factorial)):
        return False, "a term depends on n other than through b^n and n!"
    kk = sympy.Dummy("n_term", real=True)
    term, facts = term.xreplace({k: kk}), [f.xreplace({k: kk}) for f in facts]
    check = provers.implies(facts, term >= 0, assumptions=assumptions)
    return check.holds, check.method


def _termwise_evidence(lhs, op, rhs, assumptions, methods) -> Evidence | None:
    if op not in ("leq", "geq"):
        return None
    small, large = (lhs, rhs) if op == "leq" else (rhs, lhs)
    diff = large - small
    sums = _sums(diff)
    split = _linear(diff, sums)
    if split is None:
        return None
    const, coeffs = split
    start = max(int(s.limits[0][1]) for s in sums)
    k = sympy.Dummy("n", integer=True)
    general = sympy.Integer(0)
    for s, c in zip(sums, coeffs, strict=True):
        (var, lo, _), = s.limits
        const += sum((c * s.function.subs(var, j) for j in range(int(lo), start)),
                     sympy.Integer(0))
        general += c * s.function.subs(var, k)
    first = provers.inequality(const, ">=", 0, assumptions=assumptions)
    if not first.holds:
        return None
    ok, how = _termwise(sympy.expand(general), k, start, assumptions)
    if not ok:
        return None
    return Evidence("proved", f"{'; '.join(methods)}; termwise from n = {start}: the terms "
                    f"before it ({first.method}) and every later term of the difference >= 0 "
                    f"by induction facts on the powers ({how})")


def evidence(p) -> Evidence:
    """Decide a scalar statement containing infinite series (see the module docstring)."""
    inst = Instance(p.scope)
    assumptions = [_relational(*tr) for h in _split(p)[2] for tr in relations(h, inst)]
    assumptions = [a for a in assumptions if a is not sympy.true]
    ((lhs, op, rhs),) = relations(p.statement, inst)
    methods = [convergence(s) for s in _sums(lhs) + _sums(rhs)]
    if op in _REL:
        proved = _termwise_evidence(lhs, op, rhs, assumptions, methods)
        if proved is not None:
            return proved
    return _by_closed_forms(lhs, op, rhs, assumptions, methods)
