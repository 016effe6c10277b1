"""One escape per output channel, for text that comes from the repository or an event (pure).

Everything a pull request contains (unit names, paths, keys, values, messages quoting them) is
untrusted. It reaches people through three channels, each with its own way to turn text into
commands or markup, and each gets one function here:

- a terminal or a CI log (`visible`): a line break inside a name would start a line of its own, which
  the Actions runner parses as a workflow command (`::error::`, `::add-mask::`). Control characters
  and Unicode line separators are shown as escapes, so repository text never breaks a line;
- markdown, in the pull-request comment and the job summary (`code`, `block`): repository text is
  only ever shown as code, where GitHub makes no headings, links, images, mentions or HTML;
- anything that might quote a secret (`redact`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Control characters, the C1 range, Unicode's line and paragraph separators, the bidirectional
# controls that make a name read otherwise than it is ("Trojan Source"), and the lone surrogates that
# stand for the bytes of a file name that is not UTF-8.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` on one line with every control character shown as an escape (`\\n`, `\\x1b`)."""
    return _UNSAFE.sub(_escaped, text)


def lines(texts: Iterable[str]) -> str:
    """Each text as one visible line: what a text report or a log gets."""
    return "".join(visible(text) + "\n" for text in texts)


def is_visible(text: str) -> bool:
    """Whether `visible` would leave `text` as it is."""
    return _UNSAFE.search(text) is None


def code(text: str, *, in_table: bool = False) -> str:
    """Inline markdown code showing `text` literally: nothing in it is markup.

    The fence is one backtick longer than the longest run inside; a space pads text that starts or
    ends with a backtick or a space (CommonMark strips exactly one each side). In a table cell a `|`
    would end the cell even inside code, so it is escaped there (GFM unescapes it).
    """
    text = visible(text)
    if in_table:
        text = text.replace("|", "\\|")
    fence = "`" * (_longest_run(text, "`") + 1)
    if text[:1] in ("`", " ") or text[-1:] in ("`", " ") or not text:
        text = f" {text} "
    return f"{fence}{text}{fence}"


def block(text: str, *, info: str = "text") -> str:
    """A fenced markdown code block showing `text` literally: no line of it can close the fence.
    Only LF breaks a line; every other line break (CR, form feed, U+2028, ...) is shown escaped."""
    lines = [visible(line) for line in text.split("\n")]
    fence = "`" * max(3, _longest_run(text, "`") + 1)
    return "\n".join([fence + info, *lines, fence])


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max(map(len, runs), default=0)


def redact(text: str, secret: str | None) -> str:
    """`text` with every form of `secret` a library may quote replaced by `***`: as given, without
    surrounding white space, and as Python and JSON would escape either (a token read with a trailing
    newline shows up as `'ghs_…\\n'` in an HTTP library's message)."""
    if not secret:
        return text
    forms = {secret, secret.strip()}
    forms |= {repr(form)[1:-1] for form in tuple(forms)}
    forms |= {form.encode("unicode_escape").decode("ascii") for form in tuple(forms)}
    for form in sorted((form for form in forms if len(form) >= 4), key=len, reverse=True):
        text = text.replace(form, "***")
    return text
