"""The sticky pull-request comment: found by its marker and its author, created, updated or left
alone, and every failure explained by the request that failed. See __init__.py."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from github import Github, GithubException, RateLimitExceededException
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.NamedUser import NamedUser
from github.Organization import Organization
from urllib3 import exceptions as transport
from urllib3.exceptions import MaxRetryError

from versionbot.github.client import (
    API_URL_EXAMPLE,
    MAX_WAIT,
    Client,
    GitHubError,
    headers_of,
    retry_moment,
    write,
)

_Author = NamedUser | Organization | None  # a comment's `user`


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    NOT_NEEDED = "not needed"  # nothing to explain and no comment to correct


@dataclass(frozen=True)
class _Request:
    """One request, for messages: what it was, and what a refusal or a 404 means for it."""

    line: str  # "GET /user"
    forbidden: str  # a 403 that is no rate limit
    missing: str  # a 404


_MAY_NOT_WRITE = (
    "the token may not write comments; pull requests from forks get a read-only GITHUB_TOKEN, "
    "elsewhere grant the job `permissions: pull-requests: write`"
)
_NO_PULL_REQUEST = (
    "the pull request does not exist, or the token cannot see it: check GITHUB_REPOSITORY and the "
    "event's pull_request.number, and that the token may read the repository"
)


def _identity() -> _Request:
    return _Request(
        "GET /user",
        forbidden="the token may not read its own identity",  # handled: an installation token
        missing=f"GITHUB_API_URL does not lead to a GitHub API; it should be {API_URL_EXAMPLE}",
    )


def _listing(repository: str, number: int) -> _Request:
    return _Request(
        f"GET /repos/{repository}/issues/{number}/comments",
        forbidden="the token may not read the pull request's comments: grant the job "
        "`permissions: pull-requests: read` (`write` to comment)",
        missing=_NO_PULL_REQUEST,
    )


def _creating(repository: str, number: int) -> _Request:
    return _Request(f"POST /repos/{repository}/issues/{number}/comments", _MAY_NOT_WRITE, _NO_PULL_REQUEST)


def _editing(repository: str, comment_id: int) -> _Request:
    return _Request(
        f"PATCH /repos/{repository}/issues/comments/{comment_id}",
        _MAY_NOT_WRITE,
        "the comment was deleted while versionbot ran; run the job again",
    )


def keep_sticky_comment(
    client: Client, repository: str, number: int, body: str, *, marker: str, is_needed: bool
) -> Outcome:
    """Create, update or leave alone the one comment of pull request `number` that starts with
    `marker`. Without such a comment, one is created only when `is_needed`."""
    issue = client.github.get_repo(repository).get_issue(number)
    request = _identity()
    try:
        is_ours = _ownership(client.github)
        request = _listing(repository, number)
        existing = _find(issue, marker, is_ours)
        if existing is None:
            if not is_needed:
                return Outcome.NOT_NEEDED
            request = _creating(repository, number)
            write(
                lambda: issue.create_comment(body),
                client.deadline,
                has_landed=lambda: _find(issue, marker, is_ours) is not None,
            )
            return Outcome.CREATED
        if _normal(existing.body) == _normal(body):
            return Outcome.UNCHANGED
        request = _editing(repository, existing.id)
        write(lambda: existing.edit(body), client.deadline)
        return Outcome.UPDATED
    except (GithubException, requests.RequestException) as error:
        raise GitHubError(_explain(request, error, client)) from None


def _ownership(client: Github) -> Callable[[_Author], bool]:
    try:
        login = client.get_user().login.lower()
    except GithubException as error:
        if error.status != 403 or isinstance(error, RateLimitExceededException):
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


def _explain(request: _Request, error: Exception, client: Client) -> str:
    if not isinstance(error, GithubException):
        return _explain_transport(request, error, client)
    data = error.data
    message = data.get("message") if isinstance(data, dict) else data
    text = " ".join(str(message or "").split())[:200]  # one short line, whatever the server sent
    answered = f"{request.line} answered {error.status} {text}".rstrip()
    moment = retry_moment(headers_of(error), now=dt.datetime.now(dt.timezone.utc))
    is_rate_limit = isinstance(error, RateLimitExceededException) or error.status == 429
    if is_rate_limit or (moment is not None and error.status == 403):
        when = f"after {moment:%H:%M:%S} UTC" if moment is not None else "later"
        return (
            f"{answered}: GitHub's API rate limit is exhausted, and versionbot waits at most "
            f"{MAX_WAIT:.0f} s for it; run the job again {when}"
        )
    if error.status == 401:
        return f"{answered}: the token was rejected; check the action's `github-token` input"
    if error.status == 403:
        return f"{answered}: {request.forbidden}"
    if error.status == 404:
        return f"{answered}: {request.missing}"
    if error.status >= 500:
        return f"{answered}: GitHub could not answer; run the job again later"
    return answered


def _explain_transport(request: _Request, error: Exception, client: Client) -> str:
    reason: Any = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    if isinstance(error, requests.Timeout) or isinstance(reason, transport.TimeoutError):
        return (
            f"{request.line} got no answer from {client.host} in time ({client.deadline.describe()}); "
            "run the job again later, and check GITHUB_API_URL if this goes on"
        )
    cause = type(reason).__name__ if isinstance(reason, Exception) else type(error).__name__
    return (
        f"{request.line} could not reach {client.host} ({cause}); check GITHUB_API_URL, or run the job again"
    )
