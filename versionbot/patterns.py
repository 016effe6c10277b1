"""Path patterns: `*` within a segment, `**` across segments, a directory matches all below it."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

_WILDCARDS = frozenset("*?[")


def glob_to_regex(pattern: str) -> str:
    """Translate a `/`-separated glob into a regex source (no anchors)."""
    segments = pattern.split("/")
    parts: list[str] = []
    for index, segment in enumerate(segments):
        is_last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if is_last else "(?:[^/]+/)*")
            continue
        parts.append(_segment_to_regex(segment) + ("" if is_last else "/"))
    return "".join(parts)


def _segment_to_regex(segment: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := _bracket_end(segment, i)) != -1:
            body = segment[i + 1 : end]
            is_negated = body[:1] in ("!", "^")
            if is_negated:
                body = body[1:]
            body = re.sub(r"([\\\[\]&~|^])", r"\\\1", body)  # literal inside a class
            out.append(("[^/" if is_negated else "[") + body + "]")  # never crosses a `/`
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _bracket_end(segment: str, start: int) -> int:
    """Index of the `]` closing the class opened at `start`, or -1 (then `[` is literal).
    As in fnmatch, a `]` right after `[` or `[!` is a member, not the end."""
    index = start + 1
    if index < len(segment) and segment[index] in "!^":
        index += 1
    if index < len(segment) and segment[index] == "]":
        index += 1
    return segment.find("]", index)


@functools.lru_cache(maxsize=4096)
def _compile(glob: str) -> re.Pattern[str]:
    return re.compile(glob_to_regex(glob))


def pattern_problem(pattern: str) -> str | None:
    """Why a unit pattern is unusable, or None when it is fine."""
    if not pattern or pattern == "/":
        return "is empty"
    if "\\" in pattern:
        return "contains a backslash; use `/` to separate directories"
    if pattern.startswith("/") or re.match(r"^[A-Za-z]:", pattern):
        return "is absolute; write it relative to the repository root"
    segments = pattern.rstrip("/").split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        return "has an empty, `.` or `..` segment; patterns must stay inside the repository"
    return None


@dataclass(frozen=True)
class Pattern:
    """A compiled unit pattern (`inputs` or `exclude`)."""

    text: str
    literal_prefix: str
    is_literal: bool

    @property
    def regex(self) -> re.Pattern[str]:
        """Compiled on first use: a literal pattern selects by prefix alone."""
        return _compile(self.text.rstrip("/"))

    @classmethod
    def compile(cls, text: str) -> Pattern:
        body = text.rstrip("/")
        segments = body.split("/")
        literal: list[str] = []
        for segment in segments:
            if _WILDCARDS.intersection(segment):
                break
            literal.append(segment)
        is_literal = len(literal) == len(segments)
        prefix = body if is_literal else "".join(s + "/" for s in literal)
        return cls(text, prefix, is_literal)

    def matches(self, path: str) -> bool:
        """True when the path, or a directory above it, matches."""
        fullmatch = self.regex.fullmatch
        if fullmatch(path):
            return True
        slash = path.find("/")
        while slash != -1:
            if fullmatch(path, 0, slash):
                return True
            slash = path.find("/", slash + 1)
        return False

    @property
    def scan_root(self) -> str:
        """The deepest directory that holds every path this pattern can match ('' is the root)."""
        if self.is_literal:
            return self.literal_prefix
        return self.literal_prefix.rstrip("/")

    def select(self, sorted_paths: Sequence[str]) -> Iterator[str]:
        """The matching paths of a sorted sequence, looking only where they can be."""
        if self.is_literal:
            start = bisect.bisect_left(sorted_paths, self.literal_prefix)
            if start < len(sorted_paths) and sorted_paths[start] == self.literal_prefix:
                yield self.literal_prefix
            candidates = _with_prefix(sorted_paths, self.literal_prefix + "/")
            yield from candidates
            return
        for path in _with_prefix(sorted_paths, self.literal_prefix):
            if self.matches(path):
                yield path


def _with_prefix(sorted_paths: Sequence[str], prefix: str) -> Sequence[str]:
    """The paths that start with `prefix`: one run of a sorted sequence, found by bisection."""
    start = bisect.bisect_left(sorted_paths, prefix)
    if not prefix:
        return sorted_paths[start:]
    # Every path with the prefix sorts below the prefix with its last character incremented.
    end = bisect.bisect_left(sorted_paths, prefix[:-1] + chr(ord(prefix[-1]) + 1), start)
    return sorted_paths[start:end]
