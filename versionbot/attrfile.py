"""One `.gitattributes` file as git reads it (pure): the lines it keeps, with their patterns in git's
bytes and their attribute states, and the macros the root file defines (git's `attr.c`:
`parse_attr_line`, `parse_attr`, and `quote.c`'s `unquote_c_style` for quoted patterns)."""

from __future__ import annotations

import re
from dataclasses import dataclass

AttrValue = bool | str | None  # True set, False unset, None unspecified (`!attr`), str a value
State = tuple[str, AttrValue]

BLANK = " \t\r\n"  # git's separators in attribute lines (not \v or \f)
MAX_LINE_BYTES = 2048  # git 2.39.1+ ignores longer lines ...
MAX_FILE_BYTES = 100 * 1024 * 1024  # ... and larger files
BUILTIN_MACROS = "[attr]binary -diff -merge -text"
DECIDING = ("text", "crlf", "eol")  # all that convert_attrs reads for line endings
_MACRO_PREFIX = "[attr]"
_BOM = "\xef\xbb\xbf"  # UTF-8's, as one character per byte
_TOKEN = re.compile(r"[^ \t\r\n]+")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_.][-A-Za-z0-9_.]*")
_C_ESCAPES = dict(zip('abfnrtv\\"', '\a\b\f\n\r\t\v\\"', strict=True))  # unquote_c_style's
_OCTAL = re.compile(r"[0-3][0-7][0-7]")


@dataclass(frozen=True)
class Line:
    """A line git keeps from a `.gitattributes` file: a pattern with its states, or a macro."""

    pattern: str | None  # git's bytes, one character per byte; None for a macro definition
    macro: str | None  # the name an `[attr]` line defines
    states: tuple[State, ...]  # as written, left to right


def parse_gitattributes(data: bytes | str, *, is_root: bool) -> tuple[Line, ...]:
    """The lines git keeps from one file; macros are allowed only in the root's (`is_root`)."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "replace")
    if len(raw) >= MAX_FILE_BYTES:
        return ()
    text = raw.decode("latin-1").removeprefix(_BOM)
    pieces = text.split("\n")
    lines: list[Line] = []
    for index, piece in enumerate(pieces):
        before_lf = (
            piece.removesuffix("\r") if index < len(pieces) - 1 else piece
        )  # git drops a CR there only
        line = parse_line(before_lf.partition("\0")[0], is_root=is_root)
        if line is not None:
            lines.append(line)
    return tuple(lines)


def parse_line(line: str, *, is_root: bool) -> Line | None:
    """One line as git's `parse_attr_line` reads it, or None where git ignores it (blank, comment,
    too long, a negative pattern, an invalid attribute name, a macro outside the root)."""
    body = line.lstrip(BLANK)
    if not body or body.startswith("#") or len(line) >= MAX_LINE_BYTES:
        return None
    name, rest = _leading_pattern(body)
    states = _states(rest)
    if states is None:
        return None
    if len(name) > len(_MACRO_PREFIX) and name.startswith(_MACRO_PREFIX):
        macro = _first_token(name[len(_MACRO_PREFIX) :].lstrip(BLANK).partition("\0")[0])
        if not is_root or not _ATTR_NAME.fullmatch(macro):
            return None
        return Line(None, macro, states)
    pattern = name.partition("\0")[0]
    if pattern.startswith("!"):
        return None  # git: "Negative patterns are ignored in git attributes"
    return Line(pattern, None, states)


def _first_token(text: str) -> str:
    found = _TOKEN.match(text)
    return found.group() if found else ""


def _leading_pattern(body: str) -> tuple[str, str]:
    """The pattern (C-quoted or up to a blank) and what follows it."""
    if body.startswith('"') and (unquoted := _unquote(body)) is not None:
        return unquoted
    name = _first_token(body)
    return name, body[len(name) :]


def _unquote(text: str) -> tuple[str, str] | None:
    """git's `unquote_c_style`: the string between the quotes and the rest, or None when it is
    not a valid C-quoted string (git then reads the pattern as it stands)."""
    out: list[str] = []
    index = 1
    while index < len(text):
        char = text[index]
        if char == '"':
            return "".join(out), text[index + 1 :]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        code = text[index + 1 : index + 2]
        if code in _C_ESCAPES:
            out.append(_C_ESCAPES[code])
            index += 2
        elif _OCTAL.match(text, index + 1):
            out.append(chr(int(text[index + 1 : index + 4], 8)))
            index += 4
        else:
            return None
    return None


def _states(text: str) -> tuple[State, ...] | None:
    """`attr`, `-attr`, `!attr` and `attr=value` items, or None when a name is invalid: git then
    ignores the whole line."""
    states: list[State] = []
    for item in _TOKEN.findall(text):
        value: AttrValue
        if item[0] in "-!":
            name = item[1:].partition("=")[0]
            value = False if item[0] == "-" else None
        else:
            name, has_value, given = item.partition("=")
            value = given if has_value else True
        if not _ATTR_NAME.fullmatch(name):
            return None
        states.append((name, value))
    return tuple(states)
