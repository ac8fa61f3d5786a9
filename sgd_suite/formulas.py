"""The formulas beyond the lecture: their records and the report section that shows them.

The claims of ``verify/lectures/beyond_lecture1/`` (:func:`verify.beyond_claims`) are judged by
the same grammar and rule as the lecture's and recorded with the same schema
(:mod:`verify.records`), in a list of their own, ``beyond_claims`` of ``verification.json``, so
the lecture's records and counts are unchanged. :func:`section` renders them for
``verification.md`` under "Beyond the lecture: formulas".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["TITLE", "mismatched", "records", "section"]

TITLE = "Beyond the lecture: formulas"


def records() -> list[dict]:
    """Records of every claim of the second data set, in data order (errors are records)."""
    import verify
    from verify.records import check_all

    return check_all(verify.beyond_claims())


def mismatched(recs: Sequence[Mapping]) -> list[str]:
    """Ids whose computed verdict differs from the recorded one."""
    return [r["id"] for r in recs if r["verdict"] != r["recorded"]]


def section(recs: Sequence[Mapping]) -> list[str]:
    """The Markdown section: a summary line, then each formula with its verdict and evidence."""
    from sgd_suite.markdown import _slides, claim_block, text

    counts = {v: sum(r["verdict"] == v for r in recs) for v in ("true", "false", "gap", "error")}
    lines = [f"## {TITLE}", "",
             f"The formulas the simulator's exact theory and checks rely on that the lecture "
             f"does not state, each quoted from its source (the module docstrings of "
             f"`sim/almost_sure.py` and `sim/theory/`, and the papers they cite; "
             f"`verify/lectures/beyond_lecture1/lecture.md`) and judged by the same grammar "
             f"and rule as the slides: {len(recs)} formulas, {counts['true']} true, "
             f"{counts['false']} false as written, {counts['gap']} with a gap"
             + (f", {counts['error']} could not be decided" if counts["error"] else "") + ".",
             ""]
    bad = mismatched(recs)
    if bad:
        lines += ["**Computed verdicts differ from the recorded ones for "
                  + ", ".join(f"`{i}`" for i in bad) + ".**", ""]
    for heading, members in _slides(recs):
        lines += [f"### {text(heading)}", ""]
        for r in members:
            lines += [line.replace("*The slide's words", "*The source's words")
                      for line in claim_block(r)]
    return lines
