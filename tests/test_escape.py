"""The per-channel escapes: nothing from the repository breaks a line, makes markup or leaks a secret."""

from __future__ import annotations

import pytest

from versionbot.escape import block, code, redact, visible

NOT_UTF8 = b"\xff".decode("utf-8", "surrogateescape")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain/path.txt", "plain/path.txt"),
        ("a\n::error::x", "a\\n::error::x"),
        ("cr\rlf\r\n", "cr\\rlf\\r\\n"),
        ("esc\x1b[31m", "esc\\x1b[31m"),
        ("nel\x85 ls\u2028 ps\u2029", "nel\\x85 ls\\u2028 ps\\u2029"),
        (f"bad{NOT_UTF8}", "bad\\xff"),
        ("ünïcødé ok", "ünïcødé ok"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),
        ("\u2066isolate\u2069", "\\u2066isolate\\u2069"),
    ],
)
def test_visible_keeps_text_on_one_line(text: str, shown: str) -> None:
    assert visible(text) == shown


@pytest.mark.parametrize(
    ("text", "in_table", "markdown"),
    [
        ("app", False, "`app`"),
        ("a`b", False, "``a`b``"),
        ("`edge`", False, "`` `edge` ``"),
        ("a|b", True, "`a\\|b`"),
        ("a|b", False, "`a|b`"),
        ("x\n# heading", False, "`x\\n# heading`"),
        ("", False, "`  `"),
    ],
)
def test_code_shows_text_literally(text: str, in_table: bool, markdown: str) -> None:
    assert code(text, in_table=in_table) == markdown


def test_block_cannot_be_closed_from_inside() -> None:
    shown = block("first\n```\n````\n# not a heading")
    lines = shown.splitlines()
    assert lines[0] == "`````text"
    assert lines[-1] == "`````"
    assert all(len(line) < 5 or not line.startswith("`````") for line in lines[1:-1])


@pytest.mark.parametrize("token", ["ghs_secret123", "ghs_secret123\n", " ghs_secret123\r\n", "tök_sëcret"])
def test_redact_catches_every_form(token: str) -> None:
    quoted = [token, token.strip(), repr(token), repr(token.strip()), ascii(token)]
    message = " | ".join(quoted)
    redacted = redact(message, token)
    assert token.strip() not in redacted
    assert repr(token)[1:-1] not in redacted
    assert ascii(token.strip())[1:-1] not in redacted


def test_block_breaks_lines_only_at_lf() -> None:
    """Any other line break would let a later part of the text start a line of its own in a log."""
    shown = block("one\rtwo\x0bthree\x0cfour\x1cfive\x85six\u2028seven\nlast")
    lines = shown.split("\n")
    assert lines[1] == "one\\rtwo\\x0bthree\\x0cfour\\x1cfive\\x85six\\u2028seven"
    assert lines[2] == "last"
    assert len("".join(shown.splitlines())) == len(shown.replace("\n", ""))  # no other break is left
