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

        def unreadable(error: OSError) -> None:
            shown = os.path.relpath(error.filename, root) if error.filename else str(root)
            self._unreadable.append(shown.replace(os.sep, "/"))

        for folder, folders, files in os.walk(root, onerror=unreadable, followlinks=False):
            folders[:] = [name for name in folders if name != ".git"]
            relative = os.path.relpath(folder, root)
            prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
            for name in [*files, *(name for name in folders if os.path.islink(os.path.join(folder, name)))]:
                self._add(prefix + name, os.path.join(folder, name))
        self._paths = sorted(self._kinds)

    def _add(self, path: str, full: str) -> None:
        mode = os.lstat(full).st_mode
        if stat.S_ISLNK(mode):
            self._kinds[path] = EntryKind.LINK
        elif stat.S_ISREG(mode):
            self._kinds[path] = EntryKind.FILE
        else:
            self._kinds[path] = EntryKind.FILE
            self._special[path] = _SPECIAL.get(stat.S_IFMT(mode), "a device")

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
