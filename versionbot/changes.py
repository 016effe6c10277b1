"""Why a unit's fingerprint moved, in changes a person can read: the files, values and dependencies
that differ between the base record and the head (pure)."""

from __future__ import annotations

from collections.abc import Mapping

from versionbot.config import Unit
from versionbot.findings import Change, ChangeKind
from versionbot.inputs import Inputs
from versionbot.versionfile import VersionFile


def explain(
    unit: Unit,
    base: Inputs | None,
    head: Inputs,
    base_record: VersionFile | None,
    depends: Mapping[str, int],
    *,
    is_unchanged: bool,
) -> tuple[Change, ...]:
    """What differs between the base record and the head, whatever caused it: files added or
    removed by an edited pattern or `exclude` are listed too. An `unchanged` unit is looked at only
    where its files moved (it may carry eol-only changes), so the no-op path reads no record."""
    if base is None or base_record is None:
        return ()
    changes: list[Change] = []
    have_files_moved = base.ids is None or base.ids != head.ids  # equal ids: the same files, same content
    if have_files_moved or not is_unchanged:
        changes += _file_changes(base_record.inputs, head, base if have_files_moved else None)
    for key in sorted(base_record.values.keys() | unit.values.keys()):
        before, after = base_record.values.get(key), unit.values.get(key)
        if before != after:
            changes.append(Change(kind=ChangeKind.VALUE, key=key, before=before, after=after))
    for name in sorted(base_record.depends.keys() | depends.keys()):
        before, after = base_record.depends.get(name), depends.get(name)
        if before != after:
            changes.append(Change(kind=ChangeKind.DEPENDS, key=name, before=before, after=after))
    return tuple(changes)


def _file_changes(recorded: Mapping[str, str], head: Inputs, base: Inputs | None) -> list[Change]:
    """The base record's manifest against the head's; where a digest is the same, `base` (when its
    files moved) tells an eol-only change by the blobs' ids."""
    before, after = dict(recorded), head.manifest
    changes: list[Change] = []
    added = {path: digest for path, digest in after.items() if path not in before}
    removed = {path: digest for path, digest in before.items() if path not in after}
    renamed_from = _pair_renames(added, removed)
    for path in sorted(before.keys() | after.keys()):
        if path in renamed_from:
            changes.append(Change(kind=ChangeKind.RENAMED, path=path, previous=renamed_from[path]))
        elif path in added:
            changes.append(Change(kind=ChangeKind.ADDED, path=path))
        elif path in removed:
            if path not in renamed_from.values():
                changes.append(Change(kind=ChangeKind.REMOVED, path=path))
        elif before[path] != after[path]:
            changes.append(Change(kind=ChangeKind.MODIFIED, path=path))
        elif base is not None and _blob(base, path) not in (None, _blob(head, path)):
            changes.append(Change(kind=ChangeKind.EOL_ONLY, path=path))
    return changes


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
