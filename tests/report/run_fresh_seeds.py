"""Run every Monte Carlo check of the full report with fresh root seeds; count false alarms.

Usage: ``python3 tests/report/run_fresh_seeds.py [RUNS]`` (default 20) from the repository root.
Each run draws a root seed from the operating system's entropy, runs every experiment of the
catalogue with the seeds derived from it, exactly as ``sgd-suite report`` does, and prints one
line per run. A run has a false alarm when an experiment's verdict is "fail" (every experiment
is true to its theory, so each of its checks fails with probability at most delta = 1e-9); an
"inconclusive" verdict (mde above the tolerance) is counted separately. Not collected by pytest:
it takes about half a minute of CPU per run.
"""

from __future__ import annotations

import secrets
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sgd_suite import experiments as ex  # noqa: E402
from sgd_suite import runs  # noqa: E402


def main(count: int) -> int:
    totals: Counter = Counter()
    worst_mde = 0.0
    for k in range(count):
        root = secrets.randbits(63)
        began = time.perf_counter()
        verdicts = {}
        for exp in ex.catalogue():
            rec = runs.run(exp, seed=ex.experiment_seed(root, exp.id), backend="numpy",
                           engine="auto", delta=1e-9)
            verdicts[exp.id] = rec["verdict"]
            if rec["check"] == "exact":
                worst_mde = max(worst_mde, rec["mde"])
        tally = Counter(verdicts.values())
        totals.update(tally)
        odd = {i: v for i, v in verdicts.items() if v != "pass"}
        print(f"run {k + 1:2d}: root seed {root}: {dict(tally)} "
              f"({time.perf_counter() - began:.1f} s){' ' + str(odd) if odd else ''}",
              flush=True)
    print(f"{count} runs, {sum(totals.values())} experiment verdicts: {dict(totals)}; "
          f"largest mde against exact theory {worst_mde:.4f}")
    return 0 if totals["fail"] == 0 and totals["inconclusive"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
