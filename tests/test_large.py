"""A large input is streamed, never held whole: from the checkout where it lies there unchanged
(git would inflate the whole object), so a run's memory does not grow with the file."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.gitrepo import GitRepo, clean_env

SIZE = 96 << 20  # bytes: three times what versionbot reads of a file whole


# A forked child's peak counts the pages of the process it was forked from, so the run is started
# by a small launcher of its own, which reports the peak of the run and the processes it waited for.
LAUNCHER = (
    "import os, subprocess, sys\n"
    "run = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(run.pid, 0)\n"
    "run.returncode = os.waitstatus_to_exitcode(status)\n"
    "print(run.returncode, usage.ru_maxrss)\n"
)


def peak_mb(repo: GitRepo, *args: str) -> float:
    """The largest resident set of one versionbot run and of the git commands it ran."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, sys.executable, "-m", "versionbot", *args],
        cwd=repo.path,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    code, peak = done.stdout.split()
    assert code in ("0", "1"), done.stderr
    return int(peak) / 1024


def test_a_large_committed_input_is_hashed_in_chunks(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("versionbot.toml", '[units.blob]\nversion-file = "v.json"\ninputs = ["data/"]\n')
    # Written and hashed in pieces: a test holding the file would lend its pages to every child
    # it forks, and their peak would be its.
    (repo.path / "data").mkdir()
    expected = hashlib.sha256()
    with (repo.path / "data" / "big.bin").open("wb") as stream:
        for _ in range(SIZE >> 20):
            piece = os.urandom(1 << 20)
            expected.update(piece)
            stream.write(piece)
    repo.commit("a large input")

    limit = peak_mb(repo, "--version") + SIZE / 2**20 / 3  # the start-up's, and far less than the file
    assert peak_mb(repo, "bump") < limit  # held whole neither by versionbot nor by git
    assert repo.read_json("v.json")["inputs"]["data/big.bin"] == "sha256:" + expected.hexdigest()
    repo.commit("version file")
    with (repo.path / "data" / "big.bin").open("ab") as stream:
        stream.write(b"!")
    repo.commit("changed")
    assert peak_mb(repo, "check", "--base", "HEAD~1", "--head", "HEAD") < limit
