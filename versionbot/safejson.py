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
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONError(ValueError):
    """The text is not JSON that versionbot reads; the message says why."""


def loads(text: str) -> Any:
    """Parse `text` as JSON within the bounds above."""
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise JSONError(f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:  # the C parser counts its nesting against the interpreter's limit
        raise JSONError(f"nested more than {MAX_DEPTH} levels deep") from None
    _check_depth(value)
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(value)
    return value


def _check_depth(value: Any) -> None:
    """At most MAX_DEPTH arrays and objects deep: walked with a stack of its own, in linear time and
    memory (a pattern over the text would hold state for every character of a long string)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > MAX_DEPTH:
            raise JSONError(f"nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


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
