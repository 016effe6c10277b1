"""Hook entry points: judge what git is about to commit or push, as pre-commit and git run them.

On the pre-commit stage the head is the index git hands the hook. During `git commit -a` and
`git commit <paths>` that is a temporary index named by GIT_INDEX_FILE, not `.git/index`; `git.py`
opens repositories FROM_ENV, so reading "the index" here reads the right one. On the pre-push stage
each pushed commit is judged against what the remote already had, or against the branch point when
that lies further back (`push_base`).

`bump` writes the version files the change calls for into the working tree and fails, as formatters
do, so the user re-adds them; `check` reports the same findings and never writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TextIO

from versionbot import render
from versionbot.commits import is_null
from versionbot.errors import GitError, VersionbotError
from versionbot.escape import visible
from versionbot.findings import Plan
from versionbot.snapshot import Snapshot
from versionbot.workspace import Workspace, apply_bump, has_local_edits


@dataclass(frozen=True, kw_only=True)
class Push:
    """One ref a push updates: the commit it carries and what the remote had (None: a new branch)."""

    ref: str
    to_commit: str
    from_commit: str | None

    @property
    def name(self) -> str:
        """The ref as people call it: `main` for refs/heads/main."""
        return self.ref.removeprefix("refs/heads/")


def pushes_from_environ(environ: Mapping[str, str]) -> tuple[Push, ...] | None:
    """The range pre-commit names on pre-push (also `pre-commit run --from-ref A --to-ref B`), if any."""
    from_ref, to_ref = environ.get("PRE_COMMIT_FROM_REF"), environ.get("PRE_COMMIT_TO_REF")
    if not from_ref or not to_ref:
        return None
    ref = environ.get("PRE_COMMIT_LOCAL_BRANCH") or to_ref
    return (Push(ref=ref, to_commit=to_ref, from_commit=None if is_null(from_ref) else from_ref),)


def pushes_from_git(lines: Iterable[str]) -> tuple[Push, ...]:
    """The refs git hands a plain pre-push hook on stdin, one `<local ref> <local id> <remote ref>
    <remote id>` a line; a deletion carries nothing to judge."""
    pushes = []
    for line in lines:
        fields = line.rsplit(maxsplit=3)  # the local ref may hold spaces, as pre-commit allows
        if not fields:
            continue
        if len(fields) != 4:
            raise VersionbotError(
                f"unexpected pre-push input {line.strip()!r}: git passes "
                "`<local ref> <local id> <remote ref> <remote id>`; call this from a pre-push hook"
            )
        local_ref, local_commit, _, remote_commit = fields
        if is_null(local_commit):
            continue
        from_commit = None if is_null(remote_commit) else remote_commit
        pushes.append(Push(ref=local_ref, to_commit=local_commit, from_commit=from_commit))
    return tuple(pushes)


@dataclass(frozen=True, kw_only=True)
class Advice:
    """What the hook tells the user, which depends on the stage it runs in."""

    judged: str  # what was judged, for messages: "the staged content", "the pushed commit"
    fix: str  # how to fix findings that the hook does not fix itself
    then: str  # what to do after a bump; `{paths}` stands for the version files written


STAGED = Advice(
    judged="the staged content",
    fix="run `versionbot bump --head index` and stage the version files (the `versionbot` hook bumps itself)",
    then="stage them (`git add {paths}`) and commit again",
)


def run(
    workspace: Workspace,
    *,
    action: str,
    git_pre_push: bool,
    stdin: Iterable[str],
    environ: Mapping[str, str],
    out: TextIO,
    err: TextIO,
) -> bool:
    """Run the `bump` or `check` hook; True when it passes (nothing due, nothing written).

    `stdin` carries the refs of a plain pre-push hook; `environ` the range pre-commit names."""
    is_bump = action == "bump"
    pushes = pushes_from_git(stdin) if git_pre_push else pushes_from_environ(environ)
    choice = workspace.base_choice(None)
    if warning := workspace.no_base_warning(choice):
        err.write(f"versionbot: {warning}\n")
    if pushes is None:
        staged = workspace.repo.index_snapshot()
        merging = workspace.repo.merge_heads(environ)  # the commit to come is a merge: judge it as one
        base = workspace.base_commit(choice, workspace.repo.head_commit(), merging=merging)
        plan = workspace.judge(workspace.repo.commit_snapshot(base) if base else None, staged, choice)
        return settle(workspace, plan, staged, is_bump=is_bump, advice=STAGED, out=out)
    head = workspace.repo.head_commit()
    passed = True
    for push in pushes:
        to_commit = workspace.repo.resolve(push.to_commit)
        chain_base = workspace.base_commit(choice, to_commit)
        base = push_base(workspace, push, to_commit, chain_base)
        judged = workspace.repo.commit_snapshot(to_commit)
        base_snapshot = workspace.repo.commit_snapshot(base) if base else None
        plan = workspace.judge(base_snapshot, judged, choice if base == chain_base else None)
        bump = render.fix_command(base=None if base in (None, chain_base) else base[:12])
        advice = Advice(
            judged="the pushed commit",
            fix=f"check out {visible(push.name)}, run `{bump}`, commit the version files and push again",
            then="commit them (`git commit {paths}`) and push again",
        )
        if not plan.ok:
            out.write(f"versionbot: {visible(push.name)} ({to_commit[:12]}) is not ready to push\n")
        # Only the checked-out commit can be fixed in the working tree; any other is reported.
        is_fixable = is_bump and to_commit == head
        passed = settle(workspace, plan, judged, is_bump=is_fixable, advice=advice, out=out) and passed
    return passed


def push_base(workspace: Workspace, push: Push, to_commit: str, chain_base: str | None) -> str | None:
    """The commit a push is judged against: where it left what the remote had, or the branch point
    that every other command judges against (`chain_base`) when that lies further back.

    The branch point wins because a pull-request branch pushed twice is still one change against
    its target: judging the second push against the first would ask for a second bump that the
    pre-commit hook, `versionbot bump` and the pull request's check all call wrong, and the push
    could never pass. What the remote had counts where the base chain finds nothing of its own (it
    then falls back to the head itself). A new branch (`from_commit` None), or a remote commit this
    clone lacks, is judged against the branch point alone.
    """
    if push.from_commit is None:
        return chain_base
    try:
        remote_base = workspace.repo.merge_base(push.from_commit, to_commit)
    except GitError:
        return chain_base
    if chain_base is None:
        return remote_base
    # The older of the two when one descends from the other, else where their histories meet.
    return workspace.repo.merge_base(chain_base, remote_base)


def settle(
    workspace: Workspace, plan: Plan, judged: Snapshot, *, is_bump: bool, advice: Advice, out: TextIO
) -> bool:
    """Report the plan's findings, or (bump) write the version files it calls for; True when fine.

    `judged` is the snapshot the plan's head was read from (the index, or the pushed commit).
    """
    if plan.ok:
        return True
    if not is_bump:
        out.write(render.check_text(plan))
        out.write(f"versionbot: to fix, {advice.fix}\n")
        return False
    edited = [f.version_file for f in plan.due if has_local_edits(workspace, judged, f.version_file)]
    if edited:
        out.write(render.check_text(plan))
        out.write(
            f"versionbot: not bumping: {', '.join(edited)} differs from {advice.judged} (unstaged edits?); "
            "stage or discard those edits, then try again\n"
        )
        return False
    removed = apply_bump(workspace, plan, judged)
    out.write(render.bump_text(plan.due, is_dry_run=False, removed=removed))
    then = advice.then.format(paths=" ".join(finding.version_file for finding in plan.due))
    out.write(f"versionbot: bumped {len(plan.due)} version file(s); review them, then {then}\n")
    return False
