"""Plans and unit states as text for people, JSON for programs, markdown for pull requests (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from versionbot.plan import Change, Finding, Plan, UnitState

MARKER = "<!-- versionbot -->"


def describe_change(change: Change) -> str:
    if change.kind == "renamed":
        return f"renamed {change.previous} -> {change.path}"
    if change.kind == "eol-only":
        return f"eol-only {change.path} (only line endings changed: ignored)"
    if change.kind == "value":
        return f"value {change.key}: {_show(change.before)} -> {_show(change.after)}"
    if change.kind == "depends":
        return f"depends {change.key} {_show(change.before)} -> {_show(change.after)}"
    return f"{change.kind} {change.path}"


def _show(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)


def _versions(finding: Finding) -> str:
    base = "-" if finding.base_version is None else str(finding.base_version)
    return f"{base} -> {finding.expected_version}"


def _short(revision: str | None) -> str:
    if revision is None:
        return "none"
    return revision[:12] if len(revision) == 40 else revision


# check -----------------------------------------------------------------------------------------


def check_text(plan: Plan) -> str:
    lines = []
    quiet = 0
    for finding in plan.findings:
        if finding.status.value == "unchanged" and not finding.changes:
            quiet += 1  # a monorepo has hundreds of these: counted, not listed
            continue
        mark = "ok  " if finding.is_fine else "FAIL"
        lines.append(
            f"{mark} {finding.unit} [{finding.status.value}] {_versions(finding)}: {finding.message}"
        )
        lines.extend(f"       {describe_change(change)}" for change in finding.changes)
    failing = len(plan.due)
    summary = (
        "all units are consistent" if plan.ok else f"{failing} of {len(plan.findings)} units need action"
    )
    if quiet:
        summary += f"; {quiet} unchanged"
    lines.append(f"versionbot: {summary} (base {_short(plan.base)}, head {_short(plan.head)})")
    return "\n".join(lines) + "\n"


def check_json(plan: Plan) -> str:
    report = {
        "ok": plan.ok,
        "base": plan.base,
        "head": plan.head,
        "units": [finding_json(finding) for finding in plan.findings],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "unit": finding.unit,
        "status": finding.status.value,
        "version_file": finding.version_file,
        "base_version": finding.base_version,
        "recorded_version": finding.recorded_version,
        "expected_version": finding.expected_version,
        "inputs_hash": finding.expected.inputs_hash,
        "changes": [change.to_json() for change in finding.changes],
        "message": finding.message,
    }


def check_markdown(plan: Plan, *, command: str = "versionbot bump") -> str:
    """The report for a pull-request comment or a job summary: a table of units, then for every unit
    that changed (or must) why, and for failures the command that fixes them."""
    if plan.ok:
        headline = "**versionbot**: every unit's version matches its inputs."
    else:
        headline = f"**versionbot**: {len(plan.due)} of {len(plan.findings)} units need action."
    lines = [MARKER, headline]
    # A monorepo has hundreds of untouched units: they are folded away, not listed in every comment.
    quiet: list[Finding] = []
    shown: list[Finding] = []
    for finding in plan.findings:
        (quiet if finding.status.value == "unchanged" and not finding.changes else shown).append(finding)
    if shown:
        lines += ["", "| unit | base | head | status | expected |", "|---|---|---|---|---|"]
    for finding in shown:
        base = "—" if finding.base_version is None else str(finding.base_version)
        head = "—" if finding.recorded_version is None else str(finding.recorded_version)
        icon = "✅" if finding.is_fine else "❌"
        status, expected = f"{icon} {finding.status.value}", finding.expected_version
        lines.append(f"| `{finding.unit}` | {base} | {head} | {status} | {expected} |")
    if quiet:
        count = f"{len(quiet)} unit{'s' if len(quiet) > 1 else ''}"
        lines += ["", f"<details><summary>{count} unchanged</summary>", "", "| unit | version |", "|---|---|"]
        lines.extend(f"| `{finding.unit}` | {finding.expected_version} |" for finding in quiet)
        lines += ["", "</details>"]
    for finding in shown:
        icon = "✅" if finding.is_fine else "❌"
        lines += [
            "",
            f"#### {icon} `{finding.unit}`: {finding.status.value}",
            "",
            _escape_md(finding.message),
        ]
        groups = (
            ("Changed inputs", ("added", "removed", "modified", "renamed")),
            ("Changed values and dependencies", ("value", "depends")),
            ("Ignored: only line endings changed", ("eol-only",)),
        )
        for title, kinds in groups:
            changes = [change for change in finding.changes if change.kind in kinds]
            if changes:
                lines += ["", f"{title}:", ""]
                lines.extend(f"- {_change_markdown(change)}" for change in changes)
    if not plan.ok:
        lines += [
            "",
            "**To fix**, run this on the branch and commit the version files it writes:",
            "",
            "```sh",
            command,
            "```",
        ]
    lines += ["", f"<sub>base `{_short(plan.base)}` · head `{_short(plan.head)}`</sub>"]
    return "\n".join(lines) + "\n"


def _change_markdown(change: Change) -> str:
    """`describe_change` with the paths escaped, so `__main__.py` is not read as bold text."""
    path, previous = _escape_path(change.path or ""), _escape_path(change.previous or "")
    if change.kind == "renamed":
        return f"renamed {previous} -> {path}"
    if change.kind == "eol-only":
        return f"eol-only {path}"
    if change.kind in ("value", "depends"):
        return _escape_md(describe_change(change))
    return f"{change.kind} {path}"


def _escape_path(path: str) -> str:
    escaped = "".join("\\" + char if char in "\\`*_[]|~#" else char for char in path)
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\r", "\\r").replace("\n", "\\n")  # git allows them in names


def _escape_md(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("&lt;-", "<-").replace("-&gt;", "->")


# bump ------------------------------------------------------------------------------------------


def bump_text(due: Sequence[Finding], *, is_dry_run: bool) -> str:
    if not due:
        return "versionbot: every version file is up to date\n"
    verb = "would write" if is_dry_run else "wrote"
    lines = []
    for finding in due:
        recorded = "(none)" if finding.recorded_version is None else str(finding.recorded_version)
        lines.append(
            f"{verb} {finding.version_file}: {finding.unit} {recorded} -> {finding.expected_version} "
            f"({finding.status.value})"
        )
        lines.extend(f"    {describe_change(change)}" for change in finding.changes)
    return "\n".join(lines) + "\n"


# status and export -----------------------------------------------------------------------------


def status_json(states: Sequence[UnitState]) -> str:
    return json.dumps({"units": [state_json(state) for state in states]}, indent=2, ensure_ascii=False) + "\n"


def state_json(state: UnitState) -> dict[str, Any]:
    return {
        "unit": state.unit,
        "version": state.version,
        "deploy": state.deploy_name,
        "version_file": state.version_file,
        "is_current": state.is_current,
        "problem": state.problem,
    }


def status_text(states: Sequence[UnitState]) -> str:
    lines = []
    for state in states:
        where = "current" if state.is_current else f"NOT CURRENT: {state.problem}"
        lines.append(f"{state.deploy_name or state.unit + '@?'}  {state.version_file}  {where}")
    return "\n".join(lines) + "\n"


def status_markdown(states: Sequence[UnitState]) -> str:
    lines = ["| unit | version | deploy | current |", "|---|---|---|---|"]
    for state in states:
        current = "✅" if state.is_current else f"❌ {_escape_md(state.problem or '')}"
        version = "—" if state.version is None else str(state.version)
        lines.append(f"| `{state.unit}` | {version} | `{state.deploy_name or '—'}` | {current} |")
    return "\n".join(lines) + "\n"


def export_json(revision: str, states: Sequence[UnitState]) -> str:
    units = [
        {
            "unit": state.unit,
            "version": state.version,
            "deploy": state.deploy_name,
            "inputs_hash": state.recorded_hash,
        }
        for state in states
    ]
    return json.dumps({"rev": revision, "units": units}, indent=2, ensure_ascii=False) + "\n"
