"""`versionbot ci`: the check as a GitHub Actions step (actions.py says which commits an event judges).

It prints the report and an `::error` annotation per failing unit, writes the job summary and the
step's outputs (`ok`, `units`, `bumped`, `deploy`, `fixed`), keeps the one sticky pull-request
comment, and fails on findings. With `--fix commit` it pushes the commit `bump` would make
(fixing.py says which) through the API; where it cannot (a fork, a token that may not push, a branch
that moved) it warns, and the comment and summary show the fix as a patch. Only the comment and the
fix need the API: when they cannot be written the step warns, and everything else, the exit status
included, stays as it is.

The runner reads workflow commands (`::error::`, `::add-mask::`) on standard output and standard error
alike, and on a pull request the names and paths in a report are its author's. So everything this
step prints goes through `_Log`: each line of ours through `escape.visible` (nothing from the
repository or the event can start a line of its own), the report between `::stop-commands::` markers
as well, and every text, the summary, outputs and comment included, through `escape.redact`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from versionbot import __version__, actions, escape, events, fixing, render
from versionbot.base import BaseChoice, BaseSource
from versionbot.config import config_at
from versionbot.errors import VersionbotError
from versionbot.events import Branch, Comparison, Environment, Selection
from versionbot.findings import FixReport, Plan, Status
from versionbot.fixing import Judged, NotFixable
from versionbot.history import History
from versionbot.workspace import Workspace

COMMENT_LIMIT = 60_000  # characters: GitHub refuses comment bodies over 65,536
SUMMARY_LIMIT = 250_000  # characters: a step's summary may hold 1 MiB
CUT_NOTE = "_The report is cut here: the job summary and the `units` output hold all of it._"
INSTALL_HINT = "pip install 'versionbot[github]'"
UNAFFECTED = "The check itself is unaffected."
FIX_MODES = ("false", "commit")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


class ReportedError(VersionbotError):
    """A failure already annotated and summarised; its message is escaped and redacted."""


class _Log:
    """Standard output as the Actions runner reads it, and the one way text leaves this step."""

    def __init__(self, out: TextIO, token: str | None) -> None:
        self._out = out
        self._token = token

    def safe(self, text: str) -> str:
        """`text` without the token in any form: for every file and request this step writes."""
        return escape.redact(text, self._token)

    def line(self, text: str) -> None:
        self._out.write(escape.visible(self.safe(text)) + "\n")

    def command(self, name: str, lines: Sequence[str], **properties: str) -> None:
        """A workflow command whose message may span lines (ours), each shown by `visible`."""
        message = "\n".join(escape.visible(self.safe(line)) for line in lines)
        shown = {key: escape.visible(self.safe(value)) for key, value in properties.items()}
        self._out.write(actions.command(name, message, **shown))

    def report(self, text: str) -> None:
        """A report of repository text: escaped line by line already, and inert all the same."""
        self._out.write(actions.untrusted(self.safe(text)))


def run(
    open_workspace: Callable[[], Workspace],
    *,
    config_path: Path | None,
    is_commenting: bool,
    fix: str = "false",
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> bool:
    """Judge what the job's event asks for and report it everywhere; True when every unit is fine.
    `fix`: "commit" pushes the fix where it can (see the module docstring)."""
    environ = os.environ if environ is None else environ
    log = _Log(sys.stdout if out is None else out, environ.get("GITHUB_TOKEN"))
    env: Environment | None = None
    try:
        env = Environment.from_environ(environ)
        workspace = open_workspace()  # inside: a bad config is annotated and summarised too
        selection = events.select(env, configured_base=workspace.config.base)
        if selection.comparison is None:
            log.line("versionbot: the push deleted its branch: nothing to check")
            return True
        history = History(workspace.root, log=log.line)  # its lines name revisions from the config
        comparison = selection.comparison
        if selection.fallback is not None and not history.has(comparison.head):
            log.line(
                f"versionbot: {comparison.head[:12]} ({comparison.head_label}) is not in the checkout; "
                f"judging {selection.fallback.head_label} instead"
            )
            comparison = selection.fallback
        judged = _judge(workspace, history, comparison, selection.event_name, log)
        report = _fix(env, selection, judged, history, log) if fix == "commit" else None
    except VersionbotError as error:
        message = escape.visible(log.safe(str(error)))
        _report_error(env, message, log)
        raise ReportedError(message) from None  # the CLI prints it: escaped, without the token
    plan = judged.plan
    command = _fix_command(workspace.root, config_path, selection)
    markdown = log.safe(render.check_markdown(plan, command=command, fix=report))
    log.report(render.check_text(plan))
    for finding in plan.due:
        where = actions.annotation_path(workspace.root, finding.version_file, env.workspace)
        title = f"versionbot: {finding.unit} ({finding.status.value})"
        log.command(
            "error", [finding.message, *map(render.describe_change, finding.changes)], file=where, title=title
        )
    if env.summary is not None:
        actions.append(env.summary, actions.truncate(markdown, SUMMARY_LIMIT, CUT_NOTE))
    if env.output is not None:
        fixed = report.commit if report is not None and report.commit else ""
        actions.append(env.output, log.safe(actions.format_outputs(_outputs(plan) | {"fixed": fixed})))
    if selection.pull_number is not None and is_commenting:
        _comment(env, selection.pull_number, plan, actions.truncate(markdown, COMMENT_LIMIT, CUT_NOTE), log)
    return plan.ok


def _judge(
    workspace: Workspace, history: History, comparison: Comparison, event_name: str, log: _Log
) -> Judged:
    head = history.commit(comparison.head, comparison.head_label)
    base = history.commit(comparison.base, comparison.base_label)
    against = comparison.base_label
    if comparison.is_merge_base:
        base = history.merge_base(base, head, comparison.base_label)
        against = f"its merge-base with {comparison.base_label}"
    log.line(
        f"versionbot: {event_name}: judging {head[:12]} ({comparison.head_label}) "
        f"against {base[:12]} ({against})"
    )
    fetched = workspace.with_repository(history.repo)  # opened after any fetch
    # The event names the base, as --base would: the report says so.
    choice = BaseChoice(ref=comparison.base, source=BaseSource.OPTION)
    plan = fetched.judge(fetched.repo.commit_snapshot(base), fetched.repo.commit_snapshot(head), choice)
    return Judged(workspace=fetched, plan=plan, head=head, base=base)


def _fix(
    env: Environment, selection: Selection, judged: Judged, history: History, log: _Log
) -> FixReport | None:
    """Push the commit that fixes the findings, or say why not; None: nothing to fix."""
    branch = selection.branch
    if judged.plan.ok:
        return None
    if branch is None:
        reason = f"`fix: commit` fixes pull_request and push events of a branch, not {selection.event_name}"
        log.command("warning", [f"no fix: {reason}"], title="versionbot")
        return None
    try:
        if problem := fixing.branch_problem(branch.name):
            raise NotFixable(f"the branch {branch.name!r} {problem}")
        fix = _plan_fix(selection, branch, judged, history, log)
    except (NotFixable, VersionbotError) as error:  # the check's answer stands, fixed or not
        log.command("warning", [f"no fix: {error}"], title="versionbot")
        return FixReport(reason=str(error), branch=branch.name)
    except Exception as error:  # a surprise must not cost the check its answer either
        reason = f"internal error: {type(error).__name__}: {error}; please report it"
        log.command("warning", [f"no fix: {reason}"], title="versionbot")
        return FixReport(reason=reason, branch=branch.name)
    if fix is None:
        return None
    shown = FixReport(patch=fix.patch, branch=branch.name, is_merge=fix.is_merge)
    if branch.is_foreign:
        reason = "the pull request comes from a fork, and versionbot never pushes to one"
        log.line(f"versionbot: no fix pushed: {reason}; the comment and the job summary show it as a patch")
        return dataclasses.replace(shown, reason=reason)
    try:
        pushed = _push(env, fix)
    except Exception as error:  # whatever fails, the check's answer stands
        if isinstance(error, VersionbotError):
            reason = str(error)
        elif isinstance(error, ImportError):
            reason = f"PyGithub is not installed; {INSTALL_HINT}"
        else:
            reason = f"internal error: {type(error).__name__}: {error}; please report it"
        log.command("warning", [f"no fix pushed: {reason}"], title="versionbot")
        return dataclasses.replace(shown, reason=reason)
    subject = fix.message.splitlines()[0]
    url = _commit_url(env, pushed)
    log.line(f"versionbot: pushed {pushed} to {branch.name}: {subject}" + (f"; {url}" if url else ""))
    return FixReport(commit=pushed, url=url, subject=subject, branch=branch.name, is_merge=fix.is_merge)


def _plan_fix(
    selection: Selection, branch: Branch, judged: Judged, history: History, log: _Log
) -> fixing.Fix | None:
    if selection.pull_number is None:
        return fixing.push_fix(judged, branch.name)
    head = judged
    if judged.head != branch.head and selection.fallback is not None:  # the test merge was judged
        # The head is judged by its own configuration, as `check` on the branch would judge it.
        own = judged.workspace.repo.commit_snapshot(history.commit(branch.head, "pull_request.head.sha"))
        workspace = dataclasses.replace(judged.workspace, config=config_at(own, __version__))
        head = _judge(workspace, history, selection.fallback, selection.event_name, log)
    return fixing.pull_request_fix(
        merged=judged,
        head=head,
        branch=branch.name,
        base_ref=branch.base_ref or "the base",
        base_tip=history.commit(branch.base or judged.base, "pull_request.base.sha"),
    )


def _push(env: Environment, fix: fixing.Fix) -> str:
    if env.token is None:
        raise VersionbotError("GITHUB_TOKEN is not set; the action passes its `github-token` input there")
    from versionbot import github  # PyGithub: only the comment and the fix need it

    pushed = github.push_commit(
        github.connect(env.api_url, env.token, what="the fix"),
        env.repository,
        branch=fix.branch,
        expected=fix.expected,
        tree_from=fix.tree_from,
        parents=fix.parents,
        files=fix.files,
        message=fix.message,
    )
    return pushed.sha


def _commit_url(env: Environment, commit: str) -> str | None:
    """Where people see the commit (None where the environment names no plain URL for it)."""
    server = urllib.parse.urlsplit(env.server_url)
    if (
        server.scheme not in ("http", "https")
        or not server.netloc
        or not _REPOSITORY.fullmatch(env.repository)
    ):
        return None
    if any(char in env.server_url for char in " ()<>[]\\\"'`"):
        return None
    return f"{env.server_url.rstrip('/')}/{env.repository}/commit/{commit}"


def _fix_command(root: Path, config_path: Path | None, selection: Selection) -> str:
    """The command a developer runs from the repository's root to fix the findings."""
    config = Path(os.path.relpath(config_path.resolve(), root.resolve())).as_posix() if config_path else None
    return render.fix_command(config=config, base=selection.fix_base)


def _outputs(plan: Plan) -> dict[str, str]:
    bumped = [f.unit for f in plan.findings if f.status in (Status.BUMPED, Status.NEW)]
    return {
        "ok": "true" if plan.ok else "false",
        "units": render.check_json(plan).rstrip("\n"),
        "bumped": json.dumps(bumped),
        "deploy": json.dumps({f.unit: f.deploy for f in plan.findings}, ensure_ascii=False),
    }


def _comment(env: Environment, number: int, plan: Plan, body: str, log: _Log) -> None:
    def warn(problem: str) -> None:
        log.command("warning", [f"no pull-request comment: {problem}. {UNAFFECTED}"], title="versionbot")

    if env.token is None:
        warn("GITHUB_TOKEN is not set; the action passes its `github-token` input there")
        return
    try:
        from versionbot import github  # PyGithub: only the comment needs it
    except ImportError as error:
        warn(f"PyGithub is not installed ({error.name or 'github'} cannot be imported); {INSTALL_HINT}")
        return
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
        warn(str(error))
        return
    except Exception as error:  # a surprise from PyGithub must not cost the check its answer
        warn(f"internal error: {type(error).__name__}: {error}; please report it")
        return
    log.line(f"versionbot: pull-request comment: {outcome.value}")


def _report_error(env: Environment | None, message: str, log: _Log) -> None:
    """Make a failure to check visible where people look: an annotation, and the job summary."""
    log.command("error", [message], title="versionbot could not check")
    if env is not None and env.summary is not None:
        actions.append(env.summary, render.error_markdown(message))
