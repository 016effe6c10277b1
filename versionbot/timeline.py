"""A unit's versions through history, for `versionbot log` and `versionbot diff` (application layer).

Walking is `git log --first-parent REV -- <version file>`: the cost follows the commits that touched
the version file, not the length of history. Each commit is read with its own configuration where
the file moved (a `version-file` edited, a unit renamed with `renamed-from`), so a unit's history
goes on through its old path and name.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence

from versionbot import __version__, locks
from versionbot.changes import package_entries, record_changes
from versionbot.config import Config, config_at
from versionbot.errors import GitError, VersionbotError
from versionbot.findings import Change, ChangeKind, UnitVersion
from versionbot.git import Repository
from versionbot.git.repository import PathChange
from versionbot.records import read_record, unit_names
from versionbot.schemes import Version
from versionbot.versionfile import InvalidVersionFile, VersionFile, parse

_AT_VERSION = re.compile(
    r"(?P<unit>[A-Za-z0-9][A-Za-z0-9._-]*)@(?P<version>[1-9][0-9]*(?:\.[0-9]+\.[0-9]+)?)"
)


def parse_at_version(text: str) -> tuple[str, Version] | None:
    """`app@5` as (`app`, 5), `lib@1.4.2` as (`lib`, "1.4.2"); None for anything else (a revision)."""
    match = _AT_VERSION.fullmatch(text)
    if match is None:
        return None
    version = match["version"]
    return match["unit"], version if "." in version else int(version)


class Timeline:
    """The versions of the units of one revision's configuration, newest first."""

    def __init__(self, repo: Repository, revision: str, config: Config | None = None) -> None:
        self._repo = repo
        self.commit = repo.resolve(revision)
        self.config = config or config_at(repo.commit_snapshot(self.commit), __version__)
        self._configs: dict[str, Config | None] = {}

    def versions(self, name: str) -> list[UnitVersion]:
        """Every version of unit `name` along the first-parent history, newest first."""
        unit = next((unit for unit in self.config.units if unit.name == name), None)
        if unit is None:
            known = ", ".join(unit.name for unit in self.config.units)
            raise VersionbotError(f"no unit {name!r} at {self.commit[:12]}; known: {known}")
        made: list[tuple[PathChange, VersionFile, VersionFile | None, str | None]] = []
        # One `git log --raw` per stretch of history: the version file with the folders its
        # inputs lie in, so the lock files' blobs come along (and package changes cost no more git).
        # A stretch ends where the file was added at this path while the parent's configuration
        # kept it at another: the walk goes on there, from the parent.
        roots = sorted({pattern.scan_root for pattern in unit.inputs})
        history: list[PathChange] = []
        path, names, start = unit.version_file, unit_names(unit), self.commit
        boundary = self._repo.shallow_boundary()
        while start is not None:
            logged = (
                self._repo.path_log(start, path, *roots) if "" not in roots else self._repo.path_log(start)
            )
            stretch, moved_from = self._stretch(logged, path, names)
            history += logged
            made += stretch
            cut = [change.commit for change in logged if change.commit in boundary]
            if cut:
                raise GitError(
                    f"the history of {name} is cut at {cut[0][:12]}: this is a shallow clone; fetch the "
                    "rest (`git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout)"
                )
            if moved_from is None:
                break
            path, names, start = moved_from
        locks_at = _LockHistory(self._repo, history)
        return [
            UnitVersion(
                unit=name,
                version=record.version,
                deploy=unit.deploy(record.version, name=record.unit),  # the name it had then
                commit=change.commit,
                date=change.date,
                subject=change.subject,
                record=record,
                changes=record_changes(previous, record, locks_at.packages(before, change.commit)),
            )
            for change, record, previous, before in made
        ]

    def _stretch(
        self, logged: Sequence[PathChange], path: str, names: tuple[str, ...]
    ) -> tuple[
        list[tuple[PathChange, VersionFile, VersionFile | None, str | None]],
        tuple[str, tuple[str, ...], str] | None,
    ]:
        """The versions introduced at `path` in one log (read oldest first, so that a version after
        a broken or deleted file is told against the last readable record), and where the walk goes
        on: the former path, names and commit where the file was moved to `path`."""
        commits = [change for change in logged if path in change.blobs]
        cut = len(commits)
        moved_from: tuple[str, tuple[str, ...], str] | None = None
        for index, change in enumerate(commits):  # newest first: find where this stretch began
            old, _ = change.blobs[path]
            if old is None and change.parent is not None:
                former = self._former(change.parent, names)
                if former is not None and former[0] != path:
                    cut, moved_from = index + 1, (former[0], (*names, former[1]), change.parent)
                    break
        made: list[tuple[PathChange, VersionFile, VersionFile | None, str | None]] = []
        last: VersionFile | None = None
        last_commit: str | None = None
        for change in reversed(commits[:cut]):
            old, new = change.blobs[path]
            record = self._parse(new, names)
            if record is None:
                continue
            previous = self._parse(old, names) or last
            before = last_commit or change.parent
            if previous is None and moved_from is not None and change is commits[cut - 1]:
                previous, before = self._moved_from(moved_from[2], names), moved_from[2]
            if previous is None or previous.version != record.version:  # else: hashes refreshed
                made.append((change, record, previous, before))
            last, last_commit = record, change.commit
        made.reverse()
        return made, moved_from

    def record_at(self, commit: str, names: Sequence[str]) -> tuple[str, VersionFile | None] | None:
        """A unit's record at a commit, found by that commit's own configuration under any of
        `names`: the unit's name there and its record (None: unreadable or absent)."""
        former = self._former(commit, names)
        if former is None:
            return None
        return former[1], self._record(commit, former[0], (*names, former[1]))

    def version(self, name: str, number: Version) -> UnitVersion | None:
        """The one version of a unit, `app@5`: the commit that introduced it."""
        return next((found for found in self.versions(name) if found.version == number), None)

    def _record(self, commit: str, path: str, names: Sequence[str]) -> VersionFile | None:
        return read_record(self._repo.commit_snapshot(commit), path, tuple(names)).record

    def _parse(self, blob: str | None, names: Sequence[str]) -> VersionFile | None:
        if blob is None:
            return None
        try:
            return parse(self._repo.blob(blob), unit=names[0], formerly=tuple(names[1:]))
        except (InvalidVersionFile, VersionbotError):
            return None

    def _moved_from(self, parent: str, names: Sequence[str]) -> VersionFile | None:
        """The record a moved version file had at its former path, as the parent's config says."""
        former = self._former(parent, names)
        if former is None:
            return None
        snapshot = self._repo.commit_snapshot(parent)
        return read_record(snapshot, former[0], (*names, former[1])).record

    def _former(self, commit: str, names: Sequence[str]) -> tuple[str, str] | None:
        """The version file and name that a commit's own configuration gives one of `names`."""
        if commit not in self._configs:
            try:
                self._configs[commit] = config_at(self._repo.commit_snapshot(commit), __version__)
            except VersionbotError:
                self._configs[commit] = None
        config = self._configs[commit]
        if config is None:
            return None
        unit = next((unit for unit in config.units if unit.name in names), None)
        return (unit.version_file, unit.name) if unit is not None else None


class _LockHistory:
    """Which blob each lock file had at each commit of the log `versions` read (newest first), so
    package changes cost nothing per version but the reading of the locks that changed."""

    def __init__(self, repo: Repository, history: Sequence[PathChange]) -> None:
        self._repo = repo
        self._position: dict[str, float] = {}
        self._changes: dict[str, list[tuple[float, str | None]]] = {}
        self._parsed: dict[tuple[str, str], locks.Locked | None] = {}
        for index, change in enumerate(history):
            self._position[change.commit] = index
            if change.parent is not None:  # a parent the log skipped lies just below its child
                self._position.setdefault(change.parent, index + 0.5)
            for path, (_, new) in change.blobs.items():
                if locks.method_for(path):
                    self._changes.setdefault(path, []).append((index, new))

    def blob(self, commit: str | None, path: str) -> str | None:
        """The blob `path` had at `commit`: the newest change at or before it."""
        position = self._position.get(commit or "")
        changes = self._changes.get(path)
        if position is None or not changes:
            return None
        index = bisect.bisect_left(changes, position, key=lambda item: item[0])
        return changes[index][1] if index < len(changes) else None

    def packages(self, before: str | None, after: str) -> Callable[[str], list[Change]]:
        def packages(path: str) -> list[Change]:
            method = locks.method_for(path)
            if method is None:
                return []
            old, new = self._read(self.blob(before, path), method), self._read(self.blob(after, path), method)
            return package_entries(path, old, new) if old is not None and new is not None else []

        return packages

    def _read(self, blob: str | None, method: str) -> locks.Locked | None:
        if blob is None:
            return None
        if (blob, method) not in self._parsed:
            try:
                self._parsed[(blob, method)] = locks.read(method, self._repo.blob(blob))
            except (locks.LockError, VersionbotError):
                self._parsed[(blob, method)] = None
        return self._parsed[(blob, method)]


def since(
    changes_by_version: Sequence[UnitVersion], before: VersionFile | None, after: VersionFile
) -> list[tuple[Change, Version]]:
    """The changes from `before` to `after` (two records of one unit), each with the version in
    which it happened: the oldest of the versions that already held its final state.
    `changes_by_version` are the versions after `before` up to `after`, newest first."""
    results: list[tuple[Change, Version]] = []
    for change in record_changes(before, after):
        happened = after.version
        for found in changes_by_version:
            if _state(found.record, change) != _state(after, change):
                break
            happened = found.version
        results.append((change, happened))
    return results


def _state(record: VersionFile, change: Change) -> object:
    if change.kind in (ChangeKind.VALUE,):
        return record.values.get(change.key or "")
    if change.kind is ChangeKind.DEPENDS:
        return record.depends.get(change.key or "")
    return record.inputs.get(change.path or "")
