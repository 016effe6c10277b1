"""Build a synthetic monorepo: UNITS units x FILES files (~1.5 KB each) under units/uNNNN/, plus
EXTRA files that are no unit's input; one directory input per unit.

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
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=ENV, check=True, stdout=subprocess.DEVNULL)


def unit_dir(index: int) -> str:
    return f"units/u{index:04d}"


def input_files(units: int, files: int) -> list[str]:
    return [f"{unit_dir(u)}/src/f{f:03d}.py" if f % 10 else f"{unit_dir(u)}/pylock.u{u:04d}.toml"
            for u in range(units) for f in range(files)]


def generate(root: Path, *, units: int, files: int, extra: int, seed: int = 0) -> list[str]:
    """Write and commit the repository; returns the input files' paths."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    config = []
    for u in range(units):
        config.append(f'[units.u{u:04d}]\nversion-file = "{unit_dir(u)}/version.json"\ninputs = ["{unit_dir(u)}/"]\n')
    (root / "versionbot.toml").write_text("\n".join(config))
    paths = input_files(units, files)
    others = [f"docs/d{i // 100:04d}/page{i:05d}.md" for i in range(extra)]
    for path in paths + others:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        line = f"# {path} {rng.random()}\n"
        target.write_text(line * (1500 // len(line) + 1))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "synthetic monorepo")
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--extra", type=int, default=12500)
    parser.add_argument("--bump", action="store_true", help="also write and commit the version files")
    args = parser.parse_args()
    generate(args.dest, units=args.units, files=args.files, extra=args.extra)
    if args.bump:
        subprocess.run([sys.executable, "-m", "versionbot", "bump"], cwd=args.dest, env=ENV, check=True)
        git(args.dest, "add", "-A")
        git(args.dest, "commit", "-q", "-m", "version files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
