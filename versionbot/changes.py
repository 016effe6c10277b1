"""Why a unit's fingerprint moved, in changes a person can read: the files, values and dependencies
that differ between the base record and the head (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from versionbot import locks
from versionbot.config import Unit
from versionbot.findings import Change, ChangeKind
from versionbot.inputs import Inputs
from versionbot.versionfile import BYTES_METHODS, VersionFile, digest_method


def explain(
    unit: Unit,
    base: Inputs | None,
    head: Inputs,
    base_record: VersionFile | None,
    depends: Mapping[str, Any],
    *,
    is_unchanged: bool,
    base_manifest: Mapping[str, str] | None = None,
) -> tuple[Change, ...]:
    """What differs between the base record and the head, whatever caused it: files added or
    removed by an edited pattern or `exclude` are listed too, and a changed lock file package by
    package. An `unchanged` unit is looked at only where its files moved (it may carry eol-only or
    cosmetic changes), so the no-op path reads no record.

    `base_manifest`: the base's inputs digested under today's rules, when its record was made under
    others; the digests that differ from the record's only by rules are `rehashed`."""
    if base is None or base_record is None:
        return ()
    changes: list[Change] = []
    have_files_moved = base.ids is None or base.ids != head.ids  # equal ids: the same files, same content
    if base_manifest is not None:
        recorded = base_record.inputs
        changes += [
            Change(kind=ChangeKind.REHASHED, path=path)
            for path, digest in base_manifest.items()
            if path in recorded and recorded[path] != digest
        ]
    if have_files_moved or not is_unchanged or base_manifest is not None:
        manifest = base_record.inputs if base_manifest is None else base_manifest
        changes += _file_changes(manifest, head, base, is_eol_checked=have_files_moved)
    changes += _value_changes(base_record, unit.values, depends)
    return tuple(changes)


def record_changes(
    before: VersionFile | None, after: VersionFile, packages: Callable[[str], list[Change]] | None = None
) -> tuple[Change, ...]:
    """What differs between two records, by their manifests alone (for `log` and `diff`);
    `packages(path)` lists a modified lock file's package changes, where both sides can be read."""
    old: Mapping[str, str] = before.inputs if before is not None else {}

    def modified(path: str) -> list[Change]:
        return [Change(kind=ChangeKind.MODIFIED, path=path), *(packages(path) if packages else [])]

    changes = _manifest_changes(old, after.inputs, modified=modified)
    if before is not None:
        changes += _value_changes(before, after.values, after.depends)
    return tuple(changes)


def _value_changes(
    before: VersionFile, values: Mapping[str, Any], depends: Mapping[str, Any]
) -> list[Change]:
    changes = []
    for key in sorted(before.values.keys() | values.keys()):
        old, new = before.values.get(key), values.get(key)
        if old != new:
            changes.append(Change(kind=ChangeKind.VALUE, key=key, before=old, after=new))
    for name in sorted(before.depends.keys() | depends.keys()):
        was, now = before.depends.get(name), depends.get(name)
        if was != now:
            changes.append(Change(kind=ChangeKind.DEPENDS, key=name, before=was, after=now))
    return changes


def _file_changes(
    recorded: Mapping[str, str], head: Inputs, base: Inputs, *, is_eol_checked: bool
) -> list[Change]:
    """The base record's manifest against the head's; where a digest is the same but the blobs'
    ids differ (looked at when the files moved), only line endings changed, or, for a lock file
    digested by what it installs, only its cosmetics."""
    after = head.manifest

    def modified(path: str) -> list[Change]:
        return [
            Change(kind=ChangeKind.MODIFIED, path=path, note=head.note(path)),
            *_package_changes(path, base, head),
        ]

    def same_digest(path: str) -> list[Change]:
        if not is_eol_checked or _blob(base, path) in (None, _blob(head, path)):
            return []
        is_lock = digest_method(after[path]) not in BYTES_METHODS
        return [Change(kind=ChangeKind.COSMETIC if is_lock else ChangeKind.EOL_ONLY, path=path)]

    return _manifest_changes(recorded, after, modified=modified, same_digest=same_digest)


def _manifest_changes(
    before: Mapping[str, str],
    after: Mapping[str, str],
    *,
    modified: Callable[[str], list[Change]],
    same_digest: Callable[[str], list[Change]] | None = None,
) -> list[Change]:
    """Two manifests path by path: renamed (an exact rename), added, removed; `modified(path)` says
    what a changed digest shows, `same_digest(path)` what an equal one may still show."""
    added = {path: digest for path, digest in after.items() if path not in before}
    removed = {path: digest for path, digest in before.items() if path not in after}
    renamed_from = _pair_renames(added, removed)
    changes: list[Change] = []
    for path in sorted(before.keys() | after.keys()):
        if path in renamed_from:
            changes.append(Change(kind=ChangeKind.RENAMED, path=path, previous=renamed_from[path]))
        elif path in added:
            changes.append(Change(kind=ChangeKind.ADDED, path=path))
        elif path in removed:
            if path not in renamed_from.values():
                changes.append(Change(kind=ChangeKind.REMOVED, path=path))
        elif before[path] != after[path]:
            changes += modified(path)
        elif same_digest is not None:
            changes += same_digest(path)
    return changes


def _package_changes(path: str, base: Inputs, head: Inputs) -> list[Change]:
    """A changed lock file's packages, whatever the unit's rules: the reason a person looks for.
    Nothing when either side does not parse as its format."""
    method = locks.method_for(path)
    if method is None or path not in base.entries or path not in head.entries:
        return []
    try:
        old, new = base.locked(path, method), head.locked(path, method)
    except locks.LockError:
        return []
    return package_entries(path, old, new)


def package_entries(path: str, old: locks.Locked, new: locks.Locked) -> list[Change]:
    """One `package` change per package that differs between two reads of a lock file."""
    return [
        Change(kind=ChangeKind.PACKAGE, path=path, key=c.name, before=c.before, after=c.after, note=c.note)
        for c in locks.package_changes(old, new)
    ]


def _blob(inputs: Inputs, path: str) -> str | None:
    entry = inputs.entries.get(path)
    return entry.oid if entry is not None else None


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
