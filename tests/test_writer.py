"""The one write path: atomic, inside its folder, never through a link, never over a foreign file."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from versionbot import writer
from versionbot.errors import VersionbotError
from versionbot.versionfile import is_replaceable


def _leftovers(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_creates_folders_and_replaces(tmp_path: Path) -> None:
    writer.write(tmp_path, "a/b/version.json", b"first\n")
    assert (tmp_path / "a/b/version.json").read_bytes() == b"first\n"
    writer.write(tmp_path, "a/b/version.json", b"second\n")
    writer.write(tmp_path, "a/b/version.json", b"")
    assert (tmp_path / "a/b/version.json").read_bytes() == b""
    assert _leftovers(tmp_path / "a/b") == ["version.json"]


def test_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "version.json"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    writer.write(tmp_path, "version.json", b"new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_bytes() == b"new\n"


def test_a_new_file_follows_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        writer.write(tmp_path, "version.json", b"x\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "version.json").stat().st_mode) == 0o640


@pytest.mark.parametrize("failing", ["replace", "fdopen", "chmod"])
def test_a_failed_write_leaves_the_old_file_and_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "version.json"
    target.write_bytes(b"{}\n")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(VersionbotError, match=r"cannot write version file version\.json: No space left"):
        writer.write(tmp_path, "version.json", b"half a file", what="version file")
    monkeypatch.undo()
    assert target.read_bytes() == b"{}\n"
    assert _leftovers(tmp_path) == ["version.json"]


def test_never_writes_through_a_linked_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "repo"
    root.mkdir()
    (root / "home").symlink_to(outside)
    with pytest.raises(writer.WriteRefused, match="home is a symbolic link"):
        writer.write(root, "home/.bashrc.json", b"x")
    with pytest.raises(writer.WriteRefused, match="symbolic link"):
        writer.write(root, "home/new/version.json", b"x")
    assert _leftovers(outside) == []


def test_never_replaces_a_link_even_one_pointing_nowhere(tmp_path: Path) -> None:
    (tmp_path / "version.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(writer.WriteRefused, match="is a symbolic link"):
        writer.write(tmp_path, "version.json", b"x")
    assert not (tmp_path / "elsewhere.json").exists()


def test_never_writes_into_the_git_directory(tmp_path: Path) -> None:
    git_dir = tmp_path / "meta"
    (git_dir / "hooks").mkdir(parents=True)
    with pytest.raises(writer.WriteRefused, match="git directory"):
        writer.write(tmp_path, "meta/hooks/pre-commit.json", b"x", forbidden=[git_dir])
    with pytest.raises(writer.WriteRefused, match="git directory"):
        writer.write(tmp_path, "meta/config.json", b"x", forbidden=[git_dir])
    assert _leftovers(git_dir / "hooks") == []


@pytest.mark.parametrize(
    "path", ["../x.json", "a/../../x.json", "/abs.json", "a//b.json", "./x.json", "a\0.json"]
)
def test_refuses_paths_that_are_not_plain(tmp_path: Path, path: str) -> None:
    with pytest.raises(writer.WriteRefused, match="not a plain path"):
        writer.write(tmp_path / "repo", path, b"x")


def test_never_overwrites_a_file_that_is_not_a_version_file(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock.json"
    lock.write_bytes(b'{"name": "not ours"}\n')
    with pytest.raises(writer.WriteRefused, match="not a version file"):
        writer.write(tmp_path, "uv.lock.json", b"{}", may_replace=is_replaceable)
    assert lock.read_bytes() == b'{"name": "not ours"}\n'


def test_never_opens_a_pipe_or_replaces_a_folder(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(writer.WriteRefused, match="is a named pipe"):
        writer.write(tmp_path, "pipe.json", b"x", may_replace=is_replaceable)
    with pytest.raises(writer.WriteRefused, match="is a folder"):
        writer.write(tmp_path, "folder.json", b"x", may_replace=is_replaceable)


def test_checking_only_writes_and_makes_nothing(tmp_path: Path) -> None:
    writer.write(tmp_path, "new/folder/version.json", None)
    assert _leftovers(tmp_path) == []
    (tmp_path / "foreign.json").write_bytes(b"[1]")
    with pytest.raises(writer.WriteRefused):
        writer.write(tmp_path, "foreign.json", None, may_replace=is_replaceable)


def test_stale_temporary_files_of_dead_runs_are_removed(tmp_path: Path) -> None:
    script = "import os; print(os.getpid())"
    dead = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    units = tmp_path / "units"
    units.mkdir()
    names = {
        "stale": f".version.json.versionbot-{dead_pid}-abcd1234.tmp",
        "alive": f".version.json.versionbot-{os.getppid()}-abcd1234.tmp",
        "tracked": f".version.json.versionbot-{dead_pid}-0000ffff.tmp",  # committed: the repository's
        "other file": f".README.md.versionbot-{dead_pid}-abcd1234.tmp",  # not beside a version file
        "huge pid": ".version.json.versionbot-99999999999999999999-abcd1234.tmp",
        "not ours": ".version.json.tmp",
    }
    for name in names.values():
        (units / name).write_bytes(b"{")
    asked: list[list[str]] = []

    def tracked(paths: list[str]) -> set[str]:
        asked.append(paths)
        return {f"units/{names['tracked']}"}

    writer.remove_stale(tmp_path, ["units/version.json", "missing/folder/version.json"], tracked)
    assert asked == [sorted([f"units/{names['stale']}", f"units/{names['tracked']}"])]
    left = set(os.listdir(units))
    assert left == set(names.values()) - {names["stale"]}


def test_a_signal_during_a_write_waits_for_the_rename(tmp_path: Path) -> None:
    """SIGTERM arriving mid-write is held back: the file is whole, no temporary file is left."""
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    data = b"x" * (8 << 20)
    real_replace = os.replace

    def replace_after_signal(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.01)
        assert received == []  # still held back while the file is being written
        real_replace(*args, **kwargs)  # type: ignore[arg-type]

    try:
        os.replace = replace_after_signal
        writer.write(tmp_path, "version.json", data)
    finally:
        os.replace = real_replace
        signal.signal(signal.SIGTERM, previous)
    assert received == [signal.SIGTERM]
    assert (tmp_path / "version.json").read_bytes() == data
    assert _leftovers(tmp_path) == ["version.json"]
