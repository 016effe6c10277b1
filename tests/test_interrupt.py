"""A bump killed at any moment leaves every version file old or new, never half, and no temporary
file once a run has ended on its own or a rerun has cleaned up (issue: untrusted input)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo, clean_env

UNITS = 300


def many_units(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    config = []
    for index in range(UNITS):
        config.append(
            f'[units.u{index}]\nversion-file = "units/u{index}/version.json"\ninputs = ["units/u{index}/"]\n'
        )
        repo.write(f"units/u{index}/input.txt", f"{index}\n" * 50)
    repo.write("versionbot.toml", "\n".join(config))
    repo.commit("units")
    assert repo.versionbot("bump").returncode == 0
    repo.commit("version files at 1")
    for index in range(UNITS):
        repo.write(f"units/u{index}/input.txt", f"{index} changed\n" * 50)
    return repo


def temporaries(repo: GitRepo) -> list[Path]:
    return sorted(repo.path.glob("units/*/.*.tmp"))


def versions(repo: GitRepo) -> set[int]:
    """Every version file parses as strict JSON; the versions they hold."""
    found = set()
    for index in range(UNITS):
        text = (repo.path / f"units/u{index}/version.json").read_text(encoding="utf-8")
        found.add(json.loads(text, parse_constant=pytest.fail)["version"])
    return found


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_bump_killed_at_random_moments_converges(tmp_path: Path, signum: signal.Signals) -> None:
    repo = many_units(tmp_path)
    chance = random.Random(f"{signum.name} {UNITS}")  # the same moments on every run
    earliest = 0.0 if signum is signal.SIGKILL else 0.3  # before main() Python's own handlers apply
    for _ in range(4):
        repo.git("checkout", "HEAD", "--", *(f"units/u{index}/version.json" for index in range(UNITS)))
        bump = subprocess.Popen(
            [sys.executable, "-m", "versionbot", "bump"],
            cwd=repo.path,
            env=clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(chance.uniform(earliest, 1.0))
        bump.send_signal(signum)
        _, err = bump.communicate(timeout=60)
        assert versions(repo) <= {1, 2}
        if signum is signal.SIGKILL:
            assert bump.returncode in (0, -signal.SIGKILL)
        else:
            assert bump.returncode in (0, 130), err
            assert "Traceback" not in err
            assert temporaries(repo) == []  # an interrupted run removes its own
    rerun = repo.versionbot("bump")
    assert rerun.returncode == 0, rerun.stderr
    assert temporaries(repo) == []
    assert versions(repo) == {2}
    assert repo.versionbot("check").returncode == 0
