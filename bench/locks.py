"""Semantic lock hashing at size: `check` after one package upgrade in a large `uv.lock`, beside the
bytes method in the same run (issue: lock files understood; target: within 3x), and the no-op check
of both (a lock file is parsed only when it changed).

    python bench/locks.py [--packages 7500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import git
from run import VERSIONBOT, Job, commit_version_files, measure, row

CONFIG = """\
lock-hashing = "{hashing}"

[units.env]
version-file = "env/version.json"
inputs = ["env/"]
"""


def uv_lock(packages: int, upgraded: int | None = None) -> str:
    """A uv.lock of real shape: each package with its registry source, an sdist and two wheels."""
    lines = ["version = 1", "revision = 3", 'requires-python = ">=3.11"', ""]
    for index in range(packages):
        version = "2.0.1" if index == upgraded else "2.0.0"
        name = f"package-{index:05d}"
        digest = f"{index:064x}"
        url = f"https://files.example/packages/{digest[:2]}/{digest[2:4]}/{name}-{version}"
        lines += [
            "[[package]]",
            f'name = "{name}"',
            f'version = "{version}"',
            'source = { registry = "https://pypi.org/simple" }',
            f'sdist = {{ url = "{url}.tar.gz", hash = "sha256:{digest}", size = {1000 + index} }}',
            "wheels = [",
            f'    {{ url = "{url}-py3-none-any.whl", hash = "sha256:{digest}", size = {2000 + index} }},',
            f'    {{ url = "{url}-cp311-abi3-manylinux_2_17_x86_64.whl", hash = "sha256:{digest}" }},',
            "]",
            "",
        ]
    return "\n".join(lines)


def make(root: Path, hashing: str, packages: int) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "versionbot.toml").write_text(CONFIG.format(hashing=hashing))
    (root / "env").mkdir()
    (root / "env" / "uv.lock").write_text(uv_lock(packages))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "lock")
    commit_version_files(root)
    return root


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--packages", type=int, default=7500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="versionbot-bench-locks-"))
    try:
        repos = [make(work / hashing, hashing, args.packages) for hashing in ("bytes", "semantic")]
        size = (repos[0] / "env" / "uv.lock").stat().st_size
        print(f"uv.lock of {args.packages} packages, {size / 1e6:.1f} MB; median of {args.repeat} runs")
        print()
        command = [*VERSIONBOT, "check", "--base", "main"]
        noop_bytes, noop_semantic = measure(*(Job(command, repo) for repo in repos), repeat=args.repeat)
        print(row("no-op check, bytes", noop_bytes))
        print(row("no-op check, semantic", noop_semantic, noop_bytes))
        for repo in repos:
            git(repo, "checkout", "-q", "-b", "upgrade")
            (repo / "env" / "uv.lock").write_text(uv_lock(args.packages, upgraded=args.packages // 2))
        upgraded_bytes, upgraded_semantic = measure(
            *(Job(command, repo) for repo in repos), repeat=args.repeat
        )
        print(row("check after one upgrade, bytes", upgraded_bytes))
        print(row("check after one upgrade, semantic", upgraded_semantic, upgraded_bytes, 3.0))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
