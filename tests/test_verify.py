"""`versionbot verify` (DESIGN.md "Command line"): the version files checked against a plain
directory, a `git archive` unpacked, with no git at all."""

from __future__ import annotations

import json
from pathlib import Path

from tests.flows import unpacked
from tests.gitrepo import GitRepo
from versionbot.cli import main


def verify(target: Path, *args: str) -> int:
    return main(["verify", "--dir", str(target), *args])


def test_an_archive_verifies(bumped: GitRepo, tmp_path: Path, capsys: object) -> None:
    target = unpacked(bumped, tmp_path / "deployed")
    assert verify(target) == 0


def test_an_edited_input_is_named(bumped: GitRepo, tmp_path: Path, capsys: object) -> None:
    target = unpacked(bumped, tmp_path / "deployed")
    (target / "req/fw/pylock.fw.toml").write_text("tampered\n")
    assert verify(target, "--format", "json") == 1
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    units = {unit["unit"]: unit for unit in json.loads(out)["units"]}
    assert units["fw"]["is_current"] is False
    assert "modified req/fw/pylock.fw.toml" in units["fw"]["problem"]
    assert units["app"]["is_current"] is True  # verify reads each record with its recorded dependencies


def test_crlf_line_endings_are_no_change(bumped: GitRepo, tmp_path: Path) -> None:
    target = unpacked(bumped, tmp_path / "deployed")
    launch = target / "launch/app/__main__.py"
    launch.write_bytes(launch.read_bytes().replace(b"\n", b"\r\n"))
    assert verify(target) == 0


def test_a_missing_file_and_a_missing_version_file(bumped: GitRepo, tmp_path: Path, capsys: object) -> None:
    target = unpacked(bumped, tmp_path / "deployed")
    (target / "launch/app/__main__.py").unlink()
    (target / "req/fw/version.json").unlink()
    assert verify(target) == 1
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "NOT CURRENT app@1  req/app/version.json: the recorded hashes do not match" in out
    assert "(removed launch/app/__main__.py, " in out
    assert "NOT CURRENT fw@?  req/fw/version.json: req/fw/version.json does not exist" in out


def test_not_a_directory_is_a_clear_error(tmp_path: Path, capsys: object) -> None:
    assert verify(tmp_path / "nowhere") == 2
    assert "nowhere does not exist" in capsys.readouterr().err  # type: ignore[attr-defined]
    (tmp_path / "a-file").write_text("")
    assert verify(tmp_path / "a-file") == 2
    assert "a-file is not a directory" in capsys.readouterr().err  # type: ignore[attr-defined]


def test_a_pipe_among_one_units_inputs_is_that_units_finding(
    bumped: GitRepo, tmp_path: Path, capsys: object
) -> None:
    import os

    target = unpacked(bumped, tmp_path / "deployed")
    os.mkfifo(target / "req/fw/stuck.toml")
    assert verify(target, "--format", "json") == 1
    units = {u["unit"]: u for u in json.loads(capsys.readouterr().out)["units"]}  # type: ignore[attr-defined]
    assert "req/fw/stuck.toml is a named pipe" in units["fw"]["problem"]
    assert units["app"]["is_current"] is True


def test_a_version_file_that_is_a_link_is_named_as_one(
    bumped: GitRepo, tmp_path: Path, capsys: object
) -> None:
    target = unpacked(bumped, tmp_path / "deployed")
    (target / "req/fw/version.json").unlink()
    (target / "req/fw/version.json").symlink_to("/etc/hostname")
    assert verify(target) == 1
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "req/fw/version.json: it is a link, not a file" in out
    assert "run `versionbot bump`" not in out  # a deployed tree is not bumped
