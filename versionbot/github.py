"""The only module that talks to PyGithub: the API client and the sticky pull-request comment.

Retries. Reads (GET) are retried by the transport (urllib3, through PyGithub's `GithubRetry`) on 5xx
answers, 429 and rate limits: `READ_RETRIES` times, each wait at most `MAX_WAIT` seconds. Writes are
never retried by the transport. An edit (PATCH) is retried here, since sending the same body twice is
harmless; a create (POST) is retried only after listing the comments again shows that it did not land,
so an answer lost after GitHub created the comment never leads to a second comment.

Identity. The sticky comment is the first comment that starts with the hidden marker and was written by
the token's own identity: the login `GET /user` answers for a personal access token. An Actions
`GITHUB_TOKEN` (an app installation token) may not read `GET /user` (403); its comments are written by a
bot (`github-actions[bot]`, or the app's own bot), so then the first marked comment by any Bot is ours.
People's comments are never touched, even when they quote the marker.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import time
from collections.abc import Callable
from typing import Any

import requests
from github import Auth, Github, GithubException, GithubRetry, RateLimitExceededException, set_log_level
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.NamedUser import NamedUser
from github.Organization import Organization

from versionbot import __version__
from versionbot.errors import VersionbotError

READ_RETRIES = 3
WRITE_ATTEMPTS = 3
MAX_WAIT = 60.0  # seconds: the longest single wait for a rate limit, a Retry-After or a backoff
TIMEOUT = 30  # seconds per request


_Author = NamedUser | Organization | None  # a comment's `user`


class GitHubError(VersionbotError):
    """GitHub refused or failed a request; the message says which and what to do."""


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    NOT_NEEDED = "not needed"  # nothing to explain and no comment to correct


class _ReadRetry(GithubRetry):
    """PyGithub's retry policy for GET requests, with a server's Retry-After capped at MAX_WAIT."""

    def parse_retry_after(self, retry_after: str) -> float:
        return min(float(super().parse_retry_after(retry_after)), MAX_WAIT)


def connect(api_url: str, token: str) -> Github:
    """A client for `api_url` (GitHub, or GitHub Enterprise's `https://HOST/api/v3`)."""
    # PyGithub logs at INFO to stderr by default ("Request GET /user failed with 403" for every
    # Actions token): the step's log shows our own warnings instead.
    set_log_level(logging.WARNING)
    retry = _ReadRetry(
        total=READ_RETRIES,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=[429, *range(500, 600)],  # GithubRetry adds 403, retried for rate limits only
        backoff_factor=1.0,
        backoff_max=MAX_WAIT,
        max_rate_limit_wait=MAX_WAIT,
        secondary_rate_wait=MAX_WAIT,
        raise_on_status=False,  # give up with GitHub's own answer, not urllib3's MaxRetryError
    )
    return Github(
        auth=Auth.Token(token),
        base_url=api_url.rstrip("/"),
        timeout=TIMEOUT,
        user_agent=f"versionbot/{__version__}",
        per_page=100,
        retry=retry,
        lazy=True,  # no request for objects we only need the URLs of (the repository, the issue)
        # A run makes a handful of requests and at most two writes: no pacing needed.
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def keep_sticky_comment(
    client: Github, repository: str, number: int, body: str, *, marker: str, is_needed: bool
) -> Outcome:
    """Create, update or leave alone the one comment of pull request `number` that starts with
    `marker`. Without such a comment, one is created only when `is_needed`."""
    issue = client.get_repo(repository).get_issue(number)
    stage = "reading the token's identity"
    try:
        is_ours = _ownership(client)
        stage = "listing the pull request's comments"
        existing = _find(issue, marker, is_ours)
        if existing is None:
            if not is_needed:
                return Outcome.NOT_NEEDED
            stage = "creating the comment"
            _create(issue, body, lambda: _find(issue, marker, is_ours))
            return Outcome.CREATED
        if _normal(existing.body) == _normal(body):
            return Outcome.UNCHANGED
        stage = f"editing comment {existing.id}"
        _edit(existing, body)
        return Outcome.UPDATED
    except (GithubException, requests.RequestException) as error:
        raise GitHubError(f"{stage} on {repository}#{number} failed: {_explain(error)}") from None


def _ownership(client: Github) -> Callable[[_Author], bool]:
    try:
        login = client.get_user().login.lower()
    except GithubException as error:
        if error.status != 403:
            raise
        return lambda user: user is not None and user.type == "Bot"
    return lambda user: user is not None and user.login.lower() == login


def _find(issue: Issue, marker: str, is_ours: Callable[[_Author], bool]) -> IssueComment | None:
    for comment in issue.get_comments():  # every page
        if (comment.body or "").lstrip().startswith(marker) and is_ours(comment.user):
            return comment
    return None


def _normal(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _create(issue: Issue, body: str, find: Callable[[], IssueComment | None]) -> None:
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            issue.create_comment(body)
            return
        except (GithubException, requests.RequestException) as error:
            if attempt == WRITE_ATTEMPTS or not _is_transient(error):
                raise
            _pause(error, attempt)
            if find() is not None:  # the answer was lost, not the comment: never post twice
                return


def _edit(comment: IssueComment, body: str) -> None:
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            comment.edit(body)
            return
        except (GithubException, requests.RequestException) as error:
            if attempt == WRITE_ATTEMPTS or not _is_transient(error):
                raise
            _pause(error, attempt)


def _is_transient(error: Exception) -> bool:
    if isinstance(error, (requests.ConnectionError, requests.Timeout, RateLimitExceededException)):
        return True
    return isinstance(error, GithubException) and (error.status == 429 or error.status >= 500)


def _pause(error: Exception, attempt: int) -> None:
    """Wait as GitHub asks (Retry-After, the rate limit's reset), else back off 1 s, 2 s, ...;
    refuse to wait longer than MAX_WAIT."""
    headers = _headers(error)
    seconds = float(2 ** (attempt - 1))
    if headers.get("retry-after", "").strip().isdigit():
        seconds = float(headers["retry-after"])
    elif headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
        reset = dt.datetime.fromtimestamp(int(headers["x-ratelimit-reset"]), dt.timezone.utc)
        seconds = max((reset - dt.datetime.now(dt.timezone.utc)).total_seconds() + 1, 0.0)
    if seconds > MAX_WAIT:
        raise error
    time.sleep(seconds)


def _headers(error: Exception) -> dict[str, str]:
    raw: Any = error.headers if isinstance(error, GithubException) else None
    return {str(key).lower(): str(value) for key, value in (raw or {}).items()}


def _explain(error: Exception) -> str:
    if not isinstance(error, GithubException):
        return f"{type(error).__name__}: {error}"
    data = error.data
    message = data.get("message") if isinstance(data, dict) else data
    what = f"{error.status} {message}".strip()
    if isinstance(error, RateLimitExceededException) or error.status == 429:
        return f"{what}: the API rate limit is exhausted; rerun the job later"
    if error.status == 403:
        return (
            f"{what}: the token may not write comments; pull requests from forks get a read-only "
            "GITHUB_TOKEN, elsewhere grant the job `permissions: pull-requests: write`"
        )
    if error.status == 401:
        return f"{what}: the token was rejected; check the action's `github-token` input"
    if error.status == 404:
        return f"{what}: the pull request does not exist or the token cannot see it"
    return what
