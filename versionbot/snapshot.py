"""What the core needs from one state of the repository's files; `git.py` provides the real ones."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

ABSENT = "-"  # content_id of a path that does not exist


class EntryKind(enum.Enum):
    FILE = "file"
    LINK = "link"
    SUBMODULE = "submodule"


@dataclass(frozen=True, slots=True)
class Entry:
    """One path of a snapshot; `oid` is git's object id of its raw content (or the submodule commit)."""

    path: str
    kind: EntryKind
    oid: str


class Snapshot(Protocol):
    """A commit's tree, the index or the working tree, seen as sorted paths with content."""

    @property
    def label(self) -> str:
        """A commit id, or "index", or "worktree"."""

    @property
    def unmerged(self) -> frozenset[str]:
        """Paths in conflict in the index (a merge under way): they have no staged content."""

    def paths_under(self, directory: str) -> Sequence[str]:
        """Sorted paths equal to `directory` or below it; '' means every path."""

    def entry(self, path: str) -> Entry | None: ...

    def content_id(self, path: str) -> str | None:
        """Git's id of the tree or blob at `path` ('' is the root), ABSENT when nothing is there,
        or None when it is not known without reading the content."""

    def read_file(self, path: str) -> bytes | None:
        """A whole small file, read the cheapest way; None when no file is at `path`."""

    def read(self, entry: Entry) -> Iterable[bytes]:
        """The raw content in chunks (a one-element tuple when read whole): file bytes, or a
        link's target."""

    def read_checked_out(self, entry: Entry) -> bytes | None:
        """A file's content read from a checked-out file when that file holds exactly it, else None.
        Uses no git library, so a forked process may call it."""
