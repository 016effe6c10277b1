"""`versionbot ci` end to end: real repositories, real webhook payloads, real HTTP to the GitHub fake.

Each job runs the installed CLI in a subprocess with the environment a GitHub Actions step gets:
GITHUB_EVENT_PATH points at a real example payload from @octokit/webhooks-examples whose commit ids
are rewritten to the scratch repository's, and GITHUB_API_URL at the FakeGitHub server, which checks
every request against GitHub's OpenAPI description.
"""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.github_server import PERSONAL_LOGIN, PERSONAL_TOKEN, FakeGitHub, check_no_violations
from tests.gitrepo import GitRepo, clean_env
from tests.octokit import webhook_example
from tests.test_render import assert_only_our_markup, parse
from versionbot import actions, render
from versionbot.ci import CUT_NOTE
from versionbot.events import ActionsError, Environment, select
from versionbot.findings import Finding, Plan, Status
from versionbot.versionfile import VersionFile

REPO = "octo/project"
NUMBER = 7
FW_LOCK = "req/fw/pylock.fw.toml"
APP = "req/app/version.json"
FW = "req/fw/version.json"
LIST = f"GET /repos/{REPO}/issues/{NUMBER}/comments?per_page=100"
LIST_2 = f"GET /repos/{REPO}/issues/{NUMBER}/comments?page=2&per_page=100"  # PyGithub follows Link


# a GitHub Actions job ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    code: int
    out: str
    err: str
    summary: str
    outputs: dict[str, str]

    @property
    def annotations(self) -> list[str]:
        return [line for line in self.out.splitlines() if line.startswith(("::error", "::warning"))]

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.outputs["units"])
        return data

    def statuses(self) -> dict[str, str]:
        return {unit["unit"]: unit["status"] for unit in self.report["units"]}


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: `name=value` or `name<<DELIMITER` ... `DELIMITER`."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            value = []
            for item in lines:
                if item == delimiter:
                    break
                value.append(item)
            else:
                raise AssertionError(f"output {name} has no closing delimiter")
            outputs[name] = "\n".join(value)
        else:
            name, _, value_line = line.partition("=")
            outputs[name] = value_line
    return outputs


def run_job(
    server: FakeGitHub,
    checkout: GitRepo,
    event_name: str,
    payload: dict[str, Any],
    *,
    sha: str | None = None,
    args: tuple[str, ...] = (),
    environ: dict[str, str] | None = None,
    command: tuple[str, ...] = (sys.executable, "-m", "versionbot"),
) -> Job:
    """One `versionbot ci` step, in a fresh job (new output and summary files). `environ` adds to or
    overrides the step's environment; whatever GITHUB_TOKEN it ends with must not leak."""
    job = checkout.path.parent / f"job-{len(list(checkout.path.parent.glob('job-*')))}"
    job.mkdir()
    event_path, output, summary = job / "event.json", job / "output", job / "summary.md"
    event_path.write_text(json.dumps(payload), encoding="utf-8")
    env = clean_env(
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME=event_name,
        GITHUB_EVENT_PATH=str(event_path),
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_WORKSPACE=str(checkout.path),
        **server.env(REPO),
    )
    if sha is not None:
        env["GITHUB_SHA"] = sha
    env.update(environ or {})
    done = subprocess.run(
        [*command, "ci", *args],
        cwd=checkout.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    job_result = Job(
        done.returncode,
        done.stdout,
        done.stderr,
        summary.read_text(encoding="utf-8") if summary.exists() else "",
        parse_outputs(output.read_text(encoding="utf-8")) if output.exists() else {},
    )
    everything = [
        job_result.out,
        job_result.err,
        job_result.summary,
        output.read_text() if output.exists() else "",
    ]
    everything += [comment.body for comment in server.comments(REPO, NUMBER)]
    for secret in {server.token, env["GITHUB_TOKEN"]}:
        assert not [text for text in everything if leaks(secret, text)], "the token leaked"
    return job_result


def leaks(secret: str, text: str) -> bool:
    """Whether `text` shows `secret` in any form: as given, stripped, or quoted by Python or JSON."""
    forms = {secret, secret.strip(), repr(secret)[1:-1], repr(secret.strip())[1:-1], ascii(secret)[1:-1]}
    forms |= {json.dumps(form)[1:-1] for form in tuple(forms)}
    return any(form in text for form in forms if len(form) >= 4)


def pull_request_event(*, base: str, head: str, event: str = "pull_request") -> dict[str, Any]:
    payload = webhook_example("pull_request", "synchronize")
    payload["number"] = payload["pull_request"]["number"] = NUMBER
    pull = payload["pull_request"]
    pull["base"]["sha"], pull["base"]["ref"] = base, "main"
    pull["head"]["sha"], pull["head"]["ref"] = head, "feature"
    payload["repository"]["full_name"] = REPO
    return payload


def merge_commit(repo: GitRepo, base: str, branch: str) -> str:
    """The test-merge commit GitHub makes for a pull request (refs/pull/N/merge), checked out detached
    as actions/checkout does."""
    repo.git("checkout", "-q", "--detach", base)
    repo.git("merge", "-q", "--no-ff", "-m", f"Merge {branch} into {base[:7]}", branch)
    return repo.head()


def expected_annotation(unit: str, status: str, version_file: str, message: str, changes: list[str]) -> str:
    text = "%0A".join([message, *changes])
    return f"::error file={version_file},title=versionbot%3A {unit} ({status})::{text}"


@pytest.fixture
def github(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_repo(REPO)  # its token is an installation token, as an Actions GITHUB_TOKEN is
    return fake_github


@pytest.fixture
def pull(bumped: GitRepo, github: FakeGitHub) -> tuple[GitRepo, str, str]:
    """main with version files at 1; branch `feature` changes fw's lock file without a bump."""
    return open_pull(bumped, github)


def open_pull(bumped: GitRepo, github: FakeGitHub) -> tuple[GitRepo, str, str]:
    base = bumped.head()
    bumped.branch("feature")
    bumped.write(FW_LOCK, 'lock-version = "1.0"\n[[packages]]\nname = "numpy"\nversion = "2.0"\n')
    head = bumped.commit("upgrade numpy")
    github.add_pull(REPO, NUMBER, head_sha=head, base_sha=base, head_ref="feature")
    return bumped, base, head


# pull_request: the sticky comment ----------------------------------------------------------------


def test_pull_request_fails_then_passes_with_one_sticky_comment(
    pull: tuple[GitRepo, str, str], github: FakeGitHub, run: Run
) -> None:
    repo, base, head = pull
    for i in range(105):  # our comment lands on the second page of 100
        github.add_comment(REPO, NUMBER, f"review comment {i}")
    github.add_comment(REPO, NUMBER, f"> {render.MARKER}\n> quoting the bot", author="reviewer")
    foreign = [(c.id, c.body) for c in github.comments(REPO, NUMBER)]
    merge = merge_commit(repo, base, "feature")

    failing = run_job(github, repo, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert (failing.code, failing.err) == (1, "")
    assert failing.statuses() == {"app": "needs-bump", "fw": "needs-bump"}
    assert (failing.report["base"], failing.report["head"]) == (base, merge)
    assert f"judging {merge[:12]} (GITHUB_SHA" in failing.out
    assert failing.annotations == [
        expected_annotation(
            "app",
            "needs-bump",
            APP,
            "inputs changed since the base but the version is still 1; run `versionbot bump`",
            ["depends fw 1 -> 2"],
        ),
        expected_annotation(
            "fw",
            "needs-bump",
            FW,
            "inputs changed since the base but the version is still 1; run `versionbot bump`",
            [f"modified {FW_LOCK}", "package numpy unversioned -> 2.0"],
        ),
    ]
    assert failing.outputs["ok"] == "false"
    assert failing.outputs["bumped"] == "[]"
    mine = github.comments(REPO, NUMBER)[-1]
    assert [(c.id, c.body) for c in github.comments(REPO, NUMBER)] == [*foreign, (mine.id, mine.body)]
    assert mine.user.login == "github-actions[bot]"
    assert mine.body == failing.summary
    assert mine.body.startswith(render.MARKER + "\n**versionbot**: 2 of 2 units need action.")
    assert "| `fw` | 1 | 1 | ❌ needs-bump | 2 |" in mine.body
    assert f"- modified `{FW_LOCK}`" in mine.body
    assert f"| `{FW_LOCK}` | `numpy` | `unversioned` | `2.0` |  |" in mine.body  # the package table
    assert "- depends `fw` 1 -> 2" in mine.body
    assert "```sh\nversionbot bump --base origin/main\n```" in mine.body
    assert github.request_lines() == [
        "GET /user",
        LIST,
        LIST_2,
        f"POST /repos/{REPO}/issues/7/comments",
    ]

    # The developer runs the command from the comment; the pull request is updated.
    repo.checkout("feature")
    assert run(repo, "bump", "--base", "main").code == 0
    head = repo.commit("bump versions")
    merge = merge_commit(repo, base, "feature")
    github.clear_requests()

    passing = run_job(github, repo, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert passing.code == 0, passing.err
    assert passing.statuses() == {"app": "bumped", "fw": "bumped"}
    assert passing.annotations == []
    assert passing.outputs["ok"] == "true"
    assert json.loads(passing.outputs["bumped"]) == ["app", "fw"]
    assert [(c.id, c.body) for c in github.comments(REPO, NUMBER)] == [*foreign, (mine.id, passing.summary)]
    assert passing.summary.startswith(
        render.MARKER + "\n**versionbot**: every unit's version matches its inputs."
    )
    assert "#### ✅ `fw`: bumped\n\n```text\ninputs changed: 1 -> 2\n```" in passing.summary
    assert "To fix" not in passing.summary
    assert github.request_lines() == [
        "GET /user",
        LIST,
        LIST_2,
        f"PATCH /repos/{REPO}/issues/comments/{mine.id}",
    ]

    github.clear_requests()
    again = run_job(github, repo, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert again.code == 0
    assert again.summary == passing.summary
    assert github.request_lines() == ["GET /user", LIST, LIST_2]  # no write
    assert "pull-request comment: unchanged" in again.out


def test_read_only_token_costs_only_the_comment(pull: tuple[GitRepo, str, str], github: FakeGitHub) -> None:
    repo, base, head = pull
    merge = merge_commit(repo, base, "feature")
    event = pull_request_event(base=base, head=head)
    writable = run_job(github, repo, "pull_request", event, sha=merge)
    github.read_only = True
    github.clear_requests()
    # a fresh pull request, as from a fork: nothing to update, the create is refused
    github.add_pull(REPO, 8, head_sha=head, base_sha=base, head_repo="someone/project")
    event["number"] = event["pull_request"]["number"] = 8

    read_only = run_job(github, repo, "pull_request", event, sha=merge)

    assert read_only.code == writable.code == 1
    assert read_only.summary == writable.summary
    assert read_only.outputs == writable.outputs
    assert read_only.annotations[:-1] == writable.annotations
    assert read_only.annotations[-1] == (
        "::warning title=versionbot::no pull-request comment: POST /repos/octo/project/issues/8/comments "
        "answered 403 Resource not accessible by integration: the token may not write comments; pull "
        "requests from forks get a read-only GITHUB_TOKEN, elsewhere grant the job `permissions: "
        "pull-requests: write`. The check itself is unaffected."
    )
    assert github.comments(REPO, 8) == []
    assert [r.status for r in github.requests] == [403, 200, 403]

    # pull request 7's comment is out of date: the edit is refused, and nothing else changes either
    (mine,) = github.comments(REPO, NUMBER)
    mine.body = render.MARKER + "\nout of date"
    event["number"] = event["pull_request"]["number"] = NUMBER

    stale = run_job(github, repo, "pull_request", event, sha=merge)

    assert (stale.code, stale.summary, stale.outputs) == (1, writable.summary, writable.outputs)
    assert stale.annotations[-1].startswith(
        "::warning title=versionbot::no pull-request comment: "
        f"PATCH /repos/{REPO}/issues/comments/{mine.id} answered 403 Resource not accessible by integration"
    )
    assert mine.body == render.MARKER + "\nout of date"


def test_a_personal_token_finds_its_comment_by_login(bumped: GitRepo) -> None:
    with FakeGitHub(PERSONAL_TOKEN) as github:  # a PAT may read GET /user
        github.add_repo(REPO)
        repo, base, head = open_pull(bumped, github)
        comments, first = run_twice_as_a_person(github, repo, base, head)
    check_no_violations(github)
    assert first.code == 1
    assert [c.body for c in comments] == [render.MARKER + "\nanother bot", first.summary]
    assert comments[1].user.login == PERSONAL_LOGIN
    assert github.request_lines()[-2:] == ["GET /user", LIST]


def run_twice_as_a_person(github: FakeGitHub, repo: GitRepo, base: str, head: str) -> tuple[list[Any], Job]:
    """Two runs with another bot's marked comment in the way: the person's own comment is kept."""
    github.add_comment(REPO, NUMBER, render.MARKER + "\nanother bot", author="x[bot]", author_type="Bot")
    merge = merge_commit(repo, base, "feature")
    event = pull_request_event(base=base, head=head)
    first = run_job(github, repo, "pull_request", event, sha=merge)
    run_job(github, repo, "pull_request", event, sha=merge)
    return github.comments(REPO, NUMBER), first


def test_nothing_to_explain_makes_no_comment(bumped: GitRepo, github: FakeGitHub) -> None:
    base = bumped.head()
    bumped.branch("feature")
    bumped.write("README.md", "not an input, changed\n")
    head = bumped.commit("docs")
    github.add_pull(REPO, NUMBER, head_sha=head, base_sha=base)
    merge = merge_commit(bumped, base, "feature")

    job = run_job(github, bumped, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert job.code == 0
    assert job.statuses() == {"app": "unchanged", "fw": "unchanged"}
    assert github.comments(REPO, NUMBER) == []
    assert github.request_lines() == ["GET /user", LIST]
    assert "pull-request comment: not needed" in job.out
    assert "| unit | base |" not in job.summary  # untouched units are folded away
    assert "<details><summary>2 units unchanged</summary>\n\n| unit | version |" in job.summary


def test_a_lost_answer_to_the_create_does_not_post_twice(
    pull: tuple[GitRepo, str, str], github: FakeGitHub
) -> None:
    repo, base, head = pull
    merge = merge_commit(repo, base, "feature")
    github.fail_next(1, status=502, method="GET", path=f"/repos/{REPO}/issues/{NUMBER}/comments")
    github.fail_next(1, status=502, method="POST", processed=True)

    job = run_job(github, repo, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert job.code == 1
    assert [c.body for c in github.comments(REPO, NUMBER)] == [job.summary]
    assert [(r.line, r.status) for r in github.requests] == [
        ("GET /user", 403),
        (LIST, 502),  # a read: retried by the transport
        (LIST, 200),
        (f"POST /repos/{REPO}/issues/7/comments", 502),  # created, but the answer was lost
        (LIST, 200),  # so look before posting again: it is there
    ]
    assert "pull-request comment: created" in job.out


def test_rate_limits_and_server_errors_are_retried(
    pull: tuple[GitRepo, str, str], github: FakeGitHub
) -> None:
    repo, base, head = pull
    merge = merge_commit(repo, base, "feature")
    event = pull_request_event(base=base, head=head)
    run_job(github, repo, "pull_request", event, sha=merge)
    (mine,) = github.comments(REPO, NUMBER)
    mine.body = render.MARKER + "\nstale"
    github.clear_requests()
    github.rate_limit_next(1, status=429, retry_after=0, method="GET")
    github.fail_next(1, status=503, method="PATCH")
    github.rate_limit_next(1, status=403, retry_after=0, method="PATCH")

    job = run_job(github, repo, "pull_request", event, sha=merge)

    assert job.code == 1
    assert [c.body for c in github.comments(REPO, NUMBER)] == [job.summary]
    assert [r.status for r in github.requests] == [429, 403, 200, 503, 403, 200]


# other events --------------------------------------------------------------------------------------


def test_pull_request_without_the_merge_commit_judges_the_head_against_the_merge_base(
    pull: tuple[GitRepo, str, str], github: FakeGitHub
) -> None:
    repo, base, head = pull
    repo.checkout("main")
    repo.write("README.md", "main moved on\n")
    moved = repo.commit("main moves on")
    repo.git("checkout", "-q", "--detach", head)  # `ref: pull_request.head.sha`
    event = pull_request_event(base=moved, head=head)

    job = run_job(github, repo, "pull_request", event, sha="f" * 40, args=("--no-comment",))

    assert job.code == 1
    assert (job.report["base"], job.report["head"]) == (base, head)
    assert f"{'f' * 12} (GITHUB_SHA, the test-merge commit) is not in the checkout" in job.out
    assert github.requests == []


def test_merge_group_fails_a_double_bump_without_commenting(
    bumped: GitRepo, github: FakeGitHub, run: Run
) -> None:
    base = bumped.head()
    bumped.branch("feature")
    bumped.write(FW_LOCK, "numpy 2.0\n")
    assert run(bumped, "bump", "--base", "main").code == 0
    bumped.commit("upgrade numpy and bump")
    bumped.write(FW_LOCK, "numpy 2.1\n")
    assert run(bumped, "bump", "--base", "HEAD").code == 0  # bumped again against its own branch
    bumped.commit("upgrade numpy again, bump again")
    queued = merge_commit(bumped, base, "feature")
    payload = webhook_example("merge_group", "checks_requested")
    payload["merge_group"].update(base_sha=base, head_sha=queued)

    job = run_job(github, bumped, "merge_group", payload, sha=queued)

    assert job.code == 1
    assert job.statuses() == {"app": "wrong-version", "fw": "wrong-version"}
    assert (job.report["base"], job.report["head"]) == (base, queued)
    assert job.annotations[1].startswith(
        f"::error file={FW},title=versionbot%3A fw (wrong-version)::the version is 3"
    )
    assert "(a double or skipped bump?)" in job.annotations[1]
    assert "```sh\nversionbot bump --base origin/main\n```" in job.summary
    assert github.requests == []


def test_merge_group_names_the_commit_that_took_the_number(
    bumped: GitRepo, github: FakeGitHub, run: Run
) -> None:
    """A pull request bumped app 1 -> 2, another took 2 first, and the branch merged main keeping its
    own version file: the queue's check fails and names the commit that took the number."""
    bumped.branch("feature")
    bumped.write("launch/app/__main__.py", "import scipy  # feature\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("feature: launch module, app bumped")
    bumped.checkout("main")
    bumped.write("req/app/pylock.app.toml", "scipy 1.16.2\n")
    assert run(bumped, "bump").code == 0
    taker = bumped.commit("scipy 1.16.2 (#11)")
    bumped.checkout("feature")
    bumped.git("merge", "-q", "-X", "ours", "--no-edit", "main")
    queued = merge_commit(bumped, taker, "feature")
    payload = webhook_example("merge_group", "checks_requested")
    payload["merge_group"].update(base_sha=taker, head_sha=queued)

    job = run_job(github, bumped, "merge_group", payload, sha=queued)

    assert job.code == 1
    app = next(unit for unit in job.report["units"] if unit["unit"] == "app")
    assert (app["status"], app["taken_by"]) == (
        "needs-bump",
        {"commit": taker, "subject": "scipy 1.16.2 (#11)"},
    )
    annotation = next(line for line in job.annotations if "versionbot%3A app" in line)
    assert f"app took 2 in {taker[:12]} (scipy 1.16.2 (#11))" in annotation
    assert f"app took 2 in {taker[:12]}" in job.summary


def test_push_judges_after_against_before(bumped: GitRepo, github: FakeGitHub) -> None:
    before = bumped.head()
    bumped.write(FW_LOCK, "numpy 2.0\n")
    after = bumped.commit("unbumped change pushed to main")
    payload = webhook_example("push")
    payload.update(before=before, after=after, ref="refs/heads/main")

    job = run_job(github, bumped, "push", payload, sha=after)

    assert job.code == 1
    assert (job.report["base"], job.report["head"]) == (before, after)
    assert f"versionbot: push: judging {after[:12]} (after) against {before[:12]} (before)" in job.out
    assert f"versionbot bump --base {before}" in job.summary
    assert github.requests == []


def test_a_bad_config_is_annotated_and_summarised(bumped: GitRepo, github: FakeGitHub) -> None:
    before = bumped.head()
    bumped.write("versionbot.toml", bumped.read("versionbot.toml") + "\n[units.broken]\n")
    after = bumped.commit("a unit without inputs")
    payload = webhook_example("push")
    payload.update(before=before, after=after, ref="refs/heads/main")

    job = run_job(github, bumped, "push", payload, sha=after)

    assert job.code == 2
    assert "units.broken" in job.err
    assert job.annotations[0].startswith("::error title=versionbot could not check::versionbot.toml")
    assert "units.broken" in job.summary
    assert github.requests == []


def test_push_of_a_deleted_branch_has_nothing_to_judge(bumped: GitRepo, github: FakeGitHub) -> None:
    payload = webhook_example("push")
    payload.update(before=bumped.head(), after="0" * 40, deleted=True)
    job = run_job(github, bumped, "push", payload, sha="0" * 40)
    assert (job.code, job.summary, job.outputs) == (0, "", {})
    assert "nothing to check" in job.out


def test_push_of_a_new_branch_judges_against_the_default_branch(bumped: GitRepo, github: FakeGitHub) -> None:
    main = bumped.head()
    bumped.git("clone", "-q", f"file://{bumped.path}", str(bumped.path.parent / "checkout"))
    clone = GitRepo(bumped.path.parent / "checkout")
    clone.branch("topic")
    clone.write(FW_LOCK, "numpy 2.0\n")
    after = clone.commit("unbumped change on a new branch")
    payload = webhook_example("push")  # `before` is all zeros: a new ref
    payload.update(after=after, ref="refs/heads/topic")
    payload["repository"]["default_branch"] = "main"

    job = run_job(github, clone, "push", payload, sha=after)

    assert job.code == 1
    assert (job.report["base"], job.report["head"]) == (main, after)
    assert f"against {main[:12]} (its merge-base with the default branch)" in job.out


# shallow clones ------------------------------------------------------------------------------------


def shallow_clone(origin: GitRepo, branch: str, path: Path) -> GitRepo:
    origin.git("clone", "-q", "--depth", "1", "--branch", branch, f"file://{origin.path}", str(path))
    clone = GitRepo(path)
    assert clone.git("rev-parse", "--is-shallow-repository").strip() == "true"
    return clone


def test_shallow_checkout_fetches_the_base_commit(pull: tuple[GitRepo, str, str], github: FakeGitHub) -> None:
    origin, base, head = pull
    merge = merge_commit(origin, base, "feature")
    origin.git("branch", "pull/7/merge", merge)
    clone = shallow_clone(origin, "pull/7/merge", origin.path.parent / "checkout")

    job = run_job(github, clone, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert job.code == 1, job.err
    assert (job.report["base"], job.report["head"]) == (base, merge)
    assert f"fetching pull_request.base.sha {base[:12]} from origin" in job.out
    assert clone.git("rev-parse", "--is-shallow-repository").strip() == "true"  # depth 1, not all of it
    assert len(github.comments(REPO, NUMBER)) == 1


def test_pull_request_target_fetches_the_head_and_deepens_to_the_merge_base(
    pull: tuple[GitRepo, str, str], github: FakeGitHub
) -> None:
    origin, base, head = pull
    origin.checkout("main")
    for i in range(40):  # the base branch moves on: the merge-base is 40 commits deep
        origin.write("README.md", f"main {i}\n")
        tip = origin.commit(f"main {i}")
    clone = shallow_clone(origin, "main", origin.path.parent / "checkout")  # the base branch, never the PR
    event = pull_request_event(base=tip, head=head)

    job = run_job(github, clone, "pull_request_target", event, sha=tip)

    assert job.code == 1, job.err
    assert (job.report["base"], job.report["head"]) == (base, head)
    assert f"fetching pull_request.head.sha {head[:12]} from origin" in job.out
    assert "fetching 32 more commits of history" in job.out
    assert "fetching 256 more commits of history" in job.out
    assert len(github.comments(REPO, NUMBER)) == 1


def test_shallow_checkout_without_the_base_fails_with_the_fix(
    pull: tuple[GitRepo, str, str], github: FakeGitHub
) -> None:
    origin, base, head = pull
    merge = merge_commit(origin, base, "feature")
    origin.git("branch", "pull/7/merge", merge)
    clone = shallow_clone(origin, "pull/7/merge", origin.path.parent / "checkout")
    clone.git("remote", "set-url", "origin", str(origin.path.parent / "gone"))

    job = run_job(github, clone, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert job.code == 2
    assert f"could not fetch pull_request.base.sha {base[:12]} from origin" in job.err
    assert "`fetch-depth: 0`" in job.err
    assert job.annotations[0].startswith("::error title=versionbot could not check::could not fetch")
    assert "`fetch-depth: 0`" in job.summary
    assert job.outputs == {}
    assert github.requests == []


# the environment and the payload -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "GITHUB_EVENT_NAME is not set: `versionbot ci` runs inside GitHub Actions"),
        (
            {"GITHUB_EVENT_NAME": "issues"},
            "GITHUB_EVENT_NAME is 'issues': `versionbot ci` runs on pull_request,",
        ),
        ({"GITHUB_EVENT_NAME": "push"}, "GITHUB_EVENT_PATH is not set"),
        (
            {"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": "/nonexistent.json"},
            "cannot read the event payload",
        ),
    ],
)
def test_a_broken_environment_is_a_clear_error(
    bumped: GitRepo, environ: dict[str, str], message: str
) -> None:
    done = bumped.versionbot("ci", env=clean_env(GITHUB_REPOSITORY=REPO, **environ))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def environment(
    tmp_path: Path, event_name: str, payload: dict[str, Any], sha: str | None = None
) -> Environment:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    environ = {"GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(path), "GITHUB_REPOSITORY": REPO}
    if sha is not None:
        environ["GITHUB_SHA"] = sha
    return Environment.from_environ(environ)


A, B, M = "a" * 40, "b" * 40, "c" * 40


def test_event_selection(tmp_path: Path) -> None:
    pr = select(
        environment(tmp_path, "pull_request", pull_request_event(base=B, head=A), M), configured_base=None
    )
    assert pr.comparison is not None
    assert pr.fallback is not None
    assert (pr.comparison.head, pr.comparison.base, pr.comparison.is_merge_base) == (M, B, False)
    assert (pr.fallback.head, pr.fallback.base, pr.fallback.is_merge_base) == (A, B, True)
    assert (pr.pull_number, pr.fix_base) == (NUMBER, "origin/main")

    target = select(
        environment(tmp_path, "pull_request_target", pull_request_event(base=B, head=A), B),
        configured_base=None,
    )
    assert target.comparison is not None
    assert target.fallback is None
    assert (target.comparison.head, target.comparison.base, target.comparison.is_merge_base) == (A, B, True)

    new_branch = webhook_example("push")  # a new tag: `before` is all zeros
    new_branch["after"] = A
    pushed = select(environment(tmp_path, "push", new_branch), configured_base=None)
    assert pushed.comparison is not None
    assert (pushed.comparison.base, pushed.comparison.is_merge_base) == ("origin/master", True)
    configured = select(environment(tmp_path, "push", new_branch), configured_base="origin/develop")
    assert configured.comparison is not None
    assert configured.comparison.base == "origin/develop"

    dispatch = webhook_example("workflow_dispatch")
    dispatch["inputs"] = {"base": "release"}
    manual = select(environment(tmp_path, "workflow_dispatch", dispatch, A), configured_base=None)
    assert manual.comparison is not None
    assert (manual.comparison.head, manual.comparison.base, manual.comparison.is_merge_base) == (
        A,
        "release",
        True,
    )
    assert manual.pull_number is None


@pytest.mark.parametrize(
    ("event_name", "edit", "message"),
    [
        ("pull_request", lambda p: p["pull_request"]["base"].pop("sha"), "has no pull_request.base.sha"),
        (
            "pull_request",
            lambda p: p["pull_request"].update(number="7"),
            "pull_request.number must be a positive",
        ),
        (
            "merge_group",
            lambda p: p["merge_group"].update(head_sha="main"),
            "merge_group.head_sha must be a commit",
        ),
        ("push", lambda p: p.pop("before"), "has no before"),
        ("workflow_dispatch", lambda p: p.update(inputs={"base": 3}), "inputs.base must be a revision"),
        (
            "workflow_dispatch",
            lambda p: p.update(inputs={"base": "a\n::x::"}),
            "inputs.base must be a revision",
        ),
    ],
)
def test_a_malformed_payload_names_the_file_and_the_key(
    tmp_path: Path, event_name: str, edit: Any, message: str
) -> None:
    example = {
        "pull_request": ("pull_request", "synchronize"),
        "merge_group": ("merge_group", "checks_requested"),
    }
    payload = webhook_example(*example.get(event_name, (event_name, None)))
    edit(payload)
    env = environment(tmp_path, event_name, payload, M)
    with pytest.raises(ActionsError) as error:
        select(env, configured_base=None)
    assert str(error.value).startswith(f"{tmp_path / 'event.json'}: ")
    assert message in str(error.value)


def test_a_payload_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text("{oops")
    with pytest.raises(ActionsError, match=r"event\.json: the event payload is not JSON"):
        Environment.from_environ(
            {"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(path), "GITHUB_REPOSITORY": REPO}
        )


# workflow commands ---------------------------------------------------------------------------------


def test_workflow_commands_are_escaped() -> None:
    line = actions.command("error", "100% wrong\r\nnext line", file="a,b:c.json", title="x: y, z")
    assert line == "::error file=a%2Cb%3Ac.json,title=x%3A y%2C z::100%25 wrong%0D%0Anext line\n"
    assert actions.command("warning", "plain") == "::warning::plain\n"


def test_untrusted_text_cannot_issue_commands() -> None:
    wrapped = actions.untrusted("modified evil\n::error::injected\n")
    first, *_, last = wrapped.splitlines()
    token = first.removeprefix("::stop-commands::")
    assert len(token) >= 32
    assert last == f"::{token}::"


def test_outputs_use_a_delimiter_the_value_cannot_hold() -> None:
    text = actions.format_outputs({"units": '{\n  "ok": true\n}', "ok": "true", "evil": "x\nok=false"})
    assert parse_outputs(text) == {"units": '{\n  "ok": true\n}', "ok": "true", "evil": "x\nok=false"}
    assert "ghadelimiter_" in text.splitlines()[0]


def test_annotation_paths_are_relative_to_the_workspace() -> None:
    workspace = Path("/home/runner/work/project")
    assert actions.annotation_path(workspace, "req/v.json", workspace) == "req/v.json"
    assert actions.annotation_path(workspace / "sub", "req/v.json", workspace) == "sub/req/v.json"
    assert actions.annotation_path(Path("/elsewhere"), "req/v.json", workspace) == "req/v.json"
    assert actions.annotation_path(workspace, "req/v.json", None) == "req/v.json"


def test_truncate_keeps_whole_lines() -> None:
    text = "".join(f"line {i}\n" for i in range(100))
    cut = actions.truncate(text, 200, "(cut)")
    assert len(cut) <= 200
    assert cut.endswith("\n\n(cut)\n")
    assert all(line.startswith("line ") for line in cut.splitlines()[:-2])
    assert actions.truncate("short\n", 200, "(cut)") == "short\n"


def test_truncate_never_leaves_a_code_block_or_a_folded_section_open() -> None:
    body = render.check_markdown(
        Plan(
            base=A,
            head=B,
            findings=tuple(
                Finding(
                    unit=f"u{i}",
                    status=Status.UNCHANGED if i % 2 else Status.NEEDS_BUMP,
                    version_file=f"u{i}/version.json",
                    base_version=1,
                    recorded_version=1,
                    expected=VersionFile(unit=f"u{i}", version=2, inputs={}, inputs_hash="sha256:0"),
                    changes=(),
                    message="one\ntwo\nthree",
                )
                for i in range(200)
            ),
        )
    )
    for limit in range(2000, 8000, 37):  # cuts everywhere: in tables, blocks and the folded list
        cut = actions.truncate(body, limit, CUT_NOTE)
        assert len(cut) <= limit
        assert cut.endswith(f"\n\n{CUT_NOTE}\n")
        markdown = parse(cut)  # fails on a fence left open
        assert markdown.prose[-1] == "" or markdown.prose[-2] == CUT_NOTE
        assert cut.count("<details>") == cut.count("</details>")


def test_check_does_not_import_pygithub(bumped: GitRepo) -> None:
    code = "import sys; from versionbot.cli import main; main(['check']); print('github' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=bumped.path,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip().endswith("False"), done.stdout + done.stderr


# nothing from the repository or the event speaks for versionbot ------------------------------------


def runner_commands(*streams: str) -> list[str]:
    """The workflow commands the Actions runner acts on in these streams: lines that start, after
    leading white space, with `::` (or the old `##[`), outside `::stop-commands::` sections."""
    commands = []
    for stream in streams:
        stopped: str | None = None
        for line in stream.splitlines():
            text = line.strip()
            if stopped is not None:
                if text == f"::{stopped}::":
                    stopped = None
                continue
            if text.startswith("::stop-commands::"):
                stopped = text.removeprefix("::stop-commands::")
            elif text.startswith(("::", "##[")):
                commands.append(text)
    return commands


def command_names(commands: list[str]) -> list[str]:
    return [re.split(r"[ :]", command.removeprefix("::"), maxsplit=1)[0] for command in commands]


HOSTILE_FILES = (
    "req/fw/a\n::error::pwned",
    "req/fw/b\r::add-mask::pwned",
    "req/fw/ping @octocat www.evil.example [x](http:/e.example) ![i](http:/t.png) <img src=x>",
    "req/fw/<!-- versionbot -->",
    "req/fw/```",
    "req/fw/\u2028::warning::pwned",
)


def test_hostile_names_reach_no_workflow_command_and_no_markup(bumped: GitRepo, github: FakeGitHub) -> None:
    base = bumped.head()
    bumped.branch("feature")
    for name in HOSTILE_FILES:
        bumped.write(name, "x\n")
    config = bumped.read("versionbot.toml").replace(
        'values = { runtime = "cpython-3.11" }',
        'values = { runtime = "cpython-3.11", "k\\n::add-mask::pwned" = "v\\n# h @octocat" }',
    )
    bumped.write("versionbot.toml", config)
    head = bumped.commit("hostile names")
    github.add_pull(REPO, NUMBER, head_sha=head, base_sha=base)
    merge = merge_commit(bumped, base, "feature")

    job = run_job(github, bumped, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert job.code == 1, job.err
    assert job.err == ""
    commands = runner_commands(job.out, job.err)
    assert command_names(commands) == ["error", "error"]  # app's and fw's annotations, nothing else
    assert [command.split("::", 2)[1] for command in commands] == [
        f"error file={APP},title=versionbot%3A app (needs-bump)",
        f"error file={FW},title=versionbot%3A fw (needs-bump)",
    ]
    assert "%0Aadded req/fw/a\\n::error::pwned%0A" in commands[1]  # the exact bytes the runner sees
    assert "\n       added req/fw/a\\n::error::pwned\n" in job.out
    assert "\n       added req/fw/b\\r::add-mask::pwned\n" in job.out
    assert "\n       value k\\n::add-mask::pwned: (none) -> " in job.out
    (comment,) = github.comments(REPO, NUMBER)
    assert comment.body == job.summary
    markdown = assert_only_our_markup(comment.body)
    assert "req/fw/a\\n::error::pwned" in markdown.spans
    assert "req/fw/\\u2028::warning::pwned" in markdown.spans
    assert "k\\n::add-mask::pwned" in markdown.spans
    assert '"v\\n# h @octocat"' in markdown.spans


def test_a_config_error_quoting_a_name_is_one_escaped_line(bumped: GitRepo, github: FakeGitHub) -> None:
    before = bumped.head()
    bumped.write("versionbot.toml", bumped.read("versionbot.toml") + '\n[units."x\\n::error::pwned"]\n')
    after = bumped.commit("a unit name with a line break")
    payload = webhook_example("push")
    payload.update(before=before, after=after, ref="refs/heads/main")

    job = run_job(github, bumped, "push", payload, sha=after)

    assert job.code == 2
    (line,) = job.err.splitlines()
    assert line.startswith("versionbot: error: versionbot.toml: units.x\\n::error::pwned: ")
    (command,) = runner_commands(job.out, job.err)
    assert command.startswith(
        "::error title=versionbot could not check::versionbot.toml: units.x\\n::error::pwned: "
    )
    assert "```text\nversionbot.toml: units.x\\n::error::pwned: " in job.summary


def test_a_configured_base_and_gits_answer_are_escaped(bumped: GitRepo, github: FakeGitHub) -> None:
    config = bumped.read("versionbot.toml")
    bumped.write("versionbot.toml", 'base = "main\\n::error::pwned"\n' + config)
    bumped.branch("topic")
    bumped.write(FW_LOCK, "numpy 2.0\n")
    after = bumped.commit("a new branch with a hostile base")
    payload = webhook_example("push")  # `before` is all zeros: judged against the configured base
    payload.update(after=after, ref="refs/heads/topic")

    job = run_job(github, bumped, "push", payload, sha=after)

    assert job.code == 2  # refused before anything is fetched: a base is a branch name
    assert command_names(runner_commands(job.out, job.err)) == ["error"]
    assert all(line.startswith("versionbot: ") for line in job.err.splitlines())
    assert "base: 'main\\n::error::pwned' is not a branch name" in job.err


# the token ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("padding", ["\n", "\r\n", " \t"])
def test_a_token_pasted_with_white_space_still_comments_and_never_shows(
    pull: tuple[GitRepo, str, str], github: FakeGitHub, padding: str
) -> None:
    repo, base, head = pull
    merge = merge_commit(repo, base, "feature")
    environ = {"GITHUB_TOKEN": github.token + padding}

    job = run_job(
        github, repo, "pull_request", pull_request_event(base=base, head=head), sha=merge, environ=environ
    )

    assert job.code == 1
    assert "pull-request comment: created" in job.out
    assert [c.body for c in github.comments(REPO, NUMBER)] == [job.summary]


@pytest.mark.parametrize("token", ["ghs_tökén0000", "ghs_first\nghs_second", "ghs_\x1b[2Jclear"])
def test_a_token_no_github_token_looks_like_is_a_clear_warning(
    pull: tuple[GitRepo, str, str], github: FakeGitHub, token: str
) -> None:
    repo, base, head = pull
    merge = merge_commit(repo, base, "feature")

    job = run_job(
        github,
        repo,
        "pull_request",
        pull_request_event(base=base, head=head),
        sha=merge,
        environ={"GITHUB_TOKEN": token},
    )

    assert job.code == 1  # the check's own answer
    assert job.annotations[-1] == (
        "::warning title=versionbot::no pull-request comment: GITHUB_TOKEN holds white space or characters "
        "other than printable ASCII, which no GitHub token does (it is not shown here): check the action's "
        "`github-token` input and the secret it names. The check itself is unaffected."
    )
    assert "Traceback" not in job.err
    assert github.requests == []


def test_an_api_url_that_is_no_url_names_the_variable(
    pull: tuple[GitRepo, str, str], github: FakeGitHub
) -> None:
    repo, base, head = pull
    merge = merge_commit(repo, base, "feature")
    event = pull_request_event(base=base, head=head)

    job = run_job(github, repo, "pull_request", event, sha=merge, environ={"GITHUB_API_URL": "not a url"})

    assert job.code == 1
    assert job.annotations[-1] == (
        "::warning title=versionbot::no pull-request comment: GITHUB_API_URL is 'not a url', not the URL "
        "of a GitHub API (https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server). "
        "The check itself is unaffected."
    )
    assert "Traceback" not in job.err


def test_without_pygithub_the_check_runs_and_says_how_to_install_it(
    bumped: GitRepo, github: FakeGitHub, tmp_path: Path
) -> None:
    import github as pygithub

    home = Path(pygithub.__file__).resolve().parent.parent  # the site-packages that holds it
    hidden = tmp_path / "site-packages-without-github"
    hidden.mkdir()
    for entry in home.iterdir():  # the same folder, minus PyGithub
        if entry.name != "github" and not entry.name.lower().startswith("pygithub"):
            (hidden / entry.name).symlink_to(entry)
    bootstrap = (
        "import importlib.util, os, runpy, sys\n"
        "home, hidden = sys.argv.pop(1), sys.argv.pop(1)\n"
        "sys.path[:] = [hidden if os.path.realpath(p) == home else p for p in sys.path]\n"
        "sys.exit(99) if importlib.util.find_spec('github') else None\n"
        "runpy.run_module('versionbot', run_name='__main__', alter_sys=True)\n"
    )
    base = bumped.head()
    bumped.branch("feature")
    bumped.write("README.md", "not an input, changed\n")
    head = bumped.commit("docs")  # every version is right
    merge = merge_commit(bumped, base, "feature")
    command = (sys.executable, "-c", bootstrap, str(home), str(hidden))

    job = run_job(
        github, bumped, "pull_request", pull_request_event(base=base, head=head), sha=merge, command=command
    )

    assert (job.code, job.err) == (0, "")
    assert job.statuses() == {"app": "unchanged", "fw": "unchanged"}
    assert job.annotations == [
        "::warning title=versionbot::no pull-request comment: PyGithub is not installed (github cannot be "
        "imported); pip install 'versionbot[github]'. The check itself is unaffected."
    ]
    assert github.requests == []


# event payloads ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            '{"pull_request": {"number": ' + "7" * 5000 + "}}",
            "the event payload is not JSON: an integer of 5000 digits; at most 30 are read",
        ),
        (
            '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "the event payload is not JSON: nested more than 100 levels deep",
        ),
        ('{"a": NaN}', "the event payload is not JSON: NaN is not JSON"),
        (
            '{"pull_request": {"base": {"sha": ' + "[" * 90 + "]" * 90 + "}}}",
            "pull_request.base.sha must be a commit id, not an array",
        ),
        (
            '{"pull_request": {"base": {"sha": "' + "\\n::error::pwned" * 1000 + '"}}}',
            "pull_request.base.sha must be a commit id, not the string '\\n::error::pwned\\n::error::pwned",
        ),
    ],
    ids=["huge-number", "deep-array", "nan", "deep-value", "long-string"],
)
def test_an_event_payload_ends_in_a_clear_error(
    bumped: GitRepo, tmp_path: Path, payload: str, message: str
) -> None:
    path = tmp_path / "event.json"
    path.write_text(payload)
    env = clean_env(
        GITHUB_EVENT_NAME="pull_request", GITHUB_EVENT_PATH=str(path), GITHUB_REPOSITORY=REPO, GITHUB_SHA=M
    )

    done = bumped.versionbot("ci", env=env)

    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr) < 1000
    assert runner_commands(done.stdout, done.stderr) == [done.stdout.strip()]  # our one annotation


def test_an_unset_github_sha_is_said_so(tmp_path: Path) -> None:
    env = environment(tmp_path, "workflow_dispatch", webhook_example("workflow_dispatch"))
    with pytest.raises(ActionsError, match=r"^GITHUB_SHA is not set; the workflow_dispatch event sets it"):
        select(env, configured_base=None)


# honest messages and bounded waiting ------------------------------------------------------------


def test_a_404_on_get_user_blames_the_api_url(pull: tuple[GitRepo, str, str], github: FakeGitHub) -> None:
    repo, base, head = pull
    merge = merge_commit(repo, base, "feature")
    github.fail_next(1, status=404, method="GET", path="/user", message="Not Found")

    job = run_job(github, repo, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert job.code == 1
    assert job.annotations[-1] == (
        "::warning title=versionbot::no pull-request comment: GET /user answered 404 Not Found: "
        "GITHUB_API_URL does not lead to a GitHub API; it should be https://api.github.com, or "
        "https://HOST/api/v3 on GitHub Enterprise Server. The check itself is unaffected."
    )
    assert "does not exist" not in job.annotations[-1]


def test_a_403_on_listing_comments_is_about_reading(
    pull: tuple[GitRepo, str, str], github: FakeGitHub
) -> None:
    repo, base, head = pull
    merge = merge_commit(repo, base, "feature")
    path = f"/repos/{REPO}/issues/{NUMBER}/comments"
    github.fail_next(1, status=403, method="GET", path=path, message="Resource not accessible by integration")

    job = run_job(github, repo, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert job.code == 1
    assert job.annotations[-1] == (
        f"::warning title=versionbot::no pull-request comment: GET {path} answered 403 Resource not "
        "accessible by integration: the token may not read the pull request's comments: grant the job "
        "`permissions: pull-requests: read` (`write` to comment). The check itself is unaffected."
    )
    assert github.request_lines() == ["GET /user", LIST]


@pytest.mark.parametrize("status", [429, 403])
def test_a_wait_above_the_cap_gives_up_at_once_and_says_when_to_retry(
    pull: tuple[GitRepo, str, str], github: FakeGitHub, status: int
) -> None:
    repo, base, head = pull
    merge = merge_commit(repo, base, "feature")
    github.rate_limit_next(1, status=status, retry_after=3600, method="GET")
    start = time.monotonic()

    job = run_job(github, repo, "pull_request", pull_request_event(base=base, head=head), sha=merge)

    assert time.monotonic() - start < 30  # not an hour, nor three times 60 s
    assert job.code == 1
    assert github.request_lines() == ["GET /user"]
    assert re.fullmatch(
        rf"::warning title=versionbot::no pull-request comment: GET /user answered {status} API rate limit "
        r"exceeded for installation ID 1\.: GitHub's API rate limit is exhausted, and versionbot waits at "
        r"most 60 s for it; run the job again after \d\d:\d\d:\d\d UTC\. The check itself is unaffected\.",
        job.annotations[-1],
    )


def test_an_api_that_never_answers_costs_the_deadline_not_minutes(
    pull: tuple[GitRepo, str, str], github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from versionbot import ci
    from versionbot.github import client as adapter
    from versionbot.workspace import Workspace

    repo, base, head = pull
    merge = merge_commit(repo, base, "feature")
    monkeypatch.setattr(adapter, "TIMEOUT", 1)
    monkeypatch.setattr(adapter, "DEADLINE", 2.0)
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(pull_request_event(base=base, head=head)))
    out = io.StringIO()
    with socket.create_server(("127.0.0.1", 0), backlog=16) as hole:  # connects, then silence
        host = f"127.0.0.1:{hole.getsockname()[1]}"
        environ = {
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_SHA": merge,
            "GITHUB_API_URL": f"http://{host}",
            "GITHUB_TOKEN": github.token,
        }
        start = time.monotonic()
        passed = ci.run(
            lambda: Workspace.open(repo.path, None),
            config_path=None,
            is_commenting=True,
            environ=environ,
            out=out,
        )
        elapsed = time.monotonic() - start

    assert passed is False
    assert elapsed < 2.0 + 1 + 5  # the deadline, one request's timeout, and the check itself
    warning = out.getvalue().splitlines()[-1]
    assert warning == (
        f"::warning title=versionbot::no pull-request comment: GET /user got no answer from {host} in time "
        "(versionbot gives the comment 3 s at most, 1 s a request); run the job again later, and check "
        "GITHUB_API_URL if this goes on. The check itself is unaffected."
    )
