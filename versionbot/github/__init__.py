"""The only package that talks to PyGithub: the API client (client.py), the sticky pull-request
comment (comment.py) and commits pushed through the Git Data API (push.py); explain.py words every
failure.

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

from versionbot.github.client import Client, GitHubError, connect
from versionbot.github.comment import Outcome, keep_sticky_comment
from versionbot.github.push import BranchMoved, Pushed, push_commit

__all__ = [
    "BranchMoved",
    "Client",
    "GitHubError",
    "Outcome",
    "Pushed",
    "connect",
    "keep_sticky_comment",
    "push_commit",
]
