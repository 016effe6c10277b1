"""JSON from untrusted sources (version files, event payloads, the cache), parsed with bounds (pure).

The standard parser accepts what a careful reader must not: `NaN` and `Infinity` (which it would then
write back as invalid JSON), `1e999` (read as infinity), integers of thousands of digits (slow, and
above Python's limit a ValueError), lone surrogates such as `"\\ud800"` (text that cannot be written
as UTF-8), and nesting deep enough to exhaust the stack. Each of these is a `JSONError` here, whose
message says what and where.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 100  # GitHub's payloads nest about ten deep; a version file four
MAX_DIGITS = 30  # an integer longer than this is no version and no value anyone means
# A string, or an unterminated one to the end of the text: it always matches where it starts, so
# removing strings is one linear pass (a pattern that needs the closing quote would rescan the rest
# of the text from every quote of an unterminated string, in quadratic time).
_STRING = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONError(ValueError):
    """The text is not JSON that versionbot reads; the message says why."""


def loads(text: str) -> Any:
    """Parse `text` as JSON within the bounds above."""
    _check_depth(text)
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise JSONError(f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:  # pragma: no cover - _check_depth keeps the parser far from the limit
        raise JSONError(f"nested more than {MAX_DEPTH} levels deep") from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(value)
    return value


def _check_depth(text: str) -> None:
    depth = 0
    for bracket in _BRACKETS.findall(_STRING.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            raise JSONError(f"nested more than {MAX_DEPTH} levels deep")


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise JSONError(f"an integer of {len(digits.lstrip('-'))} digits; at most {MAX_DIGITS} are read")
    return int(digits)


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise JSONError(f"the number {text[:40]} is too large for JSON to carry")
    return value


def _constant(name: str) -> Any:
    raise JSONError(f"{name} is not JSON (JSON has no NaN or Infinity)")


def _refuse_lone_surrogates(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings = [item]
        elif isinstance(item, dict):
            strings = list(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            strings = []
            stack.extend(item)
        else:
            continue
        for string in strings:
            if _LONE_SURROGATE.search(string):
                shown = string.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
                raise JSONError(
                    f"the string {shown[:60]!r} holds a lone surrogate, which UTF-8 cannot encode"
                )
