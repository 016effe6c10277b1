"""The only module that talks to pygit2: repositories, revisions, merge-bases and snapshots."""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pygit2
from pygit2.enums import FileStatus, RepositoryOpenFlag

from versionbot import __version__, safejson, writer
from versionbot.cache import Memory
from versionbot.config import parse_toml
from versionbot.errors import GitError, VersionbotError
from versionbot.escape import visible
from versionbot.snapshot import ABSENT, Entry, EntryKind

CHUNK = 1 << 20
_FIRST_READ = 1 << 16  # most files are read whole in one call
LARGE = 32 << 20  # bytes: a blob this large is streamed, never held whole in memory
# Never follow a link or wait on a pipe that replaced a checked-out file.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_TREE_MODE = 0o040000
_LINK_MODE = 0o120000
_SUBMODULE_MODE = 0o160000
SHALLOW_FIX = (
    "this is a shallow clone without that history; fetch it (`git fetch --unshallow`, "
    "or `fetch-depth: 0` with actions/checkout)"
)
CACHE_FOLDER = "versionbot"  # under the git directory; never committed
CACHE_FILE = f"{CACHE_FOLDER}/cache-v1.json"
TOML_CACHE = f"{CACHE_FOLDER}/toml-v1.json"  # the parsed configuration, by the file's content


Listing = dict[str, tuple[str, int]]  # a tree's names with their ids and modes


_KINDS = {_LINK_MODE: EntryKind.LINK, _SUBMODULE_MODE: EntryKind.SUBMODULE}  # any other mode: a file
_SPECIAL = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket"}
_TREE_ENTRY = re.compile(rb"([0-7]+) ([^\0]*)\0(.{20})", re.DOTALL)  # mode, name, binary id


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
        self._trees = _Trees(self._repo)

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
        return str(upstream.name)

    def has_reference(self, name: str) -> bool:
        return name in self._repo.references

    def commit_snapshot(self, commit: str) -> TreeSnapshot:
        tree = str(self._repo[commit].peel(pygit2.Tree).id)
        return TreeSnapshot(self._trees, tree, label=commit, checkout=self.root)

    def index_snapshot(self) -> TreeSnapshot:
        """The staged content, as the tree the next commit would have.

        Writing the index's tree stores tree objects as `git write-tree` does (the same ones the
        next commit writes); it makes every unchanged folder's id free to compare.
        """
        tree = self._index_tree()
        return TreeSnapshot(self._trees, tree, label="index", checkout=self.root)

    def _index_tree(self) -> str:
        """The staged content's tree id, without taking the index's lock.

        `git write-tree` locks the index it reads (`index.lock`), so a `git add` running beside a
        read-only `check` would fail; it runs on a private copy of the index instead. git itself
        reads a large index several times faster than libgit2, which verifies the index's checksum
        on every load; libgit2 remains the fallback where git is not installed.
        """
        index = self._index_path()
        with contextlib.suppress(OSError, GitError), writer.scratch(self.git_dir, CACHE_FOLDER) as copy:
            shutil.copyfile(index, copy)
            output = self._git("write-tree", env={"GIT_INDEX_FILE": str(copy)})
            if output is not None:
                return output.decode().strip()
        unmerged = self._unmerged(index)
        if unmerged:
            shown = ", ".join(map(visible, unmerged[:5])) + (" and more" if len(unmerged) > 5 else "")
            raise GitError(f"unresolved merge conflicts in {shown}: resolve them and stage the result")
        try:
            return str(pygit2.Index(str(index)).write_tree(self._repo))
        except (pygit2.GitError, OSError, ValueError) as error:
            raise GitError(f"cannot read the index {index} as a tree: {error}") from None

    def _index_path(self) -> Path:
        """The index git hands this process (GIT_INDEX_FILE, relative to where git runs us)."""
        named = os.environ.get("GIT_INDEX_FILE")
        return Path(os.path.abspath(named)) if named else self.git_dir / "index"

    def _unmerged(self, index: Path) -> list[str]:
        """The paths the index holds in conflict."""
        output = self._git("ls-files", "--unmerged", "-z", env={"GIT_INDEX_FILE": str(index)}) or b""
        return sorted({os.fsdecode(record.partition(b"\t")[2]) for record in output.split(b"\0") if record})

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
            *("--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all"),
            "--no-renames",
            "--ignore-submodules=dirty",  # a submodule counts by its commit, not its files
        )
        if output is not None:
            changes: dict[str, bool] = {}
            for record in output.split(b"\0"):
                state = record[1:2]  # "XY path": Y compares the working tree with the index
                if state not in (b"", b" "):
                    changes[os.fsdecode(record[3:])] = state == b"D"
            return changes
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
        """What earlier runs learnt (see cache.py), kept under the git directory, never committed.

        A run that fails stores nothing; concurrent runs merge what they learnt.
        """
        memory = Memory.from_json(self._read_text(CACHE_FILE))
        before = memory.size
        self._trees.blobs = memory.blobs
        try:
            yield memory
        finally:
            self._trees.blobs = {}
        if memory.size == before:  # runs only ever add
            return
        text = memory.merged(Memory.from_json(self._read_text(CACHE_FILE))).to_json()
        self._keep(CACHE_FILE, text)

    def parsed_toml(self, data: bytes) -> dict[str, Any]:
        """`parse_toml(data)`, kept under the git directory for the next run: reading it back as
        JSON costs a tenth of parsing a large configuration again."""
        key = f"{hashlib.sha256(data).hexdigest()} {__version__} {sys.version_info[:2]}"
        with contextlib.suppress(ValueError, TypeError, KeyError):
            kept = safejson.loads(self._read_text(TOML_CACHE))
            if kept["key"] == key and isinstance(kept["data"], dict):
                return kept["data"]
        parsed = parse_toml(data)
        with contextlib.suppress(ValueError, TypeError):  # TOML dates have no JSON form
            self._keep(TOML_CACHE, json.dumps({"key": key, "data": parsed}))
        return parsed

    def _keep(self, name: str, text: str) -> None:
        """Write one of versionbot's own files under the git directory; a read-only one only loses
        the speed-up."""
        with contextlib.suppress(OSError, VersionbotError):
            writer.write(self.git_dir, name, text.encode("utf-8"), what="cache file")

    def _read_text(self, name: str) -> str:
        data = read_regular(str(self.git_dir / name))
        try:
            return data.decode("utf-8") if data is not None else ""
        except UnicodeDecodeError:
            return ""


class _Trees:
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
            listing = self._listings[tree_id] = {
                name.decode("utf-8", "surrogateescape"): (raw_id.hex(), int(mode, 8))
                for mode, name, raw_id in _TREE_ENTRY.findall(self.read(tree_id, "a folder"))
            }
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

    def __init__(self, trees: _Trees, tree: str, *, label: str, checkout: Path | None) -> None:
        self._trees = trees
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
            (self._root, _TREE_MODE) if depth == 0 else self._found["/".join(names[:depth])]
        )
        for index in range(depth, len(names)):
            folder = found
            found = self._trees.find(folder[0], names[index]) if folder and folder[1] == _TREE_MODE else None
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
            found = (self._root, _TREE_MODE) if not directory else self._lookup(directory)
            if found is not None and found[1] == _TREE_MODE:
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
                if mode == _TREE_MODE:
                    pending.append((oid, path + "/"))
                else:
                    entries[path] = Entry(path, _KINDS.get(mode, EntryKind.FILE), oid)
                    out.append(path)

    def entry(self, path: str) -> Entry | None:
        known = self._entries.get(path)
        if known is None:
            found = self._lookup(path)
            if found is None or found[1] == _TREE_MODE:
                return None
            known = self._entries[path] = Entry(path, _KINDS.get(found[1], EntryKind.FILE), found[0])
        return known

    def read(self, entry: Entry) -> Iterable[bytes]:
        data = self.read_checked_out(entry)
        if data is not None:
            return (data,)
        size = self._trees.size(entry.oid)
        if size is not None and size > LARGE:
            return self._trees.stream(entry.oid, entry.path)
        return (self._trees.read(entry.oid, visible(entry.path)),)

    def read_checked_out(self, entry: Entry) -> bytes | None:
        if self._checkout is None or entry.kind is not EntryKind.FILE:
            return None
        return _checked_out(os.path.join(self._checkout, entry.path), entry.oid)

    def read_file(self, path: str) -> bytes | None:
        entry = self.entry(path)
        if entry is None or entry.kind is not EntryKind.FILE:
            return None
        return b"".join(self.read(entry))


def _checked_out(path: str, oid: str) -> bytes | None:
    """The file at `path` if its bytes are the blob `oid`, else None.

    Most blobs also lie unchanged in the checkout, and reading a file costs less than inflating a
    packed object (often a delta of another). Comparing git's own id of the bytes makes this safe
    whatever changed the file: an edit, a checkout filter, line-ending conversion. Only a regular
    file of at most LARGE bytes is read (a large one is streamed from the object store instead).
    """
    data = read_regular(path, LARGE)
    if data is None:
        return None
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return data if digest.hexdigest() == oid else None


def read_regular(path: str, limit: int = LARGE) -> bytes | None:
    """A regular file's bytes, or None for anything else: nothing there, a link, a folder, a pipe,
    a device, an unreadable file, or more than `limit` bytes. Never blocks, never follows a link."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        data = os.read(descriptor, _FIRST_READ)
        if len(data) == _FIRST_READ:  # a large file: read the rest
            chunks = [data]
            while chunk := os.read(descriptor, CHUNK):
                chunks.append(chunk)
            data = b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    return data if len(data) <= limit else None


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
        return self._stream(full)

    @staticmethod
    def _stream(path: Path) -> Iterator[bytes]:
        try:
            descriptor = os.open(path, _OPEN_FLAGS)
        except OSError as error:
            raise GitError(f"cannot read {visible(str(path))}: {error.strerror}") from None
        with os.fdopen(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise GitError(f"{visible(str(path))} is no longer a file (changed while read?)")
            while chunk := stream.read(CHUNK):
                yield chunk
