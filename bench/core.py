"""Time `versionbot check` and `bump` on a synthetic repository beside baselines measured in the
same run on the same files: `git diff --name-only`, `sha256sum` and `versionbot --version`.

    python bench/core.py [--units 50] [--files 100] [--extra 1250] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import ENV, generate, git  # noqa: E402

VERSIONBOT = [sys.executable, "-m", "versionbot"]


def timed(command: Sequence[str], cwd: Path, *, stdin: bytes | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=ENV, input=stdin, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr.decode()}")
    return elapsed


def median(command: Sequence[str], cwd: Path, repeat: int, *, stdin: bytes | None = None) -> float:
    timed(command, cwd, stdin=stdin)  # warm the page cache and the interpreter's bytecode
    return statistics.median(timed(command, cwd, stdin=stdin) for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--extra", type=int, default=1250)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="versionbot-bench-"))
    try:
        repo = work / "repo"
        paths = generate(repo, units=args.units, files=args.files, extra=args.extra)
        listing = "\0".join(paths).encode()
        rows: list[tuple[str, float]] = []
        rows.append(("versionbot --version", median([*VERSIONBOT, "--version"], repo, args.repeat)))
        rows.append(("sha256sum (input files)", median(["xargs", "-0", "sha256sum"], repo, args.repeat, stdin=listing)))
        bump_times = []
        for _ in range(args.repeat):
            bump_times.append(timed([*VERSIONBOT, "bump"], repo))
            git(repo, "clean", "-qfdx")  # remove the version files again: every run is a full bump
        rows.append(("versionbot bump (all files)", statistics.median(bump_times)))
        subprocess.run([*VERSIONBOT, "bump"], cwd=repo, env=ENV, check=True, capture_output=True)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "versions")
        rows.append(("git diff --name-only HEAD", median(["git", "diff", "--name-only", "HEAD"], repo, args.repeat)))
        rows.append(("versionbot check (no-op)", median([*VERSIONBOT, "check"], repo, args.repeat)))
        rows.append(("versionbot check --head index", median([*VERSIONBOT, "check", "--head", "index"], repo, args.repeat)))
        for path in paths[:: len(paths) // 9][:9]:
            (repo / path).write_text((repo / path).read_text() + "# change\n")
        rows.append(("versionbot check (9 files changed)", median([*VERSIONBOT, "check"], repo, args.repeat)))
        total = args.units * args.files + args.extra
        print(f"repository: {args.units} units x {args.files} files + {args.extra} others = {total} files; "
              f"median of {args.repeat} runs")
        baseline = dict(rows)
        for name, seconds in rows:
            ratios = [f"{seconds / baseline[base]:.2f}x {base.split(' (')[0]}" for base in
                      ("versionbot --version", "sha256sum (input files)", "git diff --name-only HEAD")
                      if base != name]
            print(f"{name:38s} {seconds * 1000:9.1f} ms   " + ", ".join(ratios))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
