"""Every failed request explained: which request, what GitHub answered, and what to do about it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import requests
from github import GithubException, RateLimitExceededException
from urllib3 import exceptions as transport
from urllib3.exceptions import MaxRetryError

from versionbot.github.client import MAX_WAIT, Client, headers_of, retry_moment


@dataclass(frozen=True)
class Request:
    """One request, for messages: what it was, and what a refusal or a 404 means for it."""

    line: str  # "GET /user"
    forbidden: str  # a 403 that is no rate limit
    missing: str  # a 404


def explain(request: Request, error: Exception, client: Client) -> str:
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


def _explain_transport(request: Request, error: Exception, client: Client) -> str:
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
