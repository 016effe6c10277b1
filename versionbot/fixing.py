"""The commit that fixes a change (DESIGN.md "The bot fixes"): what `bump` would write, as files
over a commit's tree, and which commit it goes on.

A pull request gets an ordinary commit on its head when the base has not moved on: the files `bump`
writes for the head against its merge-base are exactly those the test merge needs. Where they are
not (another change took the number, or moved a dependency), the fix is what `git merge` of the
base followed by `bump` gives: a merge commit with parents the head and the base, and as its tree
the test merge's with the version files `bump` writes there. A push gets an ordinary commit on top
of what it pushed. Nothing here talks to GitHub: ci.py pushes the commit, or shows it as a patch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from versionbot.findings import Finding, Plan
from versionbot.git import patch_text
from versionbot.versionfile import dumps
from versionbot.workspace import Workspace, moved_away

PREFIX = "versionbot: "  # every fix commit's subject starts so; a bot's that does is never fixed again
FILE_MODE = 0o100644
SUBJECT_UNITS = 4  # units named in the subject; the body names every one
Files = dict[str, tuple[int, bytes | None]]  # path -> (mode, content; None removes the file)
Before = dict[str, bytes | None]  # path -> its content where the fix starts from (None: none)


@dataclass(frozen=True, kw_only=True)
class Judged:
    """One judgement of a commit: the plan, and the two commits it compared."""

    workspace: Workspace
    plan: Plan
    head: str
    base: str


@dataclass(frozen=True, kw_only=True)
class Fix:
    """One commit: `files` (path -> (mode, content, None to remove)) over the tree of `tree_from`."""

    branch: str
    expected: str  # where the branch must still be
    tree_from: str
    parents: tuple[str, ...]
    files: Mapping[str, tuple[int, bytes | None]]
    before: Mapping[str, bytes | None]  # each path's content in `tree_from`
    message: str

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def patch(self) -> str:
        """The fix as a patch over `tree_from`, for `git apply`."""
        return patch_text({path: (self.before[path], data) for path, (_, data) in self.files.items()})


class NotFixable(Exception):
    """`bump` cannot fix the findings; the message says why, in words."""


def bump_files(judged: Judged) -> tuple[Files, Before]:
    """What `bump` would write for the judged head: each due version file's record and each moved
    version file's old file removed; and what the head holds at those paths."""
    refused = [finding.message for finding in judged.plan.due if not finding.is_writable]
    if refused:
        raise NotFixable(f"`versionbot bump` cannot fix this: {refused[0]}")
    repo = judged.workspace.repo
    head = repo.commit_snapshot(judged.head)
    files: Files = {}
    for finding in judged.plan.due:
        mode = repo.file_mode(judged.head, finding.version_file) or FILE_MODE
        files[finding.version_file] = (mode, dumps(finding.expected))
    for path in moved_away(judged.workspace, judged.plan):
        old_mode = repo.file_mode(judged.head, path)
        if old_mode is not None:
            files[path] = (old_mode, None)
    return files, {path: head.read_file(path) for path in files}


def pull_request_fix(
    *, merged: Judged, head: Judged, branch: str, base_ref: str, base_tip: str
) -> Fix | None:
    """The fix of a pull request: `merged` judged the test merge against the base, `head` the
    pull request's head against its merge-base (they are one where the test merge was missing);
    `base_tip` is `pull_request.base.sha`. None: nothing to fix."""
    if merged.plan.ok:
        return None
    _refuse_own(head)
    files, before = bump_files(head)
    if merged.head == head.head:  # no test merge to judge: only a base that stood still is safe
        _refuse_moved_on(head, base_tip, files)
    if merged.head == head.head or bump_files(merged)[0] == files:
        return _on_top(head, branch, (files, before), merged.plan.due)
    parents = merged.workspace.repo.commit_info(merged.head).parents
    if set(parents) != {merged.base, head.head}:
        raise NotFixable(
            f"the test merge {merged.head[:12]} is not a merge of the head with the base; "
            "run the job again once GitHub has updated it"
        )
    files, before = bump_files(merged)
    return Fix(
        branch=branch,
        expected=head.head,
        tree_from=merged.head,
        parents=(head.head, merged.base),
        files=files,
        before=before,
        message=message(merged.plan.due, merging=(base_ref, branch)),
    )


def push_fix(judged: Judged, branch: str) -> Fix | None:
    """The fix of a push: a commit on top of what was pushed. None: nothing to fix."""
    if judged.plan.ok:
        return None
    _refuse_own(judged)
    return _on_top(judged, branch, bump_files(judged), judged.plan.due)


def _on_top(
    judged: Judged,
    branch: str,
    written: tuple[Files, Before],
    due: tuple[Finding, ...],
) -> Fix:
    """An ordinary commit on the judged head: `written` is what `bump_files` gave for it."""
    files, before = written
    return Fix(
        branch=branch,
        expected=judged.head,
        tree_from=judged.head,
        parents=(judged.head,),
        files=files,
        before=before,
        message=message(due),
    )


def _refuse_moved_on(head: Judged, base_tip: str, files: Mapping[str, object]) -> None:
    """Without the test merge, a version file the fix writes that the base changed since the
    branch left it means the base moved on: the fix would take numbers the base has given out."""
    if base_tip == head.base:
        return
    repo = head.workspace.repo
    left, tip = repo.commit_snapshot(head.base), repo.commit_snapshot(base_tip)
    for path in files:
        if left.entry(path) != tip.entry(path):
            raise NotFixable(
                f"the base changed {path} since the branch left it, and GitHub's test merge is not "
                "in the checkout to judge the two together: check out the pull request's default "
                "ref (actions/checkout does), or merge the base and run `versionbot bump`"
            )


def _refuse_own(judged: Judged) -> None:
    """A fix that still fails is not fixed again: that would be a loop. A fix is known by its
    subject and by its author, a bot (the token's identity)."""
    info = judged.workspace.repo.commit_info(judged.head)
    if info.message.startswith(PREFIX) and info.author.endswith("[bot]"):
        raise NotFixable(
            f"the head {judged.head[:12]} is versionbot's own fix and still fails; not pushing "
            "again: run `versionbot bump` on the branch"
        )


def message(due: tuple[Finding, ...], *, merging: tuple[str, str] | None = None) -> str:
    """`versionbot: app 1 -> 2, framework 4 -> 5`: the subject names the first few units, the body
    every one."""
    steps = [_step(finding) for finding in due]
    shown = ", ".join(steps[:SUBJECT_UNITS])
    if len(steps) > SUBJECT_UNITS:
        shown += f" and {len(steps) - SUBJECT_UNITS} more"
    if merging is not None:
        base_ref, branch = merging
        shown = f"merge {base_ref} into {branch}; {shown}"
    body = "\n".join(f"- {step}" for step in steps)
    return f"{PREFIX}{shown}\n\nWritten by `versionbot bump`:\n\n{body}\n"


def branch_problem(name: str) -> str | None:
    """Why `name` is no branch git could hold (`git check-ref-format`'s rules), or None; a branch
    GitHub shows may hold `#`, `+` or letters beyond ASCII."""
    parts = name.split("/")
    if (
        not name
        or any(ord(char) < 32 or char in " ~^:?*[\\\x7f" for char in name)
        or ".." in name
        or "@{" in name
        or name.endswith((".", "/"))
        or any(not part or part.startswith(".") or part.endswith(".lock") for part in parts)
    ):
        return "is not a branch name git could hold"
    return None


def _step(finding: Finding) -> str:
    before = finding.recorded_version if finding.recorded_version is not None else "none"
    if before == finding.expected_version:
        return f"{finding.unit} {before} (hashes refreshed)"
    return f"{finding.unit} {before} -> {finding.expected_version}"
