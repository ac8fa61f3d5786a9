"""The README as a new user reads it: the quick start, the CI command, every flag documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sgd_suite import cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def quick_start() -> list[str]:
    """The commands of the Quick start block, comments removed."""
    block = re.search(r"```bash\n(.*?)```", _section("Quick start"), re.DOTALL).group(1)
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def test_quick_start_creates_a_virtual_environment_first():
    lines = quick_start()
    assert len(lines) == 3
    assert lines[0] == "python3 -m venv .venv && . .venv/bin/activate"
    assert lines[1] == "pip install -e . && sgd-suite report"
    assert lines[2] == 'pip install -e ".[test]" && pytest -n auto'


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line.strip() for line in ci if line.strip() and not line.startswith("#")]
    assert quick_start()[2] in commands


def test_ci_also_runs_every_marker_the_default_run_leaves_out():
    """pyproject.toml deselects some markers from ``pytest -n auto``; CI must run each of them
    (``pytest -m <marker>``), or those tests would run nowhere."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    left_out = re.findall(r"not (\w+)", re.search(r"-m '([^']*)'", config["addopts"]).group(1))
    assert left_out == ["clone"]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith("#")]
    for marker in left_out:
        assert f"pytest -m {marker}" in ci, marker


def _flags() -> list[tuple[str, str]]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    out = []
    for name, p in sub.choices.items():
        for action in p._actions:
            out += [(name, flag) for flag in action.option_strings if flag.startswith("--")
                    and flag != "--help"]
    return out


@pytest.mark.parametrize(("command", "flag"), _flags(), ids=lambda x: x)
def test_every_flag_is_in_the_readme(command, flag):
    text = _section("Command line")
    part = text[text.index(f"**`sgd-suite {command}`**"):]
    part = part[:part.find("**`sgd-suite", 5) if part.find("**`sgd-suite", 5) > 0 else None]
    assert f"`{flag} " in part or f"`{flag}`" in part or f", `{flag}" in part, (command, flag)


def test_readme_names_the_version_flag_and_the_exit_codes():
    text = _section("Command line")
    assert "`sgd-suite --version`" in text
    for code in ("0 done", "1 a check failed", "2 a bad command line", "130 interrupted"):
        assert code in text
