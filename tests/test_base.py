"""Base discovery (DESIGN.md "The base"): the chain as a table, and the flows that used to bump twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.gitrepo import GitRepo
from versionbot.base import BaseChoice, BaseSource, choose_base

FW = "req/fw/version.json"


def chosen(
    *,
    explicit: str | None = None,
    configured: str | None = None,
    upstream: str | None = None,
    remote: str | None = None,
    current: str | None = "feature",
    refs: tuple[str, ...] = (),
    defaults: dict[str, str] | None = None,
) -> BaseChoice:
    return choose_base(
        explicit=explicit,
        configured=configured,
        upstream=upstream,
        remote=remote,
        current_branch=current,
        has_ref=lambda name: name in refs,
        remote_default=(defaults or {}).get,
    )


@pytest.mark.parametrize(
    ("choice", "ref", "source"),
    [
        (chosen(explicit="v1", configured="main"), "v1", BaseSource.OPTION),
        (chosen(configured="develop", upstream="origin/main"), "develop", BaseSource.CONFIG),
        (
            chosen(upstream="origin/main", defaults={"origin": "origin/trunk"}),
            "origin/main",
            BaseSource.UPSTREAM,
        ),
        (chosen(defaults={"origin": "origin/trunk"}), "origin/trunk", BaseSource.REMOTE_DEFAULT),
        (
            chosen(remote="fork", defaults={"origin": "origin/x", "fork": "fork/dev"}),
            "fork/dev",
            BaseSource.REMOTE_DEFAULT,
        ),
        (chosen(refs=("refs/remotes/origin/main", "refs/heads/main")), "origin/main", BaseSource.GUESS),
        (chosen(refs=("refs/remotes/origin/master",)), "origin/master", BaseSource.GUESS),
        (chosen(refs=("refs/heads/master",)), "master", BaseSource.GUESS),
        (chosen(current="main", refs=("refs/heads/main",)), None, BaseSource.HEAD),
        (chosen(current="main", refs=("refs/heads/main", "refs/heads/master")), "master", BaseSource.GUESS),
        (chosen(), None, BaseSource.HEAD),
    ],
)
def test_the_chain(choice: BaseChoice, ref: str | None, source: BaseSource) -> None:
    assert choice == BaseChoice(ref=ref, source=source)


def test_remote_add_and_push_u_bumps_exactly_once(bumped: GitRepo, run: Run, tmp_path: Path) -> None:
    """`git remote add origin …; git push -u origin main` leaves no origin/HEAD, and a feature branch
    pushed with -u tracks its own copy: the base is still origin/main, so the branch bumps once."""
    remote = tmp_path / "remote.git"
    GitRepo(remote).git("config", "core.bare", "true")
    bumped.git("remote", "add", "origin", str(remote))
    bumped.git("push", "-q", "-u", "origin", "main")
    bumped.branch("feature")
    bumped.write("req/fw/pylock.fw.toml", "first change\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("first change, bumped")
    bumped.git("push", "-q", "-u", "origin", "feature")
    bumped.write("req/fw/pylock.fw.toml", "second change\n")
    bumped.commit("second change")
    report = json.loads(run(bumped, "check", "--format", "json").out)
    assert (report["base_ref"], report["base_source"]) == ("origin/main", "guess")
    assert report["ok"] is False  # the hashes moved, the version is right: refresh, no new number
    assert run(bumped, "bump").code == 0
    assert bumped.read_json(FW)["version"] == 2
    bumped.commit("hashes refreshed")
    result = run(bumped, "check")
    assert result.code == 0
    assert "base origin/main at" in result.out
    assert result.err == ""


def test_the_remote_default_branch_is_followed(bumped: GitRepo, run: Run, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    GitRepo(remote, branch="trunk").git("config", "core.bare", "true")
    bumped.git("remote", "add", "origin", str(remote))
    bumped.git("push", "-q", "origin", "main:trunk")
    bumped.git("remote", "set-head", "origin", "trunk")
    bumped.git("branch", "-m", "main", "work")
    report = json.loads(run(bumped, "check", "--format", "json").out)
    assert (report["base_ref"], report["base_source"]) == ("origin/trunk", "remote-default")


def test_init_writes_the_base_when_the_remote_default_branch_is_known(tmp_path: Path, run: Run) -> None:
    origin = GitRepo(tmp_path / "origin")
    origin.write("app/uv.lock", "version = 1\n")
    origin.commit("a lock")
    clone = tmp_path / "clone"
    origin.git("clone", "-q", str(origin.path), str(clone))  # a clone knows origin/HEAD
    repo = GitRepo.__new__(GitRepo)
    repo.path = clone
    assert run(repo, "init").code == 0
    assert repo.read("versionbot.toml").count('base = "origin/main"') == 1
    assert run(repo, "bump").code == 0
    bare = GitRepo(tmp_path / "no-remote")
    bare.write("app/uv.lock", "version = 1\n")
    assert run(bare, "init").code == 0
    assert "base =" not in bare.read("versionbot.toml")  # nothing known: nothing guessed


def test_an_upstream_base_is_named_as_other_bases_are(bumped: GitRepo, run: Run, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    GitRepo(remote).git("config", "core.bare", "true")
    bumped.git("remote", "add", "origin", str(remote))
    bumped.git("push", "-q", "origin", "main:develop")
    bumped.git("fetch", "-q", "origin")
    bumped.git("checkout", "-q", "-b", "feature", "--track", "origin/develop")
    report = json.loads(run(bumped, "check", "--format", "json").out)
    assert (report["base_ref"], report["base_source"]) == ("origin/develop", "upstream")


def test_a_configured_base_that_does_not_exist_names_the_setting(bumped: GitRepo, run: Run) -> None:
    bumped.write("versionbot.toml", 'base = "origin/nope"\n' + bumped.read("versionbot.toml"))
    result = run(bumped, "check")
    assert result.code == 2
    assert "versionbot.toml: base: unknown revision 'origin/nope'" in result.err
