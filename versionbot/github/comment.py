"""The sticky pull-request comment: found by its marker and its author, created, updated or left
alone, and every failure explained by the request that failed. See __init__.py."""

from __future__ import annotations

import enum
from collections.abc import Callable

import requests
from github import Github, GithubException, RateLimitExceededException
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.NamedUser import NamedUser
from github.Organization import Organization

from versionbot.github.client import API_URL_EXAMPLE, Client, GitHubError, write
from versionbot.github.explain import Request, explain

_Author = NamedUser | Organization | None  # a comment's `user`


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    NOT_NEEDED = "not needed"  # nothing to explain and no comment to correct


_MAY_NOT_WRITE = (
    "the token may not write comments; pull requests from forks get a read-only GITHUB_TOKEN, "
    "elsewhere grant the job `permissions: pull-requests: write`"
)
_NO_PULL_REQUEST = (
    "the pull request does not exist, or the token cannot see it: check GITHUB_REPOSITORY and the "
    "event's pull_request.number, and that the token may read the repository"
)


def _identity() -> Request:
    return Request(
        "GET /user",
        forbidden="the token may not read its own identity",  # handled: an installation token
        missing=f"GITHUB_API_URL does not lead to a GitHub API; it should be {API_URL_EXAMPLE}",
    )


def _listing(repository: str, number: int) -> Request:
    return Request(
        f"GET /repos/{repository}/issues/{number}/comments",
        forbidden="the token may not read the pull request's comments: grant the job "
        "`permissions: pull-requests: read` (`write` to comment)",
        missing=_NO_PULL_REQUEST,
    )


def _creating(repository: str, number: int) -> Request:
    return Request(f"POST /repos/{repository}/issues/{number}/comments", _MAY_NOT_WRITE, _NO_PULL_REQUEST)


def _editing(repository: str, comment_id: int) -> Request:
    return Request(
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
        raise GitHubError(explain(request, error, client)) from None


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
