"""What a judgement produces (result types only): statuses, changes, findings, plans, unit states.

Renderers, hooks and the Action read these and nothing of the engine that made them.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from versionbot.schemes import Version
from versionbot.versionfile import VersionFile

if sys.version_info >= (3, 11):  # typing_extensions imports `socket`: a tenth of a no-op check
    from typing import assert_never
else:  # pragma: no cover
    from typing_extensions import assert_never


class Status(enum.Enum):
    UNCHANGED = "unchanged"
    BUMPED = "bumped"
    NEW = "new"
    MOVED = "moved"
    REHASHED = "rehashed"
    NEEDS_BUMP = "needs-bump"
    STALE_HASH = "stale-hash"
    UNEXPECTED_BUMP = "unexpected-bump"
    WRONG_VERSION = "wrong-version"
    MISSING_FILE = "missing-file"
    INVALID_FILE = "invalid-file"

    @property
    def is_fine(self) -> bool:
        return self in (Status.UNCHANGED, Status.BUMPED, Status.NEW, Status.MOVED, Status.REHASHED)


class ChangeKind(enum.Enum):
    """Why a fingerprint moved (or, for `eol-only`, did not): a closed set, dispatched exhaustively."""

    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"
    RENAMED = "renamed"  # with `previous`
    EOL_ONLY = "eol-only"  # only line endings changed: shown and ignored
    VALUE = "value"  # with `key`, `before`, `after`
    DEPENDS = "depends"  # with `key` (the unit), `before`, `after`
    MOVED = "moved"  # the version file: `path` now, `previous` before
    RENAMED_UNIT = "renamed-unit"  # with `key` (today's name) and `previous` (the former one)
    PACKAGE = "package"  # a lock file's package `key`, versions `before` and `after`, maybe a `note`
    COSMETIC = "cosmetic"  # a lock file whose bytes changed but not what it installs: ignored
    REHASHED = "rehashed"  # a digest that differs from the record's only by its rules: ignored


@dataclass(frozen=True, kw_only=True)
class Change:
    """One reason a fingerprint moved (or, for `eol-only`, did not)."""

    kind: ChangeKind
    path: str | None = None
    previous: str | None = None  # `renamed`: the old path
    key: str | None = None  # `value`: which value; `depends`: which unit
    before: Any = None  # `value` / `depends` / `package`: old and new
    after: Any = None
    note: str | None = None  # `package`: what changed besides versions; `modified`: how it was read

    def to_json(self) -> dict[str, Any]:
        kind = self.kind
        match kind:
            case ChangeKind.VALUE:
                return {"kind": kind.value, "key": self.key, "from": self.before, "to": self.after}
            case ChangeKind.DEPENDS:
                return {"kind": kind.value, "unit": self.key, "from": self.before, "to": self.after}
            case ChangeKind.RENAMED | ChangeKind.MOVED:
                return {"kind": kind.value, "path": self.path, "from": self.previous}
            case ChangeKind.RENAMED_UNIT:
                return {"kind": kind.value, "unit": self.key, "from": self.previous}
            case ChangeKind.PACKAGE:
                entry = {
                    "kind": kind.value,
                    "path": self.path,
                    "name": self.key,
                    "from": self.before,
                    "to": self.after,
                }
                return entry | ({"note": self.note} if self.note else {})
            case ChangeKind.MODIFIED:
                return {"kind": kind.value, "path": self.path} | ({"note": self.note} if self.note else {})
            case (
                ChangeKind.ADDED
                | ChangeKind.REMOVED
                | ChangeKind.EOL_ONLY
                | ChangeKind.COSMETIC
                | ChangeKind.REHASHED
            ):
                return {"kind": kind.value, "path": self.path}
            case _:
                assert_never(kind)


@dataclass(frozen=True)
class TakenBy:
    """The base's commit that last changed a unit's version file, when the head's file is another."""

    commit: str
    subject: str

    def to_json(self) -> dict[str, str]:
        return {"commit": self.commit, "subject": self.subject}


@dataclass(frozen=True, kw_only=True)
class Finding:
    unit: str
    status: Status
    version_file: str
    base_version: Version | None
    recorded_version: Version | None
    expected: VersionFile  # what the version file should hold
    changes: tuple[Change, ...]
    message: str
    is_writable: bool = True  # False for a file from a newer versionbot: never rewritten
    taken_by: TakenBy | None = None  # the base's commit that took the number the head holds
    deploy: str | None = None  # the deploy name at the expected version

    @property
    def expected_version(self) -> Version:
        return self.expected.version

    @property
    def is_fine(self) -> bool:
        return self.status.is_fine


@dataclass(frozen=True, kw_only=True)
class Plan:
    base: str | None  # commit id
    head: str  # commit id, "index" or "worktree"
    findings: tuple[Finding, ...]  # in config order
    base_ref: str | None = None  # the revision the base was found as; None: HEAD itself, or unknown
    base_source: str | None = None  # base.BaseSource's value: option, config, upstream, ...

    @property
    def ok(self) -> bool:
        return all(finding.is_fine for finding in self.findings)

    @property
    def due(self) -> tuple[Finding, ...]:
        """The findings whose version file `bump` must write."""
        return tuple(finding for finding in self.findings if not finding.is_fine)


@dataclass(frozen=True, kw_only=True)
class FixReport:
    """What `ci --fix commit` did: pushed `commit`, or (with `reason`) shows the fix as `patch`."""

    commit: str | None = None  # the pushed commit's id
    url: str | None = None  # where people see it
    subject: str = ""  # its message's first line
    branch: str = ""
    patch: str | None = None  # where nothing was pushed: the fix, for `git apply`
    reason: str | None = None  # why nothing was pushed
    is_merge: bool = False  # the fix merges the base in first


@dataclass(frozen=True, kw_only=True)
class UnitState:
    """A unit's recorded version in one snapshot, for `status` and `export`."""

    unit: str
    version_file: str
    version: Version | None
    recorded_hash: str | None
    is_current: bool  # the file is readable and its hashes match the snapshot's inputs
    problem: str | None
    deploy_name: str | None = None  # the unit's deploy-name template at `version`
    requires: tuple[str, ...] = ()  # the deploy names of its dependencies, as recorded
    values: Mapping[str, Any] = field(default_factory=dict)  # as recorded
    extra: Mapping[str, Any] = field(default_factory=dict)  # the version file's user keys


@dataclass(frozen=True, kw_only=True)
class UnitVersion:
    """One version of a unit in history (`log`): the commit that introduced it, and what changed
    since the version before."""

    unit: str
    version: Version
    deploy: str | None
    commit: str
    date: str  # the commit's committer date, ISO 8601
    subject: str
    record: VersionFile
    changes: tuple[Change, ...]
