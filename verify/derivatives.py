r"""Second-order examples: slides "Example: Quadratic", "Example: Exponential" (second appearance,
after the alternative definitions) and "Example: Logistic Loss", each line separately.

Derivatives are computed by SymPy and compared exactly with the slide's expression; signs are
proved by factorisation or z3 with ``exp`` atoms replaced by positive variables.

Reference: S. Boyd, L. Vandenberghe, *Convex Optimization*, 2004, Sec. 3.1.4 and Example 3.1.5.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, decide
from verify.numeric import NumericCheck, approx_eq

x = sp.Symbol("x", real=True)
X = {"x": (-20, 20)}


def _d2(f, v):
    """Second derivative by mpmath's numerical differentiation (independent of SymPy)."""
    return mpmath.diff(f, v, 2)


def _d1(f, v):
    return mpmath.diff(f, v, 1)


def _close(a, b):
    # Numerical differentiation at dps = 50 is accurate to ~1e-20 relative, not to 1e-35.
    return abs(a - b) <= mpmath.mpf(10) ** -15 * max(1, abs(a), abs(b))


# --------------------------------------------------------------------------- Example: Quadratic
@claim(
    "quadratic.second-derivative",
    slide="Example: Quadratic",
    statement=r"f(x) = x^2: \quad f''(x) = 2",
    assumptions=r"$x \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(X, lambda p: _close(_d2(lambda v: v**2, p["x"]), mpmath.mpf(2))),
)
def _quadratic_second() -> Outcome:
    return decide(provers.derivative(x**2, x, sp.Integer(2), order=2), what="(x^2)''")


@claim(
    "quadratic.second-derivative-nonneg",
    slide="Example: Quadratic",
    statement=r"f''(x) = 2 \geq 0",
    assumptions=r"$x \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(X, lambda p: mpmath.mpf(2) >= 0),
)
def _quadratic_nonneg() -> Outcome:
    return decide(provers.inequality(sp.Integer(2), ">=", sp.Integer(0)), what="2 >= 0")


# ------------------------------------------------------------------------- Example: Exponential
@claim(
    "exp.second-derivative",
    slide="Example: Exponential",
    statement=r"f(x) = e^x: \quad f''(x) = e^x",
    assumptions=r"$x \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(X, lambda p: _close(_d2(mpmath.exp, p["x"]), mpmath.exp(p["x"]))),
)
def _exp_second() -> Outcome:
    return decide(provers.derivative(sp.exp(x), x, sp.exp(x), order=2), what="(e^x)''")


@claim(
    "exp.second-derivative-nonneg",
    slide="Example: Exponential",
    statement=r"f''(x) = e^x \geq 0",
    assumptions=r"$x \in \mathbb{R}$ (in fact $e^x > 0$)",
    recorded="true",
    numeric=NumericCheck(X, lambda p: mpmath.exp(p["x"]) > 0),
)
def _exp_nonneg() -> Outcome:
    return decide(provers.inequality(sp.exp(x), ">", sp.Integer(0)), what="e^x > 0")


# ----------------------------------------------------------------------- Example: Logistic Loss
LOGISTIC = sp.log(1 + sp.exp(x))
F1_A = sp.exp(x) / (1 + sp.exp(x))
F1_B = 1 / (1 + sp.exp(-x))
# The slide's -(-e^{-x}) / (1 + e^{-x})^2, double negation as written (SymPy folds it).
F2_A = -(-sp.exp(-x)) / (1 + sp.exp(-x)) ** 2  # noqa: B002
F2_B = 1 / ((1 + sp.exp(x)) * (1 + sp.exp(-x)))


def _mp_logistic(v):
    return mpmath.log(1 + mpmath.exp(v))


@claim(
    "logistic.first-derivative",
    slide="Example: Logistic Loss",
    statement=r"f(x) = \log(1 + e^x): \quad f'(x) = \frac{e^x}{1 + e^x}",
    assumptions=r"$x \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        X,
        lambda p: _close(_d1(_mp_logistic, p["x"]), mpmath.exp(p["x"]) / (1 + mpmath.exp(p["x"]))),
    ),
)
def _logistic_first() -> Outcome:
    return decide(provers.derivative(LOGISTIC, x, F1_A), what="logistic f'")


@claim(
    "logistic.first-derivative-rewrite",
    slide="Example: Logistic Loss",
    statement=r"\frac{e^x}{1 + e^x} = \frac{1}{1 + e^{-x}}",
    assumptions=r"$x \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        X,
        lambda p: approx_eq(
            mpmath.exp(p["x"]) / (1 + mpmath.exp(p["x"])), 1 / (1 + mpmath.exp(-p["x"]))
        ),
    ),
)
def _logistic_first_rewrite() -> Outcome:
    return decide(provers.identity(F1_A, F1_B), what="e^x/(1+e^x) = 1/(1+e^-x)")


@claim(
    "logistic.second-derivative",
    slide="Example: Logistic Loss",
    statement=r"f''(x) = -\frac{-e^{-x}}{(1 + e^{-x})^2}",
    assumptions=r"$x \in \mathbb{R}$; differentiating $f'(x) = (1 + e^{-x})^{-1}$",
    recorded="true",
    numeric=NumericCheck(
        X,
        lambda p: _close(
            _d2(_mp_logistic, p["x"]),
            -(-mpmath.exp(-p["x"])) / (1 + mpmath.exp(-p["x"])) ** 2,  # noqa: B002
        ),
    ),
)
def _logistic_second() -> Outcome:
    via_slide_form = provers.derivative(F1_B, x, F2_A)
    from_f = provers.derivative(LOGISTIC, x, F2_A, order=2)
    out = decide(from_f, what="logistic f''")
    if not via_slide_form.holds:
        return decide(via_slide_form, what="d/dx 1/(1+e^-x)")
    return Outcome(
        out.verdict, out.method + "; also d/dx (1 + e^{-x})^{-1}: " + via_slide_form.method
    )


@claim(
    "logistic.second-derivative-rewrite",
    slide="Example: Logistic Loss",
    statement=r"-\frac{-e^{-x}}{(1 + e^{-x})^2} = \frac{1}{(1 + e^x)(1 + e^{-x})}",
    assumptions=r"$x \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        X,
        lambda p: approx_eq(
            -(-mpmath.exp(-p["x"])) / (1 + mpmath.exp(-p["x"])) ** 2,  # noqa: B002
            1 / ((1 + mpmath.exp(p["x"])) * (1 + mpmath.exp(-p["x"]))),
        ),
    ),
)
def _logistic_second_rewrite() -> Outcome:
    return decide(provers.identity(F2_A, F2_B), what="logistic f'' rewrite")


@claim(
    "logistic.second-derivative-nonneg",
    slide="Example: Logistic Loss",
    statement=r"\frac{1}{(1 + e^x)(1 + e^{-x})} \geq 0.",
    assumptions=r"$x \in \mathbb{R}$ (in fact $> 0$)",
    recorded="true",
    numeric=NumericCheck(
        X, lambda p: 1 / ((1 + mpmath.exp(p["x"])) * (1 + mpmath.exp(-p["x"]))) > 0
    ),
)
def _logistic_nonneg() -> Outcome:
    return decide(provers.inequality(F2_B, ">", sp.Integer(0)), what="logistic f'' > 0")
