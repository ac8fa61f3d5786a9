"""Which terms carry domain conditions: the syntactic side of the provers' definedness rule.

A term is *total* when none of its sub-terms has a domain condition, so it is defined at every
real point: polynomials, ``exp``, ``Abs``, ``Max``, ``Min``, ``sin``, ``cos``, undefined functions
(``g(u)`` stands for a real function defined everywhere), and sums or products whose limits are
integer polynomials (limit symbols are typed integer). ``1/u``, ``u**r`` with ``r`` not a
nonnegative integer, ``log``, ``Piecewise`` and any other function are not: for those the provers
prove definedness (:mod:`verify._z3`) or evaluate it exactly (:mod:`verify._exact`).
"""

from __future__ import annotations

import sympy

__all__ = ["total"]

_TOTAL_FUNCTIONS = (sympy.exp, sympy.Abs, sympy.Max, sympy.Min, sympy.sin, sympy.cos)


def _integral_polynomial(e) -> bool:
    """Built from integers and symbols by +, * and powers: integer-valued on integer symbols."""
    if e.is_Integer or e.is_Symbol:
        return True
    if e.is_Pow:
        return e.exp.is_Integer and e.exp >= 0 and _integral_polynomial(e.base)
    return (e.is_Add or e.is_Mul) and all(_integral_polynomial(a) for a in e.args)


def total(item) -> bool:
    """No sub-term with a domain condition, so ``item`` is defined at every point.

    An undefined function ``g(i)`` stands for a real function defined everywhere; a ``Sum`` or
    ``Product`` is defined when its limits are integers, which the typing of limit symbols makes
    of integer polynomials in them.
    """
    for node in sympy.preorder_traversal(item):
        if node.is_Pow and not (node.exp.is_Integer and node.exp >= 0):
            return False
        if isinstance(node, (sympy.Sum, sympy.Product)):
            if not all(_integral_polynomial(b) for _, *ends in node.limits for b in ends):
                return False
        elif isinstance(node, sympy.Piecewise) or (
            isinstance(node, sympy.Function)
            and not isinstance(node, (*_TOTAL_FUNCTIONS, sympy.core.function.AppliedUndef))
        ):
            return False
    return True
