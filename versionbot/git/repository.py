"""Repositories opened as git opens them: revisions, merge-bases, and the three kinds of snapshot."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygit2
from pygit2.enums import FileStatus, RepositoryOpenFlag

from versionbot import writer
from versionbot.cache import Memory
from versionbot.commits import is_commit_id
from versionbot.errors import GitError
from versionbot.files import LARGE
from versionbot.git.trees import Trees, TreeSnapshot
from versionbot.git.worktree import WorktreeSnapshot, parse_status_z
from versionbot.store import FOLDER, Store

SHALLOW_FIX = (
    "this is a shallow clone without that history; fetch it (`git fetch --unshallow`, "
    "or `fetch-depth: 0` with actions/checkout)"
)


_RAW = re.compile(rb":[0-7]+ [0-7]+ (?P<old>[0-9a-f]+) (?P<new>[0-9a-f]+) [A-Z][0-9]*\0(?P<path>[^\0]*)\0")


def _blob_id(raw: bytes) -> str | None:
    text = raw.decode()
    return None if set(text) == {"0"} else text


@dataclass(frozen=True)
class PathChange:
    """A commit that changed some paths: its first parent, committer date and subject, and each
    path's blob before and after (None: absent)."""

    commit: str
    parent: str | None
    date: str
    subject: str
    blobs: Mapping[str, tuple[str | None, str | None]]


class Repository:
    """A git repository opened as git itself would, honouring GIT_DIR and GIT_INDEX_FILE."""

    def __init__(self, path: Path) -> None:
        # FROM_ENV: during `git commit -a` a hook must read the index git names in GIT_INDEX_FILE.
        # libgit2 then still opens `path` rather than GIT_DIR, and would take the work tree from
        # GIT_WORK_TREE and the history from `path`: GIT_DIR wins, as it does for git (relative to
        # `path`, as with `git -C`).
        named = os.environ.get("GIT_DIR")
        target = path / named if named else path
        try:
            self._repo = pygit2.Repository(str(target), flags=RepositoryOpenFlag.FROM_ENV)
        except pygit2.GitError as error:
            raise GitError(
                f"{path}: not a git repository ({error}); run inside a checkout or pass --repo"
            ) from None
        workdir = self._repo.workdir
        self.root = Path(workdir) if workdir else None
        self.git_dir = Path(self._repo.path)
        self._trees = Trees(self._repo)
        self._store = Store(self.git_dir)

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
        try:
            oid = self._repo.merge_base(self.resolve(revision), commit)
        except (KeyError, ValueError, pygit2.GitError):  # a commit missing from the object store
            oid = None
        if oid is None:
            if self.is_shallow:
                raise GitError(f"cannot find where {commit[:12]} left {revision!r}: {SHALLOW_FIX}")
            raise GitError(f"{revision!r} and {commit[:12]} share no history; pass another --base")
        return str(oid)

    def upstream(self) -> str | None:
        """The current branch's upstream (like `@{upstream}`) when it is another branch.

        A branch that tracks its own copy on a remote (`git push -u origin feature`) has no base
        there: judged against it, every push would ask for another bump.
        """
        if self._repo.head_is_unborn or self._repo.head_is_detached:
            return None
        name = self._repo.head.shorthand
        branch = self._repo.branches.local.get(name)
        upstream = branch.upstream if branch is not None else None
        if upstream is None or upstream.branch_name == f"{upstream.remote_name}/{name}":
            return None
        return str(upstream.shorthand)  # `origin/develop`, as every other base is named

    def has_reference(self, name: str) -> bool:
        return name in self._repo.references

    def current_branch(self) -> str | None:
        """The checked-out branch's name; None when HEAD is detached."""
        if self._repo.head_is_detached:
            return None
        target = self._repo.references["HEAD"].target
        return str(target).removeprefix("refs/heads/") if isinstance(target, str) else None

    def upstream_remote(self) -> str | None:
        """The remote of the current branch's upstream, its own copy included (`origin`)."""
        name = self.current_branch()
        branch = self._repo.branches.local.get(name) if name and not self._repo.head_is_unborn else None
        upstream = branch.upstream if branch is not None else None
        return str(upstream.remote_name) if upstream is not None else None

    def remote_default(self, remote: str) -> str | None:
        """What `<remote>/HEAD` points at, as `origin/main`; None when the clone does not know."""
        reference = self._repo.references.get(f"refs/remotes/{remote}/HEAD")
        if reference is None:
            return None
        target = reference.target
        if isinstance(target, str):
            return target.removeprefix("refs/remotes/")
        return f"{remote}/HEAD"

    def commit_snapshot(self, commit: str) -> TreeSnapshot:
        tree = str(self._repo[commit].peel(pygit2.Tree).id)
        return TreeSnapshot(self._trees, tree, label=commit, checkout=self.root)

    def index_snapshot(self) -> TreeSnapshot:
        """The staged content, as the tree the next commit would have.

        Writing the index's tree stores tree objects as `git write-tree` does (the same ones the
        next commit writes); it makes every unchanged folder's id free to compare. During a merge,
        the paths still in conflict have no staged content: they are left out of the tree and named
        by the snapshot's `unmerged`.
        """
        tree, unmerged = self._index_tree()
        return TreeSnapshot(self._trees, tree, label="index", checkout=self.root, unmerged=unmerged)

    def _index_tree(self) -> tuple[str, frozenset[str]]:
        """The staged content's tree id and the paths in conflict, without taking the index's lock.

        `git write-tree` locks the index it reads (`index.lock`), so a `git add` running beside a
        read-only `check` would fail; it runs on a private copy of the index instead. git itself
        reads a large index several times faster than libgit2, which verifies the index's checksum
        on every load; libgit2 remains the fallback where git is not installed, and writes the tree
        of an index in conflict (which `git write-tree` refuses).
        """
        index_path = self._index_path()
        with contextlib.suppress(OSError, GitError), writer.scratch(self.git_dir, FOLDER) as copy:
            shutil.copyfile(index_path, copy)
            output = self._git("write-tree", env={"GIT_INDEX_FILE": str(copy)})
            if output is not None:
                return output.decode().strip(), frozenset()
        try:
            index = pygit2.Index(str(index_path))  # read into memory: the index file is left as it is
            conflicts = index.conflicts
            unmerged = frozenset(
                next(side for side in sides if side is not None).path for sides in conflicts or ()
            )
            for path in unmerged:
                del index.conflicts[path]
            return str(index.write_tree(self._repo)), unmerged
        except (pygit2.GitError, OSError, ValueError) as error:
            raise GitError(f"cannot read the index {index_path} as a tree: {error}") from None

    def merge_heads(self, environ: Mapping[str, str]) -> tuple[str, ...]:
        """The commits a merge under way is merging into HEAD: `MERGE_HEAD` once `git merge` stopped
        (a conflict, or a failed hook), else, while its `pre-merge-commit` hook runs, the
        `GITHEAD_<id>` variables git sets for it. Empty when no merge is under way."""
        try:
            lines = (self.git_dir / "MERGE_HEAD").read_text(encoding="ascii").split()
        except (OSError, UnicodeDecodeError):
            lines = [name.removeprefix("GITHEAD_") for name in environ if name.startswith("GITHEAD_")]
        heads = []
        for line in lines:
            if is_commit_id(line) and self._is_commit(line):
                heads.append(line.lower())
        return tuple(heads)

    def _is_commit(self, commit: str) -> bool:
        try:
            return isinstance(self._repo[commit], pygit2.Commit)
        except (KeyError, ValueError):
            return False

    def merge_base_of_merge(self, revision: str, commits: list[str]) -> str:
        """The merge-base of `revision` with the merge of `commits` that is under way, as
        `git merge-base REV HEAD MERGE_HEAD` answers it: what the base will be once it is committed."""
        try:
            ids: list[str | pygit2.Oid] = [self.resolve(revision), *commits]
            oid = self._repo.merge_base_many(ids)
        except (KeyError, ValueError, pygit2.GitError):
            oid = None
        if oid is None:
            return self.merge_base(revision, commits[0])  # the same question, with its messages
        return str(oid)

    def tracked(self, paths: list[str]) -> set[str]:
        """Which of `paths` the index holds (or the commit HEAD names)."""
        try:
            index = pygit2.Index(str(self._index_path()))
        except (pygit2.GitError, OSError, ValueError):
            return set(paths)  # unknown: treat every one as the repository's
        head = self.head_commit()
        tree = self._repo[head].peel(pygit2.Tree) if head else None
        return {path for path in paths if path in index or (tree is not None and path in tree)}

    def _index_path(self) -> Path:
        """The index git hands this process (GIT_INDEX_FILE, relative to where git runs us)."""
        named = os.environ.get("GIT_INDEX_FILE")
        return Path(os.path.abspath(named)) if named else self.git_dir / "index"

    def worktree_snapshot(self) -> WorktreeSnapshot:
        if self.root is None:
            raise GitError("a bare repository has no working tree; pass --head with a revision")
        index = self.index_snapshot()
        return WorktreeSnapshot(index, self.root, self._worktree_changes(self.root))

    def _worktree_changes(self, root: Path) -> dict[str, bool]:
        """Where the working tree differs from the index, untracked files included; True where
        a path is deleted there."""
        # git compares a large working tree with the index about twice as fast as libgit2 (it
        # checks files' stat data on several threads); libgit2 remains the fallback.
        output = self._git(
            f"--work-tree={root}",
            # A file whose stat data cannot tell (racy) is compared by content: above this, git
            # streams it rather than reading it whole into memory.
            *("-c", f"core.bigFileThreshold={LARGE}"),
            *("--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all"),
            "--no-renames",
            "--ignore-submodules=dirty",  # a submodule counts by its commit, not its files
        )
        if output is not None:
            return parse_status_z(output)
        changed = (
            FileStatus.WT_NEW | FileStatus.WT_MODIFIED | FileStatus.WT_TYPECHANGE | FileStatus.WT_RENAMED
        )
        return {
            path: bool(flags & FileStatus.WT_DELETED)
            for path, flags in self._repo.status(untracked_files="all").items()
            if flags & (changed | FileStatus.WT_DELETED)
        }

    def _git(self, *args: str, env: Mapping[str, str] | None = None) -> bytes | None:
        """What a git command on this repository prints; None where it fails or git is missing."""
        try:
            result = subprocess.run(
                ["git", f"--git-dir={self.git_dir}", *args],
                capture_output=True,
                check=False,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **env} if env else None,
            )
        except OSError:
            return None
        return result.stdout if result.returncode == 0 else None

    @contextlib.contextmanager
    def memory(self) -> Iterator[Memory]:
        """What earlier runs learnt (see cache.py and store.py); while it is open, the snapshots of
        this repository find files in trees they have not read through it."""
        with self._store.memory() as memory:
            self._trees.blobs = memory.blobs
            try:
                yield memory
            finally:
                self._trees.blobs = {}

    def changes_to(self, commit: str, path: str, limit: int) -> list[tuple[str, str]]:
        """The commits on `commit`'s first-parent history (itself included) that changed `path`,
        newest first, at most `limit`: ids and subjects. Empty where git is missing."""
        output = self._git(
            "--literal-pathspecs",
            *("log", "--first-parent", "-z", "--format=%H%x1f%s", f"-n{limit}", commit, "--", path),
        )
        found = []
        for record in (output or b"").split(b"\0"):
            commit_id, _, subject = record.decode("utf-8", "replace").partition("\x1f")
            if is_commit_id(commit_id):
                found.append((commit_id, subject))
        return found

    def path_log(self, commit: str, *paths: str) -> list[PathChange]:
        """The commits on `commit`'s first-parent history (itself included) that changed any of
        `paths`, newest first, each with the blob ids those paths had before and after it (from one
        `git log --raw`: no tree is read)."""
        output = self._git(
            "--literal-pathspecs",
            *("log", "--first-parent", "-z", "--raw", "--no-abbrev", "--no-renames"),
            *("--format=%x1e%H%x1f%P%x1f%cI%x1f%s", commit, "--", *paths),
        )
        found = []
        for chunk in (output or b"").split(b"\x1e")[1:]:
            header, _, raw = chunk.partition(b"\0")
            fields = header.decode("utf-8", "replace").split("\x1f", 3)
            if len(fields) != 4 or not is_commit_id(fields[0]):
                continue
            blobs = {
                os.fsdecode(match["path"]): (_blob_id(match["old"]), _blob_id(match["new"]))
                for match in _RAW.finditer(raw)
            }
            parents = fields[1].split()
            found.append(PathChange(fields[0], parents[0] if parents else None, fields[2], fields[3], blobs))
        return found

    def first_parents_between(self, start: str, end: str) -> list[str]:
        """The commits of `end`'s first-parent line that `start` does not have (`git rev-list
        --first-parent START..END`), newest first."""
        output = self._git("rev-list", "--first-parent", f"{start}..{end}") or b""
        return output.decode().split()

    def touched(self, commit: str, paths: list[str]) -> frozenset[str]:
        """Which of `paths` any commit on `commit`'s first-parent history changed (one `git log`);
        all of them where git cannot tell, so that nothing is skipped."""
        output = self._git(
            "--literal-pathspecs",
            *(
                "log",
                "--first-parent",
                "--format=",
                "--name-only",
                "-z",
                "--no-renames",
                commit,
                "--",
                *paths,
            ),
        )
        if output is None:
            return frozenset(paths)
        return frozenset(os.fsdecode(name) for name in output.replace(b"\n", b"\0").split(b"\0") if name)

    def blob(self, oid: str) -> bytes:
        """A blob's raw content (asked of git where a partial clone lacks it)."""
        return self._trees.read(oid, oid[:12])

    def shallow_boundary(self) -> frozenset[str]:
        """The commits a shallow clone has without their parents: git log shows them adding every
        file, so what they changed is unknown."""
        try:
            return frozenset((self.git_dir / "shallow").read_text(encoding="ascii").split())
        except (OSError, UnicodeDecodeError):
            return frozenset()

    def config_value(self, key: str) -> str | None:
        """A git configuration value as git would read it (local, global and system files)."""
        try:
            return str(self._repo.config[key])
        except (KeyError, pygit2.GitError):
            return None

    def hooks_dir(self) -> Path:
        """Where git looks for hooks: `core.hooksPath` (relative to the work tree), else `hooks/` of
        the repository's common git directory (shared by its linked worktrees)."""
        configured = self.config_value("core.hooksPath")
        if configured:
            path = Path(configured).expanduser()
            return path if path.is_absolute() else (self.root or self.git_dir) / path
        common = self.git_dir
        with contextlib.suppress(OSError, UnicodeDecodeError):
            common = self.git_dir / (self.git_dir / "commondir").read_text(encoding="utf-8").strip()
        return common / "hooks"

    def set_local_config(self, key: str, value: str) -> None:
        """Set a value in the repository's own configuration (`.git/config`), as `git config` does."""
        try:
            self._repo.config[key] = value
        except (pygit2.GitError, OSError) as error:
            raise GitError(f"cannot set {key} in {self.git_dir / 'config'}: {error}") from None

    def parsed_toml(self, data: bytes) -> dict[str, Any]:
        return self._store.parsed_toml(data)

    def commit_info(self, commit: str) -> CommitInfo:
        """A commit's parents and message (a commit the repository has)."""
        found = self._repo[commit].peel(pygit2.Commit)
        return CommitInfo(
            tuple(str(parent) for parent in found.parent_ids),
            found.message,
            found.author.raw_name.decode("utf-8", "replace"),
        )

    def file_mode(self, commit: str, path: str) -> int | None:
        """The mode of the file at `path` in `commit` (None: no file there)."""
        try:
            entry = self._repo[commit].peel(pygit2.Commit).tree[path]
        except (KeyError, ValueError):
            return None
        return int(entry.filemode) if entry.type_str == "blob" else None


@dataclass(frozen=True)
class CommitInfo:
    parents: tuple[str, ...]
    message: str
    author: str  # the author's name


def patch_text(changes: Mapping[str, tuple[bytes | None, bytes | None]]) -> str:
    """A patch `git apply` takes: each path's content before and after (None: no file), in git's
    diff format with its quoting of unusual names."""
    return "".join(
        pygit2.Patch.create_from(before, after, old_as_path=path, new_as_path=path).text or ""
        for path, (before, after) in sorted(changes.items())
    )
