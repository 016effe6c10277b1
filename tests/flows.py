"""Steps several test modules share: a `check --format json` report, one unit of it, two
branches that each bump `app` of the `bumped` project, and a tree unpacked from `git archive`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import Run
from tests.gitrepo import GitRepo, clean_env

APP_LOCK = "req/app/pylock.app.toml"
LAUNCH = "launch/app/__main__.py"


def report(run: Run, repo: GitRepo, *args: str) -> dict[str, Any]:
    """`check --format json`, which exits 0 exactly when the report is ok."""
    result = run(repo, "check", "--format", "json", *args)
    assert result.code in (0, 1), result.err
    data: dict[str, Any] = json.loads(result.out)
    assert (result.code == 0) == data["ok"]
    return data


def unit(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in data["units"] if item["unit"] == name)
    return found


def bump_app_on_both_sides(repo: GitRepo, run: Run) -> None:
    """`feature` and `main` each change one of app's inputs and bump it 1 -> 2; `feature` is
    checked out."""
    repo.branch("feature")
    repo.write(LAUNCH, "import scipy  # feature\n")
    assert run(repo, "bump").code == 0
    repo.commit("feature: launch module, app bumped")
    repo.checkout("main")
    repo.write(APP_LOCK, 'lock-version = "1.0"\n[[packages]]\nname = "scipy"\nversion = "1.16.2"\n')
    assert run(repo, "bump").code == 0
    repo.commit("main: scipy, app bumped")
    repo.checkout("feature")


def unpacked(repo: GitRepo, target: Path) -> Path:
    """`git archive HEAD | tar -x`: the tree a deployer gets, without `.git`."""
    target.mkdir()
    archive = subprocess.run(
        ["git", "archive", "HEAD"], cwd=repo.path, env=clean_env(), capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    assert not (target / ".git").exists()
    return target
