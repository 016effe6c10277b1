"""render.py: nothing from the repository speaks for versionbot, in a log line or in markdown.

On a pull request every name, path, key, value and message in a plan is its author's. The text
reports must keep each of them on its own line and behind our own words (the Actions runner reads
`::error::` and `::add-mask::` at the start of any line of standard output or error); the markdown
must show them only as code, never as headings, links, images, HTML, mentions, autolinks or the
hidden marker. No CommonMark parser is installed here, so `parse` below checks the structure
itself: fences and code spans well-formed, and what is left outside them only our own markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from versionbot import render
from versionbot.escape import is_visible, visible
from versionbot.findings import Change, ChangeKind, Finding, FixReport, Plan, Status, UnitState
from versionbot.versionfile import VersionFile

PWNED = "\n::error::pwned"
HOSTILE_UNIT = f"app{PWNED}\u2028::add-mask::x"
HOSTILE_PATH = (
    "req/app/ping @octocat www.evil.example [x](http:/e.example) ![i](http:/t.png) "
    "<img src=x onerror=alert(1)> <!-- versionbot --> ``` *b* _i_ ~~s~~ &amp; a|b"
    "\n# heading\r::warning::y.txt"
)
HOSTILE_OLD = "old\n```\n## renamed from here"
HOSTILE_KEY = f"k{PWNED} | `tick` <b>bold</b>"
HOSTILE_VALUE = "v\n## heading ![img](x) @team"
HOSTILE_MESSAGE = f"{HOSTILE_PATH}: inputs changed since the base; run `versionbot bump`"
BASE, HEAD = "b" * 40, "c" * 40
CODE = "⟦code⟧"  # where a code span stood, in the prose `parse` returns


def finding(
    unit: str = HOSTILE_UNIT,
    *,
    status: Status = Status.NEEDS_BUMP,
    changes: Sequence[Change] = (),
    message: str = HOSTILE_MESSAGE,
    version_file: str = "req/app/version.json",
) -> Finding:
    expected = VersionFile(unit=unit, version=2, inputs={}, inputs_hash="sha256:" + "0" * 64)
    return Finding(
        unit=unit,
        status=status,
        version_file=version_file,
        base_version=1,
        recorded_version=1 if status is not Status.UNCHANGED else 2,
        expected=expected,
        changes=tuple(changes),
        message=message,
        deploy=f"{unit}@2",
    )


HOSTILE_CHANGES = (
    Change(kind=ChangeKind.ADDED, path=HOSTILE_PATH),
    Change(kind=ChangeKind.MODIFIED, path="req/app/`x`"),
    Change(kind=ChangeKind.RENAMED, path=HOSTILE_PATH, previous=HOSTILE_OLD),
    Change(kind=ChangeKind.EOL_ONLY, path=HOSTILE_PATH),
    Change(kind=ChangeKind.VALUE, key=HOSTILE_KEY, before="a", after=HOSTILE_VALUE),
    Change(kind=ChangeKind.VALUE, key="n", before=None, after={"x\n# y": [1, "@z"]}),
    Change(kind=ChangeKind.DEPENDS, key=HOSTILE_UNIT, before=1, after=2),
)


def hostile_plan() -> Plan:
    return Plan(
        base=BASE,
        head=HEAD,
        findings=(
            finding(changes=HOSTILE_CHANGES),
            finding(f"quiet{PWNED} <!-- versionbot -->", status=Status.UNCHANGED, message="x"),
            finding(
                "fw", status=Status.BUMPED, changes=HOSTILE_CHANGES[:1], message="inputs changed: 1 -> 2"
            ),
        ),
    )


HOSTILE_STATES = (
    UnitState(
        unit=f"::error::x{PWNED}",
        version_file="::warning::v.json",
        version=None,
        recorded_hash=None,
        is_current=False,
        problem=f"broken{PWNED} | <b>",
    ),
    UnitState(
        unit="fw",
        version_file="req/fw/version.json",
        version=3,
        recorded_hash=None,
        is_current=True,
        problem=None,
        deploy_name="fw@3",
    ),
)


# the log channel ---------------------------------------------------------------------------------

OUR_FIRST_WORDS = {"ok", "FAIL", "versionbot:", "wrote", "would", "current", "NOT"}
CHANGE_KINDS = {"added", "removed", "modified", "renamed", "eol-only", "value", "depends"}


def assert_no_line_is_theirs(text: str) -> None:
    """Every line as the runner splits it is whole, visible, and starts with our own word."""
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert text.splitlines() == lines  # no CR, U+2028 or other separator inside a line
    for line in lines:
        assert is_visible(line), line
        first = line.split(" ", 1)[0]
        if line.startswith(" "):  # a change below its unit
            assert line.lstrip().split(" ", 1)[0] in CHANGE_KINDS, line
        else:
            assert first in OUR_FIRST_WORDS, line
        assert not line.lstrip().startswith(("::", "##[")), line  # the runner trims leading space


def test_every_text_report_keeps_repository_text_inside_our_lines() -> None:
    plan = hostile_plan()
    for text in (
        render.check_text(plan),
        render.bump_text(plan.due, is_dry_run=False),
        render.bump_text(plan.due, is_dry_run=True),
        render.status_text(HOSTILE_STATES),
    ):
        assert_no_line_is_theirs(text)
        assert "pwned" in text  # shown, not dropped
    for change in HOSTILE_CHANGES:
        described = render.describe_change(change)
        assert is_visible(described)
        assert described.split(" ", 1)[0] in CHANGE_KINDS


def test_check_text_shows_the_exact_bytes() -> None:
    plan = Plan(
        base=BASE,
        head=HEAD,
        findings=(
            finding(
                "fw",
                changes=[
                    Change(kind=ChangeKind.MODIFIED, path=f"req/fw/a{PWNED}"),
                    Change(kind=ChangeKind.VALUE, key="k\r\n"),
                ],
                message=f"a{PWNED}",
            ),
        ),
    )
    assert render.check_text(plan) == (
        "FAIL fw [needs-bump] base 1, file 1, expected 2: a\\n::error::pwned\n"
        "       modified req/fw/a\\n::error::pwned\n"
        "       value k\\r\\n: (none) -> (none)\n"
        f"versionbot: 1 unit needs action (base {BASE[:12]}, head {HEAD[:12]})\n"
    )
    assert (
        render.describe_change(Change(kind=ChangeKind.ADDED, path="x\u2028y\x1b[2J"))
        == "added x\\u2028y\\x1b[2J"
    )


def test_status_text_starts_each_line_with_our_word() -> None:
    assert render.status_text(HOSTILE_STATES) == (
        "NOT CURRENT ::error::x\\n::error::pwned@?  ::warning::v.json: broken\\n::error::pwned | <b>\n"
        "current     fw@3  req/fw/version.json\n"
    )


@pytest.mark.parametrize(
    ("due", "total", "text", "markdown"),
    [
        (1, 1, "1 unit needs action", "**versionbot**: 1 unit needs action."),
        (1, 3, "1 of 3 units needs action", "**versionbot**: 1 of 3 units needs action."),
        (2, 3, "2 of 3 units need action", "**versionbot**: 2 of 3 units need action."),
    ],
)
def test_counts_read_as_english(due: int, total: int, text: str, markdown: str) -> None:
    findings = [finding(f"u{i}", message="m") for i in range(due)]
    findings += [finding(f"ok{i}", status=Status.UNCHANGED, message="m") for i in range(total - due)]
    plan = Plan(base=BASE, head=HEAD, findings=tuple(findings))
    assert f"versionbot: {text}" in render.check_text(plan)
    assert render.check_markdown(plan).splitlines()[1] == markdown
    unchanged = total - due
    if unchanged:
        noun = "unit" if unchanged == 1 else "units"
        assert f"<details><summary>{unchanged} {noun} unchanged</summary>" in render.check_markdown(plan)


# the markdown channel -----------------------------------------------------------------------------


@dataclass
class Markdown:
    prose: list[str] = field(default_factory=list)  # lines outside fences, each code span as CODE
    spans: list[str] = field(default_factory=list)  # what each code span shows
    blocks: list[list[str]] = field(default_factory=list)  # the lines of each fenced code block


def parse(body: str) -> Markdown:
    """Split markdown as CommonMark and GFM do into fenced blocks, code spans and the rest, failing
    on anything malformed: a fence left open, a backtick run that closes no span."""
    result = Markdown()
    fence: str | None = None
    for line in body.split("\n"):
        if fence is not None:
            if re.fullmatch(rf" {{0,3}}`{{{len(fence)},}}[ \t]*", line):
                fence = None  # a closing fence: nothing inside could have been one
            else:
                result.blocks[-1].append(line)
            continue
        opening = re.match(r" {0,3}(`{3,})(.*)", line)
        if opening:
            assert "`" not in opening.group(2), line  # else it is no fence but a code span
            fence = opening.group(1)
            result.blocks.append([])
            continue
        assert not re.match(r" {0,3}~{3,}", line), line  # no tilde fence is ours
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            shown = [_spans(cell.replace("\\|", "|"), result.spans) for cell in cells]
            result.prose.append("|".join(shown))
        else:
            result.prose.append(_spans(line, result.spans))
    assert fence is None, "a code block is left open"
    return result


def _spans(text: str, spans: list[str]) -> str:
    out, index = [], 0
    while index < len(text):
        if text[index] != "`":
            out.append(text[index])
            index += 1
            continue
        run = len(re.match("`+", text[index:]).group())  # type: ignore[union-attr]
        start = index + run
        closing = next((m for m in re.finditer("`+", text[start:]) if len(m.group()) == run), None)
        assert closing is not None, f"an unclosed code span in {text!r}"
        content = text[start : start + closing.start()]
        if len(content) > 1 and content[0] == content[-1] == " " and content.strip(" "):
            content = content[1:-1]  # CommonMark strips one space each side
        spans.append(content)
        out.append(CODE)
        index = start + closing.end()
    return "".join(out)


OUR_TAGS = ("<details>", "</details>", "<summary>", "</summary>", "<sub>", "</sub>")
OUR_EMPHASIS = ("**versionbot**", "**To fix**")


def assert_only_our_markup(body: str) -> Markdown:
    """Outside code, `body` holds our prose only: no heading but ours, no link, image, HTML tag,
    mention, autolink, entity or emphasis from anywhere else, and the marker once, at the start."""
    assert body.startswith(render.MARKER + "\n")
    assert body.count("<!--") == 1, "an HTML comment besides the marker"
    markdown = parse(body)
    assert markdown.prose[0] == render.MARKER
    for line in markdown.prose[1:]:
        text = line
        for ours in (*OUR_TAGS, *OUR_EMPHASIS):
            text = text.replace(ours, "")
        assert not re.search(r"[<>\[\]@&~\\*_!]", text.replace("->", "")), line
        assert "www." not in text, line
        assert "://" not in text, line
        if text.startswith("#"):
            assert re.fullmatch(f"#### [✅❌] {CODE}: [a-z-]+", text), line
        assert not re.fullmatch(r" *[-=]+ *", text), line  # a setext heading or a rule
        assert not text.startswith(("    ", "\t", "+ ", "* ")), line
        assert is_visible(line), line
    for span in markdown.spans:
        assert is_visible(span)
    for block in markdown.blocks:
        assert all(is_visible(line) for line in block)
    return markdown


def shown(text: str) -> str:
    """How repository text reads inside code: on one line, the HTML comment opener escaped."""
    return visible(text).replace("<!--", "<\\x21--")


def test_a_comment_from_hostile_names_is_only_our_markup() -> None:
    body = render.check_markdown(hostile_plan(), command="versionbot bump --base 'origin/```\n# x'")

    markdown = assert_only_our_markup(body)

    assert shown(HOSTILE_UNIT) in markdown.spans
    assert shown(HOSTILE_PATH) in markdown.spans
    assert shown(HOSTILE_OLD) in markdown.spans
    assert shown(HOSTILE_KEY) in markdown.spans
    assert [shown(line) for line in HOSTILE_MESSAGE.split("\n")] in markdown.blocks
    assert shown(f'"{HOSTILE_VALUE}"'.replace("\n", "\\n")) in markdown.spans
    assert markdown.blocks[-1] == ["versionbot bump --base 'origin/```", "# x'"]
    assert f"- depends {CODE} 1 -> 2" in markdown.prose  # our own numbers stay prose
    assert f"- value {CODE}: (none) -> {CODE}" in markdown.prose


def test_table_cells_stay_cells() -> None:
    body = render.check_markdown(hostile_plan())
    rows = [line for line in body.splitlines() if line.startswith("|")]
    assert rows
    for row in rows:
        columns = 6 if row.count("|") - row.count("\\|") > 3 else 2
        assert len(re.split(r"(?<!\\)\|", row)) == columns + 2, row
    status = render.status_markdown(HOSTILE_STATES)
    assert_only_our_markup(render.MARKER + "\n" + status)
    for row in status.splitlines():
        assert len(re.split(r"(?<!\\)\|", row)) == 6, row


def test_the_marker_cannot_be_forged() -> None:
    plan = Plan(
        base=BASE,
        head=HEAD,
        findings=(
            finding(render.MARKER, changes=[Change(kind=ChangeKind.ADDED, path="<!--x-->")], message="<!--"),
        ),
    )
    body = render.check_markdown(plan)
    assert body.index(render.MARKER) == 0
    assert body.count("<!--") == 1
    assert "<\\x21-- versionbot -->" in body  # still readable


def test_an_error_summary_is_a_code_block_that_cannot_be_closed() -> None:
    message = "versionbot.toml: units.x: ```\n# not a heading\n[link](http:/x) @octocat"
    summary = render.error_markdown(message)
    markdown = parse(summary)
    assert [line for line in markdown.prose if line] == ["**versionbot** could not check:"]
    assert markdown.blocks == [
        ["versionbot.toml: units.x: ```", "# not a heading", "[link](http:/x) @octocat"]
    ]


def test_a_plain_report_reads_as_before() -> None:
    plan = Plan(
        base=BASE,
        head=HEAD,
        findings=(
            finding(
                "fw",
                changes=[Change(kind=ChangeKind.MODIFIED, path="req/fw/pylock.fw.toml")],
                message="inputs changed since the base but the version is still 1; run `versionbot bump`",
            ),
        ),
    )
    body = render.check_markdown(plan)
    assert body == (
        f"{render.MARKER}\n"
        "**versionbot**: 1 unit needs action.\n"
        "\n"
        "| unit | base | head | status | expected | deploy |\n"
        "|---|---|---|---|---|---|\n"
        "| `fw` | 1 | 1 | ❌ needs-bump | 2 | `fw@2` |\n"
        "\n"
        "#### ❌ `fw`: needs-bump\n"
        "\n"
        "```text\n"
        "inputs changed since the base but the version is still 1; run `versionbot bump`\n"
        "```\n"
        "\n"
        "Changed inputs:\n"
        "\n"
        "- modified `req/fw/pylock.fw.toml`\n"
        "\n"
        "**To fix**, run this on the branch and commit the version files it writes:\n"
        "\n"
        "```sh\n"
        "versionbot bump\n"
        "```\n"
        "\n"
        f"<sub>base `{BASE[:12]}` · head `{HEAD[:12]}`</sub>\n"
    )
    assert_only_our_markup(body)


def versions_finding(status: Status, base: int | None, recorded: int | None, expected: int) -> Finding:
    record = VersionFile(unit="app", version=expected, inputs={}, inputs_hash="sha256:" + "0" * 64)
    return Finding(
        unit="app",
        status=status,
        version_file="app/version.json",
        base_version=base,
        recorded_version=recorded,
        expected=record,
        changes=(),
        message="why",
    )


@pytest.mark.parametrize(
    ("status", "versions", "check_words", "bump_words"),
    [
        (Status.BUMPED, (1, 2, 2), "1 -> 2", "app 2 -> 2 (bumped)"),
        (Status.NEW, (None, 1, 1), "new at 1", "app 1 -> 1 (new)"),
        (Status.NEEDS_BUMP, (1, 1, 2), "base 1, file 1, expected 2", "app 1 -> 2 (needs-bump)"),
        (Status.UNEXPECTED_BUMP, (1, 2, 1), "base 1, file 2, expected 1", "app 2 -> 1 (unexpected-bump)"),
        (Status.MISSING_FILE, (None, None, 1), "no base record, no file, expected 1", "app: new unit at 1"),
        (
            Status.MISSING_FILE,
            (3, None, 3),
            "base 3, no file, expected 3",
            "app: restored at 3 (missing-file; the base has 3)",
        ),
        (
            Status.INVALID_FILE,
            (2, None, 3),
            "base 2, no file, expected 3",
            "app: written at 3 (invalid-file; the base has 2)",
        ),
    ],
)
def test_versions_in_words(
    status: Status, versions: tuple[int | None, int | None, int], check_words: str, bump_words: str
) -> None:
    """The text report never shows a bare `1 -> 1` or `- -> 1`: where the file holds something else
    than expected, the base's, the file's and the expected version are each named."""
    found = versions_finding(status, *versions)
    plan = Plan(findings=(found,), base=BASE, head=HEAD)
    mark = "ok  " if found.is_fine else "FAIL"
    assert render.check_text(plan).splitlines()[0] == f"{mark} app [{status.value}] {check_words}: why"
    assert render.bump_text([found], is_dry_run=False) == f"wrote app/version.json: {bump_words}\n"


def test_a_fix_pushed_replaces_the_command_and_a_fix_shown_is_a_patch() -> None:
    plan = Plan(base=BASE, head=HEAD, findings=(finding("app"),))
    pushed = FixReport(
        commit="f" * 40,
        url="https://github.com/o/r/commit/" + "f" * 40,
        subject="versionbot: app 1 -> 2",
        branch="feature",
    )
    body = render.check_markdown(plan, fix=pushed)
    assert "**Fixed**: versionbot pushed [`ffffffffffff`](https://github.com/o/r/commit/" in body
    assert "To fix" not in body
    shown = render.check_markdown(
        plan, fix=FixReport(patch="diff --git a/x b/x\n", reason="a fork", branch="f")
    )
    assert "To fix" in shown
    assert "```diff\ndiff --git a/x b/x\n```" in shown
    assert_only_our_markup(shown)


def test_a_patch_too_large_for_the_comment_is_said_so() -> None:
    plan = Plan(base=BASE, head=HEAD, findings=(finding("app"),))
    body = render.check_markdown(plan, fix=FixReport(patch="+\n" * 30_000, reason="a fork", branch="f"))
    assert "The fix as a patch has 30000 lines, too many to show here." in body
    assert "```diff" not in body
