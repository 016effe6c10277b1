"""`versionbot ci` end to end: real repositories, real webhook payloads, real HTTP to the GitHub fake.

Each job runs the installed CLI in a subprocess with the environment a GitHub Actions step gets:
GITHUB_EVENT_PATH points at a real example payload from @octokit/webhooks-examples whose commit ids
are rewritten to the scratch repository's, and GITHUB_API_URL at the FakeGitHub server, which checks
every request against GitHub's OpenAPI description.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.github_server import PERSONAL_LOGIN, PERSONAL_TOKEN, FakeGitHub, check_no_violations
from tests.gitrepo import GitRepo, clean_env
from tests.octokit import webhook_example
from versionbot import actions, render
from versionbot.actions import ActionsError, Environment, select

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
) -> Job:
    """One `versionbot ci` step, in a fresh job (new output and summary files)."""
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
    done = subprocess.run(
        [sys.executable, "-m", "versionbot", "ci", *args],
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
    assert not [text for text in everything if server.token in text], "the token leaked"
    return job_result


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
            [f"modified {FW_LOCK}"],
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
        "::warning title=versionbot::no pull-request comment: creating the comment on octo/project#8 failed: "
        "403 Resource not accessible by integration: the token may not write comments; pull requests from "
        "forks get a read-only GITHUB_TOKEN, elsewhere grant the job `permissions: pull-requests: write`. "
        "The check itself is unaffected."
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
        f"editing comment {mine.id} on {REPO}#7 failed: 403 Resource not accessible by integration"
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
