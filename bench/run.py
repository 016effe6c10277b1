"""Performance at monorepo scale: every figure beside a baseline measured in the same run.

    python bench/run.py [--units 500] [--files 100] [--extra 12500] [--repeat 5] [--huge]

Targets (whole-process timings of the installed CLI, medians):
  1. no-op `check --head index`, warm          <= 1.5x `versionbot --version`
  2. `check --base main --head HEAD`, 9 files in 3 units changed: the full repository
     <= 1.3x a ten times smaller one
  3. cold full `bump` (no caches, every version file written) <= 2x `sha256sum` of the input files
  4. peak memory of the no-op check < 200 MB; with --huge, a 2,000-unit x 100-file repository too
  5. `verify --dir` of the repository unpacked from `git archive` <= 1.5x `sha256sum` of its inputs
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import ENV, generate, git

VERSIONBOT = [sys.executable, "-m", "versionbot"]
# As an installed package has it, Python's bytecode is cached (by each figure's warm-up run).
RUN_ENV = {key: value for key, value in ENV.items() if key != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Sample:
    seconds: float  # median wall time
    peak_mb: float  # largest resident set of any run


def run_once(command: Sequence[str], cwd: Path, stdin: bytes | None) -> tuple[float, float]:
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=RUN_ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stderr is not None
    if stdin is not None:
        process.stdin.write(stdin)
    process.stdin.close()
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {errors.decode()}")
    return elapsed, usage.ru_maxrss / 1024


@dataclass(frozen=True)
class Job:
    command: Sequence[str]
    cwd: Path
    stdin: bytes | None = None
    before_each: Callable[[], None] | None = None  # not timed

    def run(self) -> tuple[float, float]:
        if self.before_each:
            self.before_each()
        return run_once(self.command, self.cwd, self.stdin)


def measure(*jobs: Job, repeat: int) -> list[Sample]:
    """Each job `repeat` times, interleaved so that a slower or faster spell of the machine weighs on
    a figure and its baseline alike; one warm-up run each first (the page cache, the interpreter's
    bytecode, versionbot's own cache)."""
    for job in jobs:
        job.run()
    runs: list[list[tuple[float, float]]] = [[] for _ in jobs]
    for _ in range(repeat):
        for job, results in zip(jobs, runs, strict=True):
            results.append(job.run())
    return [
        Sample(statistics.median(seconds for seconds, _ in results), max(peak for _, peak in results))
        for results in runs
    ]


def commit_version_files(repo: Path) -> None:
    subprocess.run([*VERSIONBOT, "bump"], cwd=repo, env=ENV, check=True, capture_output=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "version files")


def change_three_units(repo: Path, units: int, files: int) -> None:
    """A branch whose one commit changes 9 files: 3 in each of 3 units."""
    git(repo, "checkout", "-q", "-b", "change")
    for unit in (0, units // 2, units - 1):
        for index in (1, files // 2, files - 1):
            path = repo / f"units/u{unit:04d}/src/m{index:03d}.py"
            path.write_text(path.read_text() + "# changed\n")
    git(repo, "commit", "-q", "-am", "change 9 files in 3 units")


def forget(repo: Path) -> Callable[[], None]:
    """Before a cold run: no version files and no cache."""

    def reset() -> None:
        git(repo, "clean", "-qfdx")
        shutil.rmtree(repo / ".git" / "versionbot", ignore_errors=True)

    return reset


def row(name: str, sample: Sample, baseline: Sample | None = None, limit: float | None = None) -> str:
    text = f"{name:52s} {sample.seconds * 1000:8.0f} ms {sample.peak_mb:7.0f} MB"
    if baseline is not None:
        ratio = sample.seconds / baseline.seconds
        text += f"   {ratio:5.2f}x"
        if limit is not None:
            text += f" (target <= {limit}x: {'met' if ratio <= limit else 'NOT met'})"
    return text


def main() -> int:  # noqa: PLR0915 - one figure after another reads best in one place
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--extra", type=int, default=12500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--huge", action="store_true", help="also a 2,000-unit x 100-file repository")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="versionbot-bench-"))
    try:
        big, small = work / "big", work / "small"
        paths = generate(big, units=args.units, files=args.files, extra=args.extra)
        generate(small, units=max(1, args.units // 10), files=args.files, extra=args.extra // 10)
        listing = "\0".join(paths).encode()
        total = args.units * args.files + args.extra
        print(f"repository: {args.units} units x {args.files} files + {args.extra} others = {total} files")
        python = sys.version.split()[0]
        print(f"median of {args.repeat} runs after one warm-up; python {python}, {os.cpu_count()} cores")
        print()

        sha, bump = measure(
            Job(["xargs", "-0", "sha256sum"], big, stdin=listing),
            Job([*VERSIONBOT, "bump"], big, before_each=forget(big)),
            repeat=args.repeat,
        )
        print(row(f"sha256sum of the {len(paths)} input files", sha))
        print(row("3. versionbot bump, cold (all version files)", bump, sha, 2.0))
        commit_version_files(big)

        version, diff, noop, worktree = measure(
            Job([*VERSIONBOT, "--version"], big),
            Job(["git", "diff", "--name-only", "HEAD"], big),
            Job([*VERSIONBOT, "check", "--head", "index"], big),
            Job([*VERSIONBOT, "check"], big),
            repeat=args.repeat,
        )
        print(row("versionbot --version", version))
        print(row("git diff --name-only HEAD", diff))
        print(row("1. versionbot check --head index, no-op, warm", noop, version, 1.5))
        print(row("   versionbot check (worktree), no-op, warm", worktree, version))
        limit = "met" if noop.peak_mb < 200 else "NOT met"
        print(f"4. peak memory of the no-op check: {noop.peak_mb:.0f} MB (target < 200 MB: {limit})")

        tree = work / "deployed"  # `git archive HEAD | tar -x`: what `verify` checks, with no git
        tree.mkdir()
        # Piped, never held here: a child forked from a large parent would count its pages as its own.
        archive = subprocess.Popen(["git", "archive", "HEAD"], cwd=big, env=ENV, stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(tree)], stdin=archive.stdout, check=True)
        assert archive.stdout is not None
        archive.stdout.close()
        if archive.wait() != 0:
            raise SystemExit("git archive failed")
        tree_sha, verified = measure(
            Job(["xargs", "-0", "sha256sum"], tree, stdin=listing),
            Job([*VERSIONBOT, "verify", "--dir", str(tree)], tree),
            repeat=args.repeat,
        )
        print(row(f"sha256sum of the {len(paths)} input files, unpacked", tree_sha))
        print(row("5. versionbot verify --dir (no git)", verified, tree_sha, 1.5))

        commit_version_files(small)
        change_three_units(big, args.units, args.files)
        change_three_units(small, max(1, args.units // 10), args.files)
        command = [*VERSIONBOT, "check", "--base", "main", "--head", "HEAD"]
        small_change, big_change = measure(Job(command, small), Job(command, big), repeat=args.repeat)
        print(row("   check --base main --head HEAD, small repository", small_change))
        print(row("2. check --base main --head HEAD, full repository", big_change, small_change, 1.3))

        if args.huge:
            huge = work / "huge"
            start = time.perf_counter()
            huge_paths = generate(huge, units=2000, files=100, extra=0)
            print(
                f"\nhuge: 2000 units x 100 files = {len(huge_paths)} files (generated in "
                f"{time.perf_counter() - start:.0f} s)"
            )
            huge_listing = "\0".join(huge_paths).encode()
            huge_sha, huge_bump = measure(
                Job(["xargs", "-0", "sha256sum"], huge, stdin=huge_listing),
                Job([*VERSIONBOT, "bump"], huge, before_each=forget(huge)),
                repeat=1,
            )
            print(row("sha256sum of the input files", huge_sha))
            print(row("versionbot bump, cold", huge_bump, huge_sha))
            commit_version_files(huge)
            huge_version, huge_noop = measure(
                Job([*VERSIONBOT, "--version"], huge),
                Job([*VERSIONBOT, "check", "--head", "index"], huge),
                repeat=args.repeat,
            )
            print(row("versionbot check --head index, no-op, warm", huge_noop, huge_version))
            print(f"peak memory of that check: {huge_noop.peak_mb:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
