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


# ------------------------------------------------------------------------ Types of Optimization
u1, u2 = sp.symbols("u_1 u_2", real=True)  # two values of the affine argument u
TYPES_BOX = {"alpha": (0, 1), "w1": (-5, 5), "w2": (-5, 5), "x": (-3, 3), "y": (-1, 1)}


def _mp_convex_at(loss):
    """mpmath predicate: the definition of convexity of ``w -> loss(w, x, y)`` at w1, w2, alpha."""

    def predicate(p):
        al, xx, yy = p["alpha"], p["x"], p["y"]
        mid = loss(al * p["w1"] + (1 - al) * p["w2"], xx, yy)
        return (
            mid
            <= al * loss(p["w1"], xx, yy) + (1 - al) * loss(p["w2"], xx, yy) + mpmath.mpf(10) ** -30
        )

    return predicate


def _through_affine(phi, name: str) -> str:
    """The loss is phi(u) with u affine in w; phi convex gives convexity by properties.affine."""
    mixed = phi.subs(t, a * u1 + (1 - a) * u2)
    check = provers.inequality(
        mixed, "<=", a * phi.subs(t, u1) + (1 - a) * phi.subs(t, u2), assumptions=UNIT
    )
    return f"{name} = phi(u), u affine in w (properties.affine); phi convex: " + proved(
        check, what=name
    )


@claim(
    "types.linear-regression",
    slide="Types of Optimization",
    statement=r"\text{Convex optimization includes linear regression: } w \mapsto (w^T x_i - "
    r"y_i)^2 \text{ is convex}",
    assumptions=r"squared loss of one example (a sum of such terms is convex by "
    r"properties.nonnegative-combination)",
    recorded="true",
    numeric=NumericCheck(TYPES_BOX, _mp_convex_at(lambda w, xx, yy: (w * xx - yy) ** 2)),
)
def _types_linear() -> Outcome:
    return Outcome("true", _through_affine(t**2, "(w^T x - y)^2"))


@claim(
    "types.logistic-regression",
    slide="Types of Optimization",
    statement=r"\text{Convex optimization includes logistic regression: } w \mapsto \log(1 + "
    r"e^{-y_i w^T x_i}) \text{ is convex}",
    assumptions=r"logistic loss of one example; $\phi(u) = \log(1 + e^u)$ at $u = -y_i w^T x_i$",
    recorded="true",
    numeric=NumericCheck(
        TYPES_BOX, _mp_convex_at(lambda w, xx, yy: mpmath.log(1 + mpmath.exp(-yy * w * xx)))
    ),
)
def _types_logistic() -> Outcome:
    phi = sp.log(1 + sp.exp(t))
    second = provers.derivative(phi, t, sp.exp(t) / (1 + sp.exp(t)) ** 2, order=2)
    positive = provers.inequality(sp.exp(t) / (1 + sp.exp(t)) ** 2, ">", sp.Integer(0))
    return Outcome(
        "true",
        "log(1 + e^{-y w^T x}) = phi(u), u affine in w (properties.affine); phi'' > 0 "
        "(second-order condition): " + proved(second, positive, what="logistic regression"),
    )


@claim(
    "types.svm",
    slide="Types of Optimization",
    statement=r"\text{Convex optimization includes SVM: } w \mapsto \max(0, 1 - y_i w^T x_i) "
    r"+ \frac{\lambda}{2}\|w\|^2 \text{ is convex}",
    assumptions=r"hinge loss of one example plus a ridge term, $\lambda \ge 0$",
    recorded="true",
    numeric=NumericCheck(
        TYPES_BOX, _mp_convex_at(lambda w, xx, yy: max(mpmath.mpf(0), 1 - yy * w * xx) + w**2 / 2)
    ),
)
def _types_svm() -> Outcome:
    hinge = _through_affine(sp.Max(0, t), "max(0, 1 - y w^T x)")
    ridge = _through_affine(t**2, "||w||^2 (per coordinate)")
    return Outcome(
        "true", f"{hinge}; {ridge}; the sum with lambda >= 0 by properties.nonnegative-combination"
    )


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
