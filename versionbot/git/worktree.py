"""The working tree as a snapshot: the index's tree overlaid with what `git status` reports."""

from __future__ import annotations

import bisect
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pygit2

from versionbot.errors import GitError
from versionbot.escape import visible
from versionbot.files import read_regular, stream_file
from versionbot.git.trees import TreeSnapshot
from versionbot.snapshot import ABSENT, Entry, EntryKind

_SPECIAL = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket"}


def parse_status_z(output: bytes) -> dict[str, bool]:
    """`git status --porcelain -z --no-renames` as the paths where the working tree differs from the
    index, True where a path is deleted there."""
    changes: dict[str, bool] = {}
    for record in output.split(b"\0"):
        state = record[:2]  # "XY path": Y compares the working tree with the index
        if state in _UNMERGED:  # in conflict: the index has no content, the file says what is there
            changes[os.fsdecode(record[3:])] = False
        elif state[1:] not in (b"", b" "):
            changes[os.fsdecode(record[3:])] = state[1:] == b"D"
    return changes


_UNMERGED = frozenset({b"DD", b"AU", b"UD", b"UA", b"DU", b"AA", b"UU"})


class WorktreeSnapshot:
    """What `git add -A` would stage: the index's tree, overlaid with the working tree's changes."""

    label = "worktree"

    def __init__(self, index: TreeSnapshot, root: Path, changes: Mapping[str, bool]) -> None:
        """`changes`: the paths where the working tree differs from `index`, True if deleted."""
        self._index = index
        self._root = root
        self._special: dict[str, str] = {}  # paths that are neither file, link nor folder: why
        self._overlay: dict[str, Entry | None] = {  # None: deleted in the working tree
            path: None if is_deleted else self._disk_entry(path) for path, is_deleted in changes.items()
        }
        self._changed = sorted(self._overlay)
        self.unmerged = index.unmerged

    def _disk_entry(self, path: str) -> Entry | None:
        full = self._root / path
        try:
            info = full.lstat()
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(info.st_mode):
            return Entry(path, EntryKind.LINK, str(pygit2.hash(os.fsencode(os.readlink(full)))))
        if stat.S_ISDIR(info.st_mode):  # a submodule checked out at another commit
            try:
                return Entry(path, EntryKind.SUBMODULE, str(pygit2.Repository(str(full)).head.target))
            except pygit2.GitError:
                return None
        if not stat.S_ISREG(info.st_mode):  # a pipe would block the reader forever
            self._special[path] = _SPECIAL.get(stat.S_IFMT(info.st_mode), "a device")
            return Entry(path, EntryKind.FILE, ABSENT)
        try:
            return Entry(path, EntryKind.FILE, str(pygit2.hashfile(str(full))))
        except (OSError, pygit2.GitError) as error:
            raise GitError(f"cannot read {visible(path)} in the working tree: {error}") from None

    def _refuse_special(self, path: str) -> None:
        if path in self._special:
            raise GitError(
                f"{visible(path)} is {self._special[path]} in the working tree; versionbot reads only "
                "files, symbolic links and submodules: replace it with a file, or remove it"
            )

    def _touches(self, path: str) -> bool:
        """Whether a working-tree change lies at `path`, below it, or above it."""
        changed = self._changed
        index = bisect.bisect_left(changed, path)
        if index < len(changed) and (changed[index] == path or changed[index].startswith(path + "/")):
            return True
        return any(path.startswith(other + "/") for other in changed[max(0, index - 1) : index])

    def content_id(self, path: str) -> str | None:
        if not self._changed:
            return self._index.content_id(path)
        if not path or self._touches(path):
            return None
        return self._index.content_id(path)

    def paths_under(self, directory: str) -> Sequence[str]:
        paths = self._index.paths_under(directory)
        if not self._changed or (directory and not self._touches(directory)):
            return paths
        merged = set(paths)
        for path, entry in self._overlay.items():
            if not directory or path == directory or path.startswith(directory + "/"):
                if entry is None:
                    merged.discard(path)
                else:
                    merged.add(path)
        return sorted(merged)

    def entry(self, path: str) -> Entry | None:
        if path in self._overlay:
            self._refuse_special(path)
            return self._overlay[path]
        return self._index.entry(path)

    def read_file(self, path: str) -> bytes | None:
        entry = self.entry(path)
        if entry is None or entry.kind is not EntryKind.FILE:
            return None
        if path in self._overlay:
            data = read_regular(str(self._root / path))
            if data is None:
                raise GitError(f"cannot read {visible(path)} in the working tree (changed while read?)")
            return data
        return self._index.read_file(path)

    def read_checked_out(self, entry: Entry) -> bytes | None:
        # A changed file is streamed by `read`: it may be large, and is read where it lies anyway.
        return None if entry.path in self._overlay else self._index.read_checked_out(entry)

    def read(self, entry: Entry) -> Iterable[bytes]:
        if self._overlay.get(entry.path) is not entry:
            return self._index.read(entry)
        full = self._root / entry.path
        if entry.kind is EntryKind.LINK:
            return (os.fsencode(os.readlink(full)),)
        return stream_file(full)
