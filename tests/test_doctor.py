"""`versionbot doctor` on real repositories: what it sees, and the first thing to fix."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Result, Run
from tests.gitrepo import GitRepo, clean_env

PROJECT = Path(__file__).resolve().parents[1]


def clone_of(origin: GitRepo, path: Path) -> GitRepo:
    """A clone of `origin`: it knows origin/HEAD, the remote's default branch."""
    origin.git("clone", "-q", str(origin.path), str(path))
    clone = GitRepo.__new__(GitRepo)
    clone.path = path
    clone.git("config", "commit.gpgsign", "false")
    return clone


def doctor(run: Run, repo: GitRepo) -> Result:
    done = run(repo, "doctor")
    assert done.err == "" or done.code == 2, done.err
    return done


def test_no_base_is_the_thing_to_fix(bumped: GitRepo, run: Run) -> None:
    done = doctor(run, bumped)
    assert done.code == 1
    assert "configuration: versionbot.toml (2 units)" in done.out
    assert "base: HEAD itself (head): no base found" in done.out
    assert "  app: 2 files, version 1, deploys as app@1; current" in done.out
    assert "  fw: 1 file, version 1, deploys as fw@1; current" in done.out
    assert "hooks: none installed" in done.out
    assert "merge driver: not installed (optional: `versionbot init --merge-driver`)" in done.out
    assert done.out.endswith(
        'first thing to fix: no base: set `base = "origin/main"` (your main branch) in versionbot.toml\n'
    )


def test_with_a_base_from_the_remote_and_nothing_to_fix(bumped: GitRepo, run: Run, tmp_path: Path) -> None:
    clone = clone_of(bumped, tmp_path / "clone")
    clone.branch("feature")
    done = doctor(run, clone)
    assert done.code == 0, done.out
    head = clone.head()[:12]
    why = "the remote's default branch (`origin/HEAD` points at it)"
    assert f"base: origin/main at {head} (remote-default: {why})" in done.out
    assert done.out.endswith("\nnothing to fix\n")
    assert "cache: .git/versionbot" in done.out or "cache: versionbot/ in the git directory" in done.out


def test_a_configured_base_says_where_it_is_configured(bumped: GitRepo, run: Run) -> None:
    bumped.branch("feature")
    bumped.write("versionbot.toml", 'base = "main"\n' + bumped.read("versionbot.toml"))
    done = doctor(run, bumped)
    assert done.code == 0, done.out
    assert (
        f"base: main at {bumped.head()[:12]} (config: the configured `base` in versionbot.toml)" in done.out
    )


def test_an_unknown_configured_base_is_the_thing_to_fix(bumped: GitRepo, run: Run) -> None:
    bumped.write("versionbot.toml", 'base = "origin/nope"\n' + bumped.read("versionbot.toml"))
    done = doctor(run, bumped)
    assert done.code == 1
    assert "first thing to fix: base: versionbot.toml: base: unknown revision 'origin/nope'" in done.out


def test_a_guessed_base(bumped: GitRepo, run: Run) -> None:
    bumped.branch("feature")
    done = doctor(run, bumped)
    assert done.code == 0, done.out
    assert "(guess: the first that exists of origin/main, origin/master, main and master)" in done.out


def test_units_that_need_a_bump_or_match_nothing(project: GitRepo, run: Run) -> None:
    project.branch("feature")
    done = doctor(run, project)
    assert done.code == 1
    assert "  app: 2 files, no version; req/app/version.json does not exist" in done.out
    assert "first thing to fix: app: req/app/version.json does not exist; run `versionbot bump`" in done.out
    assert run(project, "bump").code == 0
    config = project.read("versionbot.toml").replace('["req/fw/"]', '["req/fw/", "req/gone/*.toml"]')
    project.write("versionbot.toml", config)
    done = doctor(run, project)
    assert done.code == 1
    assert "  fw: 1 file, version 1, deploys as fw@1; units.fw.inputs: 'req/gone/*.toml' match" in done.out
    assert "first thing to fix: versionbot.toml: units.fw.inputs: 'req/gone/*.toml' match no file" in done.out


def pre_commit(repo: GitRepo, tmp_path: Path, *args: str) -> None:
    env = clean_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    done = subprocess.run(
        ["pre-commit", *args], cwd=repo.path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


PRE_COMMIT_CONFIG = """\
repos:
  - repo: https://example.com/versionbot
    rev: 0123456789abcdef0123456789abcdef01234567
    hooks:
      - id: versionbot
      - id: "versionbot-check"   # on push
        stages: [pre-push]
"""


@pytest.mark.skipif(shutil.which("pre-commit") is None, reason="needs the pre-commit framework")
def test_hooks_listed_then_installed_by_pre_commit(bumped: GitRepo, run: Run, tmp_path: Path) -> None:
    bumped.branch("feature")
    bumped.write(".pre-commit-config.yaml", PRE_COMMIT_CONFIG)
    done = doctor(run, bumped)
    assert done.code == 1
    assert ".pre-commit-config.yaml lists versionbot, versionbot-check" in done.out
    assert "pre-commit is not installed in .git/hooks" in done.out
    assert "first thing to fix: hooks: run `pre-commit install`" in done.out
    pre_commit(bumped, tmp_path, "install", "--hook-type", "pre-commit", "--hook-type", "pre-push")
    done = doctor(run, bumped)
    assert done.code == 0, done.out
    assert "pre-commit installed in .git/hooks: pre-commit, pre-push" in done.out


def test_plain_git_hooks(bumped: GitRepo, run: Run) -> None:
    bumped.branch("feature")
    for name in ("pre-commit", "pre-push"):
        shutil.copy(PROJECT / "hooks" / name, bumped.path / ".git" / "hooks" / name)
    done = doctor(run, bumped)
    assert done.code == 0, done.out
    assert "hooks: plain git hooks calling versionbot: pre-commit, pre-push" in done.out


def test_hooks_under_core_hooks_path(bumped: GitRepo, run: Run) -> None:
    bumped.branch("feature")
    bumped.git("config", "core.hooksPath", "githooks")
    bumped.write("githooks/pre-commit", (PROJECT / "hooks" / "pre-commit").read_text(encoding="utf-8"))
    done = doctor(run, bumped)
    assert "hooks: plain git hooks calling versionbot: pre-commit" in done.out


def test_merge_driver_installed_then_missing_from_a_clone(bumped: GitRepo, run: Run, tmp_path: Path) -> None:
    bumped.branch("feature")
    assert run(bumped, "init", "--merge-driver").code == 0
    done = doctor(run, bumped)
    assert done.code == 0, done.out
    assert ".gitattributes routes 2 of 2 version files to it" in done.out
    assert "merge.versionbot.driver = " in done.out
    bumped.commit("the merge driver")
    clone = clone_of(bumped, tmp_path / "clone")  # git never takes drivers from a clone
    clone.checkout("feature")
    done = doctor(run, clone)
    assert done.code == 1
    assert "merge.versionbot.driver is not set in git's configuration" in done.out
    assert "first thing to fix: merge driver: .gitattributes uses it but this clone lacks it" in done.out


def test_no_configuration(tmp_path: Path, run: Run) -> None:
    repo = GitRepo(tmp_path / "repo")
    done = doctor(run, repo)
    assert done.code == 1
    assert "configuration: none found" in done.out
    assert done.out.endswith("first thing to fix: no configuration: run `versionbot init`\n")


def test_unanswerable_questions_exit_2(tmp_path: Path, run: Run) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("versionbot.toml", "[units.a]\nversion-fil = 'a/v.json'\n")
    done = run(repo, "doctor")
    assert done.code == 2
    assert "versionbot.toml: units.a.version-fil: unknown key (did you mean 'version-file'?)" in done.err
    outside = GitRepo.__new__(GitRepo)
    outside.path = tmp_path / "not-a-repository"
    outside.path.mkdir()
    done = run(outside, "doctor")
    assert done.code == 2
    assert "not a git repository" in done.err


def test_the_console_script_runs_doctor(bumped: GitRepo) -> None:
    done = bumped.versionbot("doctor")
    assert done.returncode == 1
    assert "first thing to fix: no base" in done.stdout


def test_a_pre_commit_config_of_many_blank_lines_is_read_at_once(bumped: GitRepo, run: Run) -> None:
    # `\s*` at each line start would have scanned every line below it: hours for a megabyte.
    bumped.write(".pre-commit-config.yaml", "\n" * 200_000 + "  - id: versionbot\n")
    done = run(bumped, "doctor")
    assert ".pre-commit-config.yaml lists versionbot" in done.out


def test_a_values_from_that_selects_nothing_is_a_thing_to_fix(bumped: GitRepo, run: Run) -> None:
    bumped.write("settings.toml", "[app]\nlaunch = 'main'\n")
    config = bumped.read("versionbot.toml").replace(
        "[units.fw]",
        '[units.fw.values-from]\nlaunch = { file = "settings.toml", key = "app.missing" }\n\n[units.fw]',
        1,
    )
    bumped.write("versionbot.toml", config.replace("[units.fw.values-from]", "[units.app.values-from]"))
    done = doctor(run, bumped)
    assert done.code == 1  # listed as the thing to fix, not a question doctor cannot answer
    assert "units:\n  cannot be judged: versionbot.toml: units.app.values-from.launch:" in done.out
