"""The README's ``sim`` snippets run as written (in order, in one namespace)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def sim_snippets() -> list[str]:
    """The Python code blocks of the README section on ``sim``, dedented."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### `sim`", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^( *)```python\n(.*?)^\1```", section, flags=re.M | re.S)
    return [textwrap.dedent(code) for _, code in blocks]


def test_sim_snippets_run(tmp_path, monkeypatch, capsys):
    snippets = sim_snippets()
    assert len(snippets) >= 4  # the tour, your own problem, the options, results
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for code in snippets:
        exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 - our own README
    printed = capsys.readouterr().out.splitlines()
    assert sum("exact" in line for line in printed) == 11  # one line per option
    assert (tmp_path / "run.npz").is_file() and (tmp_path / "run.png").is_file()
