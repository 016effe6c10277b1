"""The only module that talks to pygit2: repositories, revisions, merge-bases and snapshots."""

from __future__ import annotations

import bisect
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

import pygit2
from pygit2.enums import FileStatus, RepositoryOpenFlag

from versionbot.errors import GitError
from versionbot.snapshot import Entry, EntryKind

CHUNK = 1 << 20
_LINK_MODE = 0o120000
_SUBMODULE_MODE = 0o160000
SHALLOW_FIX = (
    "this is a shallow clone without that history; fetch it (`git fetch --unshallow`, "
    "or `fetch-depth: 0` with actions/checkout)"
)


def _kind(mode: int) -> EntryKind:
    if mode == _LINK_MODE:
        return EntryKind.LINK
    if mode == _SUBMODULE_MODE:
        return EntryKind.SUBMODULE
    return EntryKind.FILE


class Repository:
    """A git repository opened as git itself would, honouring GIT_DIR and GIT_INDEX_FILE."""

    def __init__(self, path: Path) -> None:
        try:
            # FROM_ENV: during `git commit -a` a hook must read the index git names in GIT_INDEX_FILE.
            self._repo = pygit2.Repository(str(path), flags=RepositoryOpenFlag.FROM_ENV)
        except pygit2.GitError as error:
            raise GitError(
                f"{path}: not a git repository ({error}); run inside a checkout or pass --repo"
            ) from None
        workdir = self._repo.workdir
        self.root = Path(workdir) if workdir else None

    @property
    def is_shallow(self) -> bool:
        return bool(self._repo.is_shallow)

    def resolve(self, revision: str) -> str:
        """The commit id a revision names."""
        try:
            commit = self._repo.revparse_single(revision).peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
            fix = SHALLOW_FIX if self.is_shallow else "check the name, or fetch it first"
            raise GitError(f"unknown revision {revision!r}: {fix}") from None
        return str(commit.id)

    def head_commit(self) -> str | None:
        """HEAD's commit id, or None in a repository without commits."""
        if self._repo.head_is_unborn:
            return None
        return str(self._repo.head.peel(pygit2.Commit).id)

    def merge_base(self, revision: str, commit: str) -> str:
        oid = self._repo.merge_base(self.resolve(revision), commit)
        if oid is None:
            if self.is_shallow:
                raise GitError(f"cannot find where {commit[:12]} left {revision!r}: {SHALLOW_FIX}")
            raise GitError(f"{revision!r} and {commit[:12]} share no history; pass another --base")
        return str(oid)

    def upstream(self) -> str | None:
        """The current branch's upstream (like `@{upstream}`), if it has one."""
        if self._repo.head_is_unborn or self._repo.head_is_detached:
            return None
        branch = self._repo.branches.local.get(self._repo.head.shorthand)
        upstream = branch.upstream if branch is not None else None
        return str(upstream.name) if upstream is not None else None

    def has_reference(self, name: str) -> bool:
        return name in self._repo.references

    def commit_snapshot(self, commit: str) -> CommitSnapshot:
        return CommitSnapshot(self._repo, commit)

    def index_snapshot(self) -> IndexSnapshot:
        return IndexSnapshot(self._repo)

    def worktree_snapshot(self) -> WorktreeSnapshot:
        if self.root is None:
            raise GitError("a bare repository has no working tree; pass --head with a revision")
        return WorktreeSnapshot(self._repo, self.root)


class CommitSnapshot:
    """A commit's tree; subtrees are walked only when a pattern looks into them."""

    def __init__(self, repo: pygit2.Repository, commit: str) -> None:
        self._repo = repo
        self.label = commit
        self._tree = repo[commit].peel(pygit2.Tree)
        self._under: dict[str, list[str]] = {}
        self._entries: dict[str, Entry] = {}

    def paths_under(self, directory: str) -> Sequence[str]:
        paths = self._under.get(directory)
        if paths is None:
            paths = []
            obj = self._tree if not directory else self._lookup(directory)
            if isinstance(obj, pygit2.Tree):
                self._walk(obj, directory + "/" if directory else "", paths)
            elif obj is not None:
                self._entries[directory] = Entry(directory, _kind(obj.filemode), str(obj.id))
                paths.append(directory)
            paths.sort()
            self._under[directory] = paths
        return paths

    def _lookup(self, path: str) -> pygit2.Object | None:
        try:
            return self._tree[path]
        except KeyError:
            return None

    def _walk(self, tree: pygit2.Tree, prefix: str, out: list[str]) -> None:
        entries = self._entries
        for obj in tree:
            path = prefix + str(obj.name)
            if isinstance(obj, pygit2.Tree):
                self._walk(obj, path + "/", out)
            else:
                entries[path] = Entry(path, _kind(obj.filemode), str(obj.id))
                out.append(path)

    def entry(self, path: str) -> Entry | None:
        known = self._entries.get(path)
        if known is None:
            obj = self._lookup(path)
            if obj is None or isinstance(obj, pygit2.Tree):
                return None
            known = self._entries[path] = Entry(path, _kind(obj.filemode), str(obj.id))
        return known

    def read(self, entry: Entry) -> Iterator[bytes]:
        yield self._repo[entry.oid].read_raw()


class IndexSnapshot:
    """The staged content: the index git hands us (GIT_INDEX_FILE during a commit hook)."""

    label = "index"

    def __init__(self, repo: pygit2.Repository) -> None:
        self._repo = repo
        self._entries = {
            entry.path: Entry(entry.path, _kind(entry.mode), str(entry.id)) for entry in repo.index
        }
        self._paths = sorted(self._entries)

    def paths_under(self, directory: str) -> Sequence[str]:
        if not directory:
            return self._paths
        paths = self._paths
        start = bisect.bisect_left(paths, directory)
        end = bisect.bisect_left(paths, directory + "0")  # "0" sorts right after "/"
        return [path for path in paths[start:end] if path == directory or path.startswith(directory + "/")]

    def entry(self, path: str) -> Entry | None:
        return self._entries.get(path)

    def read(self, entry: Entry) -> Iterator[bytes]:
        yield self._repo[entry.oid].read_raw()


class WorktreeSnapshot(IndexSnapshot):
    """What `git add -A` would stage: the index, overlaid with the working tree's changes."""

    label = "worktree"

    def __init__(self, repo: pygit2.Repository, root: Path) -> None:
        super().__init__(repo)
        self._root = root
        self._on_disk: set[str] = set()
        changed = (
            FileStatus.WT_NEW | FileStatus.WT_MODIFIED | FileStatus.WT_TYPECHANGE | FileStatus.WT_RENAMED
        )
        for path, flags in repo.status(untracked_files="all").items():
            if flags & FileStatus.WT_DELETED:
                self._entries.pop(path, None)
            elif flags & changed and (entry := self._disk_entry(path)) is not None:
                self._entries[path] = entry
                self._on_disk.add(path)
        self._paths = sorted(self._entries)

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
        return Entry(path, EntryKind.FILE, str(pygit2.hashfile(str(full))))

    def read(self, entry: Entry) -> Iterator[bytes]:
        if entry.path not in self._on_disk:
            yield from super().read(entry)
            return
        full = self._root / entry.path
        if entry.kind is EntryKind.LINK:
            yield os.fsencode(os.readlink(full))
            return
        with full.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
