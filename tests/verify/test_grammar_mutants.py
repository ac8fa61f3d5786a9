"""Mutation test of the grammar file: deliberate edits of ``grammar.lark`` must be caught.

A line-based mutation tool cannot mutate a lark grammar, so the edits are written out here: a
swapped operator precedence, a changed associativity, a dropped alternative, a dropped layout
token, a lost token priority, an alias that reads one operator as another. For each edit the
parser is rebuilt from the edited grammar and the checks of ``test_grammar.py`` run against it
(every formula of the lecture parses and prints back, the table of small trees, the no-conflict
check, and the module's other tests); at least one must fail. The unedited grammar passes the same
harness, so a failure is the edit's doing. An edit that keeps the language is listed apart with
the reason, and shown to keep the tree of every formula of the lecture.
"""

from __future__ import annotations

import logging
import re

import lark
import pytest

from tests.verify import test_grammar as grammar_tests
from verify import parse as parse_module

# (what the edit does, a regular expression matching the grammar text it replaces, the
# replacement); each expression matches exactly once.
EDITS = [
    ("binary minus read as plus", r"(expr MINUS term\s+)-> sub\b", r"\1-> add"),
    ("subtraction made right-associative", r"expr MINUS term(\s+-> sub)\b", r"term MINUS expr\1"),
    ("unary minus binds tighter than ^ (precedence swap)",
     r"\n\s+\| MINUS term\s+-> neg\n", "\n"),
    ("^ binds looser than juxtaposition (precedence swap)", r"\| factor (\"\^\" sup_arg)",
     r"| atom \1"),
    ("\\log alternative dropped", r"\n\s+\| LOG group\s+-> log\n", "\n"),
    ("short \\frac1n alternative dropped", r"\n\s+\| FRAC_SHORT\s+-> frac_short\n", "\n"),
    ("braced superscript dropped", r"(\| INFTY -> infinity)\n\s+\| \"\{\" expr \"\}\"", r"\1"),
    ("semicolon separator in arguments dropped", r"\(\(COMMA \| SEMI\) expr\)\*",
     "(COMMA expr)*"),
    ("\\le dropped from the relations", r"leq\|le\|geq", "leq|geq"),
    ("& no longer layout", r"LAYOUT: /&/ \| ", "LAYOUT: "),
    ("chains limited to one link", r"chain: expr link\* PERIOD\?", "chain: expr link? PERIOD?"),
    ("multi-digit numbers dropped", r"NUMBER: /\[0-9\]\+", "NUMBER: /[0-9]"),
    ("\\mu dropped from the Greek letters", r"\|lambda\|mu\|nu\|", "|lambda|nu|"),
]

# Edits that change the grammar text but not the language or the trees, with the reason; the
# test below shows that every formula of the lecture keeps its tree under them.
EQUIVALENT = [
    ("priority of the (\\text{if} condition lost", r"COND_OPEN\.3:", "COND_OPEN:",
     "lark's lexer tries terminals of equal priority longest pattern first, so COND_OPEN still "
     "wins over '(' without its priority"),
]


def _slug(what: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")


def _params(test) -> list:
    (mark,) = [m for m in test.pytestmark if m.name == "parametrize"]
    return list(mark.args[1])


def _failures(grammar: str) -> list[str]:
    """Run the checks of test_grammar.py with a parser built from ``grammar``; what failed."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    lark.logger.addHandler(handler)
    lark.logger.setLevel(logging.DEBUG)
    try:
        parser = lark.Lark(grammar, parser="lalr", propagate_positions=True, debug=True)
    except lark.exceptions.GrammarError as exc:
        return [f"the grammar does not build: {str(exc).splitlines()[0]}"]
    finally:
        lark.logger.removeHandler(handler)
        lark.logger.setLevel(logging.WARNING)
    failed = [f"LALR conflict: {r.getMessage().splitlines()[0]}" for r in records
              if "conflict" in r.getMessage().lower()]
    checks = [(grammar_tests.test_every_formula_of_the_lecture_parses_and_prints_back, (text,))
              for text in _params(grammar_tests.test_every_formula_of_the_lecture_parses_and_prints_back)]
    checks += [(grammar_tests.test_small_trees, case)
               for case in _params(grammar_tests.test_small_trees)]
    checks += [(grammar_tests.test_text_outside_the_notation_is_rejected, (bad,))
               for bad in _params(grammar_tests.test_text_outside_the_notation_is_rejected)]
    checks += [(getattr(grammar_tests, name), ()) for name in sorted(dir(grammar_tests))
               if name.startswith("test_") and not hasattr(getattr(grammar_tests, name), "pytestmark")
               and getattr(grammar_tests, name).__code__.co_argcount == 0]
    saved = parse_module._parser
    parse_module._parser = lambda: parser
    parse_module.parse.cache_clear()
    try:
        for test, args in checks:
            try:
                test(*args)
            except Exception as exc:  # noqa: BLE001 - any failure of a check catches the edit
                failed.append(f"{test.__name__}{args!r}: {type(exc).__name__}")
    finally:
        parse_module._parser = saved
        parse_module.parse.cache_clear()
    return failed


def test_the_unedited_grammar_passes_the_harness():
    assert _failures(parse_module._grammar()) == []


@pytest.mark.parametrize(("what", "old", "new"), EDITS, ids=[_slug(e[0]) for e in EDITS])
def test_each_grammar_edit_is_caught(what, old, new):
    failed = _failures(_edited(what, old, new))
    assert failed, f"grammar edit survived the grammar tests: {what}"


def _edited(what: str, pattern: str, replacement: str) -> str:
    edited, count = re.subn(pattern, replacement, parse_module._grammar())
    assert count == 1, f"the edit {what!r} no longer applies to grammar.lark"
    return edited


@pytest.mark.parametrize(("what", "old", "new", "why"), EQUIVALENT, ids=[_slug(e[0]) for e in EQUIVALENT])
def test_equivalent_edits_keep_every_tree(what, old, new, why):
    edited = lark.Lark(_edited(what, old, new), parser="lalr", propagate_positions=True)
    for text in _params(grammar_tests.test_every_formula_of_the_lecture_parses_and_prints_back):
        marked = parse_module.mark_bars(text)
        assert edited.parse(marked) == parse_module._parser().parse(marked), why
