"""The API client: a PyGithub connection that checks its token and URL, retries reads and writes
within a deadline, and waits only as long as GitHub asks and the deadline allows. See __init__.py."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from github import Auth, Github, GithubException, GithubRetry, RateLimitExceededException, set_log_level
from urllib3.exceptions import MaxRetryError

from versionbot import __version__
from versionbot.errors import VersionbotError

READ_RETRIES = 3
WRITE_ATTEMPTS = 3
MAX_WAIT = 60.0  # seconds: the longest single wait for a rate limit, a Retry-After or a backoff
TIMEOUT = 10  # seconds: to connect, and of silence within an answer
DEADLINE = 40.0  # seconds after which no request is retried and nothing waited for
API_URL_EXAMPLE = "https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server"


class GitHubError(VersionbotError):
    """GitHub refused or failed a request; the message says which and what to do."""


@dataclass(frozen=True)
class Deadline:
    seconds: float
    timeout: int  # of each request
    start: float = field(default_factory=time.monotonic)
    what: str = "the comment"  # what the requests are for, in messages

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.start)

    def allows(self, wait: float) -> bool:
        """Whether a wait of `wait` seconds, then another request, may start now."""
        return wait <= MAX_WAIT and wait < self.remaining()

    def describe(self) -> str:
        most = self.seconds + self.timeout
        return f"versionbot gives {self.what} {most:.0f} s at most, {self.timeout} s a request"


@dataclass(frozen=True)
class Client:
    """A PyGithub client that retries and waits only until its deadline."""

    github: Github
    host: str
    deadline: Deadline


class _ReadRetry(GithubRetry):
    """PyGithub's retry policy for GET requests, giving up instead of waiting longer than MAX_WAIT
    or past the deadline."""

    def __init__(self, *, deadline: Deadline, **kwargs: Any) -> None:
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


def connect(api_url: str, token: str, *, what: str = "the comment") -> Client:
    """A client for `api_url` (GitHub, or GitHub Enterprise's `https://HOST/api/v3`) that gives up
    `DEADLINE + TIMEOUT` seconds from now at the latest."""
    _check_token(token)
    base_url = _check_api_url(api_url)
    # PyGithub logs at INFO to stderr by default ("Request GET /user failed with 403" for every
    # Actions token), and urllib3 warns of every retry: the step's log shows our own messages instead.
    set_log_level(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    limit = Deadline(DEADLINE, TIMEOUT, what=what)
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


def write(
    send: Callable[[], object], deadline: Deadline, *, has_landed: Callable[[], bool] | None = None
) -> None:
    """Send a write, and again after a transient failure; when `has_landed` says a lost answer's
    write arrived all the same, not again (a comment is never posted twice)."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            send()
            return
        except (GithubException, requests.RequestException) as error:
            if attempt == WRITE_ATTEMPTS or not is_transient(error):
                raise
            _pause(error, attempt, deadline)
            if has_landed is not None and has_landed():
                return


def is_transient(error: Exception) -> bool:
    if isinstance(error, (requests.ConnectionError, requests.Timeout, RateLimitExceededException)):
        return True
    return isinstance(error, GithubException) and (error.status == 429 or error.status >= 500)


def _pause(error: Exception, attempt: int, deadline: Deadline) -> None:
    """Wait as GitHub asks (Retry-After, the rate limit's reset), else back off 1 s, 2 s, ...;
    refuse to wait longer than MAX_WAIT or past the deadline (then `error` stands)."""
    seconds = _header_wait(headers_of(error))
    if seconds is None:
        seconds = float(2 ** (attempt - 1))
    if not deadline.allows(seconds):
        raise error
    time.sleep(seconds)


def _header_wait(headers: dict[str, str]) -> float | None:
    """The seconds GitHub asks to wait before the next request, or None when it asks nothing."""
    now = dt.datetime.now(dt.timezone.utc)
    moment = retry_moment(headers, now=now)
    return None if moment is None else max((moment - now).total_seconds(), 0.0)


def retry_moment(headers: dict[str, str], *, now: dt.datetime) -> dt.datetime | None:
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


def headers_of(error: Exception) -> dict[str, str]:
    raw: Any = error.headers if isinstance(error, GithubException) else None
    return {str(key).lower(): str(value) for key, value in (raw or {}).items()}


# messages ----------------------------------------------------------------------------------------
