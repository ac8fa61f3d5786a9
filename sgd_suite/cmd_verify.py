"""``sgd-suite verify``: judge every step of the lecture and write ``verification.json``.

Prints a slide-by-slide table (slide heading, then ``id | verdict | method``, and for ``false`` /
``gap`` verdicts a short line saying why), writes the claim records to the ``claims`` list of
``DIR/verification.json`` atomically, and exits with 1 if any computed verdict differs from the
recorded one (listing which).

A run of every claim (no ``--only``) also judges the formulas beyond the lecture
(:mod:`sgd_suite.formulas`): a second table, and the ``beyond_claims`` list of the JSON.

``verification.json`` also gets the ``coverage`` map (every formula of the lecture and what
judges it). It is shared with ``sgd-suite report``, which adds ``simulations`` and ``meta``
sections: an existing file keeps those sections and the records of claims that were not
checked, so a partial or repeated ``verify`` never destroys a report.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sgd_suite import interrupt
from sgd_suite.atomic import write_text_atomic
from sgd_suite.cli import UsageError
from sgd_suite.outputs import output_folder

JSON_NAME = "verification.json"
_METHOD_WIDTH = 72


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check every mathematical step of the lecture exactly (SymPy, z3, mpmath)",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--out",
        default="reports",
        metavar="DIR",
        help="folder for verification.json (default: reports)",
    )
    parser.add_argument(
        "--only", nargs="+", action="extend", metavar="ID", help="check only these claim ids"
    )
    parser.set_defaults(func=run, kept=kept)


def kept(args: argparse.Namespace) -> str:
    """What an interruption leaves: the JSON is written only at the end, atomically."""
    target = Path(args.out) / JSON_NAME
    return f"{target} is unchanged" if target.exists() else f"nothing was written to {args.out}"


def _short(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 3] + "..."


def table(records: list[dict]) -> str:
    """The slide-by-slide table; a slide heading opens each run of consecutive claims."""
    lines, slide = [], None
    idw = max((len(r["id"]) for r in records), default=2)
    for r in records:
        if r["slide"] != slide:
            slide = r["slide"]
            lines.append(f"\n== {slide}")
        flag = "" if r["verdict"] == r["recorded"] else f"  (recorded: {r['recorded']})"
        lines.append(
            f"  {r['id']:<{idw}} | {r['verdict']:<5} | {_short(r['method'], _METHOD_WIDTH)}{flag}"
        )
        if r["verdict"] == "false":
            lines.append(f"  {'':<{idw}}   counterexample: {_short(r['counterexample'], 100)}")
            lines.append(f"  {'':<{idw}}   correction: {_short(r['correction'], 100)}")
        elif r["verdict"] == "gap":
            lines.append(f"  {'':<{idw}}   gap: {_short(r['gap'], 110)}")
    return "\n".join(lines).lstrip("\n")


def merged_json(path: Path, records: list[dict], beyond: list[dict] | None = None) -> str:
    """The text of ``path`` with ``records`` merged into its ``claims`` list by claim id.

    Records of claims already present are updated in place (extra keys a report added are kept),
    new ones are appended; the ``coverage`` map is rewritten and every other section of an
    existing report is left as it was.
    """
    document: dict = {}
    if path.is_file():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            existing = None
        if isinstance(existing, dict) and isinstance(existing.get("claims"), list):
            document = existing
    from verify import all_claims
    from verify.coverage import coverage_map

    document["coverage"] = coverage_map(all_claims())
    claims = document.setdefault("claims", [])
    position = {c.get("id"): i for i, c in enumerate(claims) if isinstance(c, dict)}
    for r in records:
        if r["id"] in position:
            claims[position[r["id"]]].update(r)
        else:
            claims.append(r)
    if beyond is not None:
        document["beyond_claims"] = beyond
    from sgd_suite.report_json import dumps

    return dumps(document)


def run(args: argparse.Namespace) -> int:
    output_folder("--out", args.out)  # refused before the provers are even imported
    import verify
    from sgd_suite import formulas
    from verify import records as rec

    start = time.perf_counter()
    try:
        claims = rec.select(args.only)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    records = []
    for claim in claims:
        interrupt.check()  # a Ctrl-C swallowed while the last claim was judged
        records.append(rec.record(claim))
    beyond = None if args.only else formulas.records()
    elapsed = time.perf_counter() - start
    target = Path(args.out) / JSON_NAME
    path = write_text_atomic(target, merged_json(
        target, json.loads(rec.to_json(records)),
        None if beyond is None else json.loads(rec.to_json(beyond))))

    print(table(records))
    if beyond is not None:
        print(f"\n{formulas.TITLE} ({len(beyond)} claims)\n{table(beyond)}")
    counts = {v: sum(r["verdict"] == v for r in records) for v in ("true", "false", "gap", "error")}
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    print(
        f"\n{len(records)} of {len(verify.all_claims())} claims checked in {elapsed:.1f} s: "
        f"{summary}; wrote {path}"
    )
    if beyond is not None:
        more = {v: sum(r["verdict"] == v for r in beyond) for v in counts}
        print(f"{len(beyond)} formulas beyond the lecture: "
              + ", ".join(f"{n} {v}" for v, n in more.items() if n))
    bad = rec.mismatches(records + (beyond or []))
    for r in bad:
        print(
            f"MISMATCH {r['id']}: computed {r['verdict']}, recorded {r['recorded']}"
            + (f" ({_short(r['method'], 200)})" if r["verdict"] == "error" else ""),
            file=sys.stderr,
        )
    return 1 if bad else 0
