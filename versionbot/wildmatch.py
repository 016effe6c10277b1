"""git's glob dialect (its `wildmatch.c`), shared by `.gitattributes` and unit patterns.

`*` and `?` (and, under `pathname`, classes too) never match a `/`; `**` between slashes or at either
end matches across them; `[...]` is a class with `!`/`^` negation, ranges and POSIX classes (ASCII
only, as git's own ctype); `\\` escapes the next character. A malformed pattern (an unclosed `[`, an
unknown `[:class:]`, a trailing `\\`) matches nothing, as in git.

git matches bytes: callers that need its exact answer pass each text as its UTF-8 bytes, one
character per byte (see `attributes.py`); unit patterns are matched character by character.

A pattern compiles to a Python regex when it has at most `_REGEX_STARS` unbounded wildcards; more
would let the regex engine backtrack exponentially (`*a*a*a*a*a*b`), so such patterns run on a
bit-parallel NFA, linear in the text.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Matcher = Callable[[str], object]  # truthy when the whole text matches

_REGEX_STARS = 2
_SLASH = ((0x2F, 0x2F),)


@dataclass(frozen=True)
class Literal:
    text: str


@dataclass(frozen=True)
class CharSet:
    """One character: any of `ranges` (inclusive code points), or with `negated` any other."""

    ranges: tuple[tuple[int, int], ...]
    negated: bool

    def __contains__(self, char: str) -> bool:
        code = ord(char)
        return any(low <= code <= high for low, high in self.ranges) is not self.negated


@dataclass(frozen=True)
class Star:
    """Any run of characters; `/` included only where `crosses_slash`."""

    crosses_slash: bool


@dataclass(frozen=True)
class SlashStar:
    """`**/` at the start or after a `/`: nothing, or anything that ends with a `/`."""


Token = Literal | CharSet | Star | SlashStar

# git's own ctype (ctype.c, and glibc's for `blank` and `graph`): ASCII only.
_POSIX: dict[str, tuple[tuple[int, int], ...]] = {
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "blank": ((0x09, 0x09), (0x20, 0x20)),
    "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "digit": ((0x30, 0x39),),
    "graph": ((0x21, 0x7E),),
    "lower": ((0x61, 0x7A),),
    "print": ((0x20, 0x7E),),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "space": ((0x09, 0x0A), (0x0D, 0x0D), (0x20, 0x20)),  # not \v or \f: git's isspace
    "upper": ((0x41, 0x5A),),
    "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
}


def tokens(pattern: str, *, pathname: bool) -> list[Token] | None:
    """The pattern as tokens, or None when git finds it malformed (it then matches nothing)."""
    out: list[Token] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if index + 1 == len(pattern):
                return None  # git compares the next character, the end of the pattern, and fails
            _add_literal(out, pattern[index + 1])
            index += 2
        elif char == "?":
            out.append(CharSet(_SLASH if pathname else (), negated=True))
            index += 1
        elif char == "[":
            parsed = _char_class(pattern, index, pathname=pathname)
            if parsed is None:
                return None
            out.append(parsed[0])
            index = parsed[1]
        elif char == "*":
            index = _add_stars(out, pattern, index, pathname=pathname)
        else:
            _add_literal(out, char)
            index += 1
    return out


def _add_literal(out: list[Token], char: str) -> None:
    if out and isinstance(out[-1], Literal):
        out[-1] = Literal(out[-1].text + char)
    else:
        out.append(Literal(char))


def _add_stars(out: list[Token], pattern: str, start: int, *, pathname: bool) -> int:
    """Append the run of `*` at `start`; returns the index after what it consumed."""
    end = start
    while end < len(pattern) and pattern[end] == "*":
        end += 1
    if not pathname:
        out.append(Star(crosses_slash=True))
        return end
    if end - start == 1:
        out.append(Star(crosses_slash=False))
        return end
    after_slash = start == 0 or pattern[start - 1] == "/"
    rest = pattern[end : end + 2]
    if after_slash and rest[:1] == "/":
        out.append(SlashStar())
        return end + 1  # the slash belongs to `**/`
    if after_slash and (not rest or rest == "\\/"):
        out.append(Star(crosses_slash=True))  # a trailing `/**`, or git's `**\/`: no empty branch
        return end
    out.append(Star(crosses_slash=False))  # `**` inside a name is a plain `*`
    return end


def _char_class(pattern: str, start: int, *, pathname: bool) -> tuple[CharSet, int] | None:
    """The class opened by the `[` at `start` and the index after its `]`, or None when malformed.
    As in git, the first member may be `]`, a `-` ranges from the previous single member, and under
    WM_PATHNAME no class matches a `/`, negated or not."""
    index = start + 1
    negated = pattern[index : index + 1] in ("!", "^")
    index += negated
    ranges: list[tuple[int, int]] = []
    previous: str | None = None  # the member a following `-` would range from
    is_first = True
    while True:
        if index >= len(pattern):
            return None
        char = pattern[index]
        if char == "]" and not is_first:
            break
        is_first = False
        if char == "\\":
            index += 1
            if index >= len(pattern):
                return None
            previous = pattern[index]
            ranges.append((ord(previous), ord(previous)))
        elif char == "-" and previous is not None and pattern[index + 1 : index + 2] not in ("", "]"):
            index += 1
            if pattern[index] == "\\":
                index += 1
                if index >= len(pattern):
                    return None
            ranges.append((ord(previous), ord(pattern[index])))
            previous = None
        elif char == "[" and pattern[index + 1 : index + 2] == ":":
            close = pattern.find("]", index + 2)
            if close == -1:
                return None
            if close == index + 2 or pattern[close - 1] != ":":
                ranges.append((ord("["), ord("[")))  # not a `[:name:]`: a plain `[`
                previous = "["
            else:
                named = _POSIX.get(pattern[index + 2 : close - 1])
                if named is None:
                    return None
                ranges.extend(named)
                previous = None
                index = close
        else:
            previous = char
            ranges.append((ord(char), ord(char)))
        index += 1
    kept = [(low, high) for low, high in ranges if low <= high]  # reversed: empty, never an error
    if pathname:
        kept = [*kept, *_SLASH] if negated else _without_slash(kept)
    return CharSet(tuple(kept), negated=negated), index + 1


def _without_slash(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    slash = ord("/")
    below = [(low, min(high, slash - 1)) for low, high in ranges]
    above = [(max(low, slash + 1), high) for low, high in ranges]
    return [(low, high) for low, high in below + above if low <= high]


def problem(pattern: str) -> str | None:
    """Why the pattern can never match (git's malformed patterns), or None."""
    if pattern.endswith("\\") and (len(pattern) - len(pattern.rstrip("\\"))) % 2:
        return "ends with a lone `\\`"
    if tokens(pattern, pathname=True) is None:
        return "has an unclosed `[` or an unknown `[:class:]` (write `\\[` for a literal `[`)"
    return None


@functools.lru_cache(maxsize=4096)
def compile_matcher(pattern: str, *, pathname: bool) -> Matcher:
    """A predicate: does the whole text match the pattern (git's `wildmatch`, WM_PATHNAME when
    `pathname`)? It never raises, and runs in time polynomial in the text, linear for many stars."""
    parsed = tokens(pattern, pathname=pathname)
    if parsed is None or _has_empty_class(parsed):
        return _never
    if not parsed:
        return functools.partial(operator.eq, "")
    if len(parsed) == 1 and isinstance(parsed[0], Literal):
        return functools.partial(operator.eq, parsed[0].text)
    if parsed == [Star(crosses_slash=True)]:
        return _always
    if sum(isinstance(token, Star | SlashStar) for token in parsed) <= _REGEX_STARS:
        return re.compile(regex_source(parsed), re.DOTALL).fullmatch
    return Nfa(parsed).matches


def _never(text: str) -> bool:
    return False


def _always(text: str) -> bool:
    return True


def _has_empty_class(parsed: list[Token]) -> bool:
    """A class that can match no character (`[/]` under WM_PATHNAME): nothing can match."""
    return any(isinstance(token, CharSet) and not token.negated and not token.ranges for token in parsed)


def regex_source(parsed: Sequence[Token]) -> str:
    parts: list[str] = []
    for token in parsed:
        if isinstance(token, Literal):
            parts.append(re.escape(token.text))
        elif isinstance(token, CharSet):
            parts.append(_class_regex(token))
        elif isinstance(token, Star):
            parts.append(".*" if token.crosses_slash else "[^/]*")
        else:
            parts.append("(?:.*/)?")
    return "".join(parts)


def _class_regex(token: CharSet) -> str:
    body = "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in token.ranges
    )
    if token.negated:
        return f"[^{body}]" if body else "."
    return f"[{body}]" if body else "(?!)"


class Nfa:
    """Bit-parallel simulation of the pattern's NFA: bit k set means "the first k steps matched".

    A step consumes one character (a literal's character, a class), loops on a star, or (None) is a
    gate passed without reading. A `**/` is a gate, a crossing star and a `/`, with an edge from
    before the gate to after the `/`: the star can be skipped only while it has read nothing.
    Per-character masks are built on first use, so a match costs a few integer operations per
    character of the text.
    """

    def __init__(self, parsed: Sequence[Token]) -> None:
        self._steps: list[CharSet | Star | None] = []
        skips = 0
        for token in parsed:
            if isinstance(token, Literal):
                self._steps.extend(CharSet(((ord(c), ord(c)),), negated=False) for c in token.text)
            elif isinstance(token, SlashStar):
                skips |= 1 << len(self._steps)
                self._steps += [None, Star(crosses_slash=True), CharSet(_SLASH, negated=False)]
            else:
                self._steps.append(token)
        self._passes = sum(1 << k for k, step in enumerate(self._steps) if not isinstance(step, CharSet))
        self._skips = skips
        self._accept = 1 << len(self._steps)
        self._masks: dict[str, tuple[int, int]] = {}

    def _closure(self, states: int) -> int:
        """Follow the moves that read nothing: past a star or a gate, and a `**/` skipped."""
        while True:
            grown = states | ((states & self._passes) << 1) | ((states & self._skips) << 3)
            if grown == states:
                return states
            states = grown

    def _masks_for(self, char: str) -> tuple[int, int]:
        """The steps that read `char` and move on, and the stars that read it and stay."""
        masks = self._masks.get(char)
        if masks is None:
            advance = loop = 0
            for k, step in enumerate(self._steps):
                if isinstance(step, Star):
                    if step.crosses_slash or char != "/":
                        loop |= 1 << k
                elif step is not None and char in step:
                    advance |= 1 << k
            masks = self._masks[char] = (advance, loop)
        return masks

    def matches(self, text: str) -> bool:
        states = self._closure(1)
        for char in text:
            advance, loop = self._masks_for(char)
            states = self._closure(((states & advance) << 1) | (states & loop))
            if not states:
                return False
        return bool(states & self._accept)
