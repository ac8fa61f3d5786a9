r"""The coverage map: every formula of the lecture, and what judges it.

The formulas are the display blocks (``$$...$$``) and inline formulas (``$...$``) of the shipped
lecture text, each under the slide heading before it. A formula is covered by

* the data claims that quote it (or a link of it), use it as a definition or as a hypothesis;
* an entry of ``coverage.toml``: a definition, claims still written as checks (by id), or
  "not judged" with the reason.

:func:`coverage_map` returns one row per formula; :func:`unmapped` lists formulas that nothing
covers and entries that match no formula (both are errors the tests reject).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass

from verify import lecture

__all__ = ["Formula", "coverage_map", "formulas", "markdown", "unmapped"]

_FLAT = re.compile(r"\s+|\\\\|&|\\q?quad(?![a-zA-Z])")
_MATH = re.compile(r"\$\$(.*?)\$\$|(?<!\$)\$([^$]+)\$(?!\$)", re.S)


def _flat(text: str) -> str:
    return _FLAT.sub("", text)


@dataclass(frozen=True)
class Formula:
    index: int
    slide: str
    kind: str  # "display" or "inline"
    text: str


@functools.cache
def _entries(name: str = lecture.LECTURE) -> dict:
    path = lecture._folder(name).joinpath("coverage.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def formulas(name: str = lecture.LECTURE) -> list[Formula]:
    """The lecture's formulas in order, each with its slide heading."""
    text = lecture.lecture_text(name)
    extra = "|".join(re.escape(h) for h in _entries(name).get("headings", ()))
    heading = re.compile(rf"^(#+ .*|{extra})$" if extra else r"^#+ .*$", re.M)
    heads = [(m.start(), m.group(0).lstrip("#").strip()) for m in heading.finditer(text)]
    out = []
    for k, m in enumerate(_MATH.finditer(text)):
        slide = [h for pos, h in heads if pos < m.start()]
        kind = "display" if m.group(1) is not None else "inline"
        out.append(Formula(k, slide[-1] if slide else "", kind, (m.group(1) or m.group(2)).strip()))
    return out


def coverage_map(claims, name: str = lecture.LECTURE) -> list[dict]:
    """One row per formula: ``{index, slide, kind, formula, claims, uses, status}``."""
    entries = _entries(name).get("formula", ())
    rows = []
    for f in formulas(name):
        flat = _flat(f.text)
        quoted = [c.id for c in claims if isinstance(c, lecture.Claim)
                  and _flat(c.source.quote) and _flat(c.source.quote) in flat]
        used = sorted({c.id for c in claims if isinstance(c, lecture.Claim)
                       and any(_flat(x) == flat for x in (*c.definitions, *c.hypotheses))})
        entry = [e for e in entries if _flat(e["quote"]) == flat]
        listed = [i for e in entry for i in e.get("claims", ())]
        status = "; ".join(e["status"] for e in entry if "status" in e)
        rows.append({"index": f.index, "slide": f.slide, "kind": f.kind, "formula": f.text,
                     "claims": quoted + [i for i in listed if i not in quoted],
                     "uses": used, "status": status or None})
    return rows


def unmapped(claims, name: str = lecture.LECTURE) -> list[str]:
    """Formulas nothing covers, entries no formula matches, and claim ids that do not exist."""
    rows = coverage_map(claims, name)
    problems = [f"formula {r['index']} ({r['slide']}): {r['formula'][:60]}" for r in rows
                if not (r["claims"] or r["uses"] or r["status"])]
    flats = {_flat(f.text) for f in formulas(name)}
    ids = {c.id for c in claims}
    for e in _entries(name).get("formula", ()):
        if _flat(e["quote"]) not in flats:
            problems.append(f"coverage entry matches no formula: {e['quote'][:60]}")
        problems += [f"coverage entry names an unknown claim {i}" for i in e.get("claims", ())
                     if i not in ids]
    return problems


def markdown(rows) -> list[str]:
    """The coverage map as a Markdown table (formula, slide, what judges it)."""
    out = ["| # | slide | formula | judged by |", "|---|---|---|---|"]
    for r in rows:
        formula = " ".join(r["formula"].split())
        formula = formula if len(formula) <= 70 else formula[:67] + "..."
        judged = ", ".join(f"`{i}`" for i in r["claims"])
        if r["uses"]:
            judged += ("; " if judged else "") + "used by " + ", ".join(f"`{i}`" for i in r["uses"])
        if r["status"]:
            judged += ("; " if judged else "") + r["status"]
        formula = formula.replace("|", "\\|")  # a bar would end the table cell
        out.append(f"| {r['index']} | {r['slide']} | `{formula}` | {judged} |")
    return out
