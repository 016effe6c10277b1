"""A local, stateful stand-in for the parts of GitHub's REST API a pull-request bot uses.

``FakeGitHub`` runs an ``http.server.ThreadingHTTPServer`` on ``127.0.0.1`` (port 0)
in a daemon thread, so tests drive the real client (PyGithub) over real sockets::

    with FakeGitHub() as server:
        server.add_repo("octo/widgets")
        server.add_pull("octo/widgets", 7, head_sha="a" * 40, base_sha="b" * 40)
        gh = Github(auth=Auth.Token(server.token), base_url=server.url, retry=None)
        gh.get_repo("octo/widgets").get_pull(7).create_issue_comment("hi")
        assert server.comments("octo/widgets", 7)[0].body == "hi"

Every request is recorded (``server.requests``) and validated against GitHub's
official OpenAPI description (``tests/octokit.py``) with openapi-core: a request
GitHub's description does not allow (unknown path or method, bad parameters,
bad body, undeclared query parameters) is answered 404/422 (400 for broken JSON)
and recorded in ``server.violations``, and so is a documented endpoint the fake
does not implement. Every 2xx answer the fake gives is validated against the
same description too, so its responses stay GitHub-shaped (a mismatch is a
``response`` violation). The ``fake_github`` fixture fails the test at teardown
when anything was recorded in ``violations``; a test that provokes violations
on purpose takes them with ``server.take_violations()``.

Tokens are told apart as GitHub tells them, by their prefix. An installation
token (``ghs_``, what an Actions ``GITHUB_TOKEN`` is; the default) acts as a
bot, ``github-actions[bot]``, and ``GET /user`` answers it 403 "Resource not
accessible by integration". A personal access token (``ghp_``, ``github_pat_``)
acts as a user, ``octodev``, whom ``GET /user`` describes.

Faults: ``read_only`` (writes answer 403 "Resource not accessible by
integration", as a fork pull request's GITHUB_TOKEN does), ``fail_next()``
(5xx answers, or any status) and ``rate_limit_next()`` (403/429 with
``x-ratelimit-remaining: 0`` and ``retry-after``). ``before_next()`` runs a
callback just before a request is handled (another push landing meanwhile).

Git Data. A repository added with ``git_dir`` (a real bare repository) answers
the Git Data endpoints from it with the git CLI: blobs, trees and commits are
written into its object database, and ``PATCH .../git/refs/{ref}`` moves its
branch only as a fast-forward unless ``force`` is set, as GitHub does; tests
then clone or fetch that repository and look at what was pushed with git.
Commits made through the API are signed by GitHub and shown as verified.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import http.server
import json
import re
import socket
import subprocess
import tempfile
import threading
import traceback
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import pytest
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.exceptions import OpenAPIError
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.validation.request.exceptions import (
    MissingRequiredRequestBody,
    RequestBodyValidationError,
)
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.octokit import GITHUB_API_SERVER, load_openapi, load_openapi_spec

JSON = Any  # a decoded JSON value
INSTALLATION_TOKEN = "ghs_fakeGitHubTestToken0000000000000000"
PERSONAL_TOKEN = "ghp_fakeGitHubPersonalToken00000000000000"
DEFAULT_TOKEN = INSTALLATION_TOKEN
BOT_LOGIN = "github-actions[bot]"
PERSONAL_LOGIN = "octodev"
BOT_ID = 41898282  # the real id of github-actions[bot]
FORBIDDEN_MESSAGE = "Resource not accessible by integration"
DOCS = "https://docs.github.com/rest"
START_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
ViolationKind = Literal["request", "unimplemented", "response", "server-error"]


# --------------------------------------------------------------------------- state


@dataclass
class User:
    login: str
    id: int
    type: str = "User"  # "User", "Bot" or "Organization"


@dataclass
class Repository:
    owner: User
    name: str
    id: int
    default_branch: str = "main"
    private: bool = False
    fork: bool = False
    created_at: dt.datetime = START_TIME
    git_dir: Path | None = None  # a bare repository the Git Data endpoints read and write

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class Issue:
    """An issue or, with ``pull`` set, the issue side of a pull request."""

    repo: Repository
    number: int
    id: int
    title: str
    body: str | None
    user: User
    state: str = "open"
    locked: bool = False
    created_at: dt.datetime = START_TIME
    updated_at: dt.datetime = START_TIME
    pull: PullRequest | None = None


@dataclass
class PullRequest:
    issue: Issue
    id: int
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    head_repo: Repository
    draft: bool = False
    merged: bool = False
    mergeable: bool | None = True
    mergeable_state: str = "clean"
    merge_commit_sha: str | None = None

    @property
    def number(self) -> int:
        return self.issue.number

    @property
    def repo(self) -> Repository:
        return self.issue.repo


@dataclass
class Comment:
    repo: Repository
    issue_number: int
    id: int
    body: str
    user: User
    created_at: dt.datetime
    updated_at: dt.datetime
    author_association: str = "NONE"


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query string, as sent (percent-encoded)
    query: dict[str, list[str]]
    body: JSON  # decoded JSON; the raw text if it was not JSON; None if empty
    headers: dict[str, str]  # as sent, minus Authorization
    auth_scheme: str | None  # "token", "Bearer", ...: the credential is not kept
    status: int = 0  # the status the fake answered

    @property
    def line(self) -> str:
        query = urllib.parse.urlencode(self.query, doseq=True)
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
    method: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.method} {self.path}: {self.message}"


@dataclass
class _Fault:
    remaining: int
    status: int
    method: str | None
    path: str | None
    headers: dict[str, str]
    body: JSON
    processed: bool = False  # the request takes effect, only its answer is replaced

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (self.path is None or self.path == path)


@dataclass
class _Answer:
    status: int
    body: JSON = None  # None: no body (204)
    headers: dict[str, str] = field(default_factory=dict)


class _HTTPError(Exception):
    def __init__(self, status: int, message: str, docs: str = DOCS) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.docs = docs


# --------------------------------------------------------------------------- spec glue


class _SpecRequest:
    """A request as openapi-core sees it (its ``Request`` protocol)."""

    def __init__(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Headers,
        body: bytes | None,
    ) -> None:
        self.host_url = GITHUB_API_SERVER  # the spec's only server, not ours
        self.path = path
        self.method = method.lower()
        self.body = body
        self.content_type = headers.get("Content-Type", "").lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(query)),
            header=headers,
            cookie=ImmutableMultiDict(),
        )


class _SpecResponse:
    """A response as openapi-core sees it (its ``Response`` protocol)."""

    def __init__(self, status: int, headers: Mapping[str, str], data: bytes) -> None:
        self.status_code = status
        self.headers = Headers(list(headers.items()))
        self.content_type = headers.get("Content-Type", "").lower()
        self.data = data


def _describe(error: BaseException) -> str:
    """A short account of an openapi-core error: the schema errors, not the whole value."""
    cause = error.__cause__
    schema_errors = list(getattr(cause, "schema_errors", ()))
    if schema_errors:
        details = []
        for schema_error in schema_errors:
            where = "/".join(str(p) for p in getattr(schema_error, "absolute_path", ()))
            message = str(getattr(schema_error, "message", schema_error))
            details.append(f"{where or '(top)'}: {_shorten(message)}")
        return f"{type(error).__name__}: " + "; ".join(details)
    parts = [str(error)] + ([str(cause)] if cause is not None else [])
    return _shorten(" | ".join(dict.fromkeys(p for p in parts if p)))


def _shorten(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _declared_query_parameters(spec: Mapping[str, JSON], template: str, method: str) -> set[str]:
    def resolve(item: Mapping[str, JSON]) -> Mapping[str, JSON]:
        ref = item.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            resolved: Mapping[str, JSON] = spec["components"]["parameters"][name]
            return resolved
        return item

    path_item = spec["paths"][template]
    parameters = list(path_item.get("parameters", [])) + list(path_item[method.lower()].get("parameters", []))
    return {str(p["name"]) for p in map(resolve, parameters) if p["in"] == "query"}


# --------------------------------------------------------------------------- routing

Handler = Callable[["FakeGitHub", "_Call"], _Answer]


@dataclass
class _Call:
    method: str
    params: dict[str, str]  # path parameters, percent-decoded
    query: dict[str, list[str]]
    body: JSON
    identity: User

    def query_int(self, name: str, default: int) -> int:
        values = self.query.get(name)
        return int(values[-1]) if values else default

    def query_str(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass(frozen=True)
class _Route:
    method: str
    template: str  # exactly as a key of the spec's ``paths``
    handler: Handler
    pattern: re.Pattern[str]


_ROUTES: list[_Route] = []


def _route(method: str, template: str) -> Callable[[Handler], Handler]:
    # A git reference holds slashes (`heads/feature`), as GitHub's `{ref}` parameters take them.
    regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m[1]}>{'.+' if m[1] == 'ref' else '[^/]+'})", template)

    def register(handler: Handler) -> Handler:
        _ROUTES.append(_Route(method, template, handler, re.compile(f"^{regex}$")))
        return handler

    return register


def implemented_operations() -> list[tuple[str, str]]:
    """``(METHOD, spec path template)`` of every operation the fake implements."""
    return [(r.method, r.template) for r in _ROUTES]


# --------------------------------------------------------------------------- the server


class FakeGitHub:
    """A stateful fake of GitHub's REST API on loopback; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        login: str | None = None,
        user_type: str | None = None,
        validate: bool = True,
    ) -> None:
        self.token = token
        self.validate = validate
        self.read_only = False
        if login is None:
            login = BOT_LOGIN if self.is_installation_token else PERSONAL_LOGIN
        if user_type is None:
            user_type = "Bot" if self.is_installation_token else "User"
        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []
        self._lock = threading.RLock()
        self._users: dict[str, User] = {}
        self._repos: dict[str, Repository] = {}
        self._issues: dict[tuple[int, int], Issue] = {}
        self._comments: dict[int, Comment] = {}
        self._faults: list[_Fault] = []
        self._before: list[tuple[str, str, Callable[[], object]]] = []
        self._next_id = 1000
        self._next_comment_id = 1_000_001
        self._clock = START_TIME
        self.identity = self.user(login, user_type, BOT_ID if login == BOT_LOGIN else None)
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()  # open keep-alive connections
        self.url = ""

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> FakeGitHub:
        if self._httpd is not None:
            return self
        if self.validate:
            load_openapi()  # fail here, not inside a request, when the spec is missing
        handler = type("_BoundHandler", (_RequestHandler,), {"fake": self})
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        with self._lock:  # a client's idle keep-alive connection would keep its thread waiting
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()  # joins every request's thread: none outlives the server
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    @property
    def is_installation_token(self) -> bool:
        """An app installation token, such as an Actions GITHUB_TOKEN: GitHub's prefix ``ghs_``."""
        return self.token.startswith("ghs_")

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def env(self, repository: str | None = None) -> dict[str, str]:
        """Environment variables an Actions step would see, pointing at this server."""
        values = {"GITHUB_API_URL": self.url, "GITHUB_TOKEN": self.token}
        if repository is not None:
            values["GITHUB_REPOSITORY"] = repository
        return values

    # ----------------------------------------------------------------- seeding

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _tick(self) -> dt.datetime:
        """The fake clock: every write moves it on by one second (deterministic)."""
        self._clock += dt.timedelta(seconds=1)
        return self._clock

    def user(self, login: str, type: str = "User", id: int | None = None) -> User:
        """The user ``login``, created on first use."""
        with self._lock:
            known = self._users.get(login.lower())
            if known is None:
                known = User(login, id if id is not None else self._new_id(), type)
                self._users[login.lower()] = known
            return known

    def add_repo(
        self,
        full_name: str,
        *,
        default_branch: str = "main",
        private: bool = False,
        git_dir: Path | None = None,
    ) -> Repository:
        owner, _, name = full_name.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"expected OWNER/NAME, got {full_name!r}")
        with self._lock:
            if full_name.lower() in self._repos:
                raise ValueError(f"repository {full_name} exists")
            repo = Repository(
                self.user(owner),
                name,
                self._new_id(),
                default_branch,
                private,
                False,
                self._tick(),
                git_dir,
            )
            self._repos[full_name.lower()] = repo
            return repo

    def repo(self, full_name: str) -> Repository:
        with self._lock:
            return self._repos[full_name.lower()]

    def _next_number(self, repo: Repository) -> int:
        numbers = [number for (repo_id, number) in self._issues if repo_id == repo.id]
        return max(numbers, default=0) + 1

    def add_issue(
        self,
        full_name: str,
        number: int | None = None,
        *,
        title: str = "An issue",
        body: str | None = None,
        author: str = "octocat",
    ) -> Issue:
        with self._lock:
            repo = self.repo(full_name)
            number = number if number is not None else self._next_number(repo)
            if (repo.id, number) in self._issues:
                raise ValueError(f"{full_name}#{number} exists")
            now = self._tick()
            issue = Issue(repo, number, self._new_id(), title, body, self.user(author), "open")
            issue.created_at = issue.updated_at = now
            self._issues[(repo.id, number)] = issue
            return issue

    def add_pull(
        self,
        full_name: str,
        number: int | None = None,
        *,
        head_sha: str = "1" * 40,
        base_sha: str = "0" * 40,
        head_ref: str = "feature",
        base_ref: str | None = None,
        head_repo: str | None = None,
        title: str = "A change",
        body: str | None = None,
        author: str = "octocat",
        draft: bool = False,
    ) -> PullRequest:
        """Seed pull request ``number`` (next free number if None) in ``full_name``.

        ``head_repo`` names a fork (created if unknown) for a pull request from a fork.
        """
        with self._lock:
            issue = self.add_issue(full_name, number, title=title, body=body, author=author)
            if head_repo is None:
                head = issue.repo
            elif head_repo.lower() in self._repos:
                head = self._repos[head_repo.lower()]
            else:
                head = self.add_repo(head_repo)
                head.fork = True
            pull = PullRequest(
                issue,
                self._new_id(),
                head_ref,
                head_sha,
                base_ref if base_ref is not None else issue.repo.default_branch,
                base_sha,
                head,
                draft,
            )
            issue.pull = pull
            return pull

    def pull(self, full_name: str, number: int) -> PullRequest:
        with self._lock:
            pull = self._issues[(self.repo(full_name).id, number)].pull
            if pull is None:
                raise KeyError(f"{full_name}#{number} is not a pull request")
            return pull

    def add_comment(
        self,
        full_name: str,
        issue_number: int,
        body: str,
        *,
        author: str = "octocat",
        author_type: str = "User",
    ) -> Comment:
        """Seed a comment, by default from another user than the token's identity."""
        with self._lock:
            return self._create_comment(
                self.repo(full_name), issue_number, body, self.user(author, author_type)
            )

    def _create_comment(self, repo: Repository, number: int, body: str, user: User) -> Comment:
        issue = self._issues.get((repo.id, number))
        if issue is None:
            raise KeyError(f"{repo.full_name}#{number} does not exist")
        now = self._tick()
        comment_id = self._next_comment_id
        self._next_comment_id += 1
        association = "OWNER" if user.login.lower() == repo.owner.login.lower() else "NONE"
        comment = Comment(repo, number, comment_id, body, user, now, now, association)
        self._comments[comment_id] = comment
        issue.updated_at = now
        return comment

    def comments(self, full_name: str, issue_number: int) -> list[Comment]:
        """The comments of an issue or pull request, oldest first (live objects)."""
        with self._lock:
            repo = self.repo(full_name)
            return [
                c
                for c in sorted(self._comments.values(), key=lambda c: c.id)
                if c.repo is repo and c.issue_number == issue_number
            ]

    def comment(self, comment_id: int) -> Comment:
        with self._lock:
            return self._comments[comment_id]

    # ----------------------------------------------------------------- inspection

    def request_lines(self) -> list[str]:
        """``"METHOD /path?query"`` of every request so far, in order."""
        with self._lock:
            return [r.line for r in self.requests]

    def take_violations(self) -> list[Violation]:
        """Return the violations so far and forget them (for tests that provoke some)."""
        with self._lock:
            taken, self.violations = self.violations, []
            return taken

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    # ----------------------------------------------------------------- faults

    def fail_next(
        self,
        n: int = 1,
        status: int = 502,
        *,
        method: str | None = None,
        path: str | None = None,
        message: str = "Server Error",
        processed: bool = False,
    ) -> None:
        """Answer the next ``n`` requests (only ``method``/exact ``path`` if given) with ``status``.

        With ``processed=True`` each request takes effect first (a POST creates its comment)
        and only its answer is lost, as when a gateway times out after GitHub did the work:
        a client that retries the write then creates it twice.
        """
        with self._lock:
            body = {"message": message, "documentation_url": DOCS}
            self._faults.append(_Fault(n, status, method, path, {}, body, processed))

    def rate_limit_next(
        self,
        n: int = 1,
        status: int = 403,
        *,
        retry_after: int | None = 60,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``n`` requests as GitHub does when a rate limit is exhausted."""
        with self._lock:
            reset = int(dt.datetime.now(dt.timezone.utc).timestamp()) + (retry_after or 60)
            headers = {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-used": "5000",
                "x-ratelimit-reset": str(reset),
                "x-ratelimit-resource": "core",
            }
            if retry_after is not None:
                headers["retry-after"] = str(retry_after)
            body = {
                "message": "API rate limit exceeded for installation ID 1.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                "status": str(status),
            }
            self._faults.append(_Fault(n, status, method, path, headers, body))

    def before_next(self, method: str, template: str, action: Callable[[], object]) -> None:
        """Run ``action`` just before the next ``method`` request to ``template`` (a route of the
        fake, such as ``/repos/{owner}/{repo}/git/refs/{ref}``) is handled."""
        with self._lock:
            self._before.append((method, template, action))

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.matches(method, path):
                fault.remaining -= 1
                return fault
        return None

    # ----------------------------------------------------------------- request processing

    def _violation(self, kind: ViolationKind, method: str, path: str, message: str) -> None:
        self.violations.append(Violation(kind, method, path, message))

    def _authenticate(self, authorization: str | None) -> User:
        if not authorization:
            raise _HTTPError(401, "Requires authentication")
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() not in ("token", "bearer") or credential.strip() != self.token:
            raise _HTTPError(401, "Bad credentials")
        return self.identity

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], raw_body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Process one HTTP request; returns (status, headers, body). Thread-safe."""
        lookup = Headers(list(headers.items()))  # case-insensitive look-ups
        with self._lock:
            parsed = urllib.parse.urlsplit(target)
            path = parsed.path
            query_pairs = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
            query: dict[str, list[str]] = {}
            for key, value in query_pairs:
                query.setdefault(key, []).append(value)
            body: JSON = None
            body_ok = True
            if raw_body:
                try:
                    body = json.loads(raw_body)
                except ValueError:
                    body, body_ok = raw_body.decode("utf-8", "replace"), False
            recorded_headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            authorization = lookup.get("Authorization")
            scheme = authorization.partition(" ")[0] if authorization else None
            record = RecordedRequest(method, path, query, body, recorded_headers, scheme)
            self.requests.append(record)
            spec_request = _SpecRequest(
                method, _spec_path(method, path), query_pairs, lookup, raw_body or None
            )
            try:
                answer = self._answer(
                    method,
                    path,
                    query=query,
                    body=body,
                    body_ok=body_ok,
                    headers=lookup,
                    spec_request=spec_request,
                )
            except _HTTPError as error:
                answer = _error(error.status, error.message, error.docs)
            except Exception:  # a bug in the fake: answer 500, and the test fails
                self._violation("server-error", method, path, traceback.format_exc())
                answer = _error(500, "FakeGitHub crashed")
            record.status = answer.status
            payload = b"" if answer.body is None else json.dumps(answer.body).encode()
            response_headers = {
                "Content-Type": "application/json; charset=utf-8",
                "X-GitHub-Media-Type": "github.v3; format=json",
                "X-GitHub-Request-Id": f"FAKE:{len(self.requests)}",
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": str(max(0, 5000 - len(self.requests))),
                "x-ratelimit-reset": str(int(dt.datetime.now(dt.timezone.utc).timestamp()) + 3600),
                "x-ratelimit-used": str(len(self.requests)),
                "x-ratelimit-resource": "core",
            }
            if answer.body is None:
                del response_headers["Content-Type"]
            response_headers.update(answer.headers)
            if self.validate and 200 <= answer.status < 300:
                try:
                    load_openapi().validate_response(
                        spec_request,
                        _SpecResponse(answer.status, response_headers, payload),
                    )
                except OpenAPIError as error:
                    self._violation("response", method, path, _describe(error))
            return answer.status, response_headers, payload

    def _answer(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, list[str]],
        body: JSON,
        body_ok: bool,
        headers: Headers,
        spec_request: _SpecRequest,
    ) -> _Answer:
        route, params = _match(method, path)
        if self.validate:
            self._check_request(
                method,
                path,
                route=route,
                query_names=set(query),
                body_ok=body_ok,
                spec_request=spec_request,
            )
        elif not body_ok:
            raise _HTTPError(400, "Problems parsing JSON")
        if route is None:
            self._violation(
                "unimplemented",
                method,
                path,
                "a GitHub endpoint FakeGitHub does not implement",
            )
            raise _HTTPError(404, "Not Found")
        identity = self._authenticate(headers.get("Authorization"))
        fault = self._take_fault(method, path)
        if fault is not None and not fault.processed:
            return _Answer(fault.status, fault.body, dict(fault.headers))
        if self.read_only and method != "GET":
            raise _HTTPError(403, FORBIDDEN_MESSAGE, f"{DOCS}/issues/comments")
        for hook in self._before:
            if hook[0] == method and hook[1] == route.template:
                self._before.remove(hook)
                hook[2]()
                break
        answer = route.handler(self, _Call(method, params, query, body, identity))
        if fault is not None:
            return _Answer(fault.status, fault.body, dict(fault.headers))
        return answer

    def _check_request(
        self,
        method: str,
        path: str,
        *,
        route: _Route | None,
        query_names: set[str],
        body_ok: bool,
        spec_request: _SpecRequest,
    ) -> None:
        """Validate against GitHub's description; record and raise on a violation."""
        api: OpenAPI = load_openapi()
        try:
            api.validate_request(spec_request)
        except (PathNotFound, OperationNotFound) as error:
            self._violation("request", method, path, f"not in GitHub's API: {error}")
            raise _HTTPError(404, "Not Found") from error
        except MissingRequiredRequestBody as error:
            self._violation("request", method, path, _describe(error))
            raise _HTTPError(400, "Problems parsing JSON") from error
        except RequestBodyValidationError as error:
            self._violation("request", method, path, _describe(error))
            if not body_ok:
                raise _HTTPError(400, "Problems parsing JSON") from error
            raise _HTTPError(422, f"Invalid request.\n\n{_describe(error)}") from error
        except OpenAPIError as error:
            self._violation("request", method, path, _describe(error))
            raise _HTTPError(422, f"Invalid request.\n\n{_describe(error)}") from error
        if route is not None:
            # openapi-core lets unknown query parameters through; GitHub ignores them, which
            # hides client bugs (a misspelt `per_page`), so they count as violations here.
            declared = _declared_query_parameters(load_openapi_spec(), route.template, method)
            undeclared = sorted(query_names - declared)
            if undeclared:
                message = f"query parameters {undeclared} are not declared for {route.template}"
                self._violation("request", method, path, message)
                raise _HTTPError(422, message)

    # ----------------------------------------------------------------- JSON shapes

    def _user_json(self, user: User) -> dict[str, JSON]:
        quoted = urllib.parse.quote(user.login, safe="")
        api = f"{self.url}/users/{quoted}"
        if user.type == "Bot" and user.login.endswith("[bot]"):
            html = f"{self.url}/apps/{urllib.parse.quote(user.login[: -len('[bot]')])}"
        else:
            html = f"{self.url}/{quoted}"
        return {
            "login": user.login,
            "id": user.id,
            "node_id": _node_id("U" if user.type == "User" else user.type, user.id),
            "avatar_url": f"{self.url}/avatars/u/{user.id}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": html,
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": user.type,
            "user_view_type": "public",
            "site_admin": False,
        }

    def _repo_json(self, repo: Repository, *, full: bool) -> dict[str, JSON]:
        api = f"{self.url}/repos/{repo.full_name}"
        html = f"{self.url}/{repo.full_name}"
        host = urllib.parse.urlsplit(self.url).netloc
        open_issues = sum(1 for i in self._issues.values() if i.repo is repo and i.state == "open")
        data: dict[str, JSON] = {
            "id": repo.id,
            "node_id": _node_id("R", repo.id),
            "name": repo.name,
            "full_name": repo.full_name,
            "private": repo.private,
            "owner": self._user_json(repo.owner),
            "html_url": html,
            "description": None,
            "fork": repo.fork,
            "url": api,
            **{f"{name}_url": f"{api}/{suffix}" for name, suffix in _REPO_URLS},
            "git_url": f"git://{host}/{repo.full_name}.git",
            "ssh_url": f"git@{host}:{repo.full_name}.git",
            "clone_url": f"{html}.git",
            "svn_url": html,
            "mirror_url": None,
            "homepage": None,
            "language": None,
            "forks_count": 0,
            "forks": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "watchers": 0,
            "size": 0,
            "default_branch": repo.default_branch,
            "open_issues_count": open_issues,
            "open_issues": open_issues,
            "is_template": False,
            "topics": [],
            "has_issues": True,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "visibility": "private" if repo.private else "public",
            "pushed_at": _iso(repo.created_at),
            "created_at": _iso(repo.created_at),
            "updated_at": _iso(repo.created_at),
            "permissions": {
                "admin": False,
                "maintain": False,
                "push": not self.read_only,
                "triage": not self.read_only,
                "pull": True,
            },
            "allow_forking": True,
            "web_commit_signoff_required": False,
            "license": None,
        }
        if full:
            data.update(
                {
                    "network_count": 0,
                    "subscribers_count": 0,
                    "allow_rebase_merge": True,
                    "allow_squash_merge": True,
                    "allow_merge_commit": True,
                    "allow_auto_merge": False,
                    "delete_branch_on_merge": False,
                }
            )
        return data

    def _issue_json(self, issue: Issue) -> dict[str, JSON]:
        repo_api = f"{self.url}/repos/{issue.repo.full_name}"
        api = f"{repo_api}/issues/{issue.number}"
        kind = "pull" if issue.pull is not None else "issues"
        comments = sum(
            1 for c in self._comments.values() if c.repo is issue.repo and c.issue_number == issue.number
        )
        data: dict[str, JSON] = {
            "id": issue.id,
            "node_id": _node_id("I", issue.id),
            "url": api,
            "repository_url": repo_api,
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"{self.url}/{issue.repo.full_name}/{kind}/{issue.number}",
            "number": issue.number,
            "state": issue.state,
            "title": issue.title,
            "body": issue.body,
            "user": self._user_json(issue.user),
            "labels": [],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": issue.locked,
            "active_lock_reason": None,
            "comments": comments,
            "closed_at": None,
            "created_at": _iso(issue.created_at),
            "updated_at": _iso(issue.updated_at),
            "author_association": "NONE",
        }
        if issue.pull is not None:
            html = data["html_url"]
            data["draft"] = issue.pull.draft
            data["pull_request"] = {
                "url": f"{repo_api}/pulls/{issue.number}",
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": None,
            }
        return data

    def _branch_json(self, repo: Repository, ref: str, sha: str) -> dict[str, JSON]:
        return {
            "label": f"{repo.owner.login}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self._user_json(repo.owner),
            "repo": self._repo_json(repo, full=False),
        }

    def _pull_json(self, pull: PullRequest) -> dict[str, JSON]:
        issue = pull.issue
        repo_api = f"{self.url}/repos/{pull.repo.full_name}"
        api = f"{repo_api}/pulls/{pull.number}"
        issue_api = f"{repo_api}/issues/{pull.number}"
        html = f"{self.url}/{pull.repo.full_name}/pull/{pull.number}"
        links = {
            "self": api,
            "html": html,
            "issue": issue_api,
            "comments": f"{issue_api}/comments",
            "review_comments": f"{api}/comments",
            "review_comment": f"{repo_api}/pulls/comments{{/number}}",
            "commits": f"{api}/commits",
            "statuses": f"{repo_api}/statuses/{pull.head_sha}",
        }
        issue_data = self._issue_json(issue)
        return {
            "url": api,
            "id": pull.id,
            "node_id": _node_id("PR", pull.id),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue_api,
            "commits_url": links["commits"],
            "review_comments_url": links["review_comments"],
            "review_comment_url": links["review_comment"],
            "comments_url": links["comments"],
            "statuses_url": links["statuses"],
            "number": pull.number,
            "state": issue.state,
            "locked": issue.locked,
            "title": issue.title,
            "user": self._user_json(issue.user),
            "body": issue.body,
            "labels": [],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": _iso(issue.created_at),
            "updated_at": _iso(issue.updated_at),
            "closed_at": None,
            "merged_at": None,
            "merge_commit_sha": pull.merge_commit_sha,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": self._branch_json(pull.head_repo, pull.head_ref, pull.head_sha),
            "base": self._branch_json(pull.repo, pull.base_ref, pull.base_sha),
            "_links": {name: {"href": href} for name, href in links.items()},
            "author_association": "NONE",
            "auto_merge": None,
            "draft": pull.draft,
            "merged": pull.merged,
            "mergeable": pull.mergeable,
            "rebaseable": pull.mergeable,
            "mergeable_state": pull.mergeable_state,
            "merged_by": None,
            "comments": issue_data["comments"],
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": 1,
            "additions": 0,
            "deletions": 0,
            "changed_files": 0,
        }

    def _comment_json(self, comment: Comment) -> dict[str, JSON]:
        issue = self._issues[(comment.repo.id, comment.issue_number)]
        repo_api = f"{self.url}/repos/{comment.repo.full_name}"
        kind = "pull" if issue.pull is not None else "issues"
        return {
            "id": comment.id,
            "node_id": _node_id("IC", comment.id),
            "url": f"{repo_api}/issues/comments/{comment.id}",
            "html_url": f"{self.url}/{comment.repo.full_name}/{kind}/{comment.issue_number}"
            f"#issuecomment-{comment.id}",
            "issue_url": f"{repo_api}/issues/{comment.issue_number}",
            "body": comment.body,
            "user": self._user_json(comment.user),
            "created_at": _iso(comment.created_at),
            "updated_at": _iso(comment.updated_at),
            "author_association": comment.author_association,
            "performed_via_github_app": None,
            "reactions": {
                "url": f"{repo_api}/issues/comments/{comment.id}/reactions",
                "total_count": 0,
                **dict.fromkeys(_REACTIONS, 0),
            },
        }

    def _private_user_json(self, user: User) -> dict[str, JSON]:
        return {
            **self._user_json(user),
            "user_view_type": "private",
            "name": None,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "public_repos": 0,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": _iso(START_TIME),
            "updated_at": _iso(START_TIME),
            "private_gists": 0,
            "total_private_repos": 0,
            "owned_private_repos": 0,
            "disk_usage": 0,
            "collaborators": 0,
            "two_factor_authentication": False,
        }

    # ----------------------------------------------------------------- lookups for handlers

    def _find_repo(self, call: _Call) -> Repository:
        repo = self._repos.get(f"{call.params['owner']}/{call.params['repo']}".lower())
        if repo is None:
            raise _HTTPError(404, "Not Found", f"{DOCS}/repos/repos#get-a-repository")
        return repo

    def _find_issue(self, call: _Call, key: str = "issue_number") -> Issue:
        repo = self._find_repo(call)
        issue = self._issues.get((repo.id, int(call.params[key])))
        if issue is None:
            raise _HTTPError(404, "Not Found", f"{DOCS}/issues/issues#get-an-issue")
        return issue

    def _find_comment(self, call: _Call) -> Comment:
        repo = self._find_repo(call)
        comment = self._comments.get(int(call.params["comment_id"]))
        if comment is None or comment.repo is not repo:
            raise _HTTPError(404, "Not Found", f"{DOCS}/issues/comments")
        return comment

    def _page(self, call: _Call, path: str, items: list[JSON]) -> _Answer:
        """One page of ``items`` with GitHub's ``Link`` header (first/prev/next/last)."""
        per_page = min(max(call.query_int("per_page", 30), 1), 100)
        page = max(call.query_int("page", 1), 1)
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        others = [(k, v) for k, values in call.query.items() if k != "page" for v in values]

        def link(number: int, rel: str) -> str:
            query = urllib.parse.urlencode([*others, ("page", str(number))])
            return f'<{self.url}{path}?{query}>; rel="{rel}"'

        rels = []
        if page > 1:
            rels += [link(min(page - 1, last), "prev")]
        if page < last:
            rels += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            rels += [link(1, "first")]
        headers = {"Link": ", ".join(rels)} if rels else {}
        return _Answer(200, chunk, headers)


# --------------------------------------------------------------------------- endpoints


@_route("GET", "/user")
def _get_user(server: FakeGitHub, call: _Call) -> _Answer:
    if server.is_installation_token:  # as GitHub answers every GITHUB_TOKEN
        raise _HTTPError(403, FORBIDDEN_MESSAGE, f"{DOCS}/users/users#get-the-authenticated-user")
    return _Answer(200, server._private_user_json(call.identity))


@_route("GET", "/repos/{owner}/{repo}")
def _get_repo(server: FakeGitHub, call: _Call) -> _Answer:
    return _Answer(200, server._repo_json(server._find_repo(call), full=True))


@_route("GET", "/repos/{owner}/{repo}/pulls")
def _list_pulls(server: FakeGitHub, call: _Call) -> _Answer:
    repo = server._find_repo(call)
    state = call.query_str("state") or "open"
    head = call.query_str("head")
    base = call.query_str("base")
    pulls = [
        i.pull
        for i in sorted(server._issues.values(), key=lambda i: -i.number)
        if i.repo is repo and i.pull is not None and state in ("all", i.state)
    ]
    if head is not None:
        pulls = [p for p in pulls if f"{p.head_repo.owner.login}:{p.head_ref}" == head]
    if base is not None:
        pulls = [p for p in pulls if p.base_ref == base]
    path = f"/repos/{repo.full_name}/pulls"
    return server._page(call, path, [server._pull_json(p) for p in pulls])


@_route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}")
def _get_pull(server: FakeGitHub, call: _Call) -> _Answer:
    issue = server._find_issue(call, "pull_number")
    if issue.pull is None:
        raise _HTTPError(404, "Not Found", f"{DOCS}/pulls/pulls#get-a-pull-request")
    return _Answer(200, server._pull_json(issue.pull))


@_route("GET", "/repos/{owner}/{repo}/issues/{issue_number}")
def _get_issue(server: FakeGitHub, call: _Call) -> _Answer:
    return _Answer(200, server._issue_json(server._find_issue(call)))


@_route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
def _list_comments(server: FakeGitHub, call: _Call) -> _Answer:
    issue = server._find_issue(call)
    comments = server.comments(issue.repo.full_name, issue.number)
    since = call.query_str("since")
    if since is not None:
        threshold = dt.datetime.fromisoformat(since.replace("Z", "+00:00"))  # 3.10
        comments = [c for c in comments if c.updated_at >= threshold]
    path = f"/repos/{issue.repo.full_name}/issues/{issue.number}/comments"
    return server._page(call, path, [server._comment_json(c) for c in comments])


@_route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
def _create_comment(server: FakeGitHub, call: _Call) -> _Answer:
    issue = server._find_issue(call)
    body = call.body.get("body") if isinstance(call.body, dict) else None
    if not isinstance(body, str):
        raise _HTTPError(422, 'Invalid request.\n\n"body" wasn\'t supplied.')
    comment = server._create_comment(issue.repo, issue.number, body, call.identity)
    data = server._comment_json(comment)
    return _Answer(201, data, {"Location": str(data["url"])})


@_route("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
def _get_comment(server: FakeGitHub, call: _Call) -> _Answer:
    return _Answer(200, server._comment_json(server._find_comment(call)))


@_route("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
def _edit_comment(server: FakeGitHub, call: _Call) -> _Answer:
    comment = server._find_comment(call)
    body = call.body.get("body") if isinstance(call.body, dict) else None
    if not isinstance(body, str):
        raise _HTTPError(422, 'Invalid request.\n\n"body" wasn\'t supplied.')
    # As on GitHub, a token with write access may edit anyone's comment: tests that care
    # check that foreign comments kept their body.
    comment.body = body
    comment.updated_at = server._tick()
    return _Answer(200, server._comment_json(comment))


@_route("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
def _delete_comment(server: FakeGitHub, call: _Call) -> _Answer:
    comment = server._find_comment(call)
    del server._comments[comment.id]
    return _Answer(204)


# --------------------------------------------------------------------------- Git Data


def _git(
    repo: Repository, *args: str, data: bytes | None = None, env: Mapping[str, str] | None = None
) -> str:
    """The git CLI on the repository's bare git directory; a failure is GitHub's 422."""
    if repo.git_dir is None:
        raise _HTTPError(409, "Git Repository is empty.", f"{DOCS}/git")
    done = subprocess.run(
        ["git", f"--git-dir={repo.git_dir}", *args],
        input=data,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(repo.git_dir), **(env or {})},
        check=False,
    )
    if done.returncode != 0:
        raise _HTTPError(422, f"git {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode()


def _object_type(repo: Repository, sha: str) -> str | None:
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        return None
    try:
        return _git(repo, "cat-file", "-t", sha).strip()
    except _HTTPError:
        return None


def _git_url(server: FakeGitHub, repo: Repository, kind: str, sha: str) -> str:
    return f"{server.url}/repos/{repo.full_name}/git/{kind}/{sha}"


def _tree_json(server: FakeGitHub, repo: Repository, sha: str) -> dict[str, JSON]:
    entries = []
    for line in _git(repo, "ls-tree", "-l", "-z", sha).split("\0"):
        if not line:
            continue
        info, _, path = line.partition("\t")
        mode, kind, object_sha, size = info.split()
        entry: dict[str, JSON] = {"path": path, "mode": mode, "type": kind, "sha": object_sha}
        if kind == "blob":
            entry["size"] = int(size)
        entry["url"] = _git_url(server, repo, "blobs" if kind == "blob" else "trees", object_sha)
        entries.append(entry)
    return {"sha": sha, "url": _git_url(server, repo, "trees", sha), "tree": entries, "truncated": False}


def _commit_json(server: FakeGitHub, repo: Repository, sha: str) -> dict[str, JSON]:
    fields = _git(repo, "show", "-s", "--format=%T%n%P%n%an%n%ae%n%aI%n%cn%n%ce%n%cI%n%B", sha).split("\n", 8)
    tree, parents, a_name, a_email, a_date, c_name, c_email, c_date, message = fields
    signed = "gpgsig" in _git(repo, "cat-file", "commit", sha).split("\n\n", 1)[0]

    def person(name: str, email: str, date: str) -> dict[str, JSON]:
        moment = dt.datetime.fromisoformat(date)
        return {"name": name, "email": email, "date": _iso(moment)}

    return {
        "sha": sha,
        "node_id": _node_id("C", int(sha[:12], 16)),
        "url": _git_url(server, repo, "commits", sha),
        "html_url": f"{server.url}/{repo.full_name}/commit/{sha}",
        "author": person(a_name, a_email, a_date),
        "committer": person(c_name, c_email, c_date),
        "tree": {"sha": tree, "url": _git_url(server, repo, "trees", tree)},
        "message": message.removesuffix("\n"),
        "parents": [
            {
                "sha": parent,
                "url": _git_url(server, repo, "commits", parent),
                "html_url": f"{server.url}/{repo.full_name}/commit/{parent}",
            }
            for parent in parents.split()
        ],
        "verification": {
            "verified": signed,
            "reason": "valid" if signed else "unsigned",
            "signature": "-----BEGIN PGP SIGNATURE-----" if signed else None,
            "payload": f"tree {tree}" if signed else None,
            "verified_at": _iso(START_TIME) if signed else None,
        },
    }


def _ref_json(server: FakeGitHub, repo: Repository, ref: str, sha: str) -> dict[str, JSON]:
    return {
        "ref": f"refs/{ref}",
        "node_id": _node_id("REF", abs(hash(ref)) % (1 << 60)),
        "url": f"{server.url}/repos/{repo.full_name}/git/refs/{ref}",
        "object": {"type": "commit", "sha": sha, "url": _git_url(server, repo, "commits", sha)},
    }


@_route("POST", "/repos/{owner}/{repo}/git/blobs")
def _create_blob(server: FakeGitHub, call: _Call) -> _Answer:
    repo = server._find_repo(call)
    content, encoding = call.body["content"], call.body.get("encoding", "utf-8")
    try:
        data = base64.b64decode(content, validate=True) if encoding == "base64" else content.encode()
    except ValueError:
        raise _HTTPError(422, "Invalid request.\n\ncontent is not valid Base64.") from None
    sha = _git(repo, "hash-object", "-w", "--stdin", data=data).strip()
    return _Answer(201, {"url": _git_url(server, repo, "blobs", sha), "sha": sha})


@_route("POST", "/repos/{owner}/{repo}/git/trees")
def _create_tree(server: FakeGitHub, call: _Call) -> _Answer:
    repo = server._find_repo(call)
    base_tree = call.body.get("base_tree")
    with tempfile.TemporaryDirectory() as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index"), "GIT_WORK_TREE": scratch}
        if base_tree is not None:
            if _object_type(repo, base_tree) != "tree":
                raise _HTTPError(422, "Invalid request.\n\nbase_tree is not a valid tree oid.")
            _git(repo, "read-tree", base_tree, env=index)
        for entry in call.body["tree"]:
            path, mode = entry["path"], entry["mode"]
            if "content" in entry:
                sha = _git(repo, "hash-object", "-w", "--stdin", data=entry["content"].encode()).strip()
            else:
                sha = entry.get("sha")
            if sha is None:  # `sha: null` removes the path
                _git(repo, "update-index", "--force-remove", "--", path, env=index)
                continue
            if _object_type(repo, sha) != entry["type"]:
                raise _HTTPError(422, f"Invalid request.\n\ntree.sha {sha} is not a valid {entry['type']}.")
            _git(repo, "update-index", "--add", "--cacheinfo", f"{mode},{sha},{path}", env=index)
        sha = _git(repo, "write-tree", env=index).strip()
    data = _tree_json(server, repo, sha)
    return _Answer(201, data, {"Location": str(data["url"])})


@_route("GET", "/repos/{owner}/{repo}/git/trees/{tree_sha}")
def _get_tree(server: FakeGitHub, call: _Call) -> _Answer:
    repo = server._find_repo(call)
    if _object_type(repo, call.params["tree_sha"]) != "tree":
        raise _HTTPError(404, "Not Found", f"{DOCS}/git/trees#get-a-tree")
    return _Answer(200, _tree_json(server, repo, call.params["tree_sha"]))


@_route("POST", "/repos/{owner}/{repo}/git/commits")
def _create_commit(server: FakeGitHub, call: _Call) -> _Answer:
    repo = server._find_repo(call)
    tree, parents = call.body["tree"], call.body.get("parents", [])
    if _object_type(repo, tree) != "tree":
        raise _HTTPError(422, "Tree SHA does not exist", f"{DOCS}/git/commits#create-a-commit")
    if any(_object_type(repo, parent) != "commit" for parent in parents):
        raise _HTTPError(422, "Parent SHA does not exist or is not a commit object")
    moment = _iso(server._tick())
    identity = call.identity
    email = f"{identity.id}+{identity.login}@users.noreply.github.com"
    author = call.body.get("author") or {"name": identity.login, "email": email}
    committer = call.body.get("committer") or {"name": "GitHub", "email": "noreply@github.com"}
    env = {
        "GIT_AUTHOR_NAME": author["name"],
        "GIT_AUTHOR_EMAIL": author["email"],
        "GIT_AUTHOR_DATE": author.get("date", moment),
        "GIT_COMMITTER_NAME": committer["name"],
        "GIT_COMMITTER_EMAIL": committer["email"],
        "GIT_COMMITTER_DATE": committer.get("date", moment),
    }
    unsigned = _git(
        repo,
        "commit-tree",
        tree,
        *(f"-p{parent}" for parent in parents),
        data=call.body["message"].encode(),
        env=env,
    ).strip()
    # GitHub signs what it commits for the API's caller: a `gpgsig` header, shown as verified.
    raw = _git(repo, "cat-file", "commit", unsigned)
    header, _, message = raw.partition("\n\n")
    signed = f"{header}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n -----END PGP SIGNATURE-----\n\n{message}"
    sha = _git(repo, "hash-object", "-t", "commit", "-w", "--stdin", data=signed.encode()).strip()
    data = _commit_json(server, repo, sha)
    return _Answer(201, data, {"Location": str(data["url"])})


@_route("GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}")
def _get_commit(server: FakeGitHub, call: _Call) -> _Answer:
    repo = server._find_repo(call)
    if _object_type(repo, call.params["commit_sha"]) != "commit":
        raise _HTTPError(404, "Not Found", f"{DOCS}/git/commits#get-a-commit-object")
    return _Answer(200, _commit_json(server, repo, call.params["commit_sha"]))


def _ref_sha(repo: Repository, ref: str) -> str | None:
    try:
        return _git(repo, "rev-parse", "--verify", "-q", f"refs/{ref}^{{commit}}").strip()
    except _HTTPError:
        return None


@_route("GET", "/repos/{owner}/{repo}/git/ref/{ref}")
def _get_ref(server: FakeGitHub, call: _Call) -> _Answer:
    repo = server._find_repo(call)
    sha = _ref_sha(repo, call.params["ref"])
    if sha is None:
        raise _HTTPError(404, "Not Found", f"{DOCS}/git/refs#get-a-reference")
    return _Answer(200, _ref_json(server, repo, call.params["ref"], sha))


@_route("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}")
def _update_ref(server: FakeGitHub, call: _Call) -> _Answer:
    repo = server._find_repo(call)
    ref, sha, force = call.params["ref"], call.body["sha"], call.body.get("force", False)
    current = _ref_sha(repo, ref)
    if current is None:
        raise _HTTPError(422, "Reference does not exist", f"{DOCS}/git/refs#update-a-reference")
    if _object_type(repo, sha) != "commit":
        raise _HTTPError(422, "Object does not exist", f"{DOCS}/git/refs#update-a-reference")
    is_fast_forward = (
        subprocess.run(
            ["git", f"--git-dir={repo.git_dir}", "merge-base", "--is-ancestor", current, sha], check=False
        ).returncode
        == 0
    )
    if not (force or is_fast_forward):
        raise _HTTPError(422, "Update is not a fast forward", f"{DOCS}/git/refs#update-a-reference")
    _git(repo, "update-ref", f"refs/{ref}", sha, current)
    return _Answer(200, _ref_json(server, repo, ref, sha))


# --------------------------------------------------------------------------- helpers

_REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"]
_REPO_URLS = [
    ("archive", "{archive_format}{/ref}"),
    ("assignees", "assignees{/user}"),
    ("blobs", "git/blobs{/sha}"),
    ("branches", "branches{/branch}"),
    ("collaborators", "collaborators{/collaborator}"),
    ("comments", "comments{/number}"),
    ("commits", "commits{/sha}"),
    ("compare", "compare/{base}...{head}"),
    ("contents", "contents/{+path}"),
    ("contributors", "contributors"),
    ("deployments", "deployments"),
    ("downloads", "downloads"),
    ("events", "events"),
    ("forks", "forks"),
    ("git_commits", "git/commits{/sha}"),
    ("git_refs", "git/refs{/sha}"),
    ("git_tags", "git/tags{/sha}"),
    ("hooks", "hooks"),
    ("issue_comment", "issues/comments{/number}"),
    ("issue_events", "issues/events{/number}"),
    ("issues", "issues{/number}"),
    ("keys", "keys{/key_id}"),
    ("labels", "labels{/name}"),
    ("languages", "languages"),
    ("merges", "merges"),
    ("milestones", "milestones{/number}"),
    ("notifications", "notifications{?since,all,participating}"),
    ("pulls", "pulls{/number}"),
    ("releases", "releases{/id}"),
    ("stargazers", "stargazers"),
    ("statuses", "statuses/{sha}"),
    ("subscribers", "subscribers"),
    ("subscription", "subscription"),
    ("tags", "tags"),
    ("teams", "teams"),
    ("trees", "git/trees{/sha}"),
]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _node_id(prefix: str, number: int) -> str:
    return f"{prefix}_" + base64.b64encode(number.to_bytes(8, "big")).decode().rstrip("=")


def _error(status: int, message: str, docs: str = DOCS) -> _Answer:
    return _Answer(status, {"message": message, "documentation_url": docs, "status": str(status)})


def _spec_path(method: str, path: str) -> str:
    """The path as the OpenAPI validator matches it: a `{ref}` holds slashes on GitHub
    (`heads/feature`), which a path template's parameter cannot, so they are sent encoded."""
    route, params = _match(method, path)
    if route is None or "ref" not in params:
        return path
    found = route.pattern.match(path)
    assert found is not None
    start, end = found.span("ref")
    return path[:start] + path[start:end].replace("/", "%2F") + path[end:]


def _match(method: str, path: str) -> tuple[_Route | None, dict[str, str]]:
    for route in _ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found is not None:
            params = {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
            return route, params
    return None, {}


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    fake: FakeGitHub  # set on the per-server subclass
    # keep-alive, as GitHub; every answer has a Content-Length
    protocol_version = "HTTP/1.1"
    server_version = "FakeGitHub"
    timeout = 30  # an idle keep-alive connection is closed after this

    def setup(self) -> None:
        super().setup()
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake._lock:
            self.fake._connections.discard(self.connection)
        super().finish()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        headers = dict(self.headers.items())
        status, response_headers, payload = self.fake.handle(self.command, self.path, headers, raw_body)
        self.send_response(status)
        for key, value in response_headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the fake records requests itself


# --------------------------------------------------------------------------- pytest


def check_no_violations(server: FakeGitHub) -> None:
    """Fail the running test if ``server`` recorded any violation."""
    if server.violations:
        details = "\n".join(f"  {v}" for v in server.violations)
        count = len(server.violations)
        pytest.fail(
            f"FakeGitHub recorded {count} violation(s) of GitHub's API:\n{details}",
            pytrace=False,
        )


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A started ``FakeGitHub``; the test fails at teardown if any violation was recorded."""
    with FakeGitHub() as server:
        yield server
    check_no_violations(server)
