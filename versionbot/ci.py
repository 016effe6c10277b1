"""`versionbot ci`: the check as a GitHub Actions step (actions.py says which commits an event judges).

It prints the report and an `::error` annotation per failing unit, writes the job summary and the
step's outputs (`ok`, `units`, `bumped`), keeps the one sticky pull-request comment, and fails on
findings. Only the comment needs the API: when it cannot be written (a read-only token on a pull request
from a fork) the step warns, and everything else, the exit status included, stays as it is.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from versionbot import actions, render
from versionbot.actions import Comparison, Environment, Selection
from versionbot.cli import Workspace
from versionbot.errors import VersionbotError
from versionbot.history import History
from versionbot.plan import Plan, Status

COMMENT_LIMIT = 60_000  # characters: GitHub refuses comment bodies over 65,536
SUMMARY_LIMIT = 250_000  # characters: a step's summary may hold 1 MiB
CUT_NOTE = "_The report is cut here: the job summary and the `units` output hold all of it._"


def run(
    open_workspace: Callable[[], Workspace],
    *,
    config_path: Path | None,
    is_commenting: bool,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> bool:
    """Judge what the job's event asks for and report it everywhere; True when every unit is fine."""
    environ = os.environ if environ is None else environ
    out = sys.stdout if out is None else out
    env: Environment | None = None
    try:
        env = Environment.from_environ(environ)
        workspace = open_workspace()  # inside: a bad config is annotated and summarised too
        selection = actions.select(env, configured_base=workspace.config.base)
        if selection.comparison is None:
            out.write("versionbot: the push deleted its branch: nothing to check\n")
            return True
        plan = _judge(workspace, selection, selection.comparison, out)
    except VersionbotError as error:
        _report_error(env, error, out)
        raise
    markdown = render.check_markdown(plan, command=_fix_command(workspace.root, config_path, selection))
    out.write(actions.untrusted(render.check_text(plan)))  # file names are the pull request's
    for finding in plan.due:
        message = "\n".join([finding.message, *map(render.describe_change, finding.changes)])
        where = actions.annotation_path(workspace.root, finding.version_file, env.workspace)
        title = f"versionbot: {finding.unit} ({finding.status.value})"
        out.write(actions.command("error", message, file=where, title=title))
    if env.summary is not None:
        actions.append(env.summary, actions.truncate(markdown, SUMMARY_LIMIT, CUT_NOTE))
    if env.output is not None:
        actions.append(env.output, actions.format_outputs(_outputs(plan)))
    if selection.pull_number is not None and is_commenting:
        _comment(env, selection.pull_number, plan, actions.truncate(markdown, COMMENT_LIMIT, CUT_NOTE), out)
    return plan.ok


def _judge(workspace: Workspace, selection: Selection, comparison: Comparison, out: TextIO) -> Plan:
    def log(line: str) -> None:
        out.write(line + "\n")

    history = History(workspace.root, log=log)
    if selection.fallback is not None and not history.has(comparison.head):
        out.write(
            f"versionbot: {comparison.head[:12]} ({comparison.head_label}) is not in the checkout; "
            f"judging {selection.fallback.head_label} instead\n"
        )
        comparison = selection.fallback
    head = history.commit(comparison.head, comparison.head_label)
    base = history.commit(comparison.base, comparison.base_label)
    against = comparison.base_label
    if comparison.is_merge_base:
        base = history.merge_base(base, head, comparison.base_label)
        against = f"its merge-base with {comparison.base_label}"
    out.write(
        f"versionbot: {selection.event_name}: judging {head[:12]} ({comparison.head_label}) "
        f"against {base[:12]} ({against})\n"
    )
    repo = history.repo  # opened after any fetch
    return workspace.judge(repo.commit_snapshot(base), repo.commit_snapshot(head))


def _fix_command(root: Path, config_path: Path | None, selection: Selection) -> str:
    """The command a developer runs from the repository's root to fix the findings."""
    words = ["versionbot"]
    if config_path is not None:
        words += ["--config", Path(os.path.relpath(config_path.resolve(), root.resolve())).as_posix()]
    words.append("bump")
    if selection.fix_base:
        words += ["--base", selection.fix_base]
    return shlex.join(words)


def _outputs(plan: Plan) -> dict[str, str]:
    bumped = [f.unit for f in plan.findings if f.status in (Status.BUMPED, Status.NEW)]
    return {
        "ok": "true" if plan.ok else "false",
        "units": render.check_json(plan).rstrip("\n"),
        "bumped": json.dumps(bumped),
    }


def _comment(env: Environment, number: int, plan: Plan, body: str, out: TextIO) -> None:
    if env.token is None:
        out.write(actions.command("warning", "GITHUB_TOKEN is not set: no pull-request comment"))
        return
    from versionbot import github  # PyGithub: only `versionbot ci` needs it

    # Nothing to explain (every unit unchanged): no new comment, but an old one is corrected.
    is_needed = any(finding.status is not Status.UNCHANGED for finding in plan.findings)
    try:
        outcome = github.keep_sticky_comment(
            github.connect(env.api_url, env.token),
            env.repository,
            number,
            body,
            marker=render.MARKER,
            is_needed=is_needed,
        )
    except github.GitHubError as error:
        message = str(error).replace(env.token, "***")
        warning = f"no pull-request comment: {message}. The check itself is unaffected."
        out.write(actions.command("warning", warning, title="versionbot"))
        return
    out.write(f"versionbot: pull-request comment: {outcome.value}\n")


def _report_error(env: Environment | None, error: VersionbotError, out: TextIO) -> None:
    """Make a failure to check visible where people look: an annotation, and the job summary."""
    out.write(actions.command("error", str(error), title="versionbot could not check"))
    if env is not None and env.summary is not None:
        actions.append(env.summary, f"**versionbot** could not check:\n\n```\n{error}\n```\n")
