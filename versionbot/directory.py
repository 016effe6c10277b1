"""A plain directory as a snapshot, for `versionbot verify`: a `git archive` tarball unpacked, a
container image's tree, a deployed layer. No git at all: the paths are the directory's files and
symbolic links (a `.git` folder aside), read where they lie, never through a link."""

from __future__ import annotations

import bisect
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from versionbot.errors import VersionbotError
from versionbot.escape import visible
from versionbot.files import read_regular, stream_file
from versionbot.snapshot import Entry, EntryKind

_SPECIAL = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket"}


class DirectorySnapshot:
    """Every file and link below `root`, with its path relative to it."""

    unmerged: frozenset[str] = frozenset()

    def __init__(self, root: Path) -> None:
        self._root = root
        self._prefix = os.path.join(str(root), "")  # paths are joined as strings: many are read
        self.label = str(root)
        self._kinds: dict[str, EntryKind] = {}
        self._special: dict[str, str] = {}
        self._unreadable: list[str] = []  # folders that could not be listed: what they hold is unknown
        self._walk(str(root))
        self._paths = sorted(self._kinds)

    def _walk(self, root: str) -> None:
        """Every file and link below `root`, by `os.scandir`: the kind of most entries comes with
        the listing, so a tree of 50,000 files costs no `lstat` each. A stack, not recursion: trees
        may be deep."""
        pending = [(root, "")]
        while pending:
            folder, prefix = pending.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError:
                self._unreadable.append(prefix.rstrip("/") or ".")
                continue
            for entry in entries:
                path = prefix + entry.name
                try:
                    if entry.is_symlink():
                        self._kinds[path] = EntryKind.LINK
                    elif entry.is_dir(follow_symlinks=False):
                        if entry.name != ".git":
                            pending.append((entry.path, path + "/"))
                    elif entry.is_file(follow_symlinks=False):
                        self._kinds[path] = EntryKind.FILE
                    else:  # a named pipe, a socket or a device: a finding when read
                        mode = entry.stat(follow_symlinks=False).st_mode
                        self._kinds[path] = EntryKind.FILE
                        self._special[path] = _SPECIAL.get(stat.S_IFMT(mode), "a device")
                except OSError:  # gone meanwhile: as if it had never been listed
                    continue

    def paths_under(self, directory: str) -> Sequence[str]:
        for folder in self._unreadable:
            if (
                not directory
                or folder == directory
                or folder.startswith(directory + "/")
                or directory.startswith(folder + "/")
            ):
                raise VersionbotError(
                    f"{visible(folder)} in {visible(self.label)} cannot be read: what it holds is unknown"
                )
        if not directory:
            return self._paths
        start = bisect.bisect_left(self._paths, directory)
        end = bisect.bisect_left(self._paths, directory + "0")  # "0" sorts right after "/"
        return [
            path for path in self._paths[start:end] if path == directory or path.startswith(directory + "/")
        ]

    def entry(self, path: str) -> Entry | None:
        kind = self._kinds.get(path)
        if kind is None:
            return None
        if path in self._special:
            raise VersionbotError(
                f"{visible(path)} is {self._special[path]} in {visible(self.label)}; versionbot reads only "
                "files and symbolic links"
            )
        return Entry(path, kind, f"path:{path}")  # unique in this snapshot: digests are cached by it

    def content_id(self, path: str) -> str | None:
        return None  # unknown without reading: nothing may be skipped

    def read_file(self, path: str) -> bytes | None:
        entry = self.entry(path)
        if entry is None or entry.kind is not EntryKind.FILE:
            return None
        return read_regular(self._prefix + path)

    def read(self, entry: Entry) -> Iterable[bytes]:
        if entry.kind is EntryKind.LINK:
            return (os.fsencode(os.readlink(self._root / entry.path)),)
        return stream_file(self._root / entry.path)

    def read_checked_out(self, entry: Entry) -> bytes | None:
        """The file read where it lies (with no git, that is all there is); uses no git library, so
        a forked process may call it."""
        return read_regular(self._prefix + entry.path) if entry.kind is EntryKind.FILE else None
