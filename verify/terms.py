r"""The syntax tree of the lecture's notation, and its printer back to LaTeX.

:mod:`verify.parse` builds these nodes from the slides' LaTeX; :mod:`verify.elaborate` resolves
them against the declarations of a claim (``f(x)`` an application or a product, ``e^x`` the
exponential, ...). Nodes are frozen dataclasses compared by value, so two spellings of the same
formula (``\left(`` or ``(``, extra spaces) give equal trees. :func:`latex` prints a tree back to
LaTeX that parses to an equal tree (tested), which is how the tamper suite writes perturbed
statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

__all__ = [
    "Abs", "Add", "ArgMin", "Chain", "Expect", "Factorial", "Forall", "Frac", "Grad", "Group",
    "Hole", "Iff", "Infinity", "Inner", "Interval", "Lim", "Log", "Max", "Member", "Mul", "Neg",
    "Node", "Norm", "Num", "Pow", "Predicate", "Reals", "Sum", "Sym", "Text", "latex", "walk",
]


class Node:
    """Base class of every tree node."""


@dataclass(frozen=True)
class Num(Node):
    value: Fraction


@dataclass(frozen=True)
class Sym(Node):
    """A symbol: ``w``, ``\alpha``, ``w_{t+1}``, ``w^*``, ``f''`` (``primes`` = 2)."""

    base: str  # "w", "alpha" (Greek without the backslash)
    sub: Node | None = None
    star: bool = False
    primes: int = 0

    @property
    def name(self) -> str:
        """The name declarations use: ``w_t``, ``w_{t+1}``, ``w^*``, ``zeta_t``, ``alpha``."""
        out = self.base
        if self.sub is not None:
            text = latex(self.sub).replace(" ", "")
            out += f"_{text}" if len(text) == 1 else f"_{{{text}}}"
        return out + ("^*" if self.star else "")


@dataclass(frozen=True)
class Add(Node):
    terms: tuple[Node, ...]  # subtraction is Add(a, Neg(b))


@dataclass(frozen=True)
class Neg(Node):
    arg: Node


@dataclass(frozen=True)
class Mul(Node):
    factors: tuple[Node, ...]  # juxtaposition or \cdot


@dataclass(frozen=True)
class Frac(Node):
    num: Node
    den: Node


@dataclass(frozen=True)
class Pow(Node):
    base: Node
    exp: Node


@dataclass(frozen=True)
class Factorial(Node):
    arg: Node


@dataclass(frozen=True)
class Group(Node):
    """Parentheses; several items (``(w; x_i)``, ``(a, b)``) are arguments of an application."""

    items: tuple[Node, ...]
    seps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Log(Node):
    arg: Node


@dataclass(frozen=True)
class Abs(Node):
    arg: Node


@dataclass(frozen=True)
class Norm(Node):
    arg: Node
    sub: str | None = None  # "2": the operator (spectral) norm of a matrix


@dataclass(frozen=True)
class Inner(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Expect(Node):
    arg: Node
    sub: Node | None = None  # E_{i_t}[.]: over that index only


@dataclass(frozen=True)
class Grad(Node):
    """``\nabla f(args)`` (order 1) or ``\nabla^2 f(args)`` (order 2)."""

    func: Sym
    args: Group
    order: int = 1


@dataclass(frozen=True)
class Cost(Node):
    """``\\operatorname{cost}(e)``: the per-example gradients evaluated in computing ``e``."""

    arg: Node


@dataclass(frozen=True)
class Max(Node):
    args: tuple[Node, ...]
    kind: str = "max"


@dataclass(frozen=True)
class Sum(Node):
    index: Sym
    lo: Node
    hi: Node
    body: Node


@dataclass(frozen=True)
class Lim(Node):
    var: Sym
    to: Node
    body: Node
    kind: str = "lim"  # "lim", "limsup", "liminf"


@dataclass(frozen=True)
class ArgMin(Node):
    var: Sym
    domain: Node
    body: Node


@dataclass(frozen=True)
class Infinity(Node):
    pass


@dataclass(frozen=True)
class Hole(Node):
    """The missing left side of a display that continues the previous one (``= a - b``)."""


@dataclass(frozen=True)
class Text(Node):
    text: str


@dataclass(frozen=True)
class Interval(Node):
    lo: Node
    hi: Node


@dataclass(frozen=True)
class Reals(Node):
    dim: Node | None = None


# ----------------------------------------------------------------------------------- statements
@dataclass(frozen=True)
class Chain(Node):
    """``items[0] ops[0] items[1] ops[1] ...``; ``conds[k]`` is the condition written on link k.

    ``spans`` are the source offsets of the items (not compared), so a link can be quoted exactly.
    """

    items: tuple[Node, ...]
    ops: tuple[str, ...] = ()
    conds: tuple[Node | None, ...] = ()
    spans: tuple[tuple[int, int], ...] = field(default=(), compare=False)
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class Member(Node):
    elem: Node
    domain: Node


@dataclass(frozen=True)
class Forall(Node):
    var: Sym
    domain: Node | None
    body: Node


@dataclass(frozen=True)
class Iff(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Predicate(Node):
    subject: Node
    text: str


# ------------------------------------------------------------------------------------- helpers
def walk(node):
    """Every node of the tree, depth first (the node itself first)."""
    yield node
    for value in vars(node).values() if hasattr(node, "__dict__") else ():
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if isinstance(child, Node):
                yield from walk(child)


def map_children(node, fn, *, skip=()):
    """``node`` rebuilt with ``fn`` applied to each child node (a field holding a node, or a
    non-empty tuple of nodes); fields named in ``skip`` and leaves are kept as they are."""
    if not hasattr(node, "__dataclass_fields__"):
        return node
    changes = {}
    for name in node.__dataclass_fields__:
        value = getattr(node, name)
        if isinstance(value, Node) and name not in skip:
            changes[name] = fn(value)
        elif isinstance(value, tuple) and value and all(isinstance(v, Node) for v in value):
            changes[name] = tuple(fn(v) for v in value)
    return type(node)(**{**{k: getattr(node, k) for k in node.__dataclass_fields__}, **changes})


_OPS = {"=": "=", "<": "<", ">": ">", "leq": r"\leq", "geq": r"\geq", "neq": r"\neq",
        "preceq": r"\preceq", "succeq": r"\succeq", "leftarrow": r"\leftarrow"}


def _wrap(node: Node, *, weak: bool) -> str:
    """Parenthesise sums and negations inside products/powers (``weak``: also products)."""
    text = latex(node)
    if isinstance(node, (Add, Neg)) or (weak and isinstance(node, (Mul, Frac))):
        return f"({text})"
    return text


def _script(node: Node) -> str:
    text = latex(node)
    return text if isinstance(node, (Num, Sym)) and len(text) == 1 else f"{{{text}}}"


def latex(node: Node) -> str:  # noqa: C901 - one case per node type
    """LaTeX for a tree; ``parse(latex(t))`` equals ``t``."""
    if isinstance(node, Num):
        v = node.value
        if v.denominator == 1:
            return str(v.numerator)
        return f"\\frac{{{v.numerator}}}{{{v.denominator}}}"
    if isinstance(node, Sym):
        base = node.base if len(node.base) == 1 else "\\" + node.base
        out = base + "'" * node.primes
        if node.sub is not None:
            out += "_" + _script(node.sub)
        return out + ("^*" if node.star else "")
    if isinstance(node, Add):
        out = latex(node.terms[0])
        for t in node.terms[1:]:
            out += f" - {_wrap(t.arg, weak=False)}" if isinstance(t, Neg) else f" + {latex(t)}"
        return out
    if isinstance(node, Neg):
        return f"-{_wrap(node.arg, weak=False)}"
    if isinstance(node, Mul):
        parts = [_wrap(f, weak=False) for f in node.factors]
        return " ".join(p if not (i and parts[i - 1][-1:].isdigit() and p[:1].isdigit())
                        else "\\cdot " + p for i, p in enumerate(parts))
    if isinstance(node, Frac):
        return f"\\frac{{{latex(node.num)}}}{{{latex(node.den)}}}"
    if isinstance(node, Pow):
        if isinstance(node.base, Group) and len(node.base.items) == 1:
            base = latex(node.base)
        else:
            base = _wrap(node.base, weak=True)
            if isinstance(node.base, Pow):
                base = f"({base})"
        return f"{base}^{_script(node.exp)}"
    if isinstance(node, Factorial):
        return f"{_wrap(node.arg, weak=True)}!"
    if isinstance(node, Group):
        inner = latex(node.items[0])
        for sep, item in zip(node.seps, node.items[1:], strict=True):
            inner += f"{sep} {latex(item)}"
        return f"({inner})"
    if isinstance(node, Log):
        return f"\\log{latex(node.arg)}"
    if isinstance(node, Abs):
        return f"|{latex(node.arg)}|"
    if isinstance(node, Norm):
        return f"\\|{latex(node.arg)}\\|" + (f"_{node.sub}" if node.sub else "")
    if isinstance(node, Inner):
        return f"\\langle {latex(node.left)}, {latex(node.right)} \\rangle"
    if isinstance(node, Expect):
        sub = f"_{_script(node.sub)}" if node.sub is not None else ""
        return f"\\mathbf{{E}}{sub}[{latex(node.arg)}]"
    if isinstance(node, Grad):
        power = "^2" if node.order == 2 else ""
        return f"\\nabla{power} {latex(node.func)}{latex(node.args)}"
    if isinstance(node, Max):
        return f"\\{node.kind}(" + ", ".join(latex(a) for a in node.args) + ")"
    if isinstance(node, Sum):
        return (f"\\sum_{{{latex(node.index)}={latex(node.lo)}}}^{_script(node.hi)} "
                f"{latex(node.body)}")
    if isinstance(node, Lim):
        var, to = latex(node.var), latex(node.to)
        return f"\\{node.kind}_{{{var} \\rightarrow {to}}} {latex(node.body)}"
    if isinstance(node, ArgMin):
        return f"\\min_{{{latex(node.var)} \\in {latex(node.domain)}}} {latex(node.body)}"
    if isinstance(node, Infinity):
        return "\\infty"
    if isinstance(node, Hole):
        return ""
    if isinstance(node, Text):
        return f"\\text{{{node.text}}}"
    if isinstance(node, Interval):
        return f"[{latex(node.lo)}, {latex(node.hi)}]"
    if isinstance(node, Reals):
        return "\\mathbb{R}" + (f"^{_script(node.dim)}" if node.dim is not None else "")
    if isinstance(node, Chain):
        out = latex(node.items[0])
        for op, item, cond in zip(node.ops, node.items[1:], node.conds, strict=True):
            out += f" {_OPS[op]} {latex(item)}"
            if cond is not None:
                out += f" (\\text{{if }} {latex(cond)})"
        return out
    if isinstance(node, Member):
        return f"{latex(node.elem)} \\in {latex(node.domain)}"
    if isinstance(node, Forall):
        dom = f" \\in {latex(node.domain)}" if node.domain is not None else ""
        return f"\\forall {latex(node.var)}{dom}, {latex(node.body)}"
    if isinstance(node, Iff):
        return f"{latex(node.left)} \\Leftrightarrow {latex(node.right)}"
    if isinstance(node, Predicate):
        return f"{latex(node.subject)} \\text{{{node.text}}}"
    if isinstance(node, Cost):
        return f"\\operatorname{{cost}}({latex(node.arg)})"
    raise TypeError(f"no LaTeX for {type(node).__name__}")
