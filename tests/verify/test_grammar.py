"""The grammar of the lecture's notation: every display of the lecture parses, the parser is
deterministic (LALR(1), no conflict), trees print back to LaTeX that parses to the same tree, and
text outside the notation is rejected with its position."""

from __future__ import annotations

import logging
import re
from fractions import Fraction

import lark
import pytest

from verify import terms as t
from verify.lecture import lecture_text
from verify.parse import ParseError, link_text, links, mark_bars, parse, symbol

TEXT = lecture_text()
DISPLAYS = re.findall(r"\$\$(.*?)\$\$", TEXT, re.S)
INLINE = re.findall(r"(?<!\$)\$([^$]+)\$(?!\$)", re.sub(r"\$\$.*?\$\$", "", TEXT, flags=re.S))
# A fragment of prose between two inline formulas ("$f$ is convex $\Leftrightarrow h(x) = ...$"):
# it starts with a connective, so it is not a statement on its own.
FRAGMENTS = {r"\Leftrightarrow h(x) = -f(x)"}


def test_the_lecture_has_the_expected_number_of_formulas():
    assert len(DISPLAYS) == 40
    assert len(INLINE) == 12


@pytest.mark.parametrize("text", DISPLAYS + [i for i in INLINE if i.strip() not in FRAGMENTS])
def test_every_formula_of_the_lecture_parses_and_prints_back(text):
    tree = parse(text)
    assert parse(t.latex(tree)) == tree


def test_the_prose_fragment_is_rejected():
    (fragment,) = FRAGMENTS
    with pytest.raises(ParseError, match="column 1"):
        parse(fragment)


def test_the_grammar_has_no_lalr_conflict(caplog):
    from verify.parse import _grammar

    lark.logger.setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.DEBUG, logger="lark"):
            lark.Lark(_grammar(), parser="lalr", debug=True)
    finally:
        lark.logger.setLevel(logging.WARNING)
    assert not [r for r in caplog.records if "conflict" in r.getMessage().lower()]


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("2xy", t.Mul((t.Num(Fraction(2)), t.Sym("x"), t.Sym("y")))),
        ("a - b + c", t.Add((t.Sym("a"), t.Neg(t.Sym("b")), t.Sym("c")))),
        ("-a^2", t.Neg(t.Pow(t.Sym("a"), t.Num(Fraction(2))))),
        (r"\frac1n", t.Frac(t.Num(Fraction(1)), t.Sym("n"))),
        ("2/(L + \\mu)", t.Frac(t.Num(Fraction(2)), t.Group((t.Add((t.Sym("L"), t.Sym("mu"))),)))),
        ("w_{t+1}", t.Sym("w", t.Add((t.Sym("t"), t.Num(Fraction(1)))))),
        ("w^*", t.Sym("w", None, True)),
        ("f''", t.Sym("f", primes=2)),
        (r"\left( a \right)", t.Group((t.Sym("a"),))),
        ("10x", t.Mul((t.Num(Fraction(10)), t.Sym("x")))),
        ("n!^2", t.Pow(t.Factorial(t.Sym("n")), t.Num(Fraction(2)))),
        ("Xx", t.Mul((t.Sym("X"), t.Sym("x")))),
    ],
)
def test_small_trees(text, tree):
    assert parse(text) == tree


def test_subscripts_and_domains_of_binders_are_kept():
    grad = parse(r"\nabla f_i(w)")
    assert grad == t.Grad(t.Sym("f", t.Sym("i")), t.Group((t.Sym("w"),)), 1)
    assert parse(r"\mathbf{E}_{i_t}[x]") == t.Expect(t.Sym("x"), t.Sym("i", t.Sym("t")))
    forall = parse(r"\forall x \in \mathbb{R}^d, x = x")
    assert forall.domain == t.Reals(t.Sym("d"))


def test_short_relation_names_read_as_the_long_ones():
    assert parse(r"a \le b \ge c").ops == parse(r"a \leq b \geq c").ops == ("leq", "geq")


def test_juxtaposed_absolute_values_are_told_apart():
    tree = parse(r"\alpha|x| + (1 - \alpha)|y|")
    assert isinstance(tree, t.Add)
    assert [type(f).__name__ for f in tree.terms[0].factors] == ["Sym", "Abs"]
    assert [type(f).__name__ for f in tree.terms[1].factors] == ["Group", "Abs"]
    assert mark_bars(r"\|a\| |b|") == "\u27e6 a\u27e7  \u2308b\u2309"
    assert len(mark_bars(r"\left\| x \right\|_2")) == len(r"\left\| x \right\|_2")
    # A spacing command is two characters: the bar after it is still marked.
    assert mark_bars(r"a\,|x|") == "a\\,\u2308x\u2309"


def test_left_and_right_decide_nested_bars():
    tree = parse(r"|a \left| b \right| c|")
    assert tree == t.Abs(t.Mul((t.Sym("a"), t.Abs(t.Sym("b")), t.Sym("c"))))


def test_norms_inner_products_expectations_gradients():
    tree = parse(r"\mathbf{E}\left[\|\nabla f(w; x_i) - \nabla^2 h(\zeta_t) v\|^2\right]")
    assert isinstance(tree, t.Expect)
    norm = tree.arg.base
    assert isinstance(norm, t.Norm) and norm.sub is None
    grad, hess = norm.arg.terms[0], norm.arg.terms[1].arg.factors[0]
    assert (grad.order, hess.order) == (1, 2)
    assert grad.args.seps == (";",)
    assert parse(r"\|A\|_2").sub == "2"
    assert isinstance(parse(r"\langle x, Ax \rangle"), t.Inner)


def test_a_chain_splits_into_links_quoted_with_the_slides_characters():
    chain = parse(r"a &= b + c \\ &\leq \left( d \right) \quad (\text{if } x > y) \\ &= e.")
    assert chain.ops == ("=", "leq", "=")
    assert chain.conds[1] == parse("x > y")
    assert [len(link.ops) for link in links(chain)] == [1, 1, 1]
    assert link_text(chain, 2) == r"b + c \leq \left( d \right)"
    with pytest.raises(ParseError, match="link 4"):
        link_text(chain, 4)


def test_sums_limits_and_domains():
    assert isinstance(parse(r"\sum_{i=1}^n f(w; x_i)"), t.Sum)
    assert isinstance(parse(r"\lim_{t \rightarrow \infty} a_t"), t.Lim)
    member = parse(r"\alpha \in [0, 1]")
    assert isinstance(member, t.Member) and isinstance(member.domain, t.Interval)
    assert isinstance(parse(r"A \succeq 0 \Leftrightarrow \forall x, \langle x, Ax \rangle \geq 0"),
                      t.Iff)


@pytest.mark.parametrize("bad", ["", "   ", "a +", r"\frac{a}", r"\foo x", "x = = y", "(a"])
def test_text_outside_the_notation_is_rejected(bad):
    with pytest.raises(ParseError):
        parse(bad)


def test_a_chain_followed_by_words_is_a_predicate():
    node = parse(r"h(x) = f(x) \text{ is convex}")
    assert isinstance(node, t.Predicate) and node.text == " is convex"
    assert isinstance(node.subject, t.Chain)


def test_links_keep_the_source_for_quoting():
    chain = parse("a = b + c = d")
    second = links(chain)[1]
    assert second.source == chain.source and second.spans == chain.spans[1:3]
    assert link_text(second, 1) == "b + c = d"


def test_declaration_names_round_trip_to_symbols():
    for name in ("alpha", "w_t", "w_{t+1}", "w^*", "zeta_t", "x_{i_t}", "mu", "nu_t"):
        assert symbol(name).name == name
    with pytest.raises(ParseError, match="^'2' is not a symbol name$"):
        symbol("2")
