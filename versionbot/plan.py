"""Base snapshot + head snapshot + config -> a Plan: every unit's finding and its due version file."""

from __future__ import annotations

import enum
import functools
import hashlib
import re
from collections.abc import Mapping, MutableSet
from dataclasses import dataclass
from typing import Any

from versionbot.cache import Memory
from versionbot.config import Config, Unit
from versionbot.errors import ConfigError, VersionbotError
from versionbot.escape import visible
from versionbot.hashing import HASH_REVISION, Digests, inputs_hash
from versionbot.schemes import SCHEMES
from versionbot.snapshot import Entry, Snapshot
from versionbot.versionfile import (
    FutureFormat,
    InvalidVersionFile,
    VersionFile,
    from_summary,
    is_replaceable,
    parse,
    to_summary,
)


class Status(enum.Enum):
    UNCHANGED = "unchanged"
    BUMPED = "bumped"
    NEW = "new"
    NEEDS_BUMP = "needs-bump"
    STALE_HASH = "stale-hash"
    UNEXPECTED_BUMP = "unexpected-bump"
    WRONG_VERSION = "wrong-version"
    MISSING_FILE = "missing-file"
    INVALID_FILE = "invalid-file"

    @property
    def is_fine(self) -> bool:
        return self in (Status.UNCHANGED, Status.BUMPED, Status.NEW)


@dataclass(frozen=True, kw_only=True)
class Change:
    """One reason a fingerprint moved (or, for `eol-only`, did not)."""

    kind: str  # added, removed, modified, renamed, eol-only, value, depends
    path: str | None = None
    previous: str | None = None  # `renamed`: the old path
    key: str | None = None  # `value`: which value; `depends`: which unit
    before: Any = None  # `value` / `depends`: old and new
    after: Any = None

    def to_json(self) -> dict[str, Any]:
        if self.kind == "value":
            return {"kind": "value", "key": self.key, "from": self.before, "to": self.after}
        if self.kind == "depends":
            return {"kind": "depends", "unit": self.key, "from": self.before, "to": self.after}
        if self.kind == "renamed":
            return {"kind": "renamed", "path": self.path, "from": self.previous}
        return {"kind": self.kind, "path": self.path}


@dataclass(frozen=True, kw_only=True)
class Finding:
    unit: str
    status: Status
    version_file: str
    base_version: int | None
    recorded_version: int | None
    expected: VersionFile  # what the version file should hold
    changes: tuple[Change, ...]
    message: str
    is_writable: bool = True  # False for a file from a newer versionbot: never rewritten

    @property
    def expected_version(self) -> int:
        return self.expected.version

    @property
    def is_fine(self) -> bool:
        return self.status.is_fine


@dataclass(frozen=True, kw_only=True)
class Plan:
    base: str | None  # commit id
    head: str  # commit id, "index" or "worktree"
    findings: tuple[Finding, ...]  # in config order

    @property
    def ok(self) -> bool:
        return all(finding.is_fine for finding in self.findings)

    @property
    def due(self) -> tuple[Finding, ...]:
        """The findings whose version file `bump` must write."""
        return tuple(finding for finding in self.findings if not finding.is_fine)


@dataclass(frozen=True)
class _Recorded:
    record: VersionFile | None
    problem: str | None  # why the file is unusable; None with no record means absent
    is_future: bool = False  # written by a newer versionbot: never rewritten
    is_foreign: bool = False  # not a version file at all (a lock file, a source file): never rewritten


def read_record(snapshot: Snapshot, unit: Unit) -> _Recorded:
    data = snapshot.read_file(unit.version_file)
    if data is None:
        if snapshot.paths_under(unit.version_file):
            return _Recorded(None, "it is a folder, not a file", is_foreign=True)
        return _Recorded(None, None)
    try:
        return _Recorded(parse(data, unit=unit.name), None)
    except FutureFormat as error:
        return _Recorded(None, str(error), is_future=True)
    except InvalidVersionFile as error:
        if not is_replaceable(data):
            return _Recorded(None, f"it is not a version file ({error})", is_foreign=True)
        return _Recorded(None, str(error))


class _Inputs:
    """One unit's inputs in one snapshot, computed only as far as they are asked for.

    `ids` name the input files and their content without reading them: the git ids of the folders
    (or files) the unit's patterns look into and of every `.gitattributes` above them (those inside
    are part of a folder's id). Equal ids mean equal manifests; None means unknown.
    """

    def __init__(self, unit: Unit, snapshot: Snapshot, digests: Digests, config: Config) -> None:
        self.unit = unit
        self.snapshot = snapshot
        self._digests = digests
        self._config = config
        self._entries: dict[str, Entry] | None = None
        self._manifest: Mapping[str, str] | None = None
        self.unmatched: list[str] = []
        ids = [snapshot.content_id(path) for path in unit.key_paths]
        self.ids = None if None in ids else tuple(ids)

    @functools.cached_property
    def key(self) -> str | None:
        """`ids` with all else the manifest depends on: the hash revision, patterns, version files."""
        if self.ids is None:
            return None
        unit = self.unit
        parts = [f"hash-revision {HASH_REVISION}", self._config.cache_salt, "inputs"]
        parts += [pattern.text for pattern in unit.inputs]
        parts.append("exclude")
        parts += [pattern.text for pattern in unit.exclude]
        parts += [f"{path}={content}" for path, content in zip(unit.key_paths, self.ids, strict=True)]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    @property
    def entries(self) -> dict[str, Entry]:
        if self._entries is None:
            version_files = self._config.version_files
            self._entries = select_inputs(self.unit, self.snapshot, version_files, self.unmatched)
        return self._entries

    @property
    def manifest(self) -> Mapping[str, str]:
        if self._manifest is None:
            of, snapshot = self._digests.of, self.snapshot
            self._manifest = {path: of(snapshot, entry) for path, entry in sorted(self.entries.items())}
        return self._manifest

    def trust(self, manifest: Mapping[str, str]) -> None:
        """Take a manifest known to be right (a verified version file's) instead of hashing."""
        self._manifest = manifest


def select_inputs(
    unit: Unit, snapshot: Snapshot, version_files: frozenset[str], unmatched: list[str] | None = None
) -> dict[str, Entry]:
    """The unit's input entries: matched by `inputs`, not by `exclude`, never a version file.
    Patterns that match no file at all are appended to `unmatched`."""
    selected: dict[str, Entry] = {}
    for pattern in unit.inputs:
        matched = False
        for path in pattern.select(snapshot.paths_under(pattern.scan_root)):
            matched = True
            if path in version_files or path in selected:
                continue
            if unit.exclude and any(exclude.matches(path) for exclude in unit.exclude):
                continue
            entry = snapshot.entry(path)
            if entry is not None:
                selected[path] = entry
        if not matched and unmatched is not None:
            unmatched.append(pattern.text)
    if _NOT_UTF8.search("".join(selected)):  # one search for all: such names are rare
        path = next(path for path in selected if _NOT_UTF8.search(path))
        raise VersionbotError(
            f"{visible(path)}: an input file of unit {unit.name} whose name is not UTF-8, which a "
            "version file cannot record; rename it, or exclude it from the unit"
        )
    return selected


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # the bytes that git's names did not decode as UTF-8


class _Records:
    """Version files parsed once per content: base and head usually share the same blob.

    A version file seen by an earlier run is known by its summary (`memory.records`); its
    `inputs`, most of its bytes, are read only when something asks for them.
    """

    def __init__(self, memory: Memory) -> None:
        self._summaries = memory.records
        self._parsed: dict[tuple[str, str], _Recorded] = {}

    def read(self, snapshot: Snapshot, unit: Unit) -> tuple[_Recorded, str | None]:
        entry = snapshot.entry(unit.version_file)
        if entry is None:  # absent, or a folder
            return read_record(snapshot, unit), None
        key = (unit.name, entry.oid)
        if key not in self._parsed:
            summary = self._summaries.get(entry.oid)
            record = from_summary(summary, unit.name, lambda: _inputs_of(snapshot, unit))
            if record is not None:
                self._parsed[key] = _Recorded(record, None)
            else:
                recorded = self._parsed[key] = read_record(snapshot, unit)
                if recorded.record is not None:
                    self._summaries[entry.oid] = to_summary(recorded.record)
        return self._parsed[key], entry.oid


def _inputs_of(snapshot: Snapshot, unit: Unit) -> Mapping[str, str]:
    record = read_record(snapshot, unit).record
    if record is None:  # the blob's summary says it parsed before: only a changed parser differs
        raise VersionbotError(f"{unit.version_file} could not be read again; delete .git/versionbot/")
    return record.inputs


def make_plan(
    config: Config,
    base: Snapshot | None,
    head: Snapshot,
    digests: Digests,
    memory: Memory | None = None,
) -> Plan:
    """Judge every unit of `head` against `base` (None: a repository without commits).

    `memory` holds what earlier runs verified (see `_fingerprint`); this run adds what it learns.
    """
    memory = Memory() if memory is None else memory
    verified = memory.verified
    records = _Records(memory)
    units = config.dependency_order()
    inputs = {unit.name: _Inputs(unit, head, digests, config) for unit in units}
    recorded = {unit.name: records.read(head, unit) for unit in units}
    # Every input file that no verified version file vouches for is hashed, so hash them in one
    # batch: a large batch (a cold run) takes two cores.
    unvouched: list[Entry] = []
    for unit in units:
        head_recorded, head_file_id = recorded[unit.name]
        if not _is_vouched_for(inputs[unit.name], head_recorded.record, head_file_id, verified):
            unvouched.extend(inputs[unit.name].entries.values())
    digests.prefetch(head, unvouched)
    expected_versions: dict[str, int] = {}
    findings: dict[str, Finding] = {}
    for unit in units:
        depends = {name: expected_versions[name] for name in unit.depends_on}
        head_inputs = inputs[unit.name]
        head_recorded, head_file_id = recorded[unit.name]
        fingerprint = _fingerprint(
            config,
            inputs=head_inputs,
            record=head_recorded.record,
            file_id=head_file_id,
            depends=depends,
            verified=verified,
        )
        if base is not None:
            base_recorded, _ = records.read(base, unit)
            base_inputs: _Inputs | None = _Inputs(unit, base, digests, config)
        else:
            base_recorded, base_inputs = _Recorded(None, None), None
        finding = _judge(
            unit=unit,
            manifest=head_inputs.manifest,
            depends=depends,
            fingerprint=fingerprint,
            base_recorded=base_recorded,
            head_recorded=head_recorded,
            changes=_changes(unit, base_inputs, head_inputs, base_recorded.record, depends),
        )
        expected_versions[unit.name] = finding.expected_version
        findings[unit.name] = finding
    return Plan(
        base=base.label if base is not None else None,
        head=head.label,
        findings=tuple(findings[unit.name] for unit in config.units),
    )


def _fingerprint(
    config: Config,
    *,
    inputs: _Inputs,
    record: VersionFile | None,
    file_id: str | None,
    depends: Mapping[str, int],
    verified: MutableSet[str],
) -> str:
    """The unit's fingerprint in `inputs.snapshot`, from a verified version file when possible.

    A version file is verified for an input key when its `inputs` are exactly the manifest those
    inputs have and its `inputs_hash` is right for what it records: its manifest can be trusted
    without hashing a file, and its hash too when the values and dependencies are unchanged.
    """
    token = _token(inputs, file_id)
    if record is not None and _is_vouched_for(inputs, record, file_id, verified):
        inputs.trust(record.inputs)
    else:
        inputs.entries  # noqa: B018 - selecting the inputs finds the patterns that match nothing
        if inputs.unmatched:
            raise ConfigError(
                f"{config.source}: units.{inputs.unit.name}.inputs: pattern {inputs.unmatched[0]!r} "
                f"matches no file in {inputs.snapshot.label}; fix the pattern or remove it"
            )
        if (
            token is not None
            and record is not None
            and dict(record.inputs) == inputs.manifest
            and record.inputs_hash == inputs_hash(record.inputs, record.values, record.depends)
        ):
            verified.add(token)
    is_as_recorded = (
        record is not None
        and dict(record.values) == dict(inputs.unit.values)
        and dict(record.depends) == depends
    )
    if record is not None and is_as_recorded and token in verified:
        return record.inputs_hash
    return inputs_hash(inputs.manifest, inputs.unit.values, depends)


def _token(inputs: _Inputs, file_id: str | None) -> str | None:
    """What `verified` holds once a version file (by its blob id) matched these inputs."""
    key = inputs.key
    return f"{key}:{file_id}" if key and file_id else None


def _is_vouched_for(
    inputs: _Inputs, record: VersionFile | None, file_id: str | None, verified: MutableSet[str]
) -> bool:
    """Whether the version file's manifest is known to be the inputs' (see `_fingerprint`)."""
    return record is not None and _token(inputs, file_id) in verified


def _judge(
    *,
    unit: Unit,
    manifest: Mapping[str, str],
    depends: Mapping[str, int],
    fingerprint: str,
    base_recorded: _Recorded,
    head_recorded: _Recorded,
    changes: tuple[Change, ...],
) -> Finding:
    scheme = SCHEMES[unit.scheme]
    base_record, record = base_recorded.record, head_recorded.record
    base_version = base_record.version if base_record else None
    if base_record is None:
        # No usable record in the base: a new unit, or a base whose file was broken (then the
        # head's own version is trusted rather than reset).
        is_broken_base = base_recorded.problem is not None
        expected_version = record.version if (record and is_broken_base) else scheme.initial
        is_changed = True
    elif fingerprint == base_record.inputs_hash:
        expected_version, is_changed = base_record.version, False
    else:
        expected_version, is_changed = scheme.next(base_record.version), True
    extra = record.extra if record else base_record.extra if base_record else {}
    expected = VersionFile(
        unit=unit.name,
        version=expected_version,
        inputs=manifest,
        inputs_hash=fingerprint,
        values=unit.values,
        depends=depends,
        extra=extra,
    )

    def finding(status: Status, message: str, *, is_writable: bool = True) -> Finding:
        return Finding(
            unit=unit.name,
            status=status,
            version_file=unit.version_file,
            base_version=base_version,
            recorded_version=record.version if record else None,
            expected=expected,
            changes=changes,
            message=message,
            is_writable=is_writable,
        )

    run_bump = "run `versionbot bump`"
    if head_recorded.is_future:
        return finding(
            Status.INVALID_FILE, f"{unit.version_file}: {head_recorded.problem}", is_writable=False
        )
    if head_recorded.is_foreign:
        return finding(
            Status.INVALID_FILE,
            f"{unit.version_file}: {head_recorded.problem}; versionbot never overwrites it: point "
            f"units.{unit.name}.version-file at a path of its own, or remove the file",
            is_writable=False,
        )
    if head_recorded.problem is not None:
        return finding(
            Status.INVALID_FILE,
            f"{unit.version_file} is not a valid version file: {head_recorded.problem}; "
            f"{run_bump} to regenerate it at version {expected_version}",
        )
    if record is None:
        return finding(
            Status.MISSING_FILE,
            f"{unit.version_file} does not exist; {run_bump} to "
            + ("create it at" if base_version is None else "restore it at")
            + f" version {expected_version}",
        )
    has_right_hashes = record.has_same_hashes(expected)
    if record.version == expected_version and has_right_hashes:
        if base_record is None:
            return finding(Status.NEW, f"new unit at version {expected_version}")
        if is_changed:
            return finding(Status.BUMPED, f"inputs changed: {base_version} -> {expected_version}")
        return finding(Status.UNCHANGED, f"inputs unchanged at version {expected_version}")
    if record.version == expected_version:
        return finding(
            Status.STALE_HASH,
            f"version {expected_version} is right but the recorded hashes do not match the inputs "
            f"(edited after the bump, or by hand); {run_bump} to refresh them",
        )
    if base_version is not None and not is_changed and record.version > base_version:
        return finding(
            Status.UNEXPECTED_BUMP,
            f"the version changed from {base_version} to {record.version} but the inputs did not; "
            f"{run_bump} to restore {expected_version}",
        )
    if base_version is not None and is_changed and record.version == base_version:
        return finding(
            Status.NEEDS_BUMP,
            f"inputs changed since the base but the version is still {record.version}; {run_bump}",
        )
    return finding(
        Status.WRONG_VERSION,
        _wrong_version_message(record.version, base_version, expected_version, is_changed),
    )


def _wrong_version_message(recorded: int, base: int | None, expected: int, is_changed: bool) -> str:
    if base is None:
        why = "a new unit starts at version 1"
    elif not is_changed:
        why = f"the inputs did not change, so it stays at the base's {base}"
    elif recorded < base:
        why = f"a version never goes down; the base has {base}"
    else:  # above the one bump a change gets
        why = f"the base has {base} and a change gets exactly one bump (a double or skipped bump?)"
    return f"the version is {recorded} but should be {expected}: {why}; run `versionbot bump`"


def _changes(
    unit: Unit,
    base: _Inputs | None,
    head: _Inputs,
    base_record: VersionFile | None,
    depends: Mapping[str, int],
) -> tuple[Change, ...]:
    if base is None or base_record is None:
        return ()
    changes: list[Change] = []
    if base.ids is None or base.ids != head.ids:  # equal ids: the same files with the same content
        changes += _file_changes(base, head)
    for key in sorted(base_record.values.keys() | unit.values.keys()):
        before, after = base_record.values.get(key), unit.values.get(key)
        if before != after:
            changes.append(Change(kind="value", key=key, before=before, after=after))
    for name in sorted(base_record.depends.keys() | depends.keys()):
        before, after = base_record.depends.get(name), depends.get(name)
        if before != after:
            changes.append(Change(kind="depends", key=name, before=before, after=after))
    return tuple(changes)


def _file_changes(base: _Inputs, head: _Inputs) -> list[Change]:
    before, after = base.manifest, head.manifest
    changes: list[Change] = []
    added = {path: digest for path, digest in after.items() if path not in before}
    removed = {path: digest for path, digest in before.items() if path not in after}
    renamed_from = _pair_renames(added, removed)
    for path in sorted(before.keys() | after.keys()):
        if path in renamed_from:
            changes.append(Change(kind="renamed", path=path, previous=renamed_from[path]))
        elif path in added:
            changes.append(Change(kind="added", path=path))
        elif path in removed:
            if path not in renamed_from.values():
                changes.append(Change(kind="removed", path=path))
        elif before[path] != after[path]:
            changes.append(Change(kind="modified", path=path))
        elif base.entries[path].oid != head.entries[path].oid:
            changes.append(Change(kind="eol-only", path=path))
    return changes


def _pair_renames(added: Mapping[str, str], removed: Mapping[str, str]) -> dict[str, str]:
    """Exact renames: an added path whose content equals a removed path's (new path -> old path)."""
    by_digest: dict[str, list[str]] = {}
    for path, digest in removed.items():
        by_digest.setdefault(digest, []).append(path)
    pairs: dict[str, str] = {}
    for path, digest in added.items():
        if candidates := by_digest.get(digest):
            pairs[path] = candidates.pop(0)
    return pairs


@dataclass(frozen=True, kw_only=True)
class UnitState:
    """A unit's recorded version in one snapshot, for `status` and `export`."""

    unit: str
    version_file: str
    version: int | None
    recorded_hash: str | None
    is_current: bool  # the file is readable and its hashes match the snapshot's inputs
    problem: str | None

    @property
    def deploy_name(self) -> str | None:
        return f"{self.unit}@{self.version}" if self.version is not None else None


def survey(
    config: Config, snapshot: Snapshot, digests: Digests | None, memory: Memory | None = None
) -> tuple[UnitState, ...]:
    """Every unit's recorded version; with `digests`, also whether its hashes are current
    (dependencies count at their recorded versions)."""
    memory = Memory() if memory is None else memory
    verified = memory.verified
    records = _Records(memory)
    recorded = {unit.name: records.read(snapshot, unit) for unit in config.units}
    states: list[UnitState] = []
    for unit in config.units:
        (found, file_id) = recorded[unit.name]
        record, problem = found.record, found.problem
        if record is None and problem is None:
            problem = f"{unit.version_file} does not exist; run `versionbot bump`"
        elif record is not None and digests is not None:
            depends = {name: _recorded_version(recorded[name][0]) for name in unit.depends_on}
            inputs = _Inputs(unit, snapshot, digests, config)
            fingerprint = _fingerprint(
                config, inputs=inputs, record=record, file_id=file_id, depends=depends, verified=verified
            )
            if fingerprint != record.inputs_hash:
                problem = "the recorded hashes do not match the inputs; run `versionbot bump`"
        states.append(
            UnitState(
                unit=unit.name,
                version_file=unit.version_file,
                version=record.version if record else None,
                recorded_hash=record.inputs_hash if record else None,
                is_current=problem is None,
                problem=problem,
            )
        )
    return tuple(states)


def _recorded_version(recorded: _Recorded) -> int:
    return recorded.record.version if recorded.record else 0
