r"""Slides "Types of Optimization" and "Convex Functions": the definition and its first uses.

The definition (Boyd & Vandenberghe, *Convex Optimization*, 2004, Sec. 3.1.1):

.. math:: \forall \alpha \in [0, 1],\; f(\alpha x + (1-\alpha) y) \le \alpha f(x) + (1-\alpha) f(y).

The losses of linear regression, logistic regression and the SVM are convex in :math:`w` as a
convex :math:`\phi` of an affine :math:`u(w)`. The symbols and helpers defined here are shared by
the example slides (:mod:`verify.example_quadratic`, :mod:`verify.example_abs`,
:mod:`verify.example_exponential`), where each line of each derivation is a separate claim, judged
with its coefficients exactly as written, and a final ``*.proof`` claim per example says what the
derivation as a whole establishes.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, proved
from verify.numeric import NumericCheck, approx_eq

a, x, y, t = sp.symbols("alpha x y t", real=True)
fx, fy, fz = sp.symbols("f_x f_y f_z", real=True)
UNIT = (a >= 0, a <= 1)
UNIT_TEXT = r"$x, y \in \mathbb{R}$, $\alpha \in [0, 1]$"
BOX = {"alpha": (0, 1), "x": (-10, 10), "y": (-10, 10)}
mpf = mpmath.mpf


def mix(p):
    return p["alpha"] * p["x"] + (1 - p["alpha"]) * p["y"]


# ----------------------------------------------------------------------------- Convex Functions
@claim(
    "convexity.definition-symmetry",
    slide="Convex Functions",
    statement=r"\forall \alpha \in [0, 1], f(\alpha x + (1 - \alpha)y) \leq \alpha f(x) + (1 - "
    r"\alpha)f(y)",
    assumptions=UNIT_TEXT + r"; $f$ any real function. Checked: the condition is unchanged by "
    r"$(x, y, \alpha) \mapsto (y, x, 1 - \alpha)$ and is an equality at $\alpha \in \{0, 1\}$, "
    r"so it suffices to state it for $x > y$, $\alpha \in (0, 1)$",
    recorded="true",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_eq(mix(p), mix({"alpha": 1 - p["alpha"], "x": p["y"], "y": p["x"]})),
    ),
)
def _definition_symmetry() -> Outcome:
    swapped = {x: y, y: x, a: 1 - a}
    point = a * x + (1 - a) * y
    checks = (
        provers.identity(point.xreplace(swapped), point),
        provers.identity(
            (a * fx + (1 - a) * fy).xreplace({fx: fy, fy: fx, a: 1 - a}), a * fx + (1 - a) * fy
        ),
        # at alpha = 0 and 1 both sides reduce to f(y) and f(x): the condition is then an equality
        provers.identity(point.subs(a, 0), y),
        provers.identity(point.subs(a, 1), x),
        provers.identity((a * fx + (1 - a) * fy).subs(a, 0), fy),
        provers.identity((a * fx + (1 - a) * fy).subs(a, 1), fx),
    )
    return Outcome("true", proved(*checks, what="symmetry of the definition"))
