"""Make sure the commits a CI judgement needs are in the checkout, fetching them from `origin`.

actions/checkout fetches a single commit by default (`fetch-depth: 1`), so the base commit and the
history a merge-base needs are missing. This fetches exactly what is missing with git itself: a
missing commit at depth 1, then deeper history step by step until the merge-base appears. When that
does not work it fails with the fix (`fetch-depth: 0`); it never settles for another base.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from versionbot.commits import is_commit_id
from versionbot.errors import GitError
from versionbot.git import SHALLOW_FIX, Repository

REMOTE = "origin"
DEEPEN_STEPS = (32, 256, 2048)  # commits added per attempt: ~2300 deep at most, then the fix
FETCH_TIMEOUT = 600  # seconds
FETCH_FIX = "check out with `fetch-depth: 0` (actions/checkout), or fetch that commit in an earlier step"
_URL_CREDENTIALS = re.compile(r"(?<=//)[^/@\s]+@")


class History:
    """A checkout that fetches what it lacks; `repo` is reopened after every fetch."""

    def __init__(self, root: Path, log: Callable[[str], None]) -> None:
        self.root = root
        self.repo = Repository(root)
        self._log = log

    def has(self, revision: str) -> bool:
        return self._resolve(revision) is not None

    def commit(self, revision: str, label: str) -> str:
        """The commit `revision` names (a commit id, a branch of origin, or any local revision),
        fetched from origin when the checkout does not have it."""
        local = self._resolve(revision)
        if local is not None:
            return local
        if is_commit_id(revision):
            self._fetch([revision], f"{label} {revision[:12]}", depth=1)
            target = revision
        else:
            branch = revision.removeprefix(f"{REMOTE}/")
            refspec = f"+refs/heads/{branch}:refs/remotes/{REMOTE}/{branch}"
            self._fetch([refspec], f"{label} ({branch} on {REMOTE})", depth=1)
            target = f"{REMOTE}/{branch}"
        fetched = self._resolve(target)
        if fetched is None:
            raise GitError(f"{label} {revision!r} is still missing after fetching it from {REMOTE}")
        return fetched

    def merge_base(self, base: str, head: str, label: str) -> str:
        """The merge-base of two commits, deepening a shallow checkout until it is found."""
        for step in (0, *DEEPEN_STEPS):
            if step:
                self._fetch(["--deepen", str(step), base, head], f"{step} more commits of history")
            try:
                return self.repo.merge_base(base, head)
            except GitError:
                if not self.repo.is_shallow:
                    raise
        depth = sum(DEEPEN_STEPS)
        raise GitError(
            f"{head[:12]} and {label} share no commit within {depth} commits of history: {SHALLOW_FIX}"
        )

    def _resolve(self, revision: str) -> str | None:
        candidates = [revision]
        if not is_commit_id(revision) and not revision.startswith(f"{REMOTE}/"):
            candidates.append(f"{REMOTE}/{revision}")  # `main` in a detached checkout: origin/main
        for candidate in candidates:
            try:
                return self.repo.resolve(candidate)
            except GitError:
                continue
        return None

    def _fetch(self, arguments: Sequence[str], what: str, *, depth: int | None = None) -> None:
        # Deepening only: a full clone stays full (a depth would make it shallow).
        options = [f"--depth={depth}"] if depth is not None and self.repo.is_shallow else []
        # The git directory named explicitly: a relative GIT_DIR would mean another one from `root`.
        git_dir = f"--git-dir={self.repo.git_dir}"
        command = ["git", git_dir, "fetch", "--no-tags", "--quiet", *options, REMOTE, *arguments]
        self._log(f"versionbot: fetching {what} from {REMOTE}")
        environ = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}  # fail, never wait for a password
        try:
            done = subprocess.run(
                command,
                cwd=self.root,
                env=environ,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=FETCH_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise GitError(
                f"could not fetch {what}: `git fetch` did not run ({error}); {FETCH_FIX}"
            ) from None
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            reason = _URL_CREDENTIALS.sub("***@", lines[-1].strip()) if lines else f"exit {done.returncode}"
            raise GitError(f"could not fetch {what} from {REMOTE}: {reason}; {FETCH_FIX}")
        self.repo = Repository(self.root)  # an open repository does not see new shallow boundaries
