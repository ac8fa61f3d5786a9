"""The report of the whole lecture: every step's verdict and the Monte Carlo evidence.

Data flows one way: claims (``verify``) and experiments (``sim``) produce JSON-shaped records;
the figures are drawn from the records' arrays; the Markdown is rendered from the records.
Everything is written into a temporary sibling of the output folder, which then replaces the
output folder in one step (:mod:`sgd_suite.publish`), so an interrupted run leaves the
previous report intact.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from sgd_suite import beyond, interrupt
from sgd_suite import experiments as catalogue
from sgd_suite import formulas
from sgd_suite import runs
from sgd_suite import markdown
from sgd_suite.publish import staged_dir
from sgd_suite.report_json import dumps, jsonable
from sgd_suite.beyond_figures import draw as draw_beyond
from sgd_suite.report_figures import draw_all

LECTURE = "Stochastic Gradient Descent: The Workhorse of Machine Learning"
JSON_NAME = "verification.json"
MD_NAME = "verification.md"
RUN_INFO_NAME = "run-info.json"
"""Facts of the run that wrote the report (timings, machine, versions); not committed."""
FIGURE_DIR = "figures"
REPORT_ENTRIES = frozenset({JSON_NAME, MD_NAME, RUN_INFO_NAME, FIGURE_DIR})


@dataclass(frozen=True)
class Options:
    """What a report run does.

    Attributes:
        quick: only the quick subset of experiments (all claims are always checked).
        seed: root Monte Carlo seed; each experiment runs with its own seed derived from it and
            the experiment's id (``experiments.experiment_seed``). The problems' data are fixed.
        backend, engine: passed to ``sim.simulate``. The default engine ("auto" on NumPy) is the
            fused numba kernel when numba is installed, else the array reference; both give the
            same numbers on every machine up to the summation order of the block reductions,
            so the committed report can be reproduced by the tests.
        trajectories: override every experiment's sample size (None keeps the catalogue's).
        delta: family-wise false-alarm probability of each statistical check.
        progress: show a progress bar (tqdm; silent anyway when stderr is not a terminal).
    """

    quick: bool = False
    seed: int = 0
    backend: str = "numpy"
    engine: str = "auto"
    trajectories: int | None = None
    delta: float = 1e-9
    progress: bool = True


@dataclass(frozen=True)
class Result:
    """The outcome of a report run, for the exit code."""

    path: Path
    record: dict
    run_info: dict
    mismatched_claims: tuple[str, ...]
    unmet_experiments: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatched_claims and not self.unmet_experiments


def run_claims(bar) -> list[dict]:
    """Records of every claim in lecture order (a check that raises is an "error" record)."""
    import verify
    from verify.records import record

    records = []
    for claim in verify.all_claims():
        interrupt.check()
        bar.set_postfix_str(claim.id)
        records.append(record(claim))
        bar.update()
    return records


def _versions() -> dict:
    import matplotlib
    import mpmath
    import sympy
    import z3

    return {"python": platform.python_version(), "numpy": np.__version__,
            "sympy": sympy.__version__, "z3": z3.get_version_string(),
            "mpmath": mpmath.__version__, "matplotlib": matplotlib.__version__}


def split_run_facts(claims: list[dict], sims: list[dict]) -> dict:
    """Remove the facts of this run from the records, in place, and return them.

    What the seed and the code determine stays in the records (and so in the committed
    ``verification.json``); what depends on the machine and the moment moves to
    ``run-info.json``: each claim's check time (``seconds``), each simulation's wall time
    (``elapsed_s``) and the device it ran on (``parameters.device``).
    """
    facts: dict = {"claims_seconds": {}, "simulations": {}}
    for c in claims:
        facts["claims_seconds"][c["id"]] = c.pop("seconds", None)
    for s in sims:
        facts["simulations"][s["id"]] = {"elapsed_s": s.pop("elapsed_s", None),
                                         "device": s["parameters"].pop("device", None)}
    return facts


def check_replaceable(out: str | Path) -> None:
    """Refuse to replace a folder that holds anything a report does not write.

    The whole ``out`` folder is swapped for the new report, so a mistyped ``--out`` (say, the
    repository root) must not be wiped.
    """
    out = Path(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise ValueError(f"--out must be a folder, but {out} is a file")
    foreign = sorted(p.name for p in out.iterdir() if p.name not in REPORT_ENTRIES)
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise ValueError(f"--out {out} holds files that are not part of a report ({shown}); "
                         "it would be replaced as a whole, so choose an empty or report folder")


def generate(out: str | Path, options: Options = Options()) -> Result:
    """Run everything and publish the report folder ``out`` atomically.

    Args:
        out: destination folder; ``verification.json``, ``verification.md`` and
            ``figures/*.png`` (determined by the seed, the options and the code) and
            ``run-info.json`` (timings, machine, versions: see :func:`split_run_facts`) are
            written there.
        options: see :class:`Options`.
    """
    from tqdm.auto import tqdm

    import verify

    check_replaceable(out)
    start = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    exps = catalogue.catalogue(quick=options.quick)
    total = len(verify.all_claims()) + len(exps) + 2
    with staged_dir(out) as tmp, tqdm(total=total, desc="report", unit="step",
                                      disable=None if options.progress else True) as bar:
        claims = run_claims(bar)
        from verify.records import to_json

        formula_records = json.loads(to_json(formulas.records()))
        t_claims = time.perf_counter() - start
        sims = []
        for exp in exps:
            interrupt.check()
            bar.set_postfix_str(exp.id)
            seed = catalogue.experiment_seed(options.seed, exp.id)
            sims.append(runs.run(exp, seed=seed, backend=options.backend,
                                 engine=options.engine, delta=options.delta,
                                 trajectories=options.trajectories))
            bar.update()
        bar.set_postfix_str("beyond the lecture")
        t_beyond = time.perf_counter()
        extra = beyond.run_all(root_seed=options.seed, quick=options.quick,
                               backend=options.backend, engine=options.engine,
                               delta=options.delta, trajectories=options.trajectories)
        t_beyond = time.perf_counter() - t_beyond
        bar.update()
        t_sims = time.perf_counter() - start - t_claims
        bar.set_postfix_str("figures")
        (tmp / FIGURE_DIR).mkdir()
        gd = runs.gd_rate_runs()
        noise_curve = runs.noise_ball_curve()
        figures = draw_all(sims, gd, tmp / FIGURE_DIR, relative_to=tmp, noise_curve=noise_curve)
        beyond_figures = draw_beyond(extra, tmp / FIGURE_DIR, relative_to=tmp)
        bar.update()
        from verify.coverage import coverage_map

        facts = split_run_facts(claims, sims)
        record = jsonable({
            "claims": claims,
            "coverage": coverage_map(verify.all_claims()),
            "beyond_claims": formula_records,
            "simulations": sims,
            "gd_rate": gd,
            "noise_ball_curve": noise_curve,
            "beyond": extra,
            "meta": {
                "lecture": LECTURE, "mode": "quick" if options.quick else "full",
                "seed": options.seed, "backend": options.backend,
                "engine_requested": options.engine,
                "engines": sorted({s["parameters"]["engine"] for s in sims}),
                "trajectories_override": options.trajectories, "delta": options.delta,
            },
        })
        run_info = jsonable({
            "started_utc": started,
            "devices": sorted({f["device"] for f in facts["simulations"].values()}),
            "platform": platform.platform(), "cpu_count": os.cpu_count(),
            "versions": _versions(),
            "claims_time_s": t_claims, "simulations_time_s": t_sims,
            "beyond_time_s": t_beyond,
            "run_time_s": time.perf_counter() - start,
            **facts,
        })
        # Plain writes: the folder swap makes the whole report atomic, and the files get the
        # usual permissions (a per-file atomic write would leave mkstemp's private mode).
        (tmp / JSON_NAME).write_text(dumps(record), encoding="utf-8")
        (tmp / RUN_INFO_NAME).write_text(dumps(run_info), encoding="utf-8")
        (tmp / MD_NAME).write_text(markdown.render(record, figures=figures,
                                                   beyond_figures=beyond_figures),
                                   encoding="utf-8")
    mismatched = tuple(c["id"] for c in claims if c["verdict"] != c["recorded"])
    mismatched += tuple(formulas.mismatched(formula_records))
    unmet = tuple(s["id"] for s in sims if not s["expectation_met"])
    unmet += tuple(f"beyond {b['id']}" for b in extra if not b["passed"])
    unmet += tuple(f"gd-rate mu={g['mu']:g} L={g['L']:g}" for g in gd if not g["passed"])
    return Result(Path(out), record, run_info, mismatched, unmet)
