"""Version files read from snapshots: parsed once per content, and known by their summary when an
earlier run parsed them (their `inputs`, most of their bytes, are read only when asked for)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from versionbot.cache import Memory
from versionbot.config import Unit
from versionbot.errors import VersionbotError
from versionbot.snapshot import EntryKind, Snapshot
from versionbot.versionfile import (
    FutureFormat,
    InvalidVersionFile,
    VersionFile,
    from_summary,
    is_replaceable,
    parse,
    to_summary,
)


@dataclass(frozen=True)
class Recorded:
    record: VersionFile | None
    problem: str | None  # why the file is unusable; None with no record means absent
    is_future: bool = False  # written by a newer versionbot: never rewritten
    is_foreign: bool = False  # not a version file at all (a lock file, a source file): never rewritten


MAX_SIZE = 64 << 20  # bytes: about 500,000 input files; a larger file is no version file


def read_record(snapshot: Snapshot, path: str, names: tuple[str, ...]) -> Recorded:
    """The record at `path`, written for `names[0]` (or a former name of it, `names[1:]`)."""
    try:
        data = _read_bounded(snapshot, path)
    except _TooLarge:
        too_large = f"it is larger than {MAX_SIZE >> 20} MiB, which no version file is"
        return Recorded(None, too_large, is_foreign=True)
    if data is None:
        if path in snapshot.unmerged:
            return Recorded(None, "it is in conflict (the merge left both sides' versions)")
        entry = snapshot.entry(path)
        if entry is not None:  # a link or a submodule where the file should be
            return Recorded(None, f"it is a {entry.kind.value}, not a file", is_foreign=True)
        if snapshot.paths_under(path):
            return Recorded(None, "it is a folder, not a file", is_foreign=True)
        return Recorded(None, None)
    try:
        return Recorded(parse(data, unit=names[0], formerly=names[1:]), None)
    except FutureFormat as error:
        return Recorded(None, str(error), is_future=True)
    except InvalidVersionFile as error:
        if not is_replaceable(data):
            return Recorded(None, f"it is not a version file ({error})", is_foreign=True)
        return Recorded(None, str(error))


class _TooLarge(Exception):
    pass


def _read_bounded(snapshot: Snapshot, path: str) -> bytes | None:
    """The file at `path`; `_TooLarge` once it passes MAX_SIZE (read no further)."""
    entry = snapshot.entry(path)
    if entry is None or entry.kind is not EntryKind.FILE:
        return None
    chunks, size = [], 0
    for chunk in snapshot.read(entry):
        size += len(chunk)
        if size > MAX_SIZE:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def unit_names(unit: Unit) -> tuple[str, ...]:
    """The names a unit's own version file may be written for: its name, then its former one."""
    return (unit.name, unit.renamed_from) if unit.renamed_from else (unit.name,)


class Records:
    """Version files parsed once per content: base and head usually share the same blob.

    A version file seen by an earlier run is known by its summary (`memory.records`); its
    `inputs`, most of its bytes, are read only when something asks for them.
    """

    def __init__(self, memory: Memory) -> None:
        self._summaries = memory.records
        self._parsed: dict[tuple[tuple[str, ...], str], Recorded] = {}

    def read(self, snapshot: Snapshot, unit: Unit) -> tuple[Recorded, str | None]:
        """The unit's own version file, and its blob id (None when absent)."""
        return self.read_at(snapshot, unit.version_file, unit_names(unit))

    def read_at(self, snapshot: Snapshot, path: str, names: tuple[str, ...]) -> tuple[Recorded, str | None]:
        entry = snapshot.entry(path)
        if entry is None:  # absent, or a folder
            return read_record(snapshot, path, names), None
        key = (names, entry.oid)
        if key not in self._parsed:
            summary = self._summaries.get(entry.oid)
            record = from_summary(summary, names, lambda: _inputs_of(snapshot, path, names))
            if record is not None:
                self._parsed[key] = Recorded(record, None)
            else:
                recorded = self._parsed[key] = read_record(snapshot, path, names)
                if recorded.record is not None:
                    self._summaries[entry.oid] = to_summary(recorded.record)
        return self._parsed[key], entry.oid


def _inputs_of(snapshot: Snapshot, path: str, names: tuple[str, ...]) -> Mapping[str, str]:
    record = read_record(snapshot, path, names).record
    if record is None:  # the blob's summary says it parsed before: only a changed parser differs
        raise VersionbotError(f"{path} could not be read again; delete .git/versionbot/")
    return record.inputs
