"""Trees read from the object store, shared by the snapshots of one repository, and the snapshot
of one tree (a commit's, or the index's)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pygit2

from versionbot.errors import GitError
from versionbot.escape import visible
from versionbot.files import CHUNK, LARGE, checked_out, streamed_checked_out
from versionbot.snapshot import ABSENT, Entry, EntryKind

TREE_MODE = 0o040000
_LINK_MODE = 0o120000
_SUBMODULE_MODE = 0o160000
_KINDS = {_LINK_MODE: EntryKind.LINK, _SUBMODULE_MODE: EntryKind.SUBMODULE}  # any other mode: a file
_TREE_ENTRY = re.compile(rb"([0-7]+) ([^\0]*)\0(.{20})", re.DOTALL)  # mode, name, binary id

Listing = dict[str, tuple[str, int]]  # a tree's names with their ids and modes


def parse_tree(raw: bytes) -> Listing:
    """A raw tree object's entries: name -> (hex id, mode). Names that are not UTF-8 keep their
    bytes as surrogates (`os.fsdecode`'s way), so nothing is lost."""
    return {
        name.decode("utf-8", "surrogateescape"): (raw_id.hex(), int(mode, 8))
        for mode, name, raw_id in _TREE_ENTRY.findall(raw)
    }


def entry_kind(mode: int) -> EntryKind:
    return _KINDS.get(mode, EntryKind.FILE)


class Trees:
    """Trees read by the snapshots of one repository: the base and the head share most of them."""

    def __init__(self, repo: pygit2.Repository) -> None:
        self._repo = repo
        self.odb = repo.odb
        self._listings: dict[str, Listing] = {}
        self._objects: dict[str, pygit2.Tree] = {}  # libgit2 itself caches only small trees
        self.blobs: dict[str, list[Any]] = {}  # `Memory.blobs` while a run's memory is open

    def listing(self, tree_id: str) -> Listing:
        """Every name in a tree with its id and mode."""
        listing = self._listings.get(tree_id)
        if listing is None:
            # Parsed from the raw object: creating a pygit2 object per entry costs several times more.
            listing = self._listings[tree_id] = parse_tree(self.read(tree_id, "a folder"))
        return listing

    def read(self, oid: str, what: str) -> bytes:
        """An object's raw content. One missing from a partial clone (`--filter=blob:none`) is
        asked of git, which fetches it from the clone's remote; libgit2 cannot."""
        try:
            return bytes(self.odb.read(oid)[1])
        except (KeyError, ValueError, pygit2.GitError):
            pass
        try:
            done = subprocess.run(
                ["git", f"--git-dir={self._repo.path}", "cat-file", "--batch"],
                input=oid.encode() + b"\n",
                capture_output=True,
                check=False,
            )
        except OSError:
            done = None
        if done is not None and done.returncode == 0 and not done.stdout.endswith(b" missing\n"):
            header, _, body = done.stdout.partition(b"\n")
            size = int(header.split()[-1])
            return body[:size]
        raise GitError(
            f"{what} (object {oid[:12]}) is missing from the repository: a partial or shallow clone "
            "that cannot fetch it; fetch it (`git fetch`), or clone without `--filter`"
        )

    def size(self, oid: str) -> int | None:
        """A blob's size from its header, or None where the object store does not hold it."""
        try:
            return int(self.odb.read_header(oid)[1])
        except (KeyError, ValueError, pygit2.GitError):
            return None

    def stream(self, oid: str, what: str) -> Iterator[bytes]:
        """A large blob's content in chunks, as git streams it, never held whole."""
        try:
            process = subprocess.Popen(
                ["git", f"--git-dir={self._repo.path}", "cat-file", "blob", oid],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            yield self.read(oid, what)
            return
        assert process.stdout is not None
        try:
            while chunk := process.stdout.read(CHUNK):
                yield chunk
        finally:
            process.stdout.close()
            if process.wait() != 0:
                raise GitError(f"{what}: `git cat-file` could not read object {oid[:12]}")

    def find(self, tree_id: str, name: str) -> tuple[str, int] | None:
        """One name's id and mode; libgit2 finds it in a tree not listed yet without a listing."""
        listing = self._listings.get(tree_id)
        if listing is not None:
            return listing.get(name)
        key = f"{tree_id}/{name}"
        known = self.blobs.get(key)  # a file an earlier run found there (trees never change)
        if isinstance(known, list) and len(known) == 2:
            oid, mode = known
            if isinstance(oid, str) and isinstance(mode, int):
                return oid, mode
        tree = self._objects.get(tree_id)
        if tree is None:
            try:
                tree = self._repo[pygit2.Oid(hex=tree_id)].peel(pygit2.Tree)
            except (KeyError, ValueError, pygit2.GitError):
                return self.listing(tree_id).get(name)
            self._objects[tree_id] = tree
        if name not in tree:
            return None
        obj = tree[name]
        found = str(obj.id), int(obj.filemode)
        if obj.type_str == "blob":  # a tree's id changes with everything below: not worth keeping
            self.blobs[key] = list(found)
        return found


class TreeSnapshot:
    """A tree (a commit's, or the index's); subtrees are read only when a pattern looks into them."""

    def __init__(
        self,
        trees: Trees,
        tree: str,
        *,
        label: str,
        checkout: Path | None,
        unmerged: frozenset[str] = frozenset(),
    ) -> None:
        self._trees = trees
        self.unmerged = unmerged
        self._checkout = str(checkout) if checkout else None  # where many blobs also lie as files
        self.label = label
        self._root = tree
        self._found: dict[str, tuple[str, int] | None] = {}  # what `_lookup` found at a path
        self._under: dict[str, list[str]] = {}
        self._entries: dict[str, Entry] = {}

    def _lookup(self, path: str) -> tuple[str, int] | None:
        """The id and mode at `path` ('' is not a path), or None when nothing is there."""
        if path in self._found:
            return self._found[path]
        # From the deepest folder already looked up down to `path`, one name at a time (a path may
        # be thousands of folders deep: no recursion).
        names = path.split("/")
        depth = len(names) - 1
        while depth > 0 and "/".join(names[:depth]) not in self._found:
            depth -= 1
        found: tuple[str, int] | None = (
            (self._root, TREE_MODE) if depth == 0 else self._found["/".join(names[:depth])]
        )
        for index in range(depth, len(names)):
            folder = found
            found = self._trees.find(folder[0], names[index]) if folder and folder[1] == TREE_MODE else None
            self._found["/".join(names[: index + 1])] = found
        return found

    def content_id(self, path: str) -> str | None:
        if not path:
            return self._root
        found = self._lookup(path)
        return found[0] if found is not None else ABSENT

    def paths_under(self, directory: str) -> Sequence[str]:
        paths = self._under.get(directory)
        if paths is None:
            paths = []
            found = (self._root, TREE_MODE) if not directory else self._lookup(directory)
            if found is not None and found[1] == TREE_MODE:
                self._walk(found[0], directory + "/" if directory else "", paths)
            elif found is not None:
                self.entry(directory)
                paths.append(directory)
            paths.sort()
            self._under[directory] = paths
        return paths

    def _walk(self, tree_id: str, prefix: str, out: list[str]) -> None:
        entries, listing = self._entries, self._trees.listing
        pending = [(tree_id, prefix)]  # folders may nest deeper than Python recurses
        while pending:
            folder, at = pending.pop()
            for name, (oid, mode) in listing(folder).items():
                path = at + name
                if mode == TREE_MODE:
                    pending.append((oid, path + "/"))
                else:
                    entries[path] = Entry(path, entry_kind(mode), oid)
                    out.append(path)

    def entry(self, path: str) -> Entry | None:
        known = self._entries.get(path)
        if known is None:
            found = self._lookup(path)
            if found is None or found[1] == TREE_MODE:
                return None
            known = self._entries[path] = Entry(path, entry_kind(found[1]), found[0])
        return known

    def read(self, entry: Entry) -> Iterable[bytes]:
        data = self.read_checked_out(entry)
        if data is not None:
            return (data,)
        size = self._trees.size(entry.oid)
        if size is not None and size > LARGE:
            # Streamed from the checkout where it lies there unchanged: git itself would inflate
            # the whole object into memory (below core.bigFileThreshold, 512 MiB by default).
            if self._checkout is not None and entry.kind is EntryKind.FILE:
                streamed = streamed_checked_out(os.path.join(self._checkout, entry.path), entry.oid)
                if streamed is not None:
                    return streamed
            return self._trees.stream(entry.oid, entry.path)
        return (self._trees.read(entry.oid, visible(entry.path)),)

    def read_checked_out(self, entry: Entry) -> bytes | None:
        if self._checkout is None or entry.kind is not EntryKind.FILE:
            return None
        return checked_out(os.path.join(self._checkout, entry.path), entry.oid)

    def read_file(self, path: str) -> bytes | None:
        entry = self.entry(path)
        if entry is None or entry.kind is not EntryKind.FILE:
            return None
        return b"".join(self.read(entry))
