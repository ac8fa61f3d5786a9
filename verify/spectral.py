r"""Spectral reduction: an inequality about one symmetric matrix H becomes one about eigenvalues.

Write the vectors in an orthonormal eigenbasis of H (spectral theorem) with eigenvalues
:math:`\lambda_j`: a Gram entry :math:`\langle a, H^k b\rangle` is
:math:`\sum_j \lambda_j^k a_j b_j` and :math:`\|p(H)\|_2 = \max_j |p(\lambda_j)|`. If the
difference of the two sides is affine in the Gram entries of the vectors that meet H, it is
:math:`\sum_j Q(\lambda_j; a_j, b_j, \ldots)` plus terms free of them, with Q a quadratic
form; it is :math:`\le 0` for every dimension, every spectrum in the allowed interval and every
vector exactly when it is for one coordinate: one eigenvalue :math:`\lambda` carrying the
vectors and, for the operator norm, one more eigenvalue :math:`\lambda'` (the norm is
:math:`\max(|p(\lambda)|, |p(\lambda')|)`). So the reduction is an equivalence: a proof of the
reduced inequality proves the original in every dimension, and a counterexample is one in
dimension 1 or 2.

Reference: R. A. Horn, C. R. Johnson, *Matrix Analysis*, 2nd ed., Cambridge 2013, Thm. 4.1.5
(spectral theorem) and 5.6 (operator norm of a normal matrix).
"""

from __future__ import annotations

import sympy

from verify.gram import GramError, Table

__all__ = ["matrices", "reduce"]


def matrices(exprs, table: Table) -> set[str]:
    """The matrix atoms met by the Gram entries and operator norms in ``exprs``."""
    out: set[str] = set()
    for e in exprs:
        for s in sympy.sympify(e).free_symbols:
            info = table.info.get(s, {})
            out.update(info.get("word", ()))
            if info.get("kind") == "opnorm":
                for word in info["content"].terms:
                    out.update(word)
    return out


def reduce(lhs, rhs, table: Table, bounds: dict, keep: set):
    """``(lhs, rhs, assumptions)`` of the one-coordinate form; ``keep``: symbols the hypotheses
    use, which stay as they are (their vectors must not meet H)."""
    mats = matrices((lhs, rhs), table)
    if not mats:
        return lhs, rhs, []
    if len(mats) > 1:
        raise GramError(f"spectral reduction needs a single matrix, got {sorted(mats)}")
    (h,) = mats
    lam, lam2 = sympy.Symbol("lambda", real=True), sympy.Symbol("lambda'", real=True)
    grams = {s for s in sympy.sympify(lhs - rhs).free_symbols
             if table.info.get(s, {}).get("kind") == "gram"}
    met = {b for s in grams if table.info[s]["word"] for b in table.info[s]["bases"]}
    changed = True
    while changed:  # vectors sharing a Gram entry with a vector that meets H are decomposed too
        changed = False
        for s in grams:
            bases = set(table.info[s]["bases"])
            if bases & met and not bases <= met:
                met |= bases
                changed = True
    decomposed = {s for s in grams if set(table.info[s]["bases"]) <= met}
    if decomposed & keep:
        raise GramError("the hypotheses constrain vectors that meet the matrix")
    if not _affine(lhs - rhs, decomposed):
        raise GramError("the statement is not affine in the Gram entries of the vectors")
    coord = {b: sympy.Symbol(f"{b.label()}_1", real=True) for b in met}
    subs: dict = {}
    for s in decomposed:
        info = table.info[s]
        a, b = info["bases"]
        subs[s] = lam ** len(info["word"]) * coord[a] * coord[b]
    uses_second = False
    for s in sympy.sympify(lhs - rhs).free_symbols:
        info = table.info.get(s, {})
        if info.get("kind") == "opnorm":
            p = sum(c * sympy.Symbol("_x") ** len(w) for w, c in info["content"].terms.items())
            x = sympy.Symbol("_x")
            subs[s] = sympy.Max(sympy.Abs(p.subs(x, lam)), sympy.Abs(p.subs(x, lam2)))
            uses_second = True
    assumptions = []
    for value in (lam, lam2) if uses_second else (lam,):
        bound = bounds.get(h, {})
        if "lo" in bound:
            assumptions.append(bound["lo"] <= value)
        if "hi" in bound:
            assumptions.append(value <= bound["hi"])
    return lhs.xreplace(subs), rhs.xreplace(subs), assumptions


def _affine(expr, symbols) -> bool:
    if not symbols:
        return True
    expanded = sympy.expand(expr)
    for term in sympy.Add.make_args(expanded):
        degree = 0
        for factor in sympy.Mul.make_args(term):
            base, exp = factor.as_base_exp()
            if base in symbols:
                degree += int(exp) if exp.is_Integer else 99
            elif base.free_symbols & symbols:
                return False
        if degree > 1:
            return False
    return True
