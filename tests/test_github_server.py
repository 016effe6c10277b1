"""The fake GitHub server and the octokit loaders, driven by PyGithub over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    RateLimitExceededException,
    UnknownObjectException,
)

from tests import octokit
from tests.github_server import (
    BOT_LOGIN,
    FORBIDDEN_MESSAGE,
    JSON,
    PERSONAL_LOGIN,
    PERSONAL_TOKEN,
    FakeGitHub,
    Violation,
    check_no_violations,
    implemented_operations,
)
from tests.octokit import load_openapi_spec, webhook_events, webhook_example

pytest_plugins = ["pytester"]

REPO = "octo/widgets"
HEAD = "a" * 40
BASE = "b" * 40


def client(server: FakeGitHub, token: str | None = None, **options: Any) -> Github:
    return Github(
        auth=Auth.Token(token or server.token),
        base_url=server.url,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        **options,
    )


def raw(
    server: FakeGitHub,
    method: str,
    path: str,
    body: bytes | None = None,
    *,
    auth: str | None = "token",
    content_type: str = "application/json",
) -> tuple[int, dict[str, str], JSON]:
    """One request with urllib (no PyGithub): status, headers, decoded body."""
    request = urllib.request.Request(server.url + path, data=body, method=method)
    if auth is not None:
        request.add_header("Authorization", f"{auth} {server.token}")
    if body is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, headers, payload = (
                response.status,
                dict(response.headers),
                response.read(),
            )
    except urllib.error.HTTPError as error:
        status, headers, payload = error.code, dict(error.headers), error.read()
    return status, headers, json.loads(payload) if payload else None


@pytest.fixture
def seeded(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_repo(REPO)
    fake_github.add_pull(REPO, 7, head_sha=HEAD, base_sha=BASE, head_ref="topic")
    return fake_github


def test_every_implemented_operation_is_in_githubs_description() -> None:
    paths = load_openapi_spec()["paths"]
    for method, template in implemented_operations():
        assert method.lower() in paths.get(template, {}), (method, template)


def test_pygithub_reads_repo_pull_and_paginated_comments(seeded: FakeGitHub) -> None:
    for i in range(75):
        seeded.add_comment(REPO, 7, f"comment {i}", author=f"user{i % 3}")
    gh = client(seeded)

    repo = gh.get_repo(REPO)
    pull = repo.get_pull(7)
    comments = list(pull.get_issue_comments())

    assert (repo.full_name, repo.default_branch) == (REPO, "main")
    assert (pull.number, pull.head.sha, pull.base.sha) == (7, HEAD, BASE)
    assert (pull.head.ref, pull.base.ref, pull.head.repo.full_name) == (
        "topic",
        "main",
        REPO,
    )
    assert [c.body for c in comments] == [f"comment {i}" for i in range(75)]
    assert {(c.user.login, c.user.type) for c in comments} == {
        ("user0", "User"),
        ("user1", "User"),
        ("user2", "User"),
    }
    assert all(c.url.startswith(seeded.url) and c.html_url.startswith(seeded.url) for c in comments)
    assert seeded.request_lines() == [
        "GET /repos/octo/widgets",
        "GET /repos/octo/widgets/pulls/7",
        "GET /repos/octo/widgets/issues/7/comments",
        "GET /repos/octo/widgets/issues/7/comments?page=2",
        "GET /repos/octo/widgets/issues/7/comments?page=3",
    ]
    assert {r.auth_scheme for r in seeded.requests} == {"token"}
    assert all("Authorization" not in r.headers for r in seeded.requests)
    assert pull.get_issue_comments().totalCount == 75  # per_page=1 and the "last" link


def test_pygithub_per_page_and_since(seeded: FakeGitHub) -> None:
    for i in range(5):
        seeded.add_comment(REPO, 7, f"c{i}")
    third = seeded.comments(REPO, 7)[2]
    gh = client(seeded, per_page=2)
    pull = gh.get_repo(REPO).get_pull(7)

    assert [c.body for c in pull.get_issue_comments()] == ["c0", "c1", "c2", "c3", "c4"]
    issue = gh.get_repo(REPO).get_issue(7)
    assert [c.body for c in issue.get_comments(since=third.updated_at)] == [
        "c2",
        "c3",
        "c4",
    ]
    assert "GET /repos/octo/widgets/issues/7/comments?page=3&per_page=2" in seeded.request_lines()


def test_link_header_points_at_the_server(seeded: FakeGitHub) -> None:
    for i in range(75):
        seeded.add_comment(REPO, 7, f"c{i}")
    status, headers, body = raw(seeded, "GET", f"/repos/{REPO}/issues/7/comments?page=2")
    assert status == 200
    assert len(body) == 30
    base = f"{seeded.url}/repos/{REPO}/issues/7/comments"
    assert headers["Link"] == (
        f'<{base}?page=1>; rel="prev", <{base}?page=3>; rel="next", '
        f'<{base}?page=3>; rel="last", <{base}?page=1>; rel="first"'
    )
    status, headers, body = raw(seeded, "GET", f"/repos/{REPO}/issues/7/comments?page=3")
    assert len(body) == 15
    assert 'rel="next"' not in headers["Link"]


def test_create_and_edit_comment(seeded: FakeGitHub) -> None:
    foreign = seeded.add_comment(REPO, 7, "a human wrote this")
    gh = client(seeded)
    pull = gh.get_repo(REPO).get_pull(7)
    seeded.clear_requests()

    created = pull.create_issue_comment("version bump: 1.2.0")
    created.edit("version bump: 1.3.0")

    assert seeded.request_lines() == [
        "POST /repos/octo/widgets/issues/7/comments",
        f"PATCH /repos/octo/widgets/issues/comments/{created.id}",
    ]
    assert [r.body for r in seeded.requests] == [
        {"body": "version bump: 1.2.0"},
        {"body": "version bump: 1.3.0"},
    ]
    assert (created.user.login, created.user.type, created.body) == (
        BOT_LOGIN,
        "Bot",
        "version bump: 1.3.0",
    )
    stored = seeded.comments(REPO, 7)
    assert [(c.user.login, c.body) for c in stored] == [
        ("octocat", "a human wrote this"),
        (BOT_LOGIN, "version bump: 1.3.0"),
    ]
    assert stored[1].updated_at > stored[1].created_at
    assert foreign.body == "a human wrote this"
    assert created.html_url == f"{seeded.url}/{REPO}/pull/7#issuecomment-{created.id}"


def test_get_issue_delete_comment_and_list_pulls(seeded: FakeGitHub) -> None:
    seeded.add_pull(REPO, 8, head_repo="someone/widgets", head_ref="patch-1")
    gh = client(seeded)
    repo = gh.get_repo(REPO)

    issue = repo.get_issue(7)
    assert issue.pull_request is not None
    assert issue.title == "A change"
    comment = issue.create_comment("to be deleted")
    comment.delete()
    assert seeded.comments(REPO, 7) == []

    assert [p.number for p in repo.get_pulls()] == [8, 7]
    forked = list(repo.get_pulls(head="someone:patch-1"))
    assert [p.head.repo.full_name for p in forked] == ["someone/widgets"]


def test_read_only_token_gets_403(seeded: FakeGitHub) -> None:
    existing = seeded.add_comment(REPO, 7, "hello", author=BOT_LOGIN, author_type="Bot")
    seeded.read_only = True
    gh = client(seeded)
    pull = gh.get_repo(REPO).get_pull(7)

    with pytest.raises(GithubException) as created:
        pull.create_issue_comment("nope")
    assert created.value.status == 403
    assert created.value.data["message"] == FORBIDDEN_MESSAGE
    comment = next(iter(pull.get_issue_comments()))
    with pytest.raises(GithubException) as edited:
        comment.edit("changed")
    assert edited.value.status == 403
    assert [c.body for c in seeded.comments(REPO, 7)] == [existing.body]


def test_an_installation_token_may_not_read_get_user(fake_github: FakeGitHub) -> None:
    assert fake_github.token.startswith("ghs_")  # what an Actions GITHUB_TOKEN looks like
    assert fake_github.is_installation_token
    gh = client(fake_github)
    with pytest.raises(GithubException) as error:
        gh.get_user().login  # noqa: B018 - the lazy user is fetched on attribute access
    assert error.value.status == 403
    assert error.value.data["message"] == FORBIDDEN_MESSAGE
    assert error.value.data["documentation_url"].endswith("#get-the-authenticated-user")
    # ... and it still acts as its bot everywhere else
    fake_github.add_repo(REPO)
    fake_github.add_pull(REPO, 7)
    created = gh.get_repo(REPO).get_issue(7).create_comment("hello")
    assert (created.user.login, created.user.type) == (BOT_LOGIN, "Bot")


def test_a_personal_token_reads_its_user() -> None:
    with FakeGitHub(PERSONAL_TOKEN) as server:
        assert not server.is_installation_token
        user = client(server).get_user()
        assert (user.login, user.type) == (PERSONAL_LOGIN, "User")
        assert server.request_lines() == ["GET /user"]
        assert [r.status for r in server.requests] == [200]
    check_no_violations(server)


def test_authentication(seeded: FakeGitHub) -> None:
    with pytest.raises(BadCredentialsException):
        client(seeded, token="wrong").get_repo(REPO)
    assert raw(seeded, "GET", f"/repos/{REPO}", auth=None)[0] == 401
    assert raw(seeded, "GET", f"/repos/{REPO}", auth="Bearer")[0] == 200
    assert [r.auth_scheme for r in seeded.requests] == ["token", None, "Bearer"]


def test_missing_objects_are_404(seeded: FakeGitHub) -> None:
    gh = client(seeded)
    with pytest.raises(UnknownObjectException):
        gh.get_repo("octo/nothing")
    with pytest.raises(UnknownObjectException):
        gh.get_repo(REPO).get_pull(99)


def test_fail_next_injects_server_errors(seeded: FakeGitHub) -> None:
    gh = client(seeded)
    pull = gh.get_repo(REPO).get_pull(7)
    seeded.fail_next(1, status=502)
    with pytest.raises(GithubException) as error:
        pull.create_issue_comment("first try")
    assert error.value.status == 502
    assert seeded.comments(REPO, 7) == []

    seeded.fail_next(2, status=503, method="POST")
    assert pull.number == gh.get_repo(REPO).get_pull(7).number  # GETs are unaffected
    for _ in range(2):
        with pytest.raises(GithubException):
            pull.create_issue_comment("again")
    pull.create_issue_comment("third time lucky")
    assert [c.body for c in seeded.comments(REPO, 7)] == ["third time lucky"]


def test_a_lost_answer_to_a_retried_write_duplicates_it(seeded: FakeGitHub) -> None:
    # PyGithub's default retry (GithubRetry) re-sends a POST that answered 502; if GitHub had
    # created the comment before the answer was lost, the comment now exists twice.
    gh = Github(
        auth=Auth.Token(seeded.token),
        base_url=seeded.url,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    pull = gh.get_repo(REPO).get_pull(7)
    seeded.fail_next(1, status=502, method="POST", processed=True)
    pull.create_issue_comment("once")
    assert [r.status for r in seeded.requests if r.method == "POST"] == [502, 201]
    assert [c.body for c in seeded.comments(REPO, 7)] == ["once", "once"]


@pytest.mark.parametrize("status", [403, 429])
def test_rate_limit_answers(seeded: FakeGitHub, status: int) -> None:
    gh = client(seeded)
    seeded.rate_limit_next(1, status=status, retry_after=30)
    with pytest.raises(GithubException) as error:
        gh.get_repo(REPO)
    assert error.value.status == status
    headers = {k.lower(): v for k, v in (error.value.headers or {}).items()}
    assert headers["x-ratelimit-remaining"] == "0"
    assert headers["retry-after"] == "30"
    if status == 403:  # PyGithub tells a primary rate limit from a permission error
        assert isinstance(error.value, RateLimitExceededException)
    assert gh.get_repo(REPO).full_name == REPO  # only the next request was limited


def test_request_violations_are_recorded(seeded: FakeGitHub) -> None:
    path = f"/repos/{REPO}/issues/7/comments"
    status, _, body = raw(seeded, "POST", path, b"{}")
    assert status == 422
    assert body["message"].startswith("Invalid request")
    assert raw(seeded, "POST", path, b"")[0] in (400, 422)  # no body at all
    assert raw(seeded, "POST", path, b'{"body": 3}')[0] == 422
    assert raw(seeded, "POST", path, b"{oops")[0] == 400
    assert raw(seeded, "GET", f"{path}?per_page=lots")[0] == 422
    assert raw(seeded, "GET", f"{path}?sort=created")[0] == 422  # not a parameter there
    assert raw(seeded, "GET", "/repos/octo/widgets/no-such-thing")[0] == 404
    assert raw(seeded, "PUT", f"/repos/{REPO}")[0] == 404
    assert raw(seeded, "GET", "/rate_limit")[0] == 404  # real, but not implemented

    violations = seeded.take_violations()
    assert [v.kind for v in violations] == ["request"] * 8 + ["unimplemented"]
    assert "'body' is a required property" in violations[0].message
    assert "['sort']" in violations[5].message
    assert seeded.comments(REPO, 7) == []
    assert seeded.violations == []


def test_response_validation_catches_a_malformed_answer(
    seeded: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = FakeGitHub._comment_json

    def broken(self: FakeGitHub, comment: Any) -> dict[str, JSON]:
        data = original(self, comment)
        del data["user"]
        return data

    monkeypatch.setattr(FakeGitHub, "_comment_json", broken)
    raw(seeded, "POST", f"/repos/{REPO}/issues/7/comments", b'{"body": "x"}')
    violations = seeded.take_violations()
    assert [v.kind for v in violations] == ["response"]
    assert "'user' is a required property" in violations[0].message


def test_a_crash_in_the_fake_is_a_violation(seeded: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(self: FakeGitHub, comment: Any) -> dict[str, JSON]:
        raise RuntimeError("boom")

    monkeypatch.setattr(FakeGitHub, "_comment_json", crash)
    assert raw(seeded, "POST", f"/repos/{REPO}/issues/7/comments", b'{"body": "x"}')[0] == 500
    (violation,) = seeded.take_violations()
    assert violation.kind == "server-error"
    assert "boom" in violation.message


def test_leftover_violations_fail_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["tests.github_server"]')
    pytester.makepyfile(
        """
        import urllib.error, urllib.request

        def test_sends_a_bad_request(fake_github):
            request = urllib.request.Request(fake_github.url + "/nowhere")
            try:
                urllib.request.urlopen(request, timeout=10)
            except urllib.error.HTTPError as error:
                assert error.code == 404

        def test_clean(fake_github):
            assert fake_github.violations == []
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*FakeGitHub recorded 1 violation(s)*", "*GET /nowhere*"])


def test_check_no_violations() -> None:
    server = FakeGitHub()
    check_no_violations(server)
    server.violations.append(Violation("request", "GET", "/x", "made up"))
    with pytest.raises(pytest.fail.Exception, match=r"\[request\] GET /x: made up"):
        check_no_violations(server)


def test_env(fake_github: FakeGitHub) -> None:
    assert fake_github.env(REPO) == {
        "GITHUB_API_URL": fake_github.url,
        "GITHUB_TOKEN": fake_github.token,
        "GITHUB_REPOSITORY": REPO,
    }


def test_webhook_examples() -> None:
    pull = webhook_example("pull_request", "synchronize")
    assert pull["action"] == "synchronize"
    assert len(pull["pull_request"]["base"]["sha"]) == 40
    assert len(pull["pull_request"]["head"]["sha"]) == 40

    group = webhook_example("merge_group", "checks_requested")
    assert len(group["merge_group"]["base_sha"]) == 40
    assert len(group["merge_group"]["head_sha"]) == 40

    push = webhook_example("push")
    assert len(push["before"]) == 40
    assert len(push["after"]) == 40
    assert "action" not in push

    push["before"] = "mutated"
    assert webhook_example("push")["before"] != "mutated"  # a deep copy each time
    assert {"pull_request", "merge_group", "push"} <= set(webhook_events())
    with pytest.raises(LookupError):
        webhook_example("pull_request", "no-such-action")
    with pytest.raises(LookupError):
        webhook_example("no_such_event")


def test_missing_npm_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(octokit, "CACHE_DIR", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm there
    with pytest.raises(RuntimeError, match="npm"):
        octokit.fetch(octokit.WEBHOOKS_FILE)
    assert not octokit.WEBHOOKS_FILE.cached_path.exists()


def test_integrity_mismatch_is_refused(tmp_path: Path) -> None:
    tarball = tmp_path / "package.tgz"
    tarball.write_bytes(b"not the pinned tarball")
    with pytest.raises(RuntimeError, match="integrity"):
        octokit._check_integrity(tarball, octokit.WEBHOOKS_INTEGRITY)
