"""A large committed input: the peak memory of a cold `bump` and of `check` of a change to it,
beside `sha256sum` of the file, in one run (target: under 64 MB, streamed).

    python bench/large.py [--mb 400] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import git
from run import VERSIONBOT, Job, measure, row

CONFIG = '[units.blob]\nversion-file = "v.json"\ninputs = ["data/"]\n'


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="versionbot-large-"))
    try:
        repo = work / "repo"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        (repo / "versionbot.toml").write_text(CONFIG)
        (repo / "data").mkdir()
        big = repo / "data" / "big.bin"
        with big.open("wb") as stream:  # written in pieces: this process stays small
            for _ in range(args.mb):
                stream.write(os.urandom(1 << 20))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "a large input")

        def forget() -> None:
            (repo / "v.json").unlink(missing_ok=True)
            shutil.rmtree(repo / ".git" / "versionbot", ignore_errors=True)

        print(f"one input of {args.mb} MB; median of {args.repeat} runs after one warm-up")
        sha, bump = measure(
            Job(["sha256sum", str(big)], repo),
            Job([*VERSIONBOT, "bump"], repo, before_each=forget),
            repeat=args.repeat,
        )
        print(row(f"sha256sum of the {args.mb} MB file", sha))
        print(row("versionbot bump, cold", bump, sha))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "version file")
        with big.open("ab") as stream:
            stream.write(b"!")
        git(repo, "commit", "-q", "-am", "changed")
        (check,) = measure(
            Job([*VERSIONBOT, "check", "--base", "HEAD~1", "--head", "HEAD"], repo), repeat=args.repeat
        )
        print(row("versionbot check of the change", check, sha))
        worst = max(bump.peak_mb, check.peak_mb)
        print(f"peak memory: {worst:.0f} MB (target < 64 MB: {'met' if worst < 64 else 'NOT met'})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
