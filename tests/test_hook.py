"""The hooks through the real pre-commit framework, in scratch repositories (issue: pre-commit hooks).

The project's working tree, as it is now, is committed into a scratch repository that serves as the
`repo:` of each user's `.pre-commit-config.yaml`; pre-commit installs the hook from it with pip, once
per session (a session-scoped PRE_COMMIT_HOME).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]  # pre-commit's dependency; stubs optional

from tests.gitrepo import GitRepo, attempt, clean_env, git
from versionbot.errors import VersionbotError
from versionbot.hook import Push, pushes_from_environ, pushes_from_git

PROJECT = Path(__file__).resolve().parents[1]
FW_LOCK = "req/fw/pylock.fw.toml"
APP_LOCK = "req/app/pylock.app.toml"
FW = "req/fw/version.json"
APP = "req/app/version.json"
CONFIG = """\
[units.app]
version-file = "req/app/version.json"
inputs = ["req/app/pylock.app.toml", "launch/app/"]
depends-on = ["fw"]

[units.fw]
version-file = "req/fw/version.json"
inputs = ["req/fw/pylock.fw.toml"]
"""
A = "a" * 40
B = "b" * 40
ZERO = "0" * 40


# Pure parsing of what pre-commit and git hand the hook --------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"PRE_COMMIT_FROM_REF": A}, None),
        (
            {"PRE_COMMIT_FROM_REF": A, "PRE_COMMIT_TO_REF": B, "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/x"},
            (Push(ref="refs/heads/x", to_commit=B, from_commit=A),),
        ),
        (
            {"PRE_COMMIT_FROM_REF": ZERO, "PRE_COMMIT_TO_REF": B},
            (Push(ref=B, to_commit=B, from_commit=None),),
        ),
        (
            {"PRE_COMMIT_FROM_REF": "origin/main", "PRE_COMMIT_TO_REF": "HEAD"},
            (Push(ref="HEAD", to_commit="HEAD", from_commit="origin/main"),),
        ),
    ],
)
def test_pushes_from_environ(environ: dict[str, str], expected: tuple[Push, ...] | None) -> None:
    assert pushes_from_environ(environ) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], ()),
        (["\n"], ()),
        (
            [f"refs/heads/main {B} refs/heads/main {A}\n"],
            (Push(ref="refs/heads/main", to_commit=B, from_commit=A),),
        ),
        (  # a new branch
            [f"refs/heads/x {B} refs/heads/x {ZERO}\n"],
            (Push(ref="refs/heads/x", to_commit=B, from_commit=None),),
        ),
        ([f"(delete) {ZERO} refs/heads/x {A}\n"], ()),  # a deletion carries nothing
        (  # several refs at once, SHA-256 zeros too
            [f"refs/heads/a {A} refs/heads/a {B}\n", f"refs/tags/t {B} refs/tags/t {'0' * 64}\n"],
            (
                Push(ref="refs/heads/a", to_commit=A, from_commit=B),
                Push(ref="refs/tags/t", to_commit=B, from_commit=None),
            ),
        ),
    ],
)
def test_pushes_from_git(lines: list[str], expected: tuple[Push, ...]) -> None:
    assert pushes_from_git(lines) == expected


def test_pushes_from_git_refuses_what_git_never_sends() -> None:
    with pytest.raises(VersionbotError, match="pre-push hook"):
        pushes_from_git(["refs/heads/main only-three-fields here\n"])


def test_manifest_is_valid_and_declares_both_hooks() -> None:
    manifest = PROJECT / ".pre-commit-hooks.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(manifest)],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = {hook["id"]: hook for hook in yaml.safe_load(manifest.read_text(encoding="utf-8"))}
    assert sorted(hooks) == ["versionbot", "versionbot-check"]
    assert hooks["versionbot"]["entry"] == "versionbot hook bump"
    assert hooks["versionbot-check"]["entry"] == "versionbot hook check"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert hook["always_run"] is True
        assert hook["require_serial"] is True
        assert {"pre-commit", "pre-merge-commit", "pre-push", "manual"} <= set(hook["stages"])


# Scratch repositories ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HookRepo:
    """The project as a hook repository: a path for `repo:` and a commit for `rev:`."""

    path: Path
    rev: str


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    """The project's working tree as it is now (what `git add -A` would stage), committed afresh."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        env=clean_env(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    repo = GitRepo(tmp_path_factory.mktemp("hook-repo"))
    for name in filter(None, listing.split("\0")):
        source = PROJECT / name
        if source.is_file():  # skips files deleted from the working tree but still in the index
            target = repo.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    assert (repo.path / ".pre-commit-hooks.yaml").is_file()
    return HookRepo(repo.path, repo.commit("versionbot, as a hook repository"))


@pytest.fixture(scope="session")
def hook_env(tmp_path_factory: pytest.TempPathFactory, hook_repo: HookRepo) -> dict[str, str]:
    """The environment for git and pre-commit, with one PRE_COMMIT_HOME for the session in which
    the hook's virtualenv is installed once, here (so its cost shows as this fixture's setup)."""
    env = clean_env(PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")))
    repo = GitRepo(tmp_path_factory.mktemp("warm-up"))
    repo.write(".pre-commit-config.yaml", pre_commit_config(hook_repo, "versionbot", "versionbot-check"))
    repo.commit("config")
    outcome = attempt(repo, env, sys.executable, "-m", "pre_commit", "install-hooks")
    assert outcome.code == 0, outcome.output
    return env


def pre_commit_config(hook_repo: HookRepo, *hooks: str, stages: str | None = None) -> str:
    lines = ["repos:", f"- repo: {hook_repo.path.as_posix()}", f"  rev: {hook_repo.rev}", "  hooks:"]
    for hook in hooks:
        lines.append(f"  - id: {hook}")
        if stages:
            lines.append(f"    stages: [{stages}]")
    return "\n".join(lines) + "\n"


def write_project(repo: GitRepo) -> None:
    """Two units, app depending on fw, with their version files at 1."""
    repo.write("versionbot.toml", CONFIG)
    repo.write(FW_LOCK, 'lock-version = "1.0"\n[[packages]]\nname = "numpy"\n')
    repo.write(APP_LOCK, 'lock-version = "1.0"\n[[packages]]\nname = "scipy"\n')
    repo.write("launch/app/__main__.py", "import scipy\n")
    repo.write("README.md", "not an input\n")
    bumped = repo.versionbot("bump")
    assert bumped.returncode == 0, bumped.stderr


MakeRepo = Callable[..., GitRepo]


@pytest.fixture
def make_repo(tmp_path: Path, hook_repo: HookRepo, hook_env: dict[str, str]) -> MakeRepo:
    """A user's repository: the project committed on main with `.pre-commit-config.yaml` naming
    `hooks`, and `pre-commit install` done for `hook_types`."""

    def make(
        *hooks: str,
        hook_types: tuple[str, ...] = ("pre-commit",),
        stages: str | None = None,
    ) -> GitRepo:
        repo = GitRepo(tmp_path / "user")
        write_project(repo)
        repo.write(".pre-commit-config.yaml", pre_commit_config(hook_repo, *hooks, stages=stages))
        repo.commit("initial")
        install(repo, hook_env, hook_types)
        return repo

    return make


def install(repo: GitRepo, env: dict[str, str], hook_types: tuple[str, ...]) -> None:
    if not hook_types:
        return
    types = [arg for hook_type in hook_types for arg in ("--hook-type", hook_type)]
    outcome = attempt(repo, env, sys.executable, "-m", "pre_commit", "install", *types)
    assert outcome.code == 0, outcome.output


def version_at(repo: GitRepo, revision: str, path: str) -> int:
    version: int = json.loads(repo.git("show", f"{revision}:{path}"))["version"]
    return version


def tree_state(repo: GitRepo) -> dict[str, bytes]:
    """Every file of the working tree (outside .git) with its bytes."""
    return {
        str(path.relative_to(repo.path)): path.read_bytes()
        for path in sorted(repo.path.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(repo.path).parts
    }


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """An empty bare repository to push to."""
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], env=clean_env(), check=True)
    return path


# The pre-commit stage ------------------------------------------------------------------------------


@pytest.mark.slow
def test_commit_all_bumps_then_commits_the_bump(make_repo: MakeRepo, hook_env: dict[str, str]) -> None:
    repo = make_repo("versionbot")
    start = repo.head()
    repo.write(FW_LOCK, 'lock-version = "1.0"\n[[packages]]\nname = "numpy"\nversion = "2.1"\n')
    # `.git/index` does not have the change: only the temporary index of `git commit -a` does.
    assert repo.git("diff", "--cached", "--name-only") == ""

    first = git(repo, hook_env, "commit", "-a", "-m", "update numpy")
    assert first.code == 1, first.output
    assert "files were modified by this hook" in first.output
    assert f"wrote {FW}: fw 1 -> 2" in first.output
    assert f"modified {FW_LOCK}" in first.output
    assert f"wrote {APP}: app 1 -> 2" in first.output  # app depends on fw
    assert "depends fw 1 -> 2" in first.output
    assert repo.head() == start
    assert repo.read_json(FW)["version"] == 2
    assert repo.read_json(APP)["version"] == 2

    second = git(repo, hook_env, "commit", "-a", "-m", "update numpy")
    assert second.code == 0, second.output
    assert "versionbot (bump versions)" in second.output
    assert "Passed" in second.output
    assert repo.head() != start
    assert version_at(repo, "HEAD", FW) == 2
    assert version_at(repo, "HEAD", APP) == 2
    assert repo.git("status", "--porcelain") == ""
    check = repo.versionbot("check", "--base", start)
    assert check.returncode == 0, check.stdout


@pytest.mark.slow
def test_commit_paths_judges_the_temporary_index(make_repo: MakeRepo, hook_env: dict[str, str]) -> None:
    repo = make_repo("versionbot")
    repo.write(FW_LOCK, "changed\n")
    repo.write("README.md", "an unrelated edit, left out of the commit\n")

    first = git(repo, hook_env, "commit", FW_LOCK, "-m", "numpy")
    assert first.code == 1, first.output
    assert f"wrote {FW}: fw 1 -> 2" in first.output
    assert repo.read_json(FW)["version"] == 2

    second = git(repo, hook_env, "commit", FW_LOCK, FW, APP, "-m", "numpy")
    assert second.code == 0, second.output
    assert version_at(repo, "HEAD", FW) == 2
    assert repo.git("status", "--porcelain") == " M README.md\n"
    assert repo.read("README.md") == "an unrelated edit, left out of the commit\n"


@pytest.mark.slow
def test_unstaged_input_change_is_neither_counted_nor_lost(
    make_repo: MakeRepo, hook_env: dict[str, str]
) -> None:
    repo = make_repo("versionbot")
    start = repo.head()
    repo.write("README.md", "staged, and not an input\n")
    repo.git("add", "README.md")
    repo.write(FW_LOCK, "unstaged input change\n")

    outcome = git(repo, hook_env, "commit", "-m", "docs")
    assert outcome.code == 0, outcome.output
    assert repo.git("diff", "--name-only", start, "HEAD") == "README.md\n"
    assert repo.read(FW_LOCK) == "unstaged input change\n"
    assert repo.read_json(FW)["version"] == 1
    assert repo.git("status", "--porcelain") == f" M {FW_LOCK}\n"


@pytest.mark.slow
def test_check_hook_fails_an_unbumped_change_and_writes_nothing(
    make_repo: MakeRepo, hook_env: dict[str, str]
) -> None:
    repo = make_repo("versionbot-check")
    start = repo.head()
    repo.write(APP_LOCK, "changed\n")
    repo.git("add", APP_LOCK)
    before, status = tree_state(repo), repo.git("status", "--porcelain")

    outcome = git(repo, hook_env, "commit", "-m", "scipy")
    assert outcome.code == 1, outcome.output
    assert "versionbot (check versions)" in outcome.output
    assert "FAIL app [needs-bump] base 1, file 1, expected 2" in outcome.output
    assert f"modified {APP_LOCK}" in outcome.output
    assert "versionbot bump --head index" in outcome.output
    assert "files were modified" not in outcome.output
    assert tree_state(repo) == before
    assert repo.git("status", "--porcelain") == status
    assert repo.head() == start

    assert repo.versionbot("bump", "--head", "index").returncode == 0
    repo.git("add", APP)
    fixed = git(repo, hook_env, "commit", "-m", "scipy")
    assert fixed.code == 0, fixed.output
    assert version_at(repo, "HEAD", APP) == 2


@pytest.mark.slow
def test_try_repo_runs_the_check_hook(tmp_path: Path, hook_repo: HookRepo, hook_env: dict[str, str]) -> None:
    repo = GitRepo(tmp_path / "user")
    write_project(repo)
    repo.commit("initial")
    repo.write(FW_LOCK, "changed\n")
    repo.git("add", FW_LOCK)

    outcome = attempt(
        repo, hook_env, sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo.path),
        "versionbot-check", "--all-files",
    )  # fmt: skip
    assert outcome.code == 1, outcome.output
    assert "versionbot (check versions)" in outcome.output
    assert "FAIL fw [needs-bump] base 1, file 1, expected 2" in outcome.output
    assert "FAIL app [needs-bump] base 1, file 1, expected 2" in outcome.output
    assert repo.read_json(FW)["version"] == 1


@pytest.mark.slow
def test_bad_config_fails_the_hook_as_it_fails_the_cli(make_repo: MakeRepo, hook_env: dict[str, str]) -> None:
    repo = make_repo("versionbot", "versionbot-check")
    repo.write("versionbot.toml", CONFIG.replace("version-file", "version-fil", 1))
    repo.git("add", "versionbot.toml")
    cli = repo.versionbot("check")
    assert cli.returncode == 2
    message = cli.stderr.strip()
    assert message.startswith("versionbot: error: versionbot.toml")
    assert "units.app.version-fil" in message
    assert "'version-file'" in message

    outcome = git(repo, hook_env, "commit", "-m", "typo")
    assert outcome.code == 1, outcome.output
    assert outcome.output.count("- exit code: 2") == 2  # both hooks
    assert outcome.output.count(message) == 2
    assert "Traceback" not in outcome.output


@pytest.mark.slow
def test_manual_stage_judges_a_range(make_repo: MakeRepo, hook_env: dict[str, str]) -> None:
    """`pre-commit run --from-ref A --to-ref B` (as in CI) judges B against A, whatever the index holds."""
    repo = make_repo("versionbot-check", hook_types=())
    start = repo.head()
    repo.write(FW_LOCK, "changed\n")
    unbumped = repo.commit("numpy, unbumped")
    run = (sys.executable, "-m", "pre_commit", "run", "--hook-stage", "manual", "versionbot-check")
    outcome = attempt(repo, hook_env, *run, "--from-ref", start, "--to-ref", unbumped)
    assert outcome.code == 1, outcome.output
    assert "FAIL fw [needs-bump] base 1, file 1, expected 2" in outcome.output
    assert f"base {start[:12]}, head {unbumped[:12]}" in outcome.output
    assert repo.versionbot("bump", "--base", start).returncode == 0
    bumped = repo.commit("bump")
    assert attempt(repo, hook_env, *run, "--from-ref", start, "--to-ref", bumped).code == 0
    # the same range without the bump still fails: the index (now bumped) is not what is judged
    assert attempt(repo, hook_env, *run, "--from-ref", start, "--to-ref", unbumped).code == 1


# The pre-push stage --------------------------------------------------------------------------------


@pytest.mark.slow
def test_push_of_an_unbumped_change_fails_with_the_explanation(
    make_repo: MakeRepo, hook_env: dict[str, str], remote: Path
) -> None:
    repo = make_repo("versionbot-check", hook_types=("pre-push",), stages="pre-push")
    repo.git("remote", "add", "origin", str(remote))
    first = git(repo, hook_env, "push", "-u", "origin", "main")
    assert first.code == 0, first.output
    pushed = repo.head()
    repo.write(FW_LOCK, "changed\n")
    repo.commit("numpy, unbumped")  # no pre-commit hook installed: the commit goes through

    refused = git(repo, hook_env, "push", "origin", "main")
    assert refused.code != 0, refused.output
    assert "versionbot (check versions)" in refused.output
    assert "versionbot: main (" in refused.output
    assert "is not ready to push" in refused.output
    assert "FAIL fw [needs-bump] base 1, file 1, expected 2" in refused.output
    assert f"modified {FW_LOCK}" in refused.output
    # main tracks its own copy on the remote; origin/main is the base the chain finds, so the
    # plain command fixes it
    assert "to fix, check out main, run `versionbot bump`, commit" in refused.output
    assert repo.git("ls-remote", str(remote), "refs/heads/main").split()[0] == pushed

    assert repo.versionbot("bump").returncode == 0
    repo.commit("bump")
    accepted = git(repo, hook_env, "push", "origin", "main")
    assert accepted.code == 0, accepted.output
    assert repo.git("ls-remote", str(remote), "refs/heads/main").split()[0] == repo.head()


@pytest.mark.slow
def test_bump_hook_on_pre_push_writes_the_bump(
    make_repo: MakeRepo, hook_env: dict[str, str], remote: Path
) -> None:
    repo = make_repo("versionbot", hook_types=("pre-push",), stages="pre-push")
    repo.git("remote", "add", "origin", str(remote))
    assert git(repo, hook_env, "push", "-u", "origin", "main").code == 0
    repo.write(FW_LOCK, "changed\n")
    repo.commit("numpy, unbumped")

    refused = git(repo, hook_env, "push", "origin", "main")
    assert refused.code != 0, refused.output
    assert f"wrote {FW}: fw 1 -> 2" in refused.output
    assert f"`git commit {APP} {FW}`" in refused.output, refused.output  # in config order
    assert repo.read_json(FW)["version"] == 2
    repo.git("commit", "-q", "-m", "bump", FW, APP)
    accepted = git(repo, hook_env, "push", "origin", "main")
    assert accepted.code == 0, accepted.output


@pytest.mark.slow
def test_a_branch_bumps_once_against_its_branch_point(
    tmp_path: Path, hook_repo: HookRepo, hook_env: dict[str, str], remote: Path
) -> None:
    """Commits and pushes of one branch make one bump against the branch it left (origin/HEAD)."""
    upstream = GitRepo(tmp_path / "upstream")
    write_project(upstream)
    config = pre_commit_config(hook_repo, "versionbot", stages="pre-commit")
    upstream.write(".pre-commit-config.yaml", config + "  - id: versionbot-check\n    stages: [pre-push]\n")
    upstream.commit("initial")
    upstream.git("push", "-q", str(remote), "main")
    subprocess.run(["git", "clone", "-q", str(remote), str(tmp_path / "clone")], env=clean_env(), check=True)
    repo = GitRepo(tmp_path / "clone")  # re-initialising a clone leaves it as it is
    assert repo.git("symbolic-ref", "refs/remotes/origin/HEAD").strip() == "refs/remotes/origin/main"
    install(repo, hook_env, ("pre-commit", "pre-push"))
    repo.branch("feature")

    for round_ in range(3):
        repo.write(FW_LOCK, f"round {round_}\n")
        fixed = git(repo, hook_env, "commit", "-a", "-m", f"numpy {round_}")
        assert fixed.code == 1, fixed.output  # a bump, then fresh hashes for the same version
        assert repo.read_json(FW)["version"] == 2
        committed = git(repo, hook_env, "commit", "-a", "-m", f"numpy {round_}")
        assert committed.code == 0, committed.output
        assert version_at(repo, "HEAD", FW) == 2
        # the first push opens the branch on the remote; later ones update it
        pushed = git(repo, hook_env, "push", "origin", "feature")
        assert pushed.code == 0, pushed.output
        assert "versionbot (check versions)" in pushed.output
    check = repo.versionbot("check", "--base", "origin/main", "--head", "HEAD", "--format", "json")
    statuses = {unit["unit"]: unit["status"] for unit in json.loads(check.stdout)["units"]}
    assert statuses == {"app": "bumped", "fw": "bumped"}


# The pre-merge-commit stage ------------------------------------------------------------------------


@pytest.mark.slow
def test_pre_merge_commit_judges_the_merge_against_its_own_base(
    make_repo: MakeRepo, hook_env: dict[str, str]
) -> None:
    """`git merge` runs the hook before it records MERGE_HEAD: main took app 1 -> 2 -> 3 in two
    changes, and merging it into a branch that touched nothing of app keeps 3 (judged against where
    the branch left main, the bump hook would have rewritten app to 2)."""
    repo = make_repo("versionbot", hook_types=("pre-merge-commit",), stages="pre-merge-commit")
    repo.branch("feature")
    repo.write("README.md", "feature's words\n")
    repo.commit("feature: docs")
    repo.checkout("main")
    for version in ("1.16.2", "1.16.3"):
        repo.write(APP_LOCK, f'lock-version = "1.0"\n[[packages]]\nname = "scipy"\nversion = "{version}"\n')
        assert repo.versionbot("bump").returncode == 0
        repo.commit(f"scipy {version}")
    repo.checkout("feature")

    merged = git(repo, hook_env, "merge", "--no-edit", "main")
    assert merged.code == 0, merged.output
    assert "versionbot (bump versions)" in merged.output
    assert "Passed" in merged.output
    assert repo.git("rev-list", "--parents", "-n1", "HEAD").count(" ") == 2  # the merge commit
    assert version_at(repo, "HEAD", APP) == 3


@pytest.mark.slow
def test_pre_merge_commit_bumps_what_the_merge_changes(make_repo: MakeRepo, hook_env: dict[str, str]) -> None:
    """A merge that changes an input without its bump is stopped with the bump written; `git commit`
    then completes the merge (MERGE_HEAD is there by then) through the pre-commit stage."""
    repo = make_repo("versionbot", hook_types=("pre-merge-commit", "pre-commit"))
    repo.branch("feature")
    repo.write(FW_LOCK, "feature's numpy\n")  # committed without the hook: no bump
    repo.git("commit", "-q", "--no-verify", "-am", "numpy, unbumped")
    repo.checkout("main")
    repo.write("README.md", "main's words\n")
    repo.git("commit", "-q", "--no-verify", "-am", "main: docs")
    stopped = git(repo, hook_env, "merge", "--no-edit", "feature")
    assert stopped.code != 0, stopped.output
    assert f"wrote {FW}: fw 1 -> 2" in stopped.output
    assert (repo.path / ".git" / "MERGE_HEAD").is_file()
    repo.git("add", FW, APP)
    done = git(repo, hook_env, "commit", "--no-edit")
    assert done.code == 0, done.output
    assert version_at(repo, "HEAD", FW) == 2
    assert repo.git("rev-list", "--parents", "-n1", "HEAD").count(" ") == 2
