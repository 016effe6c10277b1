"""Build a synthetic monorepo: UNITS units x FILES files (~1.5 KB each) under units/uNNNN/, plus
EXTRA files that are no unit's input; one directory input per unit. Packed, as a fresh clone is.

    python bench/generate.py DEST --units 500 --files 100 --extra 12500 [--bump]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

ENV = {
    **{key: value for key, value in os.environ.items() if not key.startswith("GIT_")},
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
FILE_SIZE = 1500


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, env=ENV, check=True, capture_output=True, text=True)
    return result.stdout


def input_paths(units: int, files: int) -> list[str]:
    """Each unit: a lock file and FILES-1 sources."""
    paths = []
    for unit in range(units):
        folder = f"units/u{unit:04d}"
        paths.append(f"{folder}/pylock.u{unit:04d}.toml")
        paths += [f"{folder}/src/m{index:03d}.py" for index in range(1, files)]
    return paths


def generate(root: Path, *, units: int, files: int, extra: int, seed: int = 0) -> list[str]:
    """Write, commit and pack the repository; returns the input files' paths."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "config", "gc.auto", "0")  # packed once, below, and not behind our back
    config = "".join(
        f'[units.u{unit:04d}]\nversion-file = "units/u{unit:04d}/version.json"\n'
        f'inputs = ["units/u{unit:04d}/"]\n\n'
        for unit in range(units)
    )
    (root / "versionbot.toml").write_text(config)
    paths = input_paths(units, files)
    others = [f"docs/d{index // 100:04d}/page{index:05d}.md" for index in range(extra)]
    for path in paths + others:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        line = f"# {path} {rng.random()}\n"
        target.write_text((line * (FILE_SIZE // len(line) + 1))[:FILE_SIZE])
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "synthetic monorepo")
    git(root, "gc", "-q")
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dest", type=Path)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--extra", type=int, default=12500)
    parser.add_argument("--bump", action="store_true", help="also write and commit the version files")
    args = parser.parse_args()
    generate(args.dest, units=args.units, files=args.files, extra=args.extra)
    if args.bump:
        subprocess.run(
            [sys.executable, "-m", "versionbot", "bump"],
            cwd=args.dest,
            env=ENV,
            check=True,
            capture_output=True,
        )
        git(args.dest, "add", "-A")
        git(args.dest, "commit", "-q", "-m", "version files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
