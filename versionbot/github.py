"""The only module that talks to PyGithub: the API client and the sticky pull-request comment.

Time. Every request times out after `TIMEOUT` seconds (to connect, and between the bytes of an
answer), and no retry or wait starts later than `DEADLINE` seconds after `connect`, so an API that
never answers costs the comment step `DEADLINE + TIMEOUT` seconds at most, not minutes. A wait GitHub
asks for (`Retry-After`, a rate limit's reset) longer than `MAX_WAIT` is not waited for at all: the
step gives up at once and says when to run the job again.

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

Messages. Every failure names the request that failed (`GET /user`, `POST /repos/…/comments`), what
GitHub answered and what to do about it. The token is checked before it is used (no token holds
white space or anything but printable ASCII, and an HTTP library would quote such a one in its error);
no message here quotes it, and the caller redacts every message all the same.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import enum
import logging
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from github import Auth, Github, GithubException, GithubRetry, RateLimitExceededException, set_log_level
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.NamedUser import NamedUser
from github.Organization import Organization
from urllib3 import exceptions as transport
from urllib3.exceptions import MaxRetryError

from versionbot import __version__
from versionbot.errors import VersionbotError

READ_RETRIES = 3
WRITE_ATTEMPTS = 3
MAX_WAIT = 60.0  # seconds: the longest single wait for a rate limit, a Retry-After or a backoff
TIMEOUT = 10  # seconds: to connect, and of silence within an answer
DEADLINE = 40.0  # seconds after which no request is retried and nothing waited for
API_URL_EXAMPLE = "https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server"


_Author = NamedUser | Organization | None  # a comment's `user`


class GitHubError(VersionbotError):
    """GitHub refused or failed a request; the message says which and what to do."""


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    NOT_NEEDED = "not needed"  # nothing to explain and no comment to correct


@dataclass(frozen=True)
class _Deadline:
    seconds: float
    timeout: int  # of each request
    start: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.start)

    def allows(self, wait: float) -> bool:
        """Whether a wait of `wait` seconds, then another request, may start now."""
        return wait <= MAX_WAIT and wait < self.remaining()

    def describe(self) -> str:
        most = self.seconds + self.timeout
        return f"versionbot gives the comment {most:.0f} s at most, {self.timeout} s a request"


@dataclass(frozen=True)
class Client:
    """A PyGithub client that retries and waits only until its deadline."""

    github: Github
    host: str
    deadline: _Deadline


class _ReadRetry(GithubRetry):
    """PyGithub's retry policy for GET requests, giving up instead of waiting longer than MAX_WAIT
    or past the deadline."""

    def __init__(self, *, deadline: _Deadline, **kwargs: Any) -> None:
        self.deadline = deadline
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> _ReadRetry:
        kw["deadline"] = self.deadline
        return super().new(**kw)

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: urllib3.HTTPResponse | None = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> urllib3.Retry:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        wait = _header_wait(dict(response.headers)) if response is not None else None
        if wait is None:
            wait = retry.get_backoff_time()
        if not self.deadline.allows(wait):
            # Give up now: urllib3 then hands back GitHub's own answer (or raises the connection's
            # error), which the message explains.
            raise MaxRetryError(_pool, url or "", error)
        return retry


def connect(api_url: str, token: str) -> Client:
    """A client for `api_url` (GitHub, or GitHub Enterprise's `https://HOST/api/v3`) that gives up
    `DEADLINE + TIMEOUT` seconds from now at the latest."""
    _check_token(token)
    base_url = _check_api_url(api_url)
    # PyGithub logs at INFO to stderr by default ("Request GET /user failed with 403" for every
    # Actions token), and urllib3 warns of every retry: the step's log shows our own messages instead.
    set_log_level(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    limit = _Deadline(DEADLINE, TIMEOUT)
    retry = _ReadRetry(
        deadline=limit,
        total=READ_RETRIES,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=[429, *range(500, 600)],  # GithubRetry adds 403, retried for rate limits only
        backoff_factor=1.0,
        backoff_max=MAX_WAIT,
        max_rate_limit_wait=MAX_WAIT,
        secondary_rate_wait=MAX_WAIT,
        raise_on_status=False,  # give up with GitHub's own answer, not urllib3's MaxRetryError
    )
    try:
        client = Github(
            auth=Auth.Token(token),
            base_url=base_url,
            timeout=TIMEOUT,
            user_agent=f"versionbot/{__version__}",
            per_page=100,
            retry=retry,
            lazy=True,  # no request for objects we only need the URLs of (the repository, the issue)
            # A run makes a handful of requests and at most two writes: no pacing needed.
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
    except (AssertionError, ValueError):  # PyGithub's checks of the URL
        raise _bad_api_url(api_url) from None
    return Client(client, urllib.parse.urlsplit(base_url).netloc, limit)


def _check_token(token: str) -> None:
    if not token or not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
        raise GitHubError(
            "GITHUB_TOKEN holds white space or characters other than printable ASCII, which no GitHub "
            "token does (it is not shown here): check the action's `github-token` input and the secret "
            "it names"
        )


def _check_api_url(api_url: str) -> str:
    try:
        parts = urllib.parse.urlsplit(api_url.strip())
        has_port = parts.port is None or parts.port > 0
    except ValueError:  # a port that is no number, a broken IPv6 address
        raise _bad_api_url(api_url) from None
    if parts.username or parts.password:  # never shown: it may be a credential
        raise GitHubError(f"GITHUB_API_URL holds a user name or password; it should be {API_URL_EXAMPLE}")
    is_plain = not (parts.query or parts.fragment)
    if parts.scheme not in ("http", "https") or not parts.hostname or not has_port or not is_plain:
        raise _bad_api_url(api_url)
    return urllib.parse.urlunsplit(parts).rstrip("/")


def _bad_api_url(api_url: str) -> GitHubError:
    shown = repr(api_url[:100]) + ("..." if len(api_url) > 100 else "")
    return GitHubError(f"GITHUB_API_URL is {shown}, not the URL of a GitHub API ({API_URL_EXAMPLE})")


# the sticky comment ------------------------------------------------------------------------------


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
            _write(
                lambda: issue.create_comment(body),
                client.deadline,
                has_landed=lambda: _find(issue, marker, is_ours) is not None,
            )
            return Outcome.CREATED
        if _normal(existing.body) == _normal(body):
            return Outcome.UNCHANGED
        request = _editing(repository, existing.id)
        _write(lambda: existing.edit(body), client.deadline)
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


def _write(
    send: Callable[[], object], deadline: _Deadline, *, has_landed: Callable[[], bool] | None = None
) -> None:
    """Send a write, and again after a transient failure; when `has_landed` says a lost answer's
    write arrived all the same, not again (a comment is never posted twice)."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            send()
            return
        except (GithubException, requests.RequestException) as error:
            if attempt == WRITE_ATTEMPTS or not _is_transient(error):
                raise
            _pause(error, attempt, deadline)
            if has_landed is not None and has_landed():
                return


def _is_transient(error: Exception) -> bool:
    if isinstance(error, (requests.ConnectionError, requests.Timeout, RateLimitExceededException)):
        return True
    return isinstance(error, GithubException) and (error.status == 429 or error.status >= 500)


def _pause(error: Exception, attempt: int, deadline: _Deadline) -> None:
    """Wait as GitHub asks (Retry-After, the rate limit's reset), else back off 1 s, 2 s, ...;
    refuse to wait longer than MAX_WAIT or past the deadline (then `error` stands)."""
    seconds = _header_wait(_headers(error))
    if seconds is None:
        seconds = float(2 ** (attempt - 1))
    if not deadline.allows(seconds):
        raise error
    time.sleep(seconds)


def _header_wait(headers: dict[str, str]) -> float | None:
    """The seconds GitHub asks to wait before the next request, or None when it asks nothing."""
    now = dt.datetime.now(dt.timezone.utc)
    moment = _retry_moment(headers, now=now)
    return None if moment is None else max((moment - now).total_seconds(), 0.0)


def _retry_moment(headers: dict[str, str], *, now: dt.datetime) -> dt.datetime | None:
    """When GitHub says the next request may be made: its Retry-After (seconds or a date), else the
    reset of an exhausted rate limit; None when it says nothing usable."""
    lowered = {key.lower(): value.strip() for key, value in headers.items()}
    retry_after = lowered.get("retry-after", "")
    if retry_after.isdigit() and len(retry_after) < 10:
        return now + dt.timedelta(seconds=int(retry_after))
    if retry_after:
        try:
            return email.utils.parsedate_to_datetime(retry_after).astimezone(dt.timezone.utc)
        except (TypeError, ValueError):
            pass
    reset = lowered.get("x-ratelimit-reset", "")
    if lowered.get("x-ratelimit-remaining") == "0" and reset.isdigit() and len(reset) < 12:
        return dt.datetime.fromtimestamp(int(reset) + 1, dt.timezone.utc)
    return None


def _headers(error: Exception) -> dict[str, str]:
    raw: Any = error.headers if isinstance(error, GithubException) else None
    return {str(key).lower(): str(value) for key, value in (raw or {}).items()}


# messages ----------------------------------------------------------------------------------------


def _explain(request: _Request, error: Exception, client: Client) -> str:
    if not isinstance(error, GithubException):
        return _explain_transport(request, error, client)
    data = error.data
    message = data.get("message") if isinstance(data, dict) else data
    text = " ".join(str(message or "").split())[:200]  # one short line, whatever the server sent
    answered = f"{request.line} answered {error.status} {text}".rstrip()
    moment = _retry_moment(_headers(error), now=dt.datetime.now(dt.timezone.utc))
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
