"""The README's main command leaves a clean checkout clean.

A fresh clone of the committed repository runs ``sgd-suite report`` (through
``python -m sgd_suite``, which is what the console script calls); ``git status`` must show
nothing: the report holds only what the seed and the code determine, and the run facts go to
the ignored ``reports/run-info.json``. It tests the committed HEAD, not uncommitted edits.
(That ``verify`` leaves the committed report byte for byte is checked in
``tests/verify/test_cli_verify.py``.)

It runs the whole main command, about 45 s of CPU, so ``pytest -n auto`` leaves it out
(marker ``clone``, deselected in pyproject.toml); CI runs it as its second step,
``pytest -m clone``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          timeout=120).stdout


@pytest.mark.clone
@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="needs git and a git checkout")
def test_main_command_leaves_a_clean_checkout_clean(tmp_path):
    clone = tmp_path / "clone"
    _git("clone", "--quiet", str(ROOT), str(clone), cwd=tmp_path)
    assert _git("status", "--porcelain", cwd=clone) == ""
    proc = subprocess.run([sys.executable, "-m", "sgd_suite", "report", "--no-progress"],
                          cwd=clone, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert _git("status", "--porcelain", cwd=clone) == "", _git("diff", "--unified=0",
                                                                cwd=clone)[:3000]
    assert (clone / "reports" / "run-info.json").is_file()
