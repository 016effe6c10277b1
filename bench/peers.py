"""versionbot beside its peers on one synthetic repository, in one run: DVC (one stage per unit, the
unit's folder its dependency) and Turborepo's input hashing (one npm workspace package per unit).

    python bench/peers.py [--units 500] [--files 100] [--repeat 5] [--small 50]

Each peer is installed into this run's own scratch folder (DVC from the package index into a virtual
environment, Turborepo's `turbo` from npm), so nothing of the machine changes; a peer that cannot
be installed is said so and left out. Figures, each a median of interleaved runs:

  - no-op: `versionbot check --head index` | `dvc status` | `turbo run build --dry=json`
  - after 9 files in 3 units changed: `versionbot check` of the change | `dvc status` | turbo again
  - cold: `versionbot bump` with no version files and no cache | `dvc commit -f` with no hash cache |
    (turbo keeps no record of its own to write)
  - the same no-op figures on a repository of `--small` units, to show how each grows
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import ENV, generate, git
from run import VERSIONBOT, Job, Sample, measure

QUIET = {**ENV, "TURBO_TELEMETRY_DISABLED": "1", "DO_NOT_TRACK": "1", "DVC_NO_ANALYTICS": "1"}


def install_dvc(work: Path) -> Path | None:
    venv = work / "dvc-venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "dvc"], check=True, capture_output=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        print(f"DVC could not be installed ({error}); left out")
        return None
    return venv / "bin" / "dvc"


def install_turbo(work: Path) -> Path | None:
    folder = work / "turbo-install"
    folder.mkdir()
    try:
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "turbo"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=900,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        print(f"Turborepo could not be installed ({error}); left out")
        return None
    return folder / "node_modules" / ".bin" / "turbo"


def as_dvc_project(repo: Path, units: int, dvc: Path) -> None:
    """One stage per unit whose dependency is the unit's folder, written as `dvc stage add` would."""
    subprocess.run([str(dvc), "init", "-q"], cwd=repo, env=QUIET, check=True)
    stages = "".join(
        f"  u{unit:04d}:\n    cmd: 'true'\n    deps:\n    - units/u{unit:04d}\n" for unit in range(units)
    )
    (repo / "dvc.yaml").write_text("stages:\n" + stages)
    subprocess.run([str(dvc), "commit", "-f", "-q"], cwd=repo, env=QUIET, check=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "dvc stages")


def as_npm_workspace(repo: Path, units: int) -> None:
    """One workspace package per unit, with a `build` task over all of the package's files."""
    root = {"name": "bench", "private": True, "workspaces": ["units/*"], "packageManager": "npm@10.0.0"}
    (repo / "package.json").write_text(json.dumps(root))
    (repo / "package-lock.json").write_text(
        json.dumps({"name": "bench", "lockfileVersion": 3, "packages": {}})
    )
    # No `inputs`: by default Turborepo hashes every file git tracks in the package, by git's own ids
    (repo / "turbo.json").write_text(json.dumps({"tasks": {"build": {"outputs": []}}}))
    for unit in range(units):
        package = {"name": f"u{unit:04d}", "version": "1.0.0", "scripts": {"build": "true"}}
        (repo / f"units/u{unit:04d}/package.json").write_text(json.dumps(package))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "npm workspace")


def change_three_units(repo: Path, units: int, files: int) -> None:
    for unit in (0, units // 2, units - 1):
        for index in (1, files // 2, files - 1):
            path = repo / f"units/u{unit:04d}/src/m{index:03d}.py"
            path.write_text(path.read_text() + "# changed\n")
    git(repo, "commit", "-q", "-am", "change 9 files in 3 units")


def line(name: str, sample: Sample | None, ours: Sample | None = None) -> str:
    if sample is None:
        return f"{name:58s}        -"
    text = f"{name:58s} {sample.seconds * 1000:7.0f} ms"
    if ours is not None:
        text += f"   versionbot {ours.seconds / sample.seconds:5.2f}x of it"
    return text


def figures(work: Path, units: int, files: int, repeat: int, *, dvc: Path | None, turbo: Path | None) -> None:
    base = work / f"repo-{units}"
    generate(base, units=units, files=files, extra=0)
    mine, theirs_dvc, theirs_turbo = (work / f"{name}-{units}" for name in ("versionbot", "dvc", "turbo"))
    for copy in (mine, theirs_dvc, theirs_turbo):
        shutil.copytree(base, copy, symlinks=True)
    subprocess.run([*VERSIONBOT, "bump"], cwd=mine, env=ENV, check=True, capture_output=True)
    git(mine, "add", "-A")
    git(mine, "commit", "-q", "-m", "version files")
    if dvc is not None:
        as_dvc_project(theirs_dvc, units, dvc)
    if turbo is not None:
        as_npm_workspace(theirs_turbo, units)
    turbo_job = [str(turbo), "run", "build", "--dry=json"] if turbo is not None else None

    def peer_jobs(*jobs: Job | None) -> list[Job]:
        return [job for job in jobs if job is not None]

    print(f"{units} units x {files} files; medians of {repeat} interleaved runs")
    noop = measure(
        *peer_jobs(
            Job([*VERSIONBOT, "check", "--head", "index"], mine),
            Job([str(dvc), "status", "-q"], theirs_dvc) if dvc else None,
            Job(turbo_job, theirs_turbo) if turbo_job else None,
        ),
        repeat=repeat,
    )
    ours = noop[0]
    print(line("versionbot check --head index, no-op", ours))
    rest = iter(noop[1:])
    print(line("dvc status, no-op", next(rest) if dvc else None, ours))
    print(line("turbo run build --dry=json, no-op", next(rest) if turbo_job else None, ours))
    if units < 3:
        return
    for repo in (mine, theirs_dvc, theirs_turbo):
        change_three_units(repo, units, files)
    changed = measure(
        *peer_jobs(
            Job([*VERSIONBOT, "check", "--base", "HEAD~1", "--head", "HEAD"], mine),
            Job([str(dvc), "status", "-q"], theirs_dvc) if dvc else None,
            Job(turbo_job, theirs_turbo) if turbo_job else None,
        ),
        repeat=repeat,
    )
    ours = changed[0]
    print(line("versionbot check of 9 files changed in 3 units", ours))
    rest = iter(changed[1:])
    print(line("dvc status, 9 files changed", next(rest) if dvc else None, ours))
    print(line("turbo run build --dry=json, 9 files changed", next(rest) if turbo_job else None, ours))

    def cold_versionbot() -> None:
        git(mine, "clean", "-qfdx")
        for path in mine.glob("units/*/version.json"):
            path.unlink()
        shutil.rmtree(mine / ".git" / "versionbot", ignore_errors=True)

    def cold_dvc() -> None:
        shutil.rmtree(theirs_dvc / ".dvc" / "tmp", ignore_errors=True)  # its hash cache

    cold = measure(
        *peer_jobs(
            Job([*VERSIONBOT, "bump"], mine, before_each=cold_versionbot),
            Job([str(dvc), "commit", "-f", "-q"], theirs_dvc, before_each=cold_dvc) if dvc else None,
        ),
        repeat=repeat,
    )
    print(line("versionbot bump, cold (every version file written)", cold[0]))
    print(line("dvc commit -f, cold (no hash cache)", cold[1] if dvc else None, cold[0]))
    print()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="versionbot-peers-"))
    try:
        dvc, turbo = install_dvc(work), install_turbo(work)
        if dvc is not None:
            print(
                subprocess.run(
                    [str(dvc), "--version"], capture_output=True, text=True, check=False
                ).stdout.strip(),
                end=" ",
            )
        if turbo is not None:
            print(
                "turbo",
                subprocess.run(
                    [str(turbo), "--version"], capture_output=True, text=True, check=False
                ).stdout.strip(),
            )
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
        print()
        figures(work, args.units, args.files, args.repeat, dvc=dvc, turbo=turbo)
        figures(work, args.small, args.files, args.repeat, dvc=dvc, turbo=turbo)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
