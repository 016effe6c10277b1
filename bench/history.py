"""`versionbot log` at length: one unit's history in a repository of 10,000 commits, 500 of which
touch its version file, beside `git log --format=%H -- <version file>` in the same run (issue:
versions and history; target: within 2x). The history is written with `git fast-import`.

    python bench/history.py [--commits 10000] [--versions 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import ENV, git
from run import VERSIONBOT, Job, measure, row

CONFIG = '[units.app]\nversion-file = "app/version.json"\ninputs = ["app/"]\n'


def history(root: Path, commits: int, versions: int) -> None:
    """`commits` commits on main; every (commits // versions)-th one bumps app's version file."""
    every = max(1, commits // versions)
    stream: list[bytes] = []

    def blob(path: str, data: bytes) -> None:
        stream.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    version = 0
    for index in range(commits):
        message = f"commit {index}".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer Bench <bench@example.com> {1_700_000_000 + index} +0000\n".encode())
        stream.append(f"data {len(message)}\n".encode() + message + b"\n")
        if index == 0:
            blob("versionbot.toml", CONFIG.encode())
        blob("notes.txt", f"{index}\n".encode())
        if index % every == 0 and version < versions:
            version += 1
            lock = f"lock {version}\n".encode()
            blob("app/uv.lock", lock)
            record = {
                "format": 1,
                "unit": "app",
                "version": version,
                "inputs": {"app/uv.lock": f"sha256:{version:064x}"},
                "inputs_hash": f"sha256:{version:064x}",
            }
            blob("app/version.json", (json.dumps(record, indent=2, sort_keys=True) + "\n").encode())
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, env=ENV, input=b"".join(stream), check=True)
    git(root, "checkout", "-q", "main")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="versionbot-bench-history-"))
    try:
        repo = work / "repo"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        history(repo, args.commits, args.versions)
        print(f"{args.commits} commits, {args.versions} of them bump app; median of {args.repeat} runs")
        print()
        baseline, start_up, logged = measure(
            Job(["git", "log", "--format=%H", "--", "app/version.json"], repo),
            Job([*VERSIONBOT, "--version"], repo),
            Job([*VERSIONBOT, "log", "app"], repo),
            repeat=args.repeat,
        )
        print(row("git log --format=%H -- app/version.json", baseline))
        print(row("versionbot --version (the CLI's start-up)", start_up))
        print(row("versionbot log app", logged, baseline, 2.0))
        print(f"   beyond the start-up: {(logged.seconds - start_up.seconds) * 1000:.0f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
