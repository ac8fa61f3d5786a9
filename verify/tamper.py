r"""Tampering: perturb a claim's statement and judge it again; the verdict must follow the text.

Four perturbations of the parsed statement ``lhs op rhs`` (of an equivalence or a property, its
last relation: the slide's display), each printed back to LaTeX:

* ``sign``: the first ``+``/``-`` between terms of the right side is flipped (else of the left);
* ``coefficient``: the first number of the right side is increased by 1 (with no number there,
  the right side is doubled);
* ``relation``: an inequality is reversed (``\le`` <-> ``\ge``, ``<`` <-> ``>``);
* ``drop``: the last term of a sum on the right side (else on the left) is dropped.

In an equivalence ``A \Leftrightarrow B`` the last link of ``B`` is perturbed the same way.

A tamper is *detected* when the judged verdict differs from the recorded one, or when the judge
finds the tampered statement refuted with nothing to repair it (:class:`verify.rule.Unrepaired`)
or not proved with nothing to repair it (another :class:`verify.rule.RuleError`, e.g. the
hypotheses do not carry an induction step).
A claim may list a tamper under ``tamper_keeps`` with the reason it cannot change the verdict
(``correction <kind>`` for a tamper of a false claim's correction that is still proved, e.g. a
weaker upper bound);
:func:`outcomes` reports every other tamper that kept the verdict as undetected. Run
``python -m verify.tamper`` for the table and the detection rate.
"""

from __future__ import annotations

import dataclasses
import sys
from fractions import Fraction

from verify import terms as t
from verify.judge import JudgeError, judge
from verify.parse import parse
from verify.rule import RuleError, Unrepaired

__all__ = ["KINDS", "Outcome", "outcomes", "tampered"]

KINDS = ("sign", "coefficient", "relation", "drop")
_REVERSE = {"leq": "geq", "geq": "leq", "<": ">", ">": "<"}


def _children(node):
    """Child nodes in reading order, skipping subscripts, exponents of names and indices."""
    if isinstance(node, (t.Sym, t.Num, t.Infinity, t.Hole)):
        return []
    if isinstance(node, t.Sum):
        return [node.body]
    if isinstance(node, t.Grad):
        return list(node.args.items)
    out = []
    for name in node.__dataclass_fields__:
        value = getattr(node, name)
        if isinstance(value, t.Node):
            out.append(value)
        elif isinstance(value, tuple):
            out += [v for v in value if isinstance(v, t.Node)]
    return out


def _rewrite(node, match, change):
    """Apply ``change`` to the first node (reading order) for which ``match`` holds."""
    done = [False]

    def go(n):
        if done[0]:
            return n
        if match(n):
            done[0] = True
            return change(n)
        kids = _children(n)
        if not kids:
            return n
        new = {id(k): go(k) for k in kids}
        if not any(new[id(k)] is not k for k in kids):
            return n
        fields = {}
        for name in n.__dataclass_fields__:
            value = getattr(n, name)
            if isinstance(value, t.Node):
                fields[name] = new.get(id(value), value)
            elif isinstance(value, tuple):
                fields[name] = tuple(new.get(id(v), v) if isinstance(v, t.Node) else v
                                     for v in value)
            else:
                fields[name] = value
        return type(n)(**fields)

    out = go(node)
    return out if done[0] else None


def _sign(side):
    def flip(n):
        k = next(i for i, term in enumerate(n.terms) if i > 0)
        term = n.terms[k]
        new = term.arg if isinstance(term, t.Neg) else t.Neg(term)
        return t.Add((*n.terms[:k], new, *n.terms[k + 1:]))
    return _rewrite(side, lambda n: isinstance(n, t.Add) and len(n.terms) > 1, flip)


def _coefficient(side):
    out = _rewrite(side, lambda n: isinstance(n, t.Num), lambda n: t.Num(n.value + Fraction(1)))
    return out if out is not None else t.Mul((t.Num(Fraction(2)), side))


def _drop(side):
    return _rewrite(side, lambda n: isinstance(n, t.Add) and len(n.terms) > 1,
                    lambda n: t.Add(n.terms[:-1]) if len(n.terms) > 2 else n.terms[0])


def tampered(statement: str, kind: str) -> str | None:
    """The statement with one perturbation of ``kind``, as LaTeX, or None if it does not apply."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    node = parse(statement)
    if isinstance(node, t.Iff) and isinstance(node.right, t.Chain) and len(node.right.ops) > 1:
        right = _last_link(node.right, kind)
        return None if right is None else t.latex(t.Iff(node.left, right))
    if isinstance(node, (t.Iff, t.Predicate, t.Forall)):
        return _tampered_inside(node, kind)
    if not (isinstance(node, t.Chain) and len(node.ops) == 1):
        raise ValueError("tampering needs a one-relation statement")
    lhs, rhs = node.items
    (op,) = node.ops
    if kind == "relation":
        if op not in _REVERSE:
            return None
        return t.latex(t.Chain((lhs, rhs), (_REVERSE[op],), (None,)))
    change = {"sign": _sign, "coefficient": _coefficient, "drop": _drop}[kind]
    new_rhs = change(rhs)
    if new_rhs is not None:
        return t.latex(t.Chain((lhs, new_rhs), (op,), (None,)))
    new_lhs = change(lhs)
    if new_lhs is not None:
        return t.latex(t.Chain((new_lhs, rhs), (op,), (None,)))
    return None


def _tampered_inside(node, kind: str) -> str | None:
    """An equivalence or a property (``... \\text{ is convex}``): its last relation is perturbed."""
    chains = [n for n in t.walk(node) if isinstance(n, t.Chain) and len(n.ops) == 1]
    if not chains:
        return None
    text = tampered(t.latex(chains[-1]), kind)
    if text is None:
        return None
    new = parse(text)
    return t.latex(_rewrite(node, lambda n: n is chains[-1], lambda n: new))


def _last_link(chain: t.Chain, kind: str) -> t.Chain | None:
    """The right side of an equivalence with its last link perturbed (as for a statement)."""
    items, ops = list(chain.items), list(chain.ops)
    if kind == "relation":
        if ops[-1] not in _REVERSE:
            return None
        ops[-1] = _REVERSE[ops[-1]]
    else:
        change = {"sign": _sign, "coefficient": _coefficient, "drop": _drop}[kind]
        for k in (-1, -2):
            new = change(items[k])
            if new is not None:
                items[k] = new
                break
        else:
            return None
    return t.Chain(tuple(items), tuple(ops), chain.conds)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one tamper did: ``status`` is ``detected``, ``kept`` (with the claim's reason) or
    ``undetected``."""

    claim: str
    kind: str
    statement: str
    verdict: str
    status: str
    reason: str = ""


def _judged(claim) -> str:
    try:
        return judge(claim).verdict
    except Unrepaired:
        return "refuted, unrepaired"
    except RuleError:  # e.g. unsupported: the hypotheses do not carry it, nothing repairs it
        return "not proved, unrepaired"
    except JudgeError as exc:
        return f"error: {exc}"


def outcomes(claim) -> list[Outcome]:
    """Judge every applicable tamper of ``claim`` (a claim read from the lecture data).

    For a claim recorded ``false``, a tampered statement that is refuted again keeps the verdict
    for a stated reason (a false statement, perturbed, is still false there); the judge's
    reading of the text is then shown on the proved correction: each tamper of the correction,
    judged as the statement, must no longer be true.
    """
    keeps = dict(claim.tamper_keeps)
    out = []
    for kind in KINDS:
        text = tampered(claim.statement, kind)
        if text is None:
            continue
        verdict = _judged(dataclasses.replace(claim, statement=text))
        if verdict.startswith("error"):
            status, reason = "undetected", ""
        elif verdict != claim.recorded:
            status, reason = "detected", ""
        elif kind in keeps:
            status, reason = "kept", keeps[kind]
        elif claim.recorded == "false":
            status, reason = "kept", "still refuted: a perturbation of a false statement"
        else:
            status, reason = "undetected", ""
        out.append(Outcome(claim.id, kind, text, verdict, status, reason))
    if claim.recorded == "false" and claim.correction:
        for kind in KINDS:
            text = tampered(claim.correction, kind)
            if text is None:
                continue
            verdict = _judged(dataclasses.replace(claim, statement=text, correction=None))
            ok = verdict != "true" and not verdict.startswith("error")
            key = f"correction {kind}"
            status = ("detected" if ok else "kept" if key in keeps and verdict == "true"
                      else "undetected")
            out.append(Outcome(claim.id, key, text, verdict, status,
                               keeps[key] if status == "kept" else ""))
    return out


def main() -> int:  # pragma: no cover - a report, exercised by hand
    import verify
    from verify.lecture import Claim

    rows = [o for c in verify.all_claims() if isinstance(c, Claim) for o in outcomes(c)]
    for o in rows:
        print(f"{o.claim:<40} {o.kind:<12} {o.status:<10} {o.verdict:<22} {o.reason}")
    detected = sum(o.status == "detected" for o in rows)
    print(f"\ndetection rate: {detected}/{len(rows)} = {detected / max(1, len(rows)):.0%} "
          f"({sum(o.status == 'kept' for o in rows)} kept with a reason, "
          f"{sum(o.status == 'undetected' for o in rows)} undetected)")
    return 0 if all(o.status != "undetected" for o in rows) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
