"""Markdown rendering of the report record (sgd_suite.markdown)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sgd_suite import markdown


def _claim(cid, slide, verdict="true", recorded=None, **extra):
    rec = {"id": cid, "slide": slide, "statement": r"f(x) = x^2", "assumptions": "x real",
           "recorded": recorded or verdict, "verdict": verdict,
           "method": "simplify(lhs - rhs) == 0", "counterexample": None, "correction": None,
           "gap": None}
    rec.update(extra)
    return rec


def _sim(sid, expected="pass", met=True):
    return {
        "id": sid, "group": "bound", "purpose": "a run", "expected": expected,
        "expectation_met": met, "noise_ball": 0.5,
        "parameters": {"problem": "quadratic", "dim": 2, "n": 8, "mu": 1.0, "L": 2.0, "M": 0.3,
                       "alpha": 0.1, "batch": 1, "steps": 10, "trajectories": 1024,
                       "engine": "array"},
        "bound_check": {"passed": expected == "pass", "worst_z": -1.5, "z_threshold": 6.4},
        "exact_check": {"passed": True}, "arrays": {},
    }


def _report(claims, sims=()):
    return {"claims": list(claims), "simulations": list(sims), "gd_rate": [],
            "meta": {"lecture": "L", "mode": "quick", "seed": 0, "backend": "numpy",
                     "engines": ["array"], "delta": 1e-9}}


@given(st.text(alphabet="ab_*|<>#`$ \\", max_size=30))
@example("x_1 * y | z $a_1 * b$ c_2")
def test_text_escapes_markdown_outside_math_only(s):
    out = markdown.text(s)
    # Removing the escapes gives the input back: nothing is lost or added.
    assert re.sub(r"\\(.)", r"\1", out) == s or "$" in s
    math = re.findall(r"\$[^$]+\$", s)
    for span in math:
        assert span in out


def test_display_math_own_lines_and_no_blank_lines():
    out = markdown.display_math("$$a \\\\\n\n b$$")
    lines = out.splitlines()
    assert lines[0] == "$$"
    assert lines[-1] == "$$"
    assert all(line.strip() for line in lines)
    assert markdown.display_math("$f$ is convex") == "$f$ is convex"


def test_anchor_numbers_repeated_headings():
    seen = {}
    first = markdown.anchor("Stochastic Gradient Descent Convergence", seen)
    second = markdown.anchor("Stochastic Gradient Descent Convergence", seen)
    assert first == "stochastic-gradient-descent-convergence"
    assert second == first + "-1"
    assert markdown.anchor("Example: Logistic Loss", {}) == "example-logistic-loss"


def test_render_keeps_lecture_order_and_shows_repairs():
    claims = [
        _claim("a.one", "Convex Functions"),
        _claim("b.two", "Properties of convex functions", verdict="false",
               counterexample="x = -1", correction=r"h(x) = f(g(x)) \text{ convex if ...}"),
        _claim("c.three", "Properties of convex functions", verdict="gap",
               gap="the exchange of sum and bound needs x > y", correction=r"e^{x} \geq 1 + x"),
    ]
    md = markdown.render(_report(claims, [_sim("s1"), _sim("s2", "violate")]))
    positions = [md.index(f"`{c['id']}`") for c in claims]
    assert positions == sorted(positions)
    assert "1 true" in md
    assert "1 false as written" in md
    assert "1 true with a gap" in md
    assert "*Counterexample:* x = -1" in md
    assert md.count("(proved):*") == 2
    assert md.count("$$") % 2 == 0
    for line in md.splitlines():
        assert line == "$$" or "$$" not in line, line
    # The slide heading appears once even though two consecutive claims share it.
    assert md.count("### Properties of convex functions") == 1
    assert "2 of 2" not in md  # one confirmation and one expected violation
    assert "1 of 1 confirmations" in md
    assert "1 of 1 runs outside" in md


def test_render_flags_a_verdict_that_differs_from_its_record():
    md = markdown.render(_report([_claim("a.one", "S", verdict="false", recorded="true",
                                         counterexample="x=0", correction="x")]))
    assert "differs from the record for `a.one`" in md
    assert "differs from the recorded one (true)" in md
    ok = markdown.render(_report([_claim("a.one", "S")]))
    assert "every computed verdict matches its record" in ok


@pytest.mark.parametrize("met", [True, False])
def test_table_marks_unexpected_outcomes(met):
    md = markdown.render(_report([_claim("a.one", "S")], [_sim("s1", met=met)]))
    row = next(line for line in md.splitlines() if line.startswith("| `s1`"))
    assert ("unexpected" in row) is (not met)
    assert row.count("|") == len(markdown.SIM_COLUMNS) + 1
