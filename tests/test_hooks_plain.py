"""The plain git hooks in hooks/, installed into .git/hooks of scratch repositories (issue: pre-commit hooks).

They call the same entry point as the pre-commit framework (`versionbot hook ...`), found on PATH the
way a user's shell finds it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo, clean_env, git

PROJECT = Path(__file__).resolve().parents[1]
FW_LOCK = "req/fw/pylock.fw.toml"
FW = "req/fw/version.json"
APP = "req/app/version.json"
CONFIG = """\
[units.app]
version-file = "req/app/version.json"
inputs = ["req/app/pylock.app.toml"]
depends-on = ["fw"]

[units.fw]
version-file = "req/fw/version.json"
inputs = ["req/fw/pylock.fw.toml"]
"""


@pytest.fixture
def env() -> dict[str, str]:
    """PATH starts with the scripts folder where the `versionbot` console script is installed."""
    scripts = sysconfig.get_path("scripts")
    assert shutil.which("versionbot", path=scripts), f"versionbot is not installed in {scripts}"
    return clean_env(PATH=scripts + os.pathsep + os.environ.get("PATH", ""))


def install(repo: GitRepo, *hooks: str) -> None:
    for hook in hooks:
        target = repo.path / ".git" / "hooks" / hook
        shutil.copyfile(PROJECT / "hooks" / hook, target)
        target.chmod(0o755)


def make_repo(path: Path, *hooks: str) -> GitRepo:
    repo = GitRepo(path)
    repo.write("versionbot.toml", CONFIG)
    repo.write(FW_LOCK, "numpy\n")
    repo.write("req/app/pylock.app.toml", "scipy\n")
    repo.write("README.md", "not an input\n")
    assert repo.versionbot("bump").returncode == 0
    repo.commit("initial")
    install(repo, *hooks)
    return repo


def version_at(repo: GitRepo, revision: str, path: str) -> int:
    version: int = json.loads(repo.git("show", f"{revision}:{path}"))["version"]
    return version


def test_hook_scripts_are_executable_shell_scripts() -> None:
    for hook in ("pre-commit", "pre-push"):
        path = PROJECT / "hooks" / hook
        assert path.read_text(encoding="utf-8").startswith("#!/bin/sh\n")
        assert os.access(path, os.X_OK), f"{path} must be executable"
        syntax = subprocess.run(["sh", "-n", str(path)], capture_output=True, text=True, check=False)
        assert syntax.returncode == 0, syntax.stderr


@pytest.mark.slow
def test_pre_commit_bumps_on_commit_all_then_commits(tmp_path: Path, env: dict[str, str]) -> None:
    repo = make_repo(tmp_path / "user", "pre-commit")
    start = repo.head()
    repo.write(FW_LOCK, "numpy 2\n")

    first = git(repo, env, "commit", "-a", "-m", "numpy")
    assert first.code == 1, first.output
    assert f"wrote {FW}: fw 1 -> 2" in first.output
    assert f"modified {FW_LOCK}" in first.output
    assert f"wrote {APP}: app 1 -> 2" in first.output
    assert f"`git add {APP} {FW}`" in first.output
    assert repo.head() == start
    assert repo.read_json(FW)["version"] == 2

    second = git(repo, env, "commit", "-a", "-m", "numpy")
    assert second.code == 0, second.output
    # All is well: the one line is the word that a repository without a base judges each commit alone.
    assert [line for line in second.output.splitlines() if "versionbot" in line] == [
        line for line in second.output.splitlines() if line.startswith("versionbot: no base found")
    ]
    assert version_at(repo, "HEAD", FW) == 2
    assert version_at(repo, "HEAD", APP) == 2
    assert repo.git("status", "--porcelain") == ""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["staged", "paths"])
def test_pre_commit_ignores_and_keeps_an_unstaged_input_change(
    tmp_path: Path, env: dict[str, str], how: str
) -> None:
    """`git commit` of the staged content, and `git commit <paths>` (a temporary index)."""
    repo = make_repo(tmp_path / "user", "pre-commit")
    start = repo.head()
    repo.write("README.md", "docs\n")
    repo.write(FW_LOCK, "unstaged numpy\n")
    if how == "staged":
        repo.git("add", "README.md")
        outcome = git(repo, env, "commit", "-m", "docs")
    else:
        outcome = git(repo, env, "commit", "-m", "docs", "README.md")
    assert outcome.code == 0, outcome.output
    assert repo.git("diff", "--name-only", start, "HEAD") == "README.md\n"
    assert repo.read(FW_LOCK) == "unstaged numpy\n"
    assert repo.read_json(FW)["version"] == 1
    assert repo.git("status", "--porcelain") == f" M {FW_LOCK}\n"


@pytest.mark.slow
def test_pre_commit_never_overwrites_unstaged_version_file_edits(tmp_path: Path, env: dict[str, str]) -> None:
    repo = make_repo(tmp_path / "user", "pre-commit")
    start = repo.head()
    repo.write(FW_LOCK, "numpy 2\n")
    repo.git("add", FW_LOCK)
    edited = repo.read(FW).replace('"format": 1,', '"format": 1,\n  "note": "my own key",')
    repo.write(FW, edited)
    app_before = repo.read(APP)

    outcome = git(repo, env, "commit", "-m", "numpy")
    assert outcome.code == 1, outcome.output
    assert f"not bumping: {FW} differs from the staged content" in outcome.output
    assert repo.read(FW) == edited
    assert repo.read(APP) == app_before  # all or nothing
    assert repo.head() == start


@pytest.mark.slow
def test_pre_push_fails_an_unbumped_push(tmp_path: Path, env: dict[str, str]) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], env=clean_env(), check=True)
    repo = make_repo(tmp_path / "user", "pre-push")
    repo.git("remote", "add", "origin", str(remote))
    assert git(repo, env, "push", "-u", "origin", "main").code == 0
    pushed = repo.head()
    repo.write(FW_LOCK, "numpy 2\n")
    repo.commit("numpy, unbumped")

    refused = git(repo, env, "push", "origin", "main")
    assert refused.code != 0, refused.output
    assert "versionbot: main (" in refused.output
    assert "is not ready to push" in refused.output
    assert "FAIL fw [needs-bump] base 1, file 1, expected 2" in refused.output
    assert f"modified {FW_LOCK}" in refused.output
    assert repo.git("ls-remote", str(remote), "refs/heads/main").split()[0] == pushed
    assert repo.read_json(FW)["version"] == 1  # the pre-push script only checks

    assert repo.versionbot("bump").returncode == 0
    repo.commit("bump")
    accepted = git(repo, env, "push", "origin", "main")
    assert accepted.code == 0, accepted.output
    assert repo.git("ls-remote", str(remote), "refs/heads/main").split()[0] == repo.head()
    # a deletion carries nothing to judge
    assert git(repo, env, "push", "origin", "main:refs/heads/old").code == 0
    deleted = git(repo, env, "push", "origin", "--delete", "old")
    assert deleted.code == 0, deleted.output


@pytest.mark.slow
def test_pre_push_judges_a_new_branch_against_its_branch_point(tmp_path: Path, env: dict[str, str]) -> None:
    remote = tmp_path / "remote.git"
    upstream = make_repo(tmp_path / "upstream")
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(upstream.path), str(remote)], env=clean_env(), check=True
    )
    subprocess.run(["git", "clone", "-q", str(remote), str(tmp_path / "clone")], env=clean_env(), check=True)
    repo = GitRepo(tmp_path / "clone")  # re-initialising a clone leaves it as it is
    install(repo, "pre-push")
    repo.branch("feature")
    repo.write(FW_LOCK, "numpy 2\n")
    repo.commit("numpy, unbumped")
    repo.write("README.md", "docs\n")
    repo.commit("docs")

    refused = git(repo, env, "push", "origin", "feature")
    assert refused.code != 0, refused.output
    assert "FAIL fw [needs-bump] base 1, file 1, expected 2" in refused.output

    assert repo.versionbot("bump").returncode == 0
    repo.commit("bump")
    accepted = git(repo, env, "push", "origin", "feature")
    assert accepted.code == 0, accepted.output


@pytest.mark.slow
def test_a_missing_versionbot_fails_with_a_clear_message(tmp_path: Path, env: dict[str, str]) -> None:
    repo = make_repo(tmp_path / "user", "pre-commit")
    repo.write("README.md", "docs\n")
    outcome = git(repo, {**env, "VERSIONBOT": "versionbot-not-installed"}, "commit", "-a", "-m", "docs")
    assert outcome.code == 1
    assert "versionbot: 'versionbot-not-installed' not found" in outcome.output
