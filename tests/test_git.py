"""git.py's snapshots against real repositories: what they list and how they name content."""

from __future__ import annotations

from tests.gitrepo import GitRepo
from versionbot.git import Repository
from versionbot.snapshot import ABSENT


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
