"""What the versionbot hook adds to a no-op `git commit` in a large repository.

Builds a scratch repository of `--files` files (default 20,000) with a few units, makes the project's
working tree a hook repository (as tests/test_hook.py does), installs the hook through the pre-commit
framework and as the plain `hooks/pre-commit` script, and times commits that change no input:

- `git commit --no-verify`: the baseline, measured in the same run;
- `git commit` with the pre-commit framework running the `versionbot` hook;
- `git commit` with the pre-commit framework running a hook that does nothing (the framework's own cost);
- `git commit` with the plain hooks/pre-commit script;
- `versionbot hook bump` on its own, without git commit around it.

The series are interleaved round by round so that drift in the machine's load hits them alike.

    python bench/hook_overhead.py [--files 20000] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
UNITS = 4
FILES_PER_UNIT = 25
IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def environment(pre_commit_home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(IDENTITY)
    env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    env["PATH"] = sysconfig.get_path("scripts") + os.pathsep + env.get("PATH", "")
    return env


def run(command: Sequence[str], cwd: Path, env: dict[str, str], *, check: bool = True) -> int:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.returncode


def make_hook_repo(path: Path, env: dict[str, str]) -> str:
    """The project's working tree (what `git add -A` would stage) committed afresh; returns the commit."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listing.split("\0")):
        if (PROJECT / name).is_file():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, path / name)
    run(["git", "init", "-q", "-b", "main"], path, env)
    run(["git", "add", "-A"], path, env)
    run(["git", "commit", "-q", "-m", "hook repository"], path, env)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=path, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def make_big_repo(path: Path, files: int, env: dict[str, str]) -> None:
    """`files` files: UNITS units of FILES_PER_UNIT inputs each, the rest source files that are no input."""
    config = []
    for unit in range(UNITS):
        folder = path / "units" / f"u{unit}"
        (folder / "launch").mkdir(parents=True)
        (folder / "pylock.toml").write_text(f'lock-version = "1.0"\n# unit {unit}\n')
        for index in range(FILES_PER_UNIT - 1):
            (folder / "launch" / f"m{index}.py").write_text(f"VALUE = {index}\n")
        config.append(
            f'[units.u{unit}]\nversion-file = "units/u{unit}/version.json"\n'
            f'inputs = ["units/u{unit}/pylock.toml", "units/u{unit}/launch/"]\n'
        )
    (path / "versionbot.toml").write_text("\n".join(config))
    (path / "NOTES.md").write_text("notes\n")
    rest = files - UNITS * (FILES_PER_UNIT + 1) - 2
    for index in range(rest):
        folder = path / "src" / f"pkg{index // 500}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{index}.py").write_text(f"def f{index}() -> int:\n    return {index}\n")
    run(["git", "init", "-q", "-b", "main"], path, env)
    run(["versionbot", "bump"], path, env)
    run(["git", "add", "-A"], path, env)
    run(["git", "commit", "-q", "-m", "initial"], path, env)


def prepare(root: Path, files: int, env: dict[str, str]) -> Path:
    """The big repository, with the framework's hook installed in `.git/hooks/pre-commit`."""
    hook_repo = root / "hook-repo"
    hook_repo.mkdir()
    rev = make_hook_repo(hook_repo, env)
    repo = root / "big"
    repo.mkdir()
    started = time.perf_counter()
    make_big_repo(repo, files, env)
    listing = subprocess.run(
        ["git", "ls-files"], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - started
    print(
        f"scratch repository: {listing.stdout.count(chr(10))} tracked files, {UNITS} units ({elapsed:.1f} s)"
    )
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo.as_posix()}\n  rev: {rev}\n  hooks:\n  - id: versionbot\n"
    )
    # The framework's own cost: the same commit with a hook that does nothing.
    (repo / NOOP_CONFIG).write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: noop\n    name: noop\n    entry: 'true'\n"
        "    language: system\n    always_run: true\n    pass_filenames: false\n"
    )
    run(["git", "add", ".pre-commit-config.yaml", NOOP_CONFIG], repo, env)
    run(["git", "commit", "-q", "--no-verify", "-m", "pre-commit config"], repo, env)
    pre_commit = [sys.executable, "-m", "pre_commit"]
    started = time.perf_counter()
    run([*pre_commit, "install-hooks"], repo, env)
    print(f"first install of the hook environment: {time.perf_counter() - started:.1f} s")
    run([*pre_commit, "install", "--config", NOOP_CONFIG], repo, env)
    (repo / ".git" / "hooks" / "pre-commit.noop").write_bytes(
        (repo / ".git" / "hooks" / "pre-commit").read_bytes()
    )
    run([*pre_commit, "install", "--overwrite"], repo, env)
    return repo


def series(repo: Path, env: dict[str, str]) -> dict[str, Callable[[], float]]:
    """Each series as a function that makes one measurement, in seconds."""
    installed = repo / ".git" / "hooks" / "pre-commit"
    framework_hook = installed.read_bytes()
    noop_hook = (repo / ".git" / "hooks" / "pre-commit.noop").read_bytes()
    plain_hook = (PROJECT / "hooks" / "pre-commit").read_bytes()
    counter = iter(range(10**9))

    def commit(hook: bytes | None) -> Callable[[], float]:
        def timed() -> float:
            if hook is not None:
                installed.write_bytes(hook)
                installed.chmod(0o755)
            (repo / "NOTES.md").write_text(f"notes {next(counter)}\n")  # no unit's input
            run(["git", "add", "NOTES.md"], repo, env)
            skip = ["--no-verify"] if hook is None else []
            started = time.perf_counter()
            code = run(["git", "commit", "-q", *skip, "-m", "notes"], repo, env, check=False)
            elapsed = time.perf_counter() - started
            if code != 0:
                raise SystemExit("a no-op commit failed: the hook found something to do")
            return elapsed

        return timed

    def hook_alone() -> float:
        started = time.perf_counter()
        run(["versionbot", "hook", "bump"], repo, env)
        return time.perf_counter() - started

    return {
        BASELINE: commit(None),
        FRAMEWORK: commit(framework_hook),
        NOOP: commit(noop_hook),
        PLAIN: commit(plain_hook),
        "versionbot hook bump alone": hook_alone,
    }


BASELINE = "git commit --no-verify (baseline)"
FRAMEWORK = "git commit, pre-commit framework hook"
PLAIN = "git commit, plain hooks/pre-commit"
NOOP = "git commit, pre-commit framework, no-op hook"
NOOP_CONFIG = "noop-pre-commit-config.yaml"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=20_000, help="files in the scratch repository")
    parser.add_argument("--runs", type=int, default=15, help="commits timed per series")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="versionbot-bench-") as scratch:
        root = Path(scratch)
        env = environment(root / "pre-commit-home")
        measures = series(prepare(root, args.files, env), env)
        times: dict[str, list[float]] = {name: [] for name in measures}
        for measure in measures.values():  # one warm-up round
            measure()
        for _ in range(args.runs):
            for name, measure in measures.items():
                times[name].append(measure())

    baseline = statistics.median(times[BASELINE])
    print(f"\n{'series':<46} {'median':>9} {'min':>9} {'vs baseline':>12}")
    for name, values in times.items():
        median = statistics.median(values)
        ratio = f"{median / baseline:.2f}x" if name.startswith("git commit") else ""
        print(f"{name:<46} {median * 1000:7.0f}ms {min(values) * 1000:7.0f}ms {ratio:>12}")
    for name in (FRAMEWORK, NOOP, PLAIN):
        overhead = statistics.median(times[name]) - baseline
        print(f"overhead of the {name.removeprefix('git commit, ')}: {overhead * 1000:.0f} ms per commit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
