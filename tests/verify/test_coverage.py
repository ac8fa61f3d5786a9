"""The coverage map: every formula of the lecture is judged by a claim, used by one, or marked a
definition / not judged with the reason; and the map notices a formula that nothing covers."""

from __future__ import annotations

import re

import verify
from verify import coverage, lecture


def test_every_formula_is_covered_and_every_entry_is_used():
    assert coverage.unmapped(verify.all_claims()) == []


def test_the_map_has_one_row_per_formula_in_lecture_order():
    rows = coverage.coverage_map(verify.all_claims())
    assert [r["index"] for r in rows] == list(range(52))
    assert sum(r["kind"] == "display" for r in rows) == 40
    assert rows[6]["slide"] == "Example: Quadratic"  # an unmarked heading, from coverage.toml
    assert rows[8]["slide"] == "Example: Abs"


def test_every_data_claim_is_mapped_to_the_formula_it_quotes():
    rows = coverage.coverage_map(verify.all_claims())
    mapped = {i for r in rows for i in r["claims"]}
    quoting_a_formula = {c.id for c in verify.all_claims() if isinstance(c, lecture.Claim)
                         and c.source.location != "line"
                         and re.search(r"[\\=^_$]", c.source.quote)}  # not a line of prose
    assert quoting_a_formula <= mapped
    line2 = next(r for r in rows if "quadratic.line2" in r["claims"])
    assert "x^2 + 2xy + y^2" in line2["formula"]


def test_hypotheses_and_definitions_count_as_uses():
    rows = coverage.coverage_map(verify.all_claims())
    noise = next(r for r in rows if r["formula"].endswith(r"\right] \leq M"))
    assert noise["uses"] == ["sgd.second-moment.line4"]


def test_a_formula_nothing_covers_is_reported():
    others = [c for c in verify.all_claims() if not isinstance(c, lecture.Claim)]
    problems = coverage.unmapped(others)
    assert any("Example: Quadratic" in p and "aligned" in p for p in problems)
    named = next(i for e in coverage._entries()["formula"] for i in e.get("claims", ()))
    assert coverage.unmapped([]) and any(f"unknown claim {named}" in p
                                         for p in coverage.unmapped([]))


def test_the_markdown_table_escapes_bars():
    rows = coverage.coverage_map(verify.all_claims())
    table = coverage.markdown(rows)
    assert len(table) == len(rows) + 2
    assert r"`f(x) = \|x\|`" in "\n".join(table)
