"""`versionbot ci --fix commit` end to end: the bot pushes the bump through the Git Data API.

The fake GitHub is backed by a real bare repository (`origin.git`): the developer pushes their
branch there, GitHub's test merge is pushed as `refs/pull/7/merge`, the job runs in a fresh clone
checked out at the test merge (as actions/checkout does), and what the bot pushed is looked at with
the git CLI afterwards: parents, tree, message, signature, and `versionbot check` on the branch.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.github_server import FakeGitHub
from tests.gitrepo import GitRepo, clean_env
from tests.test_github_ci import (
    FW,
    FW_LOCK,
    HOSTILE_FILES,
    NUMBER,
    REPO,
    Job,
    command_names,
    environment,
    merge_commit,
    pull_request_event,
    run_job,
    runner_commands,
)
from tests.test_render import assert_only_our_markup
from versionbot.events import select
from versionbot.fixing import branch_problem

FIX = ("--fix", "commit")
GIT_DATA = f"/repos/{REPO}/git/"


@dataclass
class Forge:
    """A repository on the fake GitHub, a developer's clone of it, and the jobs' checkouts."""

    dev: GitRepo  # the developer's clone; `origin` is the bare repository GitHub serves
    origin: Path
    github: FakeGitHub
    base: str  # main when the pull request was opened

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", f"--git-dir={self.origin}", *args],
            env=clean_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def open_pull(self) -> str:
        """Push `feature` and open pull request 7 for it; the head."""
        head = self.dev.head()
        self.dev.git("push", "-q", "origin", "feature")
        self.github.add_pull(
            REPO, NUMBER, head_sha=head, base_sha=self.git("rev-parse", "main"), head_ref="feature"
        )
        return head

    def job(self, head: str, *, fork: bool = False, args: tuple[str, ...] = FIX, **environ: str) -> Job:
        """The pull request's job for `head`: GitHub's test merge of it into main, checked out in a
        fresh clone."""
        base = self.git("rev-parse", "main")
        self.dev.git("fetch", "-q", "origin")
        merge = merge_commit(self.dev, base, head)
        self.dev.git("push", "-q", "-f", "origin", f"{merge}:refs/pull/{NUMBER}/merge")
        checkout = self.checkout(merge)
        event = pull_request_event(base=base, head=head)
        event["pull_request"]["head"]["repo"]["full_name"] = "someone/project" if fork else REPO
        event["pull_request"]["base"]["repo"]["full_name"] = REPO
        return run_job(self.github, checkout, "pull_request", event, sha=merge, args=args, environ=environ)

    def checkout(self, commit: str) -> GitRepo:
        """What actions/checkout makes: a clone of origin at `commit`, detached."""
        path = self.dev.path.parent / f"checkout-{len(list(self.dev.path.parent.glob('checkout-*')))}"
        subprocess.run(["git", "clone", "-q", str(self.origin), str(path)], env=clean_env(), check=True)
        checkout = GitRepo(path)  # `git init` again keeps the clone
        if self.has(f"refs/pull/{NUMBER}/merge"):
            checkout.git("fetch", "-q", "origin", f"refs/pull/{NUMBER}/merge")
        checkout.git("checkout", "-q", "--detach", commit)
        return checkout

    def has(self, ref: str) -> bool:
        done = subprocess.run(
            ["git", f"--git-dir={self.origin}", "rev-parse", "-q", "--verify", ref],
            env=clean_env(),
            capture_output=True,
            check=False,
        )
        return done.returncode == 0

    def parents(self, commit: str) -> list[str]:
        return self.git("rev-list", "--parents", "-n1", commit).split()[1:]

    def changed(self, commit: str, against: str) -> list[str]:
        return self.git("diff", "--name-only", against, commit).splitlines()

    def record(self, commit: str, path: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.git("show", f"{commit}:{path}"))
        return data


@pytest.fixture
def forge(bumped: GitRepo, fake_github: FakeGitHub) -> Forge:
    """main with version files at 1 on GitHub; `feature` upgrades fw's lock without a bump."""
    origin = bumped.path.parent / "origin.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(bumped.path), str(origin)], env=clean_env(), check=True
    )
    bumped.git("remote", "add", "origin", str(origin))
    bumped.git("fetch", "-q", "origin")
    fake_github.add_repo(REPO, git_dir=origin)
    forge = Forge(bumped, origin, fake_github, bumped.head())
    bumped.branch("feature")
    bumped.write(FW_LOCK, 'lock-version = "1.0"\n[[packages]]\nname = "numpy"\nversion = "2.0"\n')
    bumped.commit("upgrade numpy")
    return forge


def pushes(github: FakeGitHub) -> list[str]:
    return [line for line in github.request_lines() if GIT_DATA in line and not line.startswith("GET")]


def check_branch(forge: Forge, run: Run, commit: str) -> int:
    """`versionbot check` on the branch at `commit`, as the developer runs it after a pull."""
    forge.dev.git("fetch", "-q", "origin")
    forge.dev.git("checkout", "-q", "--detach", commit)
    return run(forge.dev, "check", "--base", "origin/main").code


def test_an_unbumped_pull_request_gets_one_commit_and_then_passes(forge: Forge, run: Run) -> None:
    head = forge.open_pull()

    job = forge.job(head)

    fixed = job.outputs["fixed"]
    assert job.code == 1  # this run judged the unfixed commit; the pushed one is judged on its own
    assert forge.git("rev-parse", "feature") == fixed
    assert forge.parents(fixed) == [head]  # an ordinary commit on the head
    assert forge.changed(fixed, head) == ["req/app/version.json", FW]
    assert forge.record(fixed, FW)["version"] == forge.record(fixed, "req/app/version.json")["version"] == 2
    message = forge.git("log", "-1", "--format=%B", fixed)
    assert message.startswith("versionbot: app 1 -> 2, fw 1 -> 2\n\n")
    assert "gpgsig" in forge.git("cat-file", "commit", fixed)  # signed by GitHub: shown as verified
    assert forge.git("log", "-1", "--format=%an", fixed) == "github-actions[bot]"
    assert pushes(forge.github) == [
        f"POST {GIT_DATA}blobs",
        f"POST {GIT_DATA}blobs",
        f"POST {GIT_DATA}trees",
        f"POST {GIT_DATA}commits",
        f"PATCH {GIT_DATA}refs/heads/feature",
    ]
    url = f"https://github.com/{REPO}/commit/{fixed}"
    assert f"versionbot: pushed {fixed} to feature: versionbot: app 1 -> 2, fw 1 -> 2; {url}" in job.out
    (comment,) = forge.github.comments(REPO, NUMBER)
    assert f"**Fixed**: versionbot pushed [`{fixed[:12]}`]({url}) to `feature`" in comment.body
    assert "To fix" not in comment.body

    assert check_branch(forge, run, fixed) == 0  # `versionbot check` on the branch passes
    forge.github.clear_requests()
    again = forge.job(fixed)  # the fixed commit's own run: its test merge passes, nothing is pushed
    assert (again.code, again.outputs["fixed"]) == (0, "")
    assert pushes(forge.github) == []
    assert "**Fixed**" not in forge.github.comments(REPO, NUMBER)[0].body


def test_a_rerun_on_the_old_head_pushes_nothing(forge: Forge) -> None:
    head = forge.open_pull()
    fixed = forge.job(head).outputs["fixed"]
    forge.github.clear_requests()

    rerun = forge.job(head)  # "Re-run jobs" on the first run: the branch is at the fix now

    assert (rerun.code, rerun.outputs["fixed"]) == (1, "")
    assert pushes(forge.github) == []
    assert forge.git("rev-parse", "feature") == fixed
    assert f"no fix pushed: feature is at {fixed[:12]} now, not at the judged {head[:12]}" in rerun.out


def test_a_pull_request_whose_base_moved_on_gets_a_merge_commit(forge: Forge, run: Run) -> None:
    head = forge.open_pull()
    # Meanwhile another change to fw lands on main, with its bump: it took fw 2 (and app 2).
    forge.dev.checkout("main")
    forge.dev.write("req/fw/extra.toml", "other = true\n")
    assert run(forge.dev, "bump", "--base", "HEAD").code == 0
    taken = forge.dev.commit("another fw change (#6)")
    forge.dev.git("push", "-q", "origin", "main")

    job = forge.job(head)

    fixed = job.outputs["fixed"]
    assert forge.git("rev-parse", "feature") == fixed
    assert forge.parents(fixed) == [head, taken]  # the base merged into the branch
    test_merge = forge.git("rev-parse", f"refs/pull/{NUMBER}/merge")
    assert forge.changed(fixed, test_merge) == ["req/app/version.json", FW]  # the test merge's tree
    assert forge.record(fixed, FW)["version"] == 3
    assert forge.record(fixed, "req/app/version.json")["version"] == 3
    assert forge.git("log", "-1", "--format=%s", fixed) == (
        "versionbot: merge main into feature; app 2 -> 3, fw 2 -> 3"
    )
    assert check_branch(forge, run, fixed) == 0
    assert forge.job(fixed).code == 0  # and the pull request's own check, on a new test merge


def test_a_branch_that_moved_meanwhile_is_not_overwritten(forge: Forge) -> None:
    head = forge.open_pull()
    forge.dev.checkout("feature")
    forge.dev.write("notes.txt", "pushed by someone while the job ran\n")
    theirs = forge.dev.commit("a colleague's commit")
    commits = "/repos/{owner}/{repo}/git/commits"
    forge.github.before_next("POST", commits, lambda: forge.dev.git("push", "-q", "origin", "feature"))

    job = forge.job(head)

    assert (job.code, job.outputs["fixed"]) == (1, "")
    assert forge.git("rev-parse", "feature") == theirs  # nothing was overwritten
    assert "feature moved while versionbot made its commit; nothing was overwritten" in job.out
    assert any(line.startswith("::warning title=versionbot::no fix pushed: ") for line in job.annotations)


def test_a_fork_gets_the_patch_in_its_comment_and_no_push(forge: Forge, run: Run) -> None:
    head = forge.open_pull()

    job = forge.job(head, fork=True)

    assert (job.code, job.outputs["fixed"]) == (1, "")
    assert pushes(forge.github) == []
    assert forge.git("rev-parse", "feature") == head
    (comment,) = forge.github.comments(REPO, NUMBER)
    assert "the pull request comes from a fork, and versionbot never pushes to one" in comment.body
    assert "```sh\nversionbot bump --base origin/main\n```" in comment.body
    applied = apply_patch(forge, comment.body, head)
    assert run(applied, "check", "--base", "origin/main").code == 0  # the patch is exactly the fix


def apply_patch(forge: Forge, body: str, head: str) -> GitRepo:
    """The comment's patch applied with `git apply` on the developer's branch at `head`."""
    patch = body.split("```diff\n", 1)[1].split("\n```\n", 1)[0] + "\n"
    forge.dev.git("checkout", "-q", "--detach", head)
    subprocess.run(["git", "apply"], cwd=forge.dev.path, input=patch, text=True, check=True, env=clean_env())
    return forge.dev


def test_a_token_that_cannot_push_degrades_to_the_patch(forge: Forge) -> None:
    head = forge.open_pull()
    forge.github.read_only = True

    job = forge.job(head)

    assert (job.code, job.outputs["fixed"]) == (1, "")
    assert forge.git("rev-parse", "feature") == head
    assert (
        "::warning title=versionbot::no fix pushed: POST /repos/octo/project/git/blobs answered 403 "
        "Resource not accessible by integration: the token may not push to the branch: grant the job "
        "`permissions: contents: write`"
    ) in job.out
    assert "```diff\ndiff --git a/req/app/version.json b/req/app/version.json\n" in job.summary
    assert forge.github.comments(REPO, NUMBER) == []  # the token may not comment either


def test_a_push_with_fix_commits_on_top_of_after(forge: Forge) -> None:
    before = forge.git("rev-parse", "main")
    forge.dev.checkout("main")
    forge.dev.git("merge", "-q", "--ff-only", "feature")  # merged without a bump
    after = forge.dev.head()
    forge.dev.git("push", "-q", "origin", "main")
    event = {"ref": "refs/heads/main", "before": before, "after": after, "repository": {"full_name": REPO}}

    job = run_job(forge.github, forge.checkout(after), "push", event, sha=after, args=FIX)

    fixed = job.outputs["fixed"]
    assert forge.git("rev-parse", "main") == fixed
    assert forge.parents(fixed) == [after]  # a fast-forward of the pushed branch
    assert forge.record(fixed, FW)["version"] == 2


def test_without_fix_nothing_is_pushed(forge: Forge) -> None:
    head = forge.open_pull()
    job = forge.job(head, args=())
    assert (job.code, job.outputs["fixed"]) == (1, "")
    assert pushes(forge.github) == []


def test_the_head_of_its_own_fix_is_never_fixed_again(forge: Forge) -> None:
    forge.dev.write(FW, "{}\n")  # a broken record, committed as if by the bot
    forge.dev.git("add", "-A")
    bot = clean_env(GIT_AUTHOR_NAME="github-actions[bot]")
    forge.dev.git("commit", "-q", "-m", "versionbot: fw 1 -> 2", env=bot)
    head = forge.dev.head()
    forge.open_pull()

    job = forge.job(head)

    assert (job.code, job.outputs["fixed"]) == (1, "")
    assert pushes(forge.github) == []
    assert f"no fix: the head {head[:12]} is versionbot's own fix and still fails" in job.out


def test_hostile_names_in_a_patch_reach_no_command_and_no_markup(forge: Forge) -> None:
    for name in HOSTILE_FILES:
        forge.dev.write(name, "x\n")
    head = forge.dev.commit("hostile names")
    forge.open_pull()

    job = forge.job(head, fork=True)

    assert command_names(runner_commands(job.out, job.err)) == ["error", "error"]
    (comment,) = forge.github.comments(REPO, NUMBER)
    assert_only_our_markup(comment.body)
    assert '+    "req/fw/```": "sha256:' in comment.body  # shown inside the patch, as it is


def test_a_persons_commit_named_like_a_fix_is_still_fixed(forge: Forge) -> None:
    forge.dev.write(FW_LOCK, 'lock-version = "1.0"\n[[packages]]\nname = "numpy"\nversion = "2.1"\n')
    head = forge.dev.commit("versionbot: a subject people may write too")
    forge.open_pull()
    assert forge.job(head).outputs["fixed"]


def test_the_head_is_judged_by_its_own_configuration(forge: Forge, run: Run) -> None:
    head = forge.open_pull()
    # Meanwhile main gains a unit whose inputs the branch does not have.
    forge.dev.checkout("main")
    config = forge.dev.read("versionbot.toml")
    forge.dev.write(
        "versionbot.toml",
        config + '\n[units.new]\nversion-file = "req/new/version.json"\ninputs = ["req/new/"]\n',
    )
    forge.dev.write("req/new/a.txt", "a\n")
    assert run(forge.dev, "bump", "--base", "HEAD").code == 0
    forge.dev.commit("add unit new (#6)")
    forge.dev.git("push", "-q", "origin", "main")

    job = forge.job(head)

    fixed = job.outputs["fixed"]
    assert job.code == 1  # the check's own answer, not "could not check"
    assert forge.parents(fixed) == [head]  # the new unit's file is main's: nothing moved on for fw, app
    assert check_branch(forge, run, fixed) == 0
    assert forge.job(fixed).code == 0


def test_without_the_test_merge_a_base_that_moved_on_is_not_fixed(forge: Forge, run: Run) -> None:
    head = forge.open_pull()
    forge.dev.checkout("main")
    forge.dev.write("req/fw/extra.toml", "other = true\n")
    assert run(forge.dev, "bump", "--base", "HEAD").code == 0
    forge.dev.commit("another fw change (#6)")
    forge.dev.git("push", "-q", "origin", "main")
    base = forge.git("rev-parse", "main")
    # actions/checkout with `ref: pull_request.head.sha`: the test merge is not in the checkout
    path = forge.dev.path.parent / "checkout-head"
    subprocess.run(
        ["git", "clone", "-q", "--no-local", str(forge.origin), str(path)], env=clean_env(), check=True
    )
    checkout = GitRepo(path)
    checkout.git("checkout", "-q", "--detach", head)
    event = pull_request_event(base=base, head=head)
    for side in ("head", "base"):
        event["pull_request"][side]["repo"]["full_name"] = REPO

    job = run_job(forge.github, checkout, "pull_request", event, sha="9" * 40, args=FIX)

    assert (job.code, job.outputs["fixed"]) == (1, "")
    assert pushes(forge.github) == []
    assert "no fix: the base changed req/app/version.json since the branch left it" in job.out


@pytest.mark.parametrize(
    ("head_repo", "base_repo", "is_foreign"),
    [
        ({"full_name": REPO, "id": 1}, {"full_name": REPO, "id": 1}, False),
        ({"full_name": REPO.upper(), "id": 1}, {"full_name": REPO, "id": 1}, False),  # as GitHub compares
        ({"full_name": "someone/project", "id": 2}, {"full_name": REPO, "id": 1}, True),
        ({"full_name": REPO, "id": 2}, {"full_name": REPO, "id": 1}, True),  # another repository's id
        (None, {"full_name": REPO, "id": 1}, True),  # a deleted fork
        ({}, {}, True),
        ({"full_name": None}, {"full_name": None}, True),
        ({"full_name": "evil/x"}, {"full_name": "evil/x"}, True),  # not the repository the job runs in
    ],
)
def test_only_the_repositorys_own_branches_are_pushed_to(
    tmp_path: Path, head_repo: Any, base_repo: Any, is_foreign: bool
) -> None:
    event = pull_request_event(base="b" * 40, head="a" * 40)
    event["pull_request"]["head"]["repo"], event["pull_request"]["base"]["repo"] = head_repo, base_repo
    selection = select(environment(tmp_path, "pull_request", event, "c" * 40), configured_base=None)
    assert selection.branch is not None
    assert selection.branch.is_foreign is is_foreign


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("feature", False),
        ("fix#12", False),
        ("a+b", False),
        ("länge", False),
        ("team/x", False),
        ("a..b", True),
        ("x.lock", True),
        ("a b", True),
        ("-x/.y", True),
        ("a\nb", True),
        ("x@{1}", True),
    ],
)
def test_branch_names_follow_gits_rules(name: str, problem: bool) -> None:
    assert (branch_problem(name) is not None) is problem
