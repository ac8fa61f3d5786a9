r"""LaTeX of the slides -> syntax trees (:mod:`verify.terms`), with the grammar ``grammar.lark``.

The grammar is LALR(1) (lark builds the table and refuses a grammar with conflicts), so every
text has at most one tree; :func:`mark_bars` first tells opening from closing bars of ``|x|`` and
``\|x\|``. :func:`parse` caches its results, :func:`links`
splits an aligned chain ``a &= b \\ &\le c`` into its links ``a = b`` and ``b \le c`` and quotes
each link with the slide's own characters.

Reference: E. Shinan et al., lark, https://github.com/lark-parser/lark (LALR(1) parser).
"""

from __future__ import annotations

import functools
from fractions import Fraction
from importlib import resources

import lark

from verify import terms as t

__all__ = ["ParseError", "item_text", "link_text", "links", "parse", "parse_expr", "symbol"]

_REL = {"=": "=", "<": "<", ">": ">", "\\le": "leq", "\\leq": "leq", "\\ge": "geq",
        "\\geq": "geq", "\\neq": "neq", "\\preceq": "preceq", "\\succeq": "succeq",
        "\\leftarrow": "leftarrow"}


class ParseError(ValueError):
    """The text is not in the grammar of the lecture's notation (one line, with the position)."""


def _grammar() -> str:
    return resources.files("verify").joinpath("grammar.lark").read_text(encoding="utf-8")


@functools.cache
def _parser() -> lark.Lark:
    return lark.Lark(_grammar(), parser="lalr", propagate_positions=True)


_BARS = {"|": ("\u2308", "\u2309"), "\\|": ("\u27e6 ", "\u27e7 ")}
_ENDS_OPERAND = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789)}]*'!")


def mark_bars(text: str) -> str:
    """Mark each ``|`` and ``\\|`` as opening or closing, keeping every offset.

    After ``\\left`` a bar opens and after ``\\right`` it closes. Otherwise a bar closes when one
    of its kind is open and the text before it ends an operand (a letter, digit, ``)``, ``}``,
    ``]``, ``*``, ``'``, ``!`` or a closing bar), and opens if not; so
    ``\\alpha|x| + (1 - \\alpha)|y|`` reads as two absolute values. The marks are characters
    outside LaTeX (U+2308/U+2309 for ``|``, U+27E6/U+27E7 and a space for ``\\|``), so source
    offsets, which quote the links of a chain, are unchanged.
    """
    out, depth, last, command, i = [], {"|": 0, "\\|": 0}, "", "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text[i + 1: i + 2] == "|":
            kind, width = "\\|", 2
        elif ch == "|":
            kind, width = "|", 1
        elif ch == "\\":
            j = i + 1
            while j < len(text) and text[j].isalpha():
                j += 1
            j = max(j, i + 2)
            out.append(text[i:j])
            last, command, i = text[j - 1], text[i + 1: j], j
            continue
        else:
            out.append(ch)
            if not ch.isspace():
                last, command = ch, ""
            i += 1
            continue
        if command in ("left", "right"):
            closes = command == "right"
        else:
            closes = depth[kind] > 0 and last in _ENDS_OPERAND
        depth[kind] = max(0, depth[kind] + (-1 if closes else 1))
        mark = _BARS[kind][1 if closes else 0]
        out.append(mark)
        last, command, i = (")" if closes else "("), "", i + width
    return "".join(out)


def _num(token) -> t.Num:
    return t.Num(Fraction(str(token)))


def _sym_text(token) -> str:
    return str(token).lstrip("\\")


@lark.v_args(inline=True)
class _Build(lark.Transformer):
    """lark tree -> :mod:`verify.terms` nodes."""

    def number(self, tok):
        return _num(tok)

    def sub_name(self, tok):
        return t.Sym(_sym_text(tok))

    sup_name = sub_name

    def sub_number(self, tok):
        return _num(tok)

    sup_number = sub_number

    def infinity(self, *_):
        return t.Infinity()

    def symbol(self, name, *rest):
        primes, sub, star = 0, None, False
        for item in rest:
            if isinstance(item, lark.Token) and item.type == "PRIME":
                primes = len(item)
            elif isinstance(item, lark.Token) and item.type == "STARSUP":
                star = True
            else:
                sub = item
        return t.Sym(_sym_text(name), sub, star, primes)

    def name_sym(self, name, sub=None):
        return t.Sym(_sym_text(name), sub)

    def group(self, *items):
        exprs = tuple(i for i in items if not isinstance(i, lark.Token))
        seps = tuple(str(i) for i in items if isinstance(i, lark.Token))
        return t.Group(exprs, seps)

    def add(self, left, _op, right):
        terms = left.terms if isinstance(left, t.Add) else (left,)
        return t.Add((*terms, right))

    def sub(self, left, _op, right):
        terms = left.terms if isinstance(left, t.Add) else (left,)
        return t.Add((*terms, t.Neg(right)))

    def neg(self, _op, arg):
        return t.Neg(arg)

    def product(self, *items):
        flat = []
        for item in items:
            flat.extend(item if isinstance(item, list) else [item])
        return self._product(flat)

    def factors(self, *items):
        return list(items)

    def _product(self, items):
        factors: list = []
        divide = False
        for item in items:
            if isinstance(item, lark.Token):
                divide = item.type == "SLASH"
                continue
            if divide:  # a / b c reads (a / b) c, as on the slides ("2/(L + \mu)")
                left = factors[0] if len(factors) == 1 else t.Mul(tuple(factors))
                factors, divide = [t.Frac(left, item)], False
            else:
                factors.append(item)
        return factors[0] if len(factors) == 1 else t.Mul(tuple(factors))

    def power(self, base, exp):
        return t.Pow(base, exp)

    def factorial(self, arg, _bang):
        return t.Factorial(arg)

    def frac(self, _tok, num, den):
        return t.Frac(num, den)

    def frac_short(self, tok):
        a, b = "".join(str(tok)[len("\\frac"):].split())
        return t.Frac(*(_num(c) if c.isdigit() else t.Sym(c) for c in (a, b)))

    def log(self, _tok, group):
        return t.Log(group)

    def cost(self, _tok, group):
        return t.Cost(group.items[0] if len(group.items) == 1 else group)

    def abs(self, _l, arg, _r):
        return t.Abs(arg)

    def norm(self, _l, arg, _r, sub=None):
        return t.Norm(arg, None if sub is None else t.latex(sub))

    def inner(self, _l, left, _comma, right, _r):
        return t.Inner(left, right)

    def expect(self, _tok, *rest):
        return t.Expect(rest[-1], rest[0] if len(rest) == 2 else None)

    def grad(self, _tok, *rest):
        order = int(rest[0]) if len(rest) == 3 else 1
        return t.Grad(rest[-2], rest[-1], order)

    def max(self, tok, group):
        return t.Max(group.items, str(tok).lstrip("\\"))

    def underline(self, _tok, arg):
        return arg

    def sum(self, _tok, index, _eq, lo, hi, body):
        return t.Sum(index, lo, hi, body)

    def lim(self, tok, var, _to, target, body):
        return t.Lim(var, target, body, str(tok).lstrip("\\"))

    def argmin(self, _tok, var, _in, domain, body):
        return t.ArgMin(var, domain, body)

    def interval(self, lo, _comma, hi):
        return t.Interval(lo, hi)

    def realspace(self, _tok, dim=None):
        return t.Reals(dim)

    def member(self, elem, _in, domain):
        return t.Member(elem, domain)

    def binder(self, var, _in=None, domain=None):
        return (var, domain)

    def forall(self, _tok, binder, _comma, body):
        return t.Forall(binder[0], binder[1], body)

    def iff(self, left, _tok, right):
        return t.Iff(left, right)

    def predicate(self, subject, text):
        return t.Predicate(subject, str(text)[len("\\text{"):-1])

    def cond(self, _tok, clause):
        return clause

    def rel(self, tok):
        return _REL[str(tok)]

    def link(self, rel, item, cond=None):
        return ("link", rel, item, cond)

    def continuation(self, *rest):
        """A display that starts with a relation continues the previous one: ``= a - b``."""
        return self.chain(t.Hole(), *rest)

    def chain(self, first, *rest):
        links = [r for r in rest if isinstance(r, tuple)]
        if not links:
            return first
        return t.Chain((first, *(r[2] for r in links)), tuple(r[1] for r in links),
                       tuple(r[3] for r in links))


def _spans(tree: lark.Tree) -> tuple[tuple[int, int], ...]:
    """Source offsets of the items of a chain (first item, then each link's item)."""
    if tree.data != "chain":
        return ()
    out = []
    for child in tree.children:
        if isinstance(child, lark.Tree) and child.data == "link":
            item = child.children[1]
        elif isinstance(child, lark.Tree):
            item = child
        else:
            continue
        out.append((item.meta.start_pos, item.meta.end_pos))
    return tuple(out)


@functools.lru_cache(maxsize=2048)
def parse(text: str) -> t.Node:
    """The tree of one statement or expression; :class:`ParseError` naming the position if none."""
    if not isinstance(text, str) or not text.strip():
        raise ParseError("a statement must be non-empty LaTeX text")
    try:
        tree = _parser().parse(mark_bars(text))
    except lark.exceptions.UnexpectedInput as exc:
        where = text[max(0, exc.pos_in_stream - 15): exc.pos_in_stream + 15] if getattr(
            exc, "pos_in_stream", None) is not None else ""
        raise ParseError(f"not in the lecture's notation at column {exc.column}: ...{where}...") \
            from None
    node = _Build().transform(tree)
    if isinstance(node, t.Chain):
        node = t.Chain(node.items, node.ops, node.conds, _spans(tree), text)
    return node


def parse_expr(text: str) -> t.Node:
    """Like :func:`parse`, but the text must be an expression (no relation)."""
    node = parse(text)
    if isinstance(node, (t.Chain, t.Member, t.Forall, t.Iff, t.Predicate)):
        raise ParseError(f"expected an expression, got a statement: {text!r}")
    return node


def symbol(name: str) -> t.Sym:
    """The symbol a declaration name stands for (``zeta_t`` is ``\\zeta_t``, ``w^*`` is ``w^*``)."""
    head = name.split("_")[0].split("^")[0]
    node = parse_expr(("\\" if len(head) > 1 else "") + name)
    if not isinstance(node, t.Sym) or node.name != name:
        raise ParseError(f"{name!r} is not a symbol name")
    return node


def links(node: t.Node) -> list[t.Chain]:
    """The links of a chain as one-relation chains (a single relation gives itself)."""
    if not isinstance(node, t.Chain):
        raise ParseError("expected a relation or a chain of relations")
    out = []
    for k, op in enumerate(node.ops):
        span = node.spans[k: k + 2] if len(node.spans) == len(node.items) else ()
        out.append(t.Chain(node.items[k: k + 2], (op,), (node.conds[k],), span, node.source))
    return out


_OP_TEXT = {"=": "=", "<": "<", ">": ">", "leq": r"\leq", "geq": r"\geq", "neq": r"\neq",
            "preceq": r"\preceq", "succeq": r"\succeq", "leftarrow": r"\leftarrow"}


def item_text(source: str, start: int, end: int) -> str:
    """The source of an item, with a ``\\left`` that opens it (ignored by the parser) included."""
    head = source[:start].rstrip()
    if head.endswith("\\left"):
        start = len(head) - len("\\left")
    return source[start:end].strip()


def link_text(chain: t.Chain, k: int) -> str:
    """Link ``k`` (1-based) of a chain as LaTeX, both sides quoted with the slide's characters."""
    if not 1 <= k <= len(chain.ops):
        raise ParseError(f"link {k} does not exist: the chain has {len(chain.ops)} links")
    (a0, a1), (b0, b1) = chain.spans[k - 1], chain.spans[k]
    left, right = item_text(chain.source, a0, a1), item_text(chain.source, b0, b1)
    return f"{left} {_OP_TEXT[chain.ops[k - 1]]} {right}"
