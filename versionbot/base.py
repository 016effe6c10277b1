"""Which revision a change is judged against when no `--base` is given (pure). DESIGN.md "The base":
the configured `base`; the branch's upstream when it is another branch; the remote's default branch
(`<remote>/HEAD`); `<remote>/main` or `<remote>/master`; the local `main` or `master` when it is not
the current branch; failing all of those, HEAD itself."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass


class BaseSource(enum.Enum):
    OPTION = "option"  # --base, or the commit an Actions event names
    CONFIG = "config"
    UPSTREAM = "upstream"
    REMOTE_DEFAULT = "remote-default"
    GUESS = "guess"
    HEAD = "head"  # nothing found: each commit is judged on its own


@dataclass(frozen=True, kw_only=True)
class BaseChoice:
    ref: str | None  # the revision as found; None when the base is HEAD itself
    source: BaseSource


NO_BASE = (
    "no base found (no configured `base`, no upstream branch, no {remote}/HEAD, {remote}/main, "
    "{remote}/master, main or master): each commit is judged on its own; set `base` in {source}"
)


def choose_base(
    *,
    explicit: str | None,
    configured: str | None,
    upstream: str | None,
    remote: str | None,
    current_branch: str | None,
    has_ref: Callable[[str], bool],
    remote_default: Callable[[str], str | None],
) -> BaseChoice:
    """The first base the chain finds. `upstream` is the current branch's upstream when it is another
    branch (a branch's own copy on its remote is none); `remote` the upstream's remote, if any;
    `has_ref` says whether a full ref name exists; `remote_default(remote)` names what
    `<remote>/HEAD` points at (`origin/main`), or None."""
    if explicit:
        return BaseChoice(ref=explicit, source=BaseSource.OPTION)
    if configured:
        return BaseChoice(ref=configured, source=BaseSource.CONFIG)
    if upstream:
        return BaseChoice(ref=upstream, source=BaseSource.UPSTREAM)
    name = remote or "origin"
    if default := remote_default(name):
        return BaseChoice(ref=default, source=BaseSource.REMOTE_DEFAULT)
    for branch in ("main", "master"):
        if has_ref(f"refs/remotes/{name}/{branch}"):
            return BaseChoice(ref=f"{name}/{branch}", source=BaseSource.GUESS)
    for branch in ("main", "master"):
        if branch != current_branch and has_ref(f"refs/heads/{branch}"):
            return BaseChoice(ref=branch, source=BaseSource.GUESS)
    return BaseChoice(ref=None, source=BaseSource.HEAD)
