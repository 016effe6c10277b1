"""git.py's snapshots against real repositories: what they list and how they name content."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo
from versionbot.git import Repository
from versionbot.hashing import Digests
from versionbot.parallel import map_halves
from versionbot.snapshot import ABSENT, Entry, EntryKind


def test_content_ids_name_folders_and_files(bumped: GitRepo) -> None:
    repository = Repository(bumped.path)
    commit = repository.commit_snapshot(bumped.head())
    index = repository.index_snapshot()
    assert (
        commit.content_id("req/fw")
        == index.content_id("req/fw")
        == bumped.git("rev-parse", "HEAD:req/fw").strip()
    )
    assert commit.content_id("req/nothing") == ABSENT
    assert commit.content_id("") == bumped.git("rev-parse", "HEAD^{tree}").strip()
    bumped.write("req/fw/new.txt", "x\n")
    worktree = repository.worktree_snapshot()
    assert worktree.content_id("req/fw") is None  # changed below: unknown without hashing
    assert worktree.content_id("req") is None
    assert worktree.content_id("req/app") == commit.content_id("req/app")
    assert "req/fw/new.txt" in worktree.paths_under("req/fw")
    assert "req/fw/new.txt" not in index.paths_under("req/fw")


def test_checked_out_files_are_read_only_when_they_hold_the_blob(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    big = bytes(range(256)) * 1000  # larger than one read
    repo.write("edited.txt", "one\n")
    repo.write("big.bin", big)
    repo.write("fifo", "a pipe replaces me\n")
    repo.write("linked.txt", "same\n")
    repo.write("same.txt", "same\n")
    repo.write("crlf.txt", "a\nb\n")
    repo.commit()
    repo.git("config", "core.autocrlf", "true")
    (repo.path / "crlf.txt").unlink()
    repo.git("checkout", "--", "crlf.txt")  # checked out with CRLF: not the blob's bytes
    assert repo.path.joinpath("crlf.txt").read_bytes() == b"a\r\nb\r\n"
    repo.write("edited.txt", "two\n")
    (repo.path / "fifo").unlink()
    os.mkfifo(repo.path / "fifo")
    (repo.path / "linked.txt").unlink()
    (repo.path / "linked.txt").symlink_to("same.txt")
    index = Repository(repo.path).index_snapshot()

    def entry(path: str) -> Entry:
        found = index.entry(path)
        assert found is not None
        return found

    assert index.read_checked_out(entry("big.bin")) == big
    assert index.read_checked_out(entry("same.txt")) == b"same\n"
    for path in ("edited.txt", "fifo", "linked.txt", "crlf.txt"):
        assert index.read_checked_out(entry(path)) is None, path  # and no wait on the pipe
    contents = {path: b"".join(index.read(entry(path))) for path in index.paths_under("")}
    assert contents == {
        "big.bin": big,
        "crlf.txt": b"a\nb\n",
        "edited.txt": b"one\n",
        "fifo": b"a pipe replaces me\n",
        "linked.txt": b"same\n",
        "same.txt": b"same\n",
    }


def _worktree_with_every_kind_of_change(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    for name in ("kept", "modified", "deleted", "to-link", "staged-then-edited", "dir/inner"):
        repo.write(name, f"{name}\n")
    repo.write("snow \N{SNOWMAN}.txt", "non-ASCII name\n")
    repo.commit()
    repo.write("modified", "changed\n")
    (repo.path / "deleted").unlink()
    (repo.path / "to-link").unlink()
    (repo.path / "to-link").symlink_to("kept")
    repo.write("staged-then-edited", "staged\n")
    repo.git("add", "staged-then-edited")
    repo.write("staged-then-edited", "edited after staging\n")
    repo.write("untracked/deep/file", "new\n")
    repo.write("intent", "added with -N\n")
    repo.git("add", "-N", "intent")
    repo.write("dir/inner", "changed below a folder\n")
    repo.write(".gitignore", "ignored\n")
    repo.write("ignored", "never an input\n")
    return repo


@pytest.mark.parametrize("has_git", [True, False], ids=["git", "libgit2 only"])
def test_the_working_tree_reads_the_same_with_git_or_libgit2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, has_git: bool
) -> None:
    repo = _worktree_with_every_kind_of_change(tmp_path)
    kept_id = repo.git("rev-parse", "HEAD:kept").strip()
    if not has_git:
        (tmp_path / "no-git").mkdir()
        monkeypatch.setenv("PATH", str(tmp_path / "no-git"))
    worktree = Repository(repo.path).worktree_snapshot()
    paths = worktree.paths_under("")
    assert paths == [
        ".gitignore",
        "dir/inner",
        "intent",
        "kept",
        "modified",
        "snow \N{SNOWMAN}.txt",
        "staged-then-edited",
        "to-link",
        "untracked/deep/file",
    ]
    contents = {}
    for path in paths:
        entry = worktree.entry(path)
        assert entry is not None
        contents[path] = (entry.kind, b"".join(worktree.read(entry)))
    assert contents["modified"] == (EntryKind.FILE, b"changed\n")
    assert contents["staged-then-edited"] == (EntryKind.FILE, b"edited after staging\n")
    assert contents["to-link"] == (EntryKind.LINK, b"kept")
    assert contents["intent"] == (EntryKind.FILE, b"added with -N\n")
    assert contents["untracked/deep/file"] == (EntryKind.FILE, b"new\n")
    assert contents["kept"] == (EntryKind.FILE, b"kept\n")
    assert worktree.content_id("dir") is None
    assert worktree.content_id("kept") == kept_id


def test_a_batch_hashed_on_two_cores_matches_one_file_at_a_time(tmp_path: Path) -> None:
    repo = _worktree_with_every_kind_of_change(tmp_path)
    repo.write("binary.bin", b"\0\r\n")
    repo.write("crlf.txt", b"a\r\nb\r\n")
    repo.git("add", "binary.bin", "crlf.txt")
    repository = Repository(repo.path)
    for snapshot in (repository.worktree_snapshot(), repository.index_snapshot()):
        entries = [entry for path in snapshot.paths_under("") if (entry := snapshot.entry(path))]
        batched = Digests(map_batch=functools.partial(map_halves, min_items=1))
        single = Digests()
        batched.prefetch(snapshot, entries)
        blobs = {entry.kind: {e.oid for e in entries if e.kind is entry.kind} for entry in entries}
        assert batched.hashed == len(blobs[EntryKind.FILE])  # each blob once
        expected = [single.of(snapshot, entry) for entry in entries]
        assert [batched.of(snapshot, entry) for entry in entries] == expected
        assert batched.hashed == len(blobs[EntryKind.FILE]) + len(blobs.get(EntryKind.LINK, ()))


def test_parse_tree_reads_raw_entries() -> None:
    from versionbot.git.trees import parse_tree

    blob, tree = bytes(range(20)), bytes(range(20, 40))
    raw = b"100644 a.txt\0" + blob + b"40000 sub\0" + tree + b"120000 caf\xe9\0" + blob
    assert parse_tree(raw) == {
        "a.txt": (blob.hex(), 0o100644),
        "sub": (tree.hex(), 0o40000),
        "caf\udce9": (blob.hex(), 0o120000),  # not UTF-8: the byte kept as a surrogate
    }
    assert parse_tree(b"") == {}


def test_parse_status_z_reads_what_differs_in_the_working_tree() -> None:
    from versionbot.git.worktree import parse_status_z

    output = b" M changed.txt\0 D gone.txt\0M  staged-only.txt\0?? new file\0MM both\0 T typechange\0"
    assert parse_status_z(output) == {
        "changed.txt": False,
        "gone.txt": True,
        "new file": False,
        "both": False,
        "typechange": False,
    }
    assert parse_status_z(b"") == {}
