"""Commit ids as git writes them (pure)."""

from __future__ import annotations

import re

_COMMIT_ID = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")  # SHA-1, or SHA-256 repositories


def is_commit_id(text: str) -> bool:
    """A full commit id, as git and GitHub's payloads write them."""
    return _COMMIT_ID.fullmatch(text) is not None


def is_null(commit: str) -> bool:
    """git's all-zeros id: no commit (a new remote branch, or a deleted one)."""
    return set(commit) == {"0"}
