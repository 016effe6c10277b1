"""The only package that talks to pygit2: repositories (repository.py), trees and their snapshots
(trees.py) and the working tree (worktree.py)."""

from versionbot.git.repository import SHALLOW_FIX, CommitInfo, Repository, patch_text

__all__ = ["SHALLOW_FIX", "CommitInfo", "Repository", "patch_text"]
