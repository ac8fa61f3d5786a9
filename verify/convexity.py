r"""Slides "Convex Functions", "Example: Quadratic", "Example: Abs", "Example: Exponential".

The definition (Boyd & Vandenberghe, *Convex Optimization*, 2004, Sec. 3.1.1):

.. math:: \forall \alpha \in [0, 1],\; f(\alpha x + (1-\alpha) y) \le \alpha f(x) + (1-\alpha) f(y).

Each line of each example derivation is a separate claim, judged with its coefficients exactly as
written; a final ``*.proof`` claim per example says what the derivation as a whole establishes.
"""

from __future__ import annotations

from fractions import Fraction as Fr

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, decide, format_point, proved
from verify.numeric import NumericCheck, approx_eq, approx_le

a, x, y, t = sp.symbols("alpha x y t", real=True)
fx, fy, fz = sp.symbols("f_x f_y f_z", real=True)
UNIT = (a >= 0, a <= 1)
UNIT_TEXT = r"$x, y \in \mathbb{R}$, $\alpha \in [0, 1]$"
BOX = {"alpha": (0, 1), "x": (-10, 10), "y": (-10, 10)}
mpf = mpmath.mpf


def _mix(p):
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
        lambda p: approx_eq(_mix(p), _mix({"alpha": 1 - p["alpha"], "x": p["y"], "y": p["x"]})),
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


# --------------------------------------------------------------------------- Example: Quadratic
QUAD_L0 = (a * x + (1 - a) * y) ** 2
QUAD_L1 = a**2 * x**2 + 2 * a * (1 - a) * x * y + (1 - a) ** 2 * y**2
QUAD_L2 = a * x**2 + (1 - a) * y**2 - a * (1 - a) * (x**2 + 2 * x * y + y**2)
QUAD_L2_FIXED = a * x**2 + (1 - a) * y**2 - a * (1 - a) * (x**2 - 2 * x * y + y**2)
QUAD_L3 = a * x**2 + (1 - a) * y**2


@claim(
    "quadratic.line1",
    slide="Example: Quadratic",
    statement=r"(\alpha x + (1 - \alpha)y)^2 = \alpha^2 x^2 + 2\alpha(1 - \alpha)xy + (1 - "
    r"\alpha)^2 y^2",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_eq(
            _mix(p) ** 2,
            p["alpha"] ** 2 * p["x"] ** 2
            + 2 * p["alpha"] * (1 - p["alpha"]) * p["x"] * p["y"]
            + (1 - p["alpha"]) ** 2 * p["y"] ** 2,
        ),
    ),
)
def _quadratic_line1() -> Outcome:
    return decide(provers.identity(QUAD_L0, QUAD_L1), what="quadratic line 1")


def _quad_line2_numeric(p) -> bool:
    al, u, v = p["alpha"], p["x"], p["y"]
    lhs = al**2 * u**2 + 2 * al * (1 - al) * u * v + (1 - al) ** 2 * v**2
    return approx_eq(lhs, al * u**2 + (1 - al) * v**2 - al * (1 - al) * (u**2 + 2 * u * v + v**2))


@claim(
    "quadratic.line2",
    slide="Example: Quadratic",
    statement=r"\alpha^2 x^2 + 2\alpha(1 - \alpha)xy + (1 - \alpha)^2 y^2 = "
    r"\alpha x^2 + (1 - \alpha)y^2 - \alpha(1 - \alpha)(x^2 + 2xy + y^2)",
    assumptions=UNIT_TEXT,
    recorded="false",
    numeric=NumericCheck(
        BOX, _quad_line2_numeric, expect="fails", counterexample={"alpha": Fr(1, 2), "x": 1, "y": 1}
    ),
)
def _quadratic_line2() -> Outcome:
    return decide(
        provers.identity(QUAD_L1, QUAD_L2, assumptions=UNIT),
        what="quadratic line 2",
        correction=r"\alpha^2 x^2 + 2\alpha(1 - \alpha)xy + (1 - \alpha)^2 y^2 = "
        r"\alpha x^2 + (1 - \alpha)y^2 - \alpha(1 - \alpha)(x - y)^2",
        repaired=(provers.identity(QUAD_L1, QUAD_L2_FIXED),),
    )


@claim(
    "quadratic.line3",
    slide="Example: Quadratic",
    statement=r"\alpha x^2 + (1 - \alpha)y^2 - \alpha(1 - \alpha)(x^2 + 2xy + y^2) "
    r"\leq \alpha x^2 + (1 - \alpha)y^2",
    assumptions=UNIT_TEXT,
    recorded="true",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_le(
            p["alpha"] * p["x"] ** 2
            + (1 - p["alpha"]) * p["y"] ** 2
            - p["alpha"] * (1 - p["alpha"]) * (p["x"] + p["y"]) ** 2,
            p["alpha"] * p["x"] ** 2 + (1 - p["alpha"]) * p["y"] ** 2,
        ),
    ),
)
def _quadratic_line3() -> Outcome:
    return decide(
        provers.inequality(QUAD_L2, "<=", QUAD_L3, assumptions=UNIT), what="quadratic line 3"
    )


@claim(
    "quadratic.proof",
    slide="Example: Quadratic",
    statement=r"(\alpha x + (1 - \alpha)y)^2 \leq \alpha x^2 + (1 - \alpha)y^2 "
    r"\text{ (the conclusion of the three-line derivation)}",
    assumptions=UNIT_TEXT,
    recorded="gap",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_le(
            _mix(p) ** 2, p["alpha"] * p["x"] ** 2 + (1 - p["alpha"]) * p["y"] ** 2
        ),
    ),
)
def _quadratic_proof() -> Outcome:
    broken = provers.identity(QUAD_L1, QUAD_L2, assumptions=UNIT)
    if broken.holds:
        return Outcome("true", broken.method)
    repair = proved(
        provers.identity(QUAD_L1, QUAD_L2_FIXED),
        provers.inequality(QUAD_L2_FIXED, "<=", QUAD_L3, assumptions=UNIT),
        provers.inequality(QUAD_L0, "<=", QUAD_L3, assumptions=UNIT),
        what="repaired quadratic derivation",
    )
    return Outcome(
        "gap",
        repair,
        counterexample=f"line 2 fails at {format_point(broken.counterexample)}",
        gap="The chain passes through line 2, which is false (sign of the 2xy term), so the "
        "derivation as written does not prove the conclusion; the conclusion itself is true.",
        correction=r"(\alpha x + (1 - \alpha)y)^2 = \alpha x^2 + (1 - \alpha)y^2 - "
        r"\alpha(1 - \alpha)(x - y)^2 \leq \alpha x^2 + (1 - \alpha)y^2",
    )


# --------------------------------------------------------------------------------- Example: Abs
ABS_L0 = sp.Abs(a * x + (1 - a) * y)
ABS_L1 = sp.Abs(a * x) + sp.Abs((1 - a) * y)
ABS_L2 = a * sp.Abs(x) + (1 - a) * sp.Abs(y)


@claim(
    "abs.line1",
    slide="Example: Abs",
    statement=r"|\alpha x + (1 - \alpha)y| \leq |\alpha x| + |(1 - \alpha)y|",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$ (the triangle inequality needs no restriction on "
    r"$\alpha$)",
    recorded="true",
    numeric=NumericCheck(
        {"alpha": (-3, 3), "x": (-10, 10), "y": (-10, 10)},
        lambda p: approx_le(
            abs(_mix(p)), abs(p["alpha"] * p["x"]) + abs((1 - p["alpha"]) * p["y"])
        ),
    ),
)
def _abs_line1() -> Outcome:
    return decide(provers.inequality(ABS_L0, "<=", ABS_L1), what="abs line 1")


@claim(
    "abs.line2",
    slide="Example: Abs",
    statement=r"|\alpha x| + |(1 - \alpha)y| = \alpha|x| + (1 - \alpha)|y|",
    assumptions=UNIT_TEXT
    + r" (used: $\alpha \ge 0$ and $1 - \alpha \ge 0$; it fails outside $[0, 1]$)",
    recorded="true",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_eq(
            abs(p["alpha"] * p["x"]) + abs((1 - p["alpha"]) * p["y"]),
            p["alpha"] * abs(p["x"]) + (1 - p["alpha"]) * abs(p["y"]),
        ),
    ),
)
def _abs_line2() -> Outcome:
    inside = provers.identity(ABS_L1, ABS_L2, assumptions=UNIT)
    outside = provers.identity(ABS_L1, ABS_L2, assumptions=(a < 0,))
    out = decide(inside, what="abs line 2")
    if outside.counterexample is None:
        return out
    note = f"; outside [0, 1] it fails, e.g. at {format_point(outside.counterexample)}"
    return Outcome(out.verdict, out.method + note)


@claim(
    "abs.proof",
    slide="Example: Abs",
    statement=r"|\alpha x + (1 - \alpha)y| \leq \alpha|x| + (1 - \alpha)|y|",
    assumptions=UNIT_TEXT,
    recorded="true",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_le(
            abs(_mix(p)), p["alpha"] * abs(p["x"]) + (1 - p["alpha"]) * abs(p["y"])
        ),
    ),
)
def _abs_proof() -> Outcome:
    return decide(provers.inequality(ABS_L0, "<=", ABS_L2, assumptions=UNIT), what="abs conclusion")


# ------------------------------------------------------------------------- Example: Exponential
n = sp.Symbol("n", integer=True, nonnegative=True)
p_, q_, k_ = sp.symbols("p q k", real=True)  # p = alpha**n, q = (x - y)**n, k = 1/n!
EXP_X = {**BOX, "x": (-5, 5), "y": (-5, 5)}


def _series(coeff, start: int):
    """``sum_{n >= start} coeff(n) (x - y)^n / n!`` evaluated in closed form by SymPy."""
    return sp.Sum(coeff * (x - y) ** n / sp.factorial(n), (n, start, sp.oo)).doit()


def _mp_series(p, alpha_power: bool, start: int):
    # Summed term by term with mpmath, independently of exp.
    al, d = p["alpha"], p["x"] - p["y"]
    return mpmath.nsum(
        lambda m: (al**m if alpha_power else 1) * d**m / mpmath.factorial(m), [start, mpmath.inf]
    )


@claim(
    "exp.line1",
    slide="Example: Exponential",
    statement=r"e^{\alpha x + (1-\alpha)y} = e^y e^{\alpha(x-y)}",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_eq(
            mpmath.exp(_mix(p)), mpmath.exp(p["y"]) * mpmath.exp(p["alpha"] * (p["x"] - p["y"]))
        ),
    ),
)
def _exp_line1() -> Outcome:
    lhs = sp.exp(a * x + (1 - a) * y)
    return decide(provers.identity(lhs, sp.exp(y) * sp.exp(a * (x - y))), what="exp line 1")


@claim(
    "exp.line1-series",
    slide="Example: Exponential",
    statement=r"e^y e^{\alpha(x-y)} = e^y \sum_{n=0}^{\infty} \frac{1}{n!} \alpha^n (x-y)^n",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$ (the exponential series converges everywhere)",
    recorded="true",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_eq(
            mpmath.exp(p["y"]) * mpmath.exp(p["alpha"] * (p["x"] - p["y"])),
            mpmath.exp(p["y"]) * _mp_series(p, True, 0),
        ),
    ),
)
def _exp_line1_series() -> Outcome:
    out = decide(
        provers.identity(sp.exp(y) * sp.exp(a * (x - y)), sp.exp(y) * _series(a**n, 0)),
        what="exp series",
    )
    return Outcome(out.verdict, "series summed in closed form by SymPy, then " + out.method)


@claim(
    "exp.line2",
    slide="Example: Exponential",
    statement=r"e^y \sum_{n=0}^{\infty} \frac{1}{n!} \alpha^n (x-y)^n \leq e^y \left( 1 + \alpha "
    r"\sum_{n=1}^{\infty} \frac{1}{n!} (x-y)^n \right) \quad (\text{if } x > y)",
    assumptions=UNIT_TEXT + r", $x > y$ (as written)",
    recorded="true",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_le(
            mpmath.exp(p["y"]) * _mp_series(p, True, 0),
            mpmath.exp(p["y"]) * (1 + p["alpha"] * _mp_series(p, False, 1)),
        ),
        where=lambda p: p["x"] > p["y"],
    ),
)
def _exp_line2() -> Outcome:
    # Term n >= 1 of (right - left) is (alpha - alpha^n) (x - y)^n / n!; the n = 0 terms agree.
    split = provers.identity(_series(a - a**n, 1), a * _series(1, 1) - (_series(a**n, 0) - 1))
    base = provers.identity(a - a**1, sp.Integer(0))
    step = provers.implies((p_ >= 0, p_ <= a), sp.And(a * p_ >= 0, a * p_ <= a), assumptions=UNIT)
    power = provers.implies((q_ > 0,), t * q_ > 0, assumptions=(t > 0,))
    term = provers.implies((p_ <= a, q_ > 0, k_ > 0), (a - p_) * q_ * k_ >= 0, assumptions=UNIT)
    method = proved(split, base, step, power, term, what="termwise comparison in exp line 2")
    return Outcome(
        "true",
        "right - left = e^y sum_{n>=1} (alpha - alpha^n)(x - y)^n / n!, every term >= 0 when x > "
        "y: "
        "alpha^n <= alpha and (x - y)^n > 0 by induction on n; both series converge absolutely. "
        + method,
    )


@claim(
    "exp.line3",
    slide="Example: Exponential",
    statement=r"e^y \left( 1 + \alpha \sum_{n=1}^{\infty} \frac{1}{n!} (x-y)^n \right) = e^y "
    r"((1-\alpha) + \alpha e^{x-y})",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_eq(
            mpmath.exp(p["y"]) * (1 + p["alpha"] * _mp_series(p, False, 1)),
            mpmath.exp(p["y"]) * ((1 - p["alpha"]) + p["alpha"] * mpmath.exp(p["x"] - p["y"])),
        ),
    ),
)
def _exp_line3() -> Outcome:
    lhs = sp.exp(y) * (1 + a * _series(1, 1))
    return decide(
        provers.identity(lhs, sp.exp(y) * ((1 - a) + a * sp.exp(x - y))), what="exp line 3"
    )


@claim(
    "exp.line4",
    slide="Example: Exponential",
    statement=r"e^y ((1-\alpha) + \alpha e^{x-y}) = (1-\alpha)e^y + \alpha e^x",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_eq(
            mpmath.exp(p["y"]) * ((1 - p["alpha"]) + p["alpha"] * mpmath.exp(p["x"] - p["y"])),
            (1 - p["alpha"]) * mpmath.exp(p["y"]) + p["alpha"] * mpmath.exp(p["x"]),
        ),
    ),
)
def _exp_line4() -> Outcome:
    lhs = sp.exp(y) * ((1 - a) + a * sp.exp(x - y))
    return decide(provers.identity(lhs, (1 - a) * sp.exp(y) + a * sp.exp(x)), what="exp line 4")


@claim(
    "exp.proof",
    slide="Example: Exponential",
    statement=r"e^{\alpha x + (1-\alpha)y} \leq (1-\alpha)e^y + \alpha e^x "
    r"\text{ (the conclusion, for all } x, y \text{, argued only for } x > y)",
    assumptions=UNIT_TEXT,
    recorded="gap",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_le(
            mpmath.exp(_mix(p)),
            (1 - p["alpha"]) * mpmath.exp(p["y"]) + p["alpha"] * mpmath.exp(p["x"]),
        ),
    ),
)
def _exp_proof() -> Outcome:
    lhs, rhs = sp.exp(a * x + (1 - a) * y), (1 - a) * sp.exp(y) + a * sp.exp(x)
    swap = {x: y, y: x, a: 1 - a}
    method = proved(
        provers.identity(lhs.xreplace(swap), lhs),
        provers.identity(rhs.xreplace(swap), rhs),
        provers.identity(lhs.subs(y, x), rhs.subs(y, x)),
        provers.implies((x < y,), sp.And(y > x, 1 - a >= 0, 1 - a <= 1), assumptions=UNIT),
        what="repaired exponential derivation",
    )
    return Outcome(
        "gap",
        "case x > y: exp.line1-line4; case x = y: both sides equal e^x; case x < y: the statement "
        "is "
        "invariant under (x, y, alpha) -> (y, x, 1 - alpha), which maps it to the case x > y. "
        + method,
        gap="The inequality step is argued only for x > y (for x < y the terms (x - y)^n of odd n "
        "are "
        "negative, so the termwise bound alpha^n (x-y)^n <= alpha (x-y)^n fails); the cases x < y "
        "and "
        "x = y, needed for convexity, are not addressed.",
        correction=r"For x = y both sides equal e^x; for x < y apply the x > y case to "
        r"(x', y', \alpha') = (y, x, 1 - \alpha): e^{\alpha x + (1-\alpha)y} \leq (1-\alpha)e^y + "
        r"\alpha e^x "
        r"\ \forall x, y \in \mathbb{R}, \alpha \in [0, 1]",
    )
