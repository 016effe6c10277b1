"""The only package that talks to pygit2: repositories (repository.py), trees and their snapshots
(trees.py) and the working tree (worktree.py)."""

from versionbot.git.repository import SHALLOW_FIX, Repository

__all__ = ["SHALLOW_FIX", "Repository"]
