"""Unit patterns (`inputs`, `exclude`): git's wildmatch with WM_PATHNAME (`*`, `?` and classes within a
segment, `**` across segments, `\\` escapes, POSIX classes), and a directory matches all below it."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from versionbot import wildmatch

_WILDCARDS = frozenset("*?[\\")  # and `\\`: an escape makes a segment a pattern


def pattern_problem(pattern: str) -> str | None:
    """Why a unit pattern is unusable, or None when it is fine."""
    if not pattern or pattern == "/":
        return "is empty"
    if pattern.startswith("/") or re.match(r"^[A-Za-z]:", pattern):
        return "is absolute; write it relative to the repository root"
    if not _WILDCARDS.intersection(pattern):  # most patterns name a folder: nothing to parse
        segments = pattern.rstrip("/").split("/")
        if any(segment in ("", ".", "..") for segment in segments):
            return "has an empty, `.` or `..` segment; patterns must stay inside the repository"
        return None
    if problem := _escape_problem(pattern):
        return problem
    segments = [_unescaped(segment) for segment in pattern.rstrip("/").split("/")]
    if any(segment in ("", ".", "..") for segment in segments):
        return "has an empty, `.` or `..` segment; patterns must stay inside the repository"
    return wildmatch.problem(pattern.rstrip("/"))


def _escape_problem(pattern: str) -> str | None:
    """A backslash escapes a character that means something in a pattern (`\\*`, `\\[`, `\\\\`); before
    a letter or digit it is most likely a Windows folder separator, so it is refused rather than
    silently matching nothing."""
    for escape in re.finditer(r"\\(.?)", pattern, re.DOTALL):
        escaped = escape.group(1)
        if not escaped:
            return "ends with a lone backslash"
        if escaped == "/":
            return "has a backslash before `/`; a `/` always separates folders"
        if escaped.isalnum() or not escaped.isascii():
            return f"has a backslash before {escaped!r}, which needs no escaping; use `/` to separate folders"
    return None


def _unescaped(segment: str) -> str:
    return re.sub(r"\\(.)", r"\1", segment, flags=re.DOTALL)


@dataclass(frozen=True)
class Pattern:
    """A compiled unit pattern (`inputs` or `exclude`)."""

    text: str
    literal_prefix: str
    is_literal: bool

    @property
    def regex(self) -> wildmatch.Matcher:
        """The compiled matcher (a regex where that is safe), built on first use: a literal pattern
        selects by prefix alone."""
        return wildmatch.compile_matcher(self.text.rstrip("/"), pathname=True)

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
        match = self.regex
        if match(path):
            return True
        slash = path.find("/")
        while slash != -1:
            if match(path[:slash]):
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
