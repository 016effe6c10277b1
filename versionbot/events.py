"""What a GitHub Actions job's environment and event ask `versionbot ci` to judge (pure but for
reading the event payload). No network, no PyGithub.

Which commits an event judges (the README explains the choices to users):

- `pull_request`: the test-merge commit `GITHUB_SHA` (what the base branch would become) against
  `pull_request.base.sha` itself; where that commit is not in the checkout (a workflow that checked out
  `pull_request.head.sha`), `pull_request.head.sha` against its merge-base with `pull_request.base.sha`.
- `pull_request_target`: `GITHUB_SHA` is the base branch's tip there, not the pull request, so always
  `pull_request.head.sha` against its merge-base with `pull_request.base.sha`.
- `merge_group`: `merge_group.head_sha` against `merge_group.base_sha` itself.
- `push`: `after` against `before` itself; a new branch (`before` all zeros) against its merge-base with
  the configured `base`, else `origin/<repository.default_branch>`; a deleted branch has nothing to judge.
- `workflow_dispatch`: `GITHUB_SHA` against its merge-base with the `base` input, else as a new branch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from versionbot import safejson
from versionbot.base import BaseSource, choose_base
from versionbot.commits import is_commit_id, is_null
from versionbot.errors import VersionbotError

EVENTS = ("pull_request", "pull_request_target", "merge_group", "push", "workflow_dispatch")
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


class ActionsError(VersionbotError):
    """The Actions environment or the event payload cannot be used."""


@dataclass(frozen=True, kw_only=True)
class Environment:
    """What `versionbot ci` reads from a GitHub Actions job."""

    event_name: str
    event_path: Path
    event: Mapping[str, Any] = field(repr=False)  # untrusted: may be huge or deep
    repository: str  # owner/name of the repository the workflow runs in
    api_url: str
    server_url: str  # GITHUB_SERVER_URL: where people see commits
    sha: str | None  # GITHUB_SHA
    output: Path | None  # GITHUB_OUTPUT
    summary: Path | None  # GITHUB_STEP_SUMMARY
    workspace: Path | None  # GITHUB_WORKSPACE
    # Without surrounding white space: a secret pasted with its newline is still the token, and an
    # HTTP library would refuse it and quote it in its message. Never printed, never logged.
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Environment:
        def required(name: str) -> str:
            value = environ.get(name, "")
            if not value:
                raise ActionsError(
                    f"{name} is not set: `versionbot ci` runs inside GitHub Actions "
                    "(elsewhere use `versionbot check`)"
                )
            return value

        def optional_path(name: str) -> Path | None:
            value = environ.get(name, "")
            return Path(value) if value else None

        event_name = required("GITHUB_EVENT_NAME")
        if event_name not in EVENTS:
            raise ActionsError(
                f"GITHUB_EVENT_NAME is {event_name!r}: `versionbot ci` runs on "
                + ", ".join(EVENTS[:-1])
                + f" or {EVENTS[-1]}; run it from a workflow triggered by one of those"
            )
        event_path = Path(required("GITHUB_EVENT_PATH"))
        return cls(
            event_name=event_name,
            event_path=event_path,
            event=_load_event(event_path),
            repository=required("GITHUB_REPOSITORY"),
            api_url=environ.get("GITHUB_API_URL") or "https://api.github.com",
            server_url=environ.get("GITHUB_SERVER_URL") or "https://github.com",
            sha=environ.get("GITHUB_SHA") or None,
            output=optional_path("GITHUB_OUTPUT"),
            summary=optional_path("GITHUB_STEP_SUMMARY"),
            workspace=optional_path("GITHUB_WORKSPACE"),
            token=environ.get("GITHUB_TOKEN", "").strip() or None,
        )


def _load_event(path: Path) -> Mapping[str, Any]:
    """The event payload: untrusted JSON, so deep nesting, huge numbers, NaN and lone surrogates are
    named errors, not crashes."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ActionsError(
            f"GITHUB_EVENT_PATH {path}: cannot read the event payload: {error.strerror}"
        ) from None
    except UnicodeDecodeError as error:
        raise ActionsError(
            f"GITHUB_EVENT_PATH {path}: the event payload is not UTF-8 (byte {error.start})"
        ) from None
    try:
        data = safejson.loads(text)  # the one bounded reader of untrusted JSON
    except safejson.JSONError as error:
        raise ActionsError(f"GITHUB_EVENT_PATH {path}: the event payload is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise ActionsError(f"GITHUB_EVENT_PATH {path}: the event payload is not a JSON object")
    return data


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """Judge `head` against `base` itself, or (`is_merge_base`) against the merge-base of the two."""

    head: str  # a commit id
    head_label: str  # where it came from, for messages: "GITHUB_SHA", "merge_group.head_sha", ...
    base: str  # a commit id, or with `is_merge_base` any revision
    base_label: str  # where it came from: "pull_request.base.sha", "inputs.base", ...
    is_merge_base: bool


@dataclass(frozen=True, kw_only=True)
class Branch:
    """The branch `ci --fix commit` pushes a fix to, as the event describes it."""

    name: str  # `feature`: pull_request.head.ref, or the pushed refs/heads/NAME
    head: str  # the commit the event saw it at
    is_foreign: bool = False  # in another repository (a fork): never pushed to
    base: str | None = None  # pull_request.base.sha
    base_ref: str | None = None  # pull_request.base.ref


@dataclass(frozen=True, kw_only=True)
class Selection:
    """What one event asks `versionbot ci` to judge."""

    event_name: str
    comparison: Comparison | None  # None: nothing to judge (a deleted branch)
    fallback: Comparison | None = None  # when `comparison.head` is not in the checkout
    pull_number: int | None = None  # the pull request to comment on
    fix_base: str | None = None  # the `--base` of the command that fixes the findings
    branch: Branch | None = None  # where a fix goes (pull_request and push of a branch only)


def select(env: Environment, *, configured_base: str | None) -> Selection:
    """Base and head for the event, as DESIGN.md "Where it runs" says (see the module docstring)."""
    payload = _Payload(env.event_path, env.event)
    name = env.event_name
    if name in PULL_REQUEST_EVENTS:
        base = payload.commit("pull_request.base.sha")
        head = payload.commit("pull_request.head.sha")
        number = payload.integer("pull_request.number")
        base_ref = payload.string("pull_request.base.ref")
        merge_base = Comparison(
            head=head,
            head_label="pull_request.head.sha",
            base=base,
            base_label="pull_request.base.sha",
            is_merge_base=True,
        )
        fix_base = f"origin/{base_ref}"
        if name == "pull_request_target":
            return Selection(event_name=name, comparison=merge_base, pull_number=number, fix_base=fix_base)
        merge = Comparison(
            head=_sha(env),
            head_label="GITHUB_SHA, the test-merge commit",
            base=base,
            base_label="pull_request.base.sha",
            is_merge_base=False,
        )
        branch = Branch(
            name=payload.string("pull_request.head.ref"),
            head=head,
            is_foreign=not _is_own(payload, env.repository),
            base=base,
            base_ref=base_ref,
        )
        return Selection(
            event_name=name,
            comparison=merge,
            fallback=merge_base,
            pull_number=number,
            fix_base=fix_base,
            branch=branch,
        )
    if name == "merge_group":
        base_ref = payload.string("merge_group.base_ref").removeprefix("refs/heads/")
        comparison = Comparison(
            head=payload.commit("merge_group.head_sha"),
            head_label="merge_group.head_sha",
            base=payload.commit("merge_group.base_sha"),
            base_label="merge_group.base_sha",
            is_merge_base=False,
        )
        return Selection(event_name=name, comparison=comparison, fix_base=f"origin/{base_ref}")
    if name == "push":
        after, before = payload.commit_or_null("after"), payload.commit_or_null("before")
        if after is None:
            return Selection(event_name=name, comparison=None)
        ref = payload.get("ref")
        pushed = (
            Branch(name=ref.removeprefix("refs/heads/"), head=after)
            if isinstance(ref, str) and ref.startswith("refs/heads/")
            else None
        )
        if before is not None:
            comparison = Comparison(
                head=after, head_label="after", base=before, base_label="before", is_merge_base=False
            )
            return Selection(event_name=name, comparison=comparison, fix_base=before, branch=pushed)
        return dataclasses.replace(
            _against_default(name, payload, after, "after", configured_base), branch=pushed
        )
    # workflow_dispatch
    head = _sha(env)
    inputs = payload.get("inputs")
    requested = inputs.get("base") if isinstance(inputs, dict) else None
    if requested is not None and (
        not isinstance(requested, str) or any(char.isspace() or not char.isprintable() for char in requested)
    ):
        raise ActionsError(
            f"{env.event_path}: inputs.base must be a revision (a string without white space), "
            f"not {describe(requested)}"
        )
    if requested:
        comparison = Comparison(
            head=head,
            head_label="GITHUB_SHA",
            base=requested,
            base_label="inputs.base",
            is_merge_base=True,
        )
        return Selection(event_name=name, comparison=comparison, fix_base=requested)
    return _against_default(name, payload, head, "GITHUB_SHA", configured_base)


def _is_own(payload: _Payload, repository: str) -> bool:
    """Whether the pull request's head lies in the repository the workflow runs in (and may push
    to): a fork's, a deleted fork's (`head.repo` null) or anything unclear is not."""
    head, base = payload.get("pull_request.head.repo"), payload.get("pull_request.base.repo")
    if not (isinstance(head, dict) and isinstance(base, dict)):
        return False
    names = [side.get("full_name") for side in (head, base)]
    if not all(isinstance(name, str) and name.lower() == repository.lower() for name in names):
        return False
    ids = [side.get("id") for side in (head, base)]
    return ids[0] == ids[1]  # both absent, or the same repository


def _against_default(
    name: str, payload: _Payload, head: str, head_label: str, configured_base: str | None
) -> Selection:
    """A head with no recorded base: judged by the chain `versionbot check` follows (base.py), where
    the payload names the remote's default branch and a fresh checkout has no other branch."""
    choice = choose_base(
        explicit=None,
        configured=configured_base,
        upstream=None,
        remote="origin",
        current_branch=None,
        has_ref=lambda _: False,
        remote_default=lambda remote: f"{remote}/{payload.string('repository.default_branch')}",
    )
    base = choice.ref or head
    label = "the configured base" if choice.source is BaseSource.CONFIG else "the default branch"
    comparison = Comparison(head=head, head_label=head_label, base=base, base_label=label, is_merge_base=True)
    return Selection(event_name=name, comparison=comparison, fix_base=base)


def _sha(env: Environment) -> str:
    if env.sha is None:
        raise ActionsError(f"GITHUB_SHA is not set; the {env.event_name} event sets it to a commit id")
    if not is_commit_id(env.sha):
        raise ActionsError(
            f"GITHUB_SHA is {describe(env.sha)}, not a commit id; the {env.event_name} event sets it"
        )
    return env.sha


def describe(value: Any) -> str:
    """What an untrusted value is, for a message: its type and a short, escaped preview, never all of
    it (it may be megabytes long, nested a thousand deep, or hold line breaks)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        digits = str(value)  # JSON's integers are short enough to convert
        return f"the number {digits}" if len(digits) <= 20 else f"a number of {len(digits)} digits"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        preview = repr(value[:40])  # repr shows line breaks and control characters as escapes
        return f"the string {preview}" + ("..." if len(value) > 40 else "")
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


@dataclass(frozen=True)
class _Payload:
    path: Path
    data: Mapping[str, Any]

    def get(self, key: str) -> Any:
        value: Any = self.data
        for part in key.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value

    def _require(self, key: str) -> Any:
        value = self.get(key)
        if value is None:
            raise ActionsError(f"{self.path}: the event payload has no {key}")
        return value

    def string(self, key: str) -> str:
        value = self._require(key)
        if not isinstance(value, str) or not value:
            raise ActionsError(f"{self.path}: {key} must be a non-empty string, not {describe(value)}")
        return value

    def integer(self, key: str) -> int:
        value = self._require(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ActionsError(f"{self.path}: {key} must be a positive integer, not {describe(value)}")
        return value

    def commit(self, key: str) -> str:
        commit = self.commit_or_null(key)
        if commit is None:
            raise ActionsError(f"{self.path}: {key} is the all-zeros id, which names no commit")
        return commit

    def commit_or_null(self, key: str) -> str | None:
        """A commit id, or None for git's all-zeros id (no commit: a new or a deleted branch)."""
        value = self._require(key)
        if not isinstance(value, str) or not is_commit_id(value):
            raise ActionsError(f"{self.path}: {key} must be a commit id, not {describe(value)}")
        return None if is_null(value) else value
