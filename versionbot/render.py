"""Plans and unit states as text for people, JSON for programs, markdown for pull requests (pure).

Everything in a plan besides our own words comes from the repository, and on a pull request from its
author: unit names, paths, value keys and values, and the messages that quote them. Each channel has
one way out, so no report can forget it:

- text leaves through `_text`: every line passes through `escape.visible`, so no repository text can
  break a line (where the Actions runner would read a workflow command), and every line starts with
  our own words;
- markdown shows repository text only as code (`_code`, `_block`), so it never becomes a heading,
  link, image, mention, HTML or the hidden marker; our own prose around it stays prose.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from versionbot import escape
from versionbot.findings import Change, ChangeKind, Finding, FixReport, Plan, UnitState, UnitVersion
from versionbot.schemes import Version

if sys.version_info >= (3, 11):  # typing_extensions imports `socket`: a tenth of a no-op check
    from typing import assert_never
else:  # pragma: no cover
    from typing_extensions import assert_never

MARKER = "<!-- versionbot -->"
PATCH_LIMIT = 40_000  # characters of a fix shown as a patch: what a comment can hold beside the report


def fix_command(*, config: str | None = None, base: str | None = None) -> str:
    """The `versionbot bump` a developer runs from the repository's root to fix the findings."""
    words = [
        "versionbot",
        *(("--config", config) if config else ()),
        "bump",
        *(("--base", base) if base else ()),
    ]
    return shlex.join(words)


_COMMENT_OPENER = "<!--"


def _text(lines: Iterable[str]) -> str:
    """The one way text reports leave: one visible line per line, however hostile its parts."""
    return escape.lines(lines)


def _code(text: str, *, in_table: bool = False) -> str:
    """Repository text in markdown: inline code that cannot hold an HTML comment (or the marker)."""
    return escape.code(_unmarked(text), in_table=in_table)


def _block(text: str, *, info: str = "text") -> str:
    return escape.block(_unmarked(text), info=info)


def _unmarked(text: str) -> str:
    # Code shows `<!--` literally, but a body that holds it could still be taken for one that starts
    # with the marker by a careless reader; the `!` is shown as an escape instead, as `visible` does.
    return text.replace(_COMMENT_OPENER, "<\\x21--")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _need_action(due: int, total: int) -> str:
    """'1 unit needs action', '1 of 3 units needs action', '2 of 3 units need action'."""
    verb = "needs" if due == 1 else "need"
    if total == 1:
        return f"{_count(due, 'unit')} {verb} action"
    return f"{due} of {total} units {verb} action"


# changes ---------------------------------------------------------------------------------------


def describe_change(change: Change) -> str:
    """One change on one line, for logs and annotations (repository text shown by `visible`)."""
    return escape.visible(_change_words(change))


def _change_words(change: Change) -> str:
    kind = change.kind
    match kind:
        case ChangeKind.RENAMED:
            return f"renamed {change.previous} -> {change.path}"
        case ChangeKind.EOL_ONLY:
            return f"eol-only {change.path} (only line endings changed: ignored)"
        case ChangeKind.VALUE:
            return f"value {change.key}: {_show(change.before)} -> {_show(change.after)}"
        case ChangeKind.DEPENDS:
            return f"depends {change.key} {_show(change.before)} -> {_show(change.after)}"
        case ChangeKind.MOVED:
            return f"moved version file {change.previous} -> {change.path}"
        case ChangeKind.RENAMED_UNIT:
            return f"renamed-unit {change.previous} -> {change.key}"
        case ChangeKind.PACKAGE:
            note = f" ({change.note})" if change.note else ""
            before, after = _version_words(change.before), _version_words(change.after)
            return f"package {change.key} {before} -> {after}{note}"
        case ChangeKind.COSMETIC:
            return f"cosmetic {change.path} (the lock installs the same packages: ignored)"
        case ChangeKind.REHASHED:
            return f"rehashed {change.path} (the same content under today's rules: ignored)"
        case ChangeKind.MODIFIED if change.note:
            return f"modified {change.path} ({change.note})"
        case ChangeKind.ADDED | ChangeKind.REMOVED | ChangeKind.MODIFIED:
            return f"{kind.value} {change.path}"
        case _:
            assert_never(kind)


def _version_words(value: Any) -> str:
    """A package's version(s) on one side of a change: `(none)` where it is not locked."""
    if value is None:
        return "(none)"
    return ", ".join(value) if isinstance(value, list) else str(value)


def _show(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)


def _change_markdown(change: Change) -> str:
    """A change as a list item: our words as prose, every path, key and value as code."""
    kind = change.kind
    path, previous = _code(change.path or ""), _code(change.previous or "")
    match kind:
        case ChangeKind.RENAMED:
            return f"renamed {previous} -> {path}"
        case ChangeKind.MOVED:
            return f"moved version file {previous} -> {path}"
        case ChangeKind.RENAMED_UNIT:
            return f"renamed-unit {previous} -> {_code(change.key or '')}"
        case ChangeKind.PACKAGE:
            note = f" ({_code(change.note)})" if change.note else ""
            before, after = _version_words(change.before), _version_words(change.after)
            return f"package {_code(change.key or '')} {_code(before)} -> {_code(after)}{note}"
        case ChangeKind.COSMETIC | ChangeKind.REHASHED:
            return f"{kind.value} {path}"
        case ChangeKind.VALUE | ChangeKind.DEPENDS:
            before, after = _value_markdown(change.before), _value_markdown(change.after)
            separator = ":" if kind is ChangeKind.VALUE else ""
            return f"{kind.value} {_code(change.key or '')}{separator} {before} -> {after}"
        case ChangeKind.ADDED | ChangeKind.REMOVED | ChangeKind.MODIFIED | ChangeKind.EOL_ONLY:
            return f"{kind.value} {path}"
        case _:
            assert_never(kind)


def _value_markdown(value: Any) -> str:
    if value is None:
        return "(none)"
    if type(value) is int:  # a version: our digits (a bool or a string would be the repository's)
        return str(value)
    return _code(json.dumps(value, ensure_ascii=False))


def _versions(finding: Finding) -> str:
    """The versions behind a finding, in words. Where the file holds what is expected: `1 -> 2` (the
    base's version, then the file's), `at 1` for a unit the base has no record of, `1` unchanged.
    Otherwise all three are named: `base 1, file 1, expected 2`."""
    base, recorded, expected = finding.base_version, finding.recorded_version, finding.expected_version
    if recorded is not None and recorded == expected:
        if base is None:
            return f"new at {expected}"
        return str(expected) if base == expected else f"{base} -> {expected}"
    was = "no base record" if base is None else f"base {base}"
    held = "no file" if recorded is None else f"file {recorded}"
    return f"{was}, {held}, expected {expected}"


def _base_words(plan: Plan) -> str:
    """The base as the report names it: the revision it was found as and the merge-base judged, or
    HEAD itself when nothing was found."""
    if plan.base_ref and plan.base_ref != plan.base:
        return f"{plan.base_ref} at {_short(plan.base)}"
    if plan.base_source == "head":
        return f"{_short(plan.base)}, HEAD itself"
    return _short(plan.base)


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
        lines.extend(f"       {_change_words(change)}" for change in finding.changes)
    summary = "all units are consistent" if plan.ok else _need_action(len(plan.due), len(plan.findings))
    if quiet:
        summary += f"; {quiet} unchanged"
    lines.append(f"versionbot: {summary} (base {_base_words(plan)}, head {_short(plan.head)})")
    return _text(lines)


def check_json(plan: Plan) -> str:
    report = {
        "ok": plan.ok,
        "base": plan.base,
        "base_ref": plan.base_ref,
        "base_source": plan.base_source,
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
        "deploy": finding.deploy,
        "inputs_hash": finding.expected.inputs_hash,
        "changes": [change.to_json() for change in finding.changes],
        "message": finding.message,
        "taken_by": finding.taken_by.to_json() if finding.taken_by else None,
    }


_GROUPS = (
    ("Changed inputs", (ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.MODIFIED, ChangeKind.RENAMED)),
    ("Changed values and dependencies", (ChangeKind.VALUE, ChangeKind.DEPENDS)),
    ("Carried over", (ChangeKind.MOVED, ChangeKind.RENAMED_UNIT)),
    ("Ignored: only line endings changed", (ChangeKind.EOL_ONLY,)),
    ("Ignored: lock files that install the same packages", (ChangeKind.COSMETIC,)),
    ("Ignored: digests made again under today's rules", (ChangeKind.REHASHED,)),
)


def check_markdown(plan: Plan, *, command: str = "versionbot bump", fix: FixReport | None = None) -> str:
    """The report for a pull-request comment or a job summary: a table of units, then for every unit
    that changed (or must) why, and for failures the command that fixes them (and what `ci --fix`
    did: `fix`). It starts with `MARKER`, and nothing after it can hold the marker or any other HTML
    comment."""
    if plan.ok:
        headline = "**versionbot**: every unit's version matches its inputs."
    else:
        headline = f"**versionbot**: {_need_action(len(plan.due), len(plan.findings))}."
    lines = [MARKER, headline]
    # A monorepo has hundreds of untouched units: they are folded away, not listed in every comment.
    quiet: list[Finding] = []
    shown: list[Finding] = []
    for finding in plan.findings:
        (quiet if finding.status.value == "unchanged" and not finding.changes else shown).append(finding)
    if shown:
        lines += ["", "| unit | base | head | status | expected | deploy |", "|---|---|---|---|---|---|"]
        lines.extend(_table_row(finding) for finding in shown)
    if quiet:
        summary = f"{_count(len(quiet), 'unit')} unchanged"
        lines += ["", f"<details><summary>{summary}</summary>", "", "| unit | version |", "|---|---|"]
        lines.extend(f"| {_code(f.unit, in_table=True)} | {f.expected_version} |" for f in quiet)
        lines += ["", "</details>"]
    for finding in shown:
        lines += _finding_markdown(finding)
    if fix is not None and fix.commit is not None:
        lines += ["", *_pushed_markdown(fix)]
    elif not plan.ok:
        lines += ["", "**To fix**, run this on the branch and commit the version files it writes:", ""]
        lines.append(_block(command, info="sh"))
        if fix is not None:
            lines += _patch_markdown(fix)
    lines += ["", f"<sub>base {_code(_base_words(plan))} · head {_code(_short(plan.head))}</sub>"]
    return "\n".join(lines) + "\n"


def _pushed_markdown(fix: FixReport) -> list[str]:
    assert fix.commit is not None
    shown = _code(fix.commit[:12])
    link = f"[{shown}]({fix.url})" if fix.url else shown
    return [
        f"**Fixed**: versionbot pushed {link} to {_code(fix.branch)}, which makes this pass:",
        "",
        _block(fix.subject),
        "",
        "This run judged the commit before it, so it fails; the pushed commit is judged on its own.",
    ]


def _patch_markdown(fix: FixReport) -> list[str]:
    lines = []
    if fix.reason:
        lines += ["", "versionbot did not push the fix:", "", _block(fix.reason)]
    if fix.is_merge:
        lines += [
            "",
            "The base moved on: merge it into the branch first (`versionbot init --merge-driver` makes "
            "that free of conflicts in version files), then run the command above.",
        ]
    if fix.patch and len(fix.patch) > PATCH_LIMIT:
        lines += ["", f"The fix as a patch has {fix.patch.count(chr(10))} lines, too many to show here."]
    elif fix.patch:
        where = "GitHub's test merge of the branch" if fix.is_merge else "the branch"
        lines += [
            "",
            f"<details><summary>The fix as a patch over {where}, for git apply</summary>",
            "",
            _block(fix.patch.rstrip("\n"), info="diff"),
            "",
            "</details>",
        ]
    return lines


def _table_row(finding: Finding) -> str:
    base = "—" if finding.base_version is None else str(finding.base_version)
    head = "—" if finding.recorded_version is None else str(finding.recorded_version)
    status = f"{_icon(finding)} {finding.status.value}"
    unit = _code(finding.unit, in_table=True)
    deploy = _code(finding.deploy, in_table=True) if finding.deploy else "—"
    return f"| {unit} | {base} | {head} | {status} | {finding.expected_version} | {deploy} |"


def _icon(finding: Finding) -> str:
    return "✅" if finding.is_fine else "❌"


def _finding_markdown(finding: Finding) -> list[str]:
    # The message mixes our words with names from the repository, so all of it is code: a fenced
    # block of its own, which shows every character as it is and which nothing inside can close.
    lines = ["", f"#### {_icon(finding)} {_code(finding.unit)}: {finding.status.value}", ""]
    lines.append(_block(finding.message))
    for title, kinds in _GROUPS:
        changes = [change for change in finding.changes if change.kind in kinds]
        if changes:
            lines += ["", f"{title}:", ""]
            lines.extend(f"- {_change_markdown(change)}" for change in changes)
    packages = [change for change in finding.changes if change.kind is ChangeKind.PACKAGE]
    if packages:
        lines += ["", "Packages:", "", "| lock file | package | from | to | |", "|---|---|---|---|---|"]
        lines.extend(_package_row(change) for change in packages)
    return lines


def _package_row(change: Change) -> str:
    cells = [change.path or "", change.key or "", _version_words(change.before), _version_words(change.after)]
    shown = [_code(cell, in_table=True) for cell in cells]
    note = _code(change.note, in_table=True) if change.note else ""
    return f"| {' | '.join(shown)} | {note} |"


def error_markdown(message: str) -> str:
    """The job summary of a check that could not be made: the message (it may quote the
    repository, or git's own words) as a code block."""
    return f"**versionbot** could not check:\n\n{_block(message)}\n"


# bump ------------------------------------------------------------------------------------------


def _bump_words(finding: Finding) -> str:
    """What a bump does to one unit and why: `app 1 -> 2 (needs-bump)` (the file's version, then the
    one written), `app: new unit at 1`, `app: restored at 3 (missing-file; the base has 3)`."""
    unit, recorded, expected = finding.unit, finding.recorded_version, finding.expected_version
    status = finding.status.value
    if recorded is not None:
        return f"{unit} {recorded} -> {expected} ({status})"
    if finding.base_version is None:
        return f"{unit}: new unit at {expected}"
    done = "restored" if status == "missing-file" else "written"
    return f"{unit}: {done} at {expected} ({status}; the base has {finding.base_version})"


def bump_text(due: Sequence[Finding], *, is_dry_run: bool, removed: Sequence[str] = ()) -> str:
    """What `bump` wrote (or would write), and the old files of moved version files it removed."""
    if not due and not removed:
        return "versionbot: every version file is up to date\n"
    verb = "would write" if is_dry_run else "wrote"
    lines = [
        f"{'would remove' if is_dry_run else 'removed'} {path}: the version file moved" for path in removed
    ]
    for finding in due:
        lines.append(f"{verb} {finding.version_file}: {_bump_words(finding)}")
        lines.extend(f"    {_change_words(change)}" for change in finding.changes)
    return _text(lines)


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
    """One line per unit, starting with our own word (`current`, `NOT CURRENT`), never a name."""
    lines = []
    for state in states:
        deploy = state.deploy_name or f"{state.unit}@?"
        if state.is_current:
            lines.append(f"current     {deploy}  {state.version_file}")
        else:
            lines.append(f"NOT CURRENT {deploy}  {state.version_file}: {state.problem}")
    return _text(lines)


def status_markdown(states: Sequence[UnitState]) -> str:
    lines = ["| unit | version | deploy | current |", "|---|---|---|---|"]
    for state in states:
        current = "✅" if state.is_current else f"❌ {_code(state.problem or '', in_table=True)}"
        version = "—" if state.version is None else str(state.version)
        deploy = "—" if state.deploy_name is None else _code(state.deploy_name, in_table=True)
        lines.append(f"| {_code(state.unit, in_table=True)} | {version} | {deploy} | {current} |")
    return "\n".join(lines) + "\n"


def export_json(revision: str, states: Sequence[UnitState]) -> str:
    units = [
        {
            "unit": state.unit,
            "version": state.version,
            "deploy": state.deploy_name,
            "inputs_hash": state.recorded_hash,
            "requires": list(state.requires),
            "values": dict(state.values),
            "extra": dict(state.extra),
        }
        for state in states
    ]
    return json.dumps({"rev": revision, "units": units}, indent=2, ensure_ascii=False) + "\n"


# log and diff ----------------------------------------------------------------------------------


def log_text(versions: Sequence[UnitVersion]) -> str:
    """One line per version (newest first): deploy name, commit, date, subject; then its changes."""
    lines = []
    for found in versions:
        deploy = found.deploy or f"{found.unit}@{found.version}"
        lines.append(f"version {deploy}  {found.commit[:12]}  {found.date[:10]}  {found.subject}")
        lines.extend(f"    {_change_words(change)}" for change in found.changes)
    return _text(lines) if lines else "versionbot: no versions\n"


def log_json(revision: str, units: Sequence[tuple[str, Sequence[UnitVersion]]]) -> str:
    report = {
        "rev": revision,
        "units": [
            {"unit": name, "versions": [_version_json(found) for found in versions]}
            for name, versions in units
        ],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _version_json(found: UnitVersion) -> dict[str, Any]:
    return {
        "version": found.version,
        "deploy": found.deploy,
        "commit": found.commit,
        "date": found.date,
        "subject": found.subject,
        "changes": [change.to_json() for change in found.changes],
    }


@dataclass(frozen=True)
class UnitDelta:
    """A unit's records at two revisions compared (`diff`), each change with the version it came in."""

    unit: str
    before: Version | None
    after: Version | None
    changes: Sequence[tuple[Change, Version]]


def diff_text(deltas: Sequence[UnitDelta]) -> str:
    lines = []
    for delta in deltas:
        before = "(none)" if delta.before is None else str(delta.before)
        after = "(none)" if delta.after is None else str(delta.after)
        removed = " (removed)" if delta.after is None else ""
        lines.append(f"unit {delta.unit} {before} -> {after}{removed}")
        lines.extend(f"    {_change_words(change)} (in {version})" for change, version in delta.changes)
    return _text(lines) if lines else "versionbot: no unit differs\n"


def diff_json(before: str, after: str, deltas: Sequence[UnitDelta]) -> str:
    units = [
        {
            "unit": delta.unit,
            "from": delta.before,
            "to": delta.after,
            "changes": [change.to_json() | {"version": version} for change, version in delta.changes],
        }
        for delta in deltas
    ]
    return json.dumps({"from": before, "to": after, "units": units}, indent=2, ensure_ascii=False) + "\n"
