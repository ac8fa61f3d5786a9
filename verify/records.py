"""Claims -> JSON-ready records (the schema of ``reports/verification.json``).

Each record has ``id, slide, statement, verdict, method, counterexample, correction, gap`` (None
where not applicable), ``assumptions`` and ``recorded``, and:

* ``source``: ``{slide, location, block, link, quote}``, where the statement stands in the
  lecture and the slide's text quoted (``quote`` and ``location`` are None for a claim still
  judged by a hand-written transcription);
* ``restated``: why the statement restates the slide's words (None if it is the slide's text);
* ``parsed``: True when every LaTeX field was read by the grammar, else False, with
  ``parse_error`` saying why;
* ``hypotheses_added``: the named hypotheses a gap needed (``[]`` when none, None for a claim
  still judged by a hand-written transcription);
* ``note``: a remark of the judge (e.g. "equal in expectation only").

A check that raises is recorded with verdict ``"error"`` and the exception in ``method``, so one
defect cannot hide the other claims.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence

from verify import lecture
from verify.claims import Claim, all_claims, get, run
from verify.judge import parse_status

__all__ = ["FIELDS", "check_all", "mismatches", "record", "select", "to_json"]

FIELDS = (
    "id",
    "slide",
    "statement",
    "verdict",
    "method",
    "counterexample",
    "correction",
    "gap",
    "assumptions",
    "recorded",
    "source",
    "restated",
    "parsed",
    "parse_error",
    "hypotheses_added",
    "note",
)


def provenance(claim) -> dict:
    """The ``source``, ``restated``, ``parsed``, ``parse_error`` fields of a claim's record."""
    if isinstance(claim, lecture.Claim):
        s = claim.source
        parsed, reason = parse_status(claim)
        source = {"slide": s.slide, "location": s.location, "block": s.block, "link": s.link,
                  "quote": s.quote}
        return {"source": source, "restated": claim.restated, "parsed": parsed,
                "parse_error": reason}
    return {"source": {"slide": claim.slide, "location": None, "block": None, "link": None,
                       "quote": None},
            "restated": None, "parsed": False,
            "parse_error": getattr(claim, "parse_error", None)
            or "not yet read from the slide's text: judged by a hand-written "
               "transcription of the statement"}


def select(ids: Iterable[str] | None = None) -> list[Claim]:
    """All claims in lecture order, or those named (in lecture order; unknown id -> KeyError)."""
    if ids is None:
        return all_claims()
    wanted = {get(i).id for i in ids}
    return [c for c in all_claims() if c.id in wanted]


def record(claim: Claim) -> dict:
    """Run one claim's check and return its record (with ``seconds``, the check's wall time)."""
    start = time.perf_counter()
    try:
        out = run(claim)
        fields = {
            "verdict": out.verdict,
            "method": out.method,
            "counterexample": out.counterexample,
            "correction": out.correction,
            "gap": out.gap,
            "hypotheses_added": list(getattr(out, "hypotheses_added", ())),
            "note": getattr(out, "note", None),
        }
    except Exception as exc:  # noqa: BLE001 - recorded as an error verdict, reported as a mismatch
        fields = {
            "verdict": "error",
            "method": f"the check raised {type(exc).__name__}: {exc}",
            "counterexample": None,
            "correction": None,
            "gap": None,
            "hypotheses_added": [],
            "note": None,
        }
    if not isinstance(claim, lecture.Claim):
        fields["hypotheses_added"] = None
    rec = {
        "id": claim.id,
        "slide": claim.slide,
        "statement": claim.statement,
        **fields,
        "assumptions": claim.assumptions,
        "recorded": claim.recorded,
        **provenance(claim),
    }
    rec["seconds"] = round(time.perf_counter() - start, 4)
    return rec


def check_all(claims: Sequence[Claim] | None = None) -> list[dict]:
    """Records of ``claims`` (default: every registered claim), in order."""
    return [record(c) for c in (all_claims() if claims is None else claims)]


def mismatches(records: Iterable[dict]) -> list[dict]:
    """Records whose computed verdict differs from the recorded one."""
    return [r for r in records if r["verdict"] != r["recorded"]]


def to_json(records: Sequence[dict]) -> str:
    """The JSON text of ``verification.json``: the records without timing, in the given order."""
    return (
        json.dumps([{k: r.get(k) for k in FIELDS} for r in records], indent=2, ensure_ascii=False)
        + "\n"
    )
