r"""``\operatorname{cost}(e)``: the number of per-example gradients evaluated in computing ``e``.

The cost model of the slides' running-time statements ("computing the gradient takes O(n) time",
"2x the time", "super fast to compute"): one evaluation of a per-example gradient
:math:`\nabla f(w; x_i)` costs one unit, independently of n (it costs O(d) time for the usual
losses); arithmetic on the results (sums, scalings) is not counted. The count is read from the
elaborated expression, the one the slide writes: :math:`\sum_{i=a}^{b} e` costs
:math:`(b - a + 1)\,\mathrm{cost}(e)`, a per-example gradient costs 1, numbers and names cost 0,
and anything else costs the sum of its parts (each written occurrence is evaluated; nothing is
cached). The gradient of an objective with no definition, a Hessian and an expectation have no
cost in this model: asking for one is an error, never a guess.

Reference: L. Bottou, F. E. Curtis, J. Nocedal, "Optimization methods for large-scale machine
learning", SIAM Review 60(2), 2018, Sec. 3.3 (cost per iteration of GD and SGD).
"""

from __future__ import annotations

from collections.abc import Callable

from verify import terms as t
from verify.elaborate import GradAt, HessAt

__all__ = ["CostError", "evaluations"]


class CostError(ValueError):
    """The expression holds something whose cost the model does not define."""


def evaluations(node: t.Node, value: Callable[[t.Node], object]):
    """Per-example gradient evaluations in the elaborated ``node``; ``value`` gives the number a
    summation bound stands for (a SymPy symbol for a symbolic n, an integer on an instance)."""
    if isinstance(node, GradAt):
        if node.index is None:
            raise CostError(f"the cost of \\nabla {node.func}({node.point}) is not defined: "
                            f"define {node.func} by a sum over the examples")
        return 1
    if isinstance(node, (HessAt, t.Expect, t.Cost)):
        raise CostError(f"the cost of {type(node).__name__} is not defined in this model")
    if isinstance(node, t.Sum):
        return (value(node.hi) - value(node.lo) + 1) * evaluations(node.body, value)
    total = 0
    for name in getattr(node, "__dataclass_fields__", ()):
        part = getattr(node, name)
        parts = part if isinstance(part, tuple) else (part,)
        for p in parts:
            if isinstance(p, t.Node):
                total = total + evaluations(p, value)
    return total
