"""Atomic replacement of the report folder (sgd_suite.publish)."""

from __future__ import annotations

import os

import pytest

from sgd_suite import publish


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _siblings(dst):
    return sorted(p.name for p in dst.parent.iterdir() if p.name != dst.name)


@pytest.fixture
def old_report(tmp_path):
    dst = tmp_path / "reports"
    (dst / "figures").mkdir(parents=True)
    (dst / "verification.json").write_text('{"old": true}')
    (dst / "figures" / "a.png").write_bytes(b"old figure")
    return dst


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_staged_dir_replaces_whole_folder(old_report, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    with publish.staged_dir(old_report) as tmp:
        assert tmp.parent == old_report.parent
        (tmp / "verification.json").write_text('{"new": true}')
    assert _tree(old_report) == {"verification.json": b'{"new": true}'}
    assert _siblings(old_report) == []


def test_staged_dir_creates_missing_destination(tmp_path):
    dst = tmp_path / "deep" / "reports"
    with publish.staged_dir(dst) as tmp:
        (tmp / "x.txt").write_text("x")
    assert _tree(dst) == {"x.txt": b"x"}
    umask = os.umask(0)
    os.umask(umask)
    # mkdtemp's private mode must not leak into the published folder.
    assert dst.stat().st_mode & 0o777 == 0o777 & ~umask


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failure_mid_build_leaves_previous_folder(old_report, exc):
    before = _tree(old_report)

    def build():
        with publish.staged_dir(old_report) as tmp:
            (tmp / "verification.json").write_text("half written")
            raise exc

    with pytest.raises(type(exc)):
        build()
    assert _tree(old_report) == before
    assert _siblings(old_report) == []


def test_destination_that_is_a_file_is_rejected(tmp_path):
    f = tmp_path / "reports"
    f.write_text("not a folder")
    with pytest.raises(ValueError, match="must be a folder"), publish.staged_dir(f):
        pass
    assert f.read_text() == "not a folder"
