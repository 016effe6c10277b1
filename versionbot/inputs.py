"""One unit's input files in one snapshot, selected and hashed only as far as they are asked for."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from versionbot.config import Config, Unit
from versionbot.errors import VersionbotError
from versionbot.escape import visible
from versionbot.hashing import HASH_REVISION, Digests
from versionbot.snapshot import Entry, Snapshot


class Inputs:
    """One unit's inputs in one snapshot, computed only as far as they are asked for.

    `ids` name the input files and their content without reading them: the git ids of the folders
    (or files) the unit's patterns look into and of every `.gitattributes` above them (those inside
    are part of a folder's id). Equal ids mean equal manifests; None means unknown.
    """

    def __init__(
        self,
        unit: Unit,
        snapshot: Snapshot,
        digests: Digests,
        config: Config,
        left: frozenset[str] = frozenset(),
    ) -> None:
        """`left`: old files of moved version files, no input either until `bump` removes them."""
        self.unit = unit
        self.snapshot = snapshot
        self._digests = digests
        self._config = config
        self._left = left
        self._entries: dict[str, Entry] | None = None
        self._manifest: Mapping[str, str] | None = None
        self.unmatched: list[tuple[str, str]] = []  # (the key that holds it, the pattern)
        ids = [snapshot.content_id(path) for path in unit.key_paths]
        self.ids = None if None in ids else tuple(ids)

    @functools.cached_property
    def key(self) -> str | None:
        """`ids` with all else the manifest depends on: the hash revision, patterns, version files."""
        if self.ids is None:
            return None
        unit = self.unit
        parts = [f"hash-revision {HASH_REVISION}", self._config.cache_salt, *sorted(self._left), "inputs"]
        if unit.lock_hashing != "bytes":  # bytes alone leaves the keys as they always were
            parts.insert(1, f"lock-hashing {unit.lock_hashing}")
        for chosen in unit.selections:
            if unit.parts:
                parts.append(chosen.where)
            parts += [pattern.text for pattern in chosen.inputs]
            parts.append("exclude")
            parts += [pattern.text for pattern in chosen.exclude]
        parts += [f"{path}={content}" for path, content in zip(unit.key_paths, self.ids, strict=True)]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    @property
    def entries(self) -> dict[str, Entry]:
        if self._entries is None:
            version_files = self._config.version_files | self._left
            self._entries = select_inputs(self.unit, self.snapshot, version_files, self.unmatched)
        return self._entries

    @property
    def manifest(self) -> Mapping[str, str]:
        """Every input's digest under the unit's rules."""
        if self._manifest is None:
            self._manifest = self.under(self.unit.lock_method)
        return self._manifest

    def under(self, method: Callable[[str], str | None]) -> dict[str, str]:
        """Every input's digest, `method(path)` saying which lock method digests it (None: bytes)."""
        of, snapshot = self._digests.of, self.snapshot
        return {path: of(snapshot, entry, method(path)) for path, entry in sorted(self.entries.items())}

    def note(self, path: str) -> str | None:
        """How an input was read, where it was not as its rules say (a lock that does not parse)."""
        entry = self.entries.get(path)
        return (
            self._digests.unparsed.get(entry.oid)
            if entry is not None and self.unit.lock_method(path)
            else None
        )

    def locked(self, path: str, method: str) -> Any:
        """What the input lock file at `path` installs (`locks.Locked`); raises `locks.LockError`."""
        return self._digests.locked(self.snapshot, self.entries[path], method)

    def trust(self, manifest: Mapping[str, str]) -> None:
        """Take a manifest known to be right (a verified version file's) instead of hashing."""
        self._manifest = manifest


def select_inputs(
    unit: Unit,
    snapshot: Snapshot,
    version_files: frozenset[str],
    unmatched: list[tuple[str, str]] | None = None,
) -> dict[str, Entry]:
    """The unit's input entries: matched by `inputs`, not by `exclude` (a part's by its own), never
    a version file. Patterns that match no file at all are appended to `unmatched` with their key."""
    selected: dict[str, Entry] = {}
    for chosen in unit.selections:
        excludes = chosen.exclude
        for pattern in chosen.inputs:
            matched = False
            for path in pattern.select(snapshot.paths_under(pattern.scan_root)):
                matched = True
                if path in version_files or path in selected:
                    continue
                if excludes and any(exclude.matches(path) for exclude in excludes):
                    continue
                entry = snapshot.entry(path)
                if entry is not None:
                    selected[path] = entry
            if not matched and unmatched is not None:
                unmatched.append((chosen.where, pattern.text))
    if _NOT_UTF8.search("".join(selected)):  # one search for all: such names are rare
        path = next(path for path in selected if _NOT_UTF8.search(path))
        raise VersionbotError(
            f"{visible(path)}: an input file of unit {unit.name} whose name is not UTF-8, which a "
            "version file cannot record; rename it, or exclude it from the unit"
        )
    return selected


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # the bytes that git's names did not decode as UTF-8
