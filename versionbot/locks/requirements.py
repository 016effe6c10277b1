"""`requirements*.txt` as pip-compile, `uv pip compile` and `uv export` write them, method
`requirements-1`.

Kept: every requirement (its name normalised, its pinned version, or else its specifier; its extras,
marker, URL and `--hash` values, sorted) and every option line (`--index-url`, `--extra-index-url`,
`--find-links`, `-e`, `-r`, `-c`, …, with its spacing normalised), in a set. Dropped: comments (the
generated header, `# via` lines, comments after a requirement), blank lines, line continuations and
the order of lines.
"""

from __future__ import annotations

import re

from versionbot.locks import Locked, LockError, Package, normalized

_COMMENT = re.compile(r"(^|\s)#.*$")
_COMMENT_LINE = re.compile(r"^\s*#")  # pip never continues a comment line, whatever it ends with
_HASH = re.compile(r"--hash[=\s]+(\S+)")
_ALIASES = {
    "-i": "--index-url",
    "-f": "--find-links",
    "-e": "--editable",
    "-r": "--requirement",
    "-c": "--constraint",
}


def read(data: bytes) -> Locked:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise LockError(f"not UTF-8 (byte {error.start})") from None
    packages, options = [], set()
    for number, logical in _logical_lines(text):
        uncommented = _COMMENT.sub("", logical)
        hashes = sorted(_HASH.findall(uncommented))
        line = _HASH.sub("", uncommented).strip()
        if not line:
            continue
        if line.startswith("-"):
            options.add(_option(line))
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise LockError(f"line {number}: {error}") from None
        specifiers = list(requirement.specifier)
        pinned = len(specifiers) == 1 and specifiers[0].operator == "=="
        details: dict[str, object] = {"hashes": sorted(set(hashes))}
        if not pinned and specifiers:
            details["specifier"] = str(requirement.specifier)
        if requirement.extras:
            details["extras"] = sorted(requirement.extras)
        if requirement.marker is not None:
            details["marker"] = str(requirement.marker)
        if requirement.url:
            details["url"] = requirement.url
        version = specifiers[0].version if pinned else None
        packages.append(Package(normalized(requirement.name), version, details))
    return Locked(tuple(packages), {"options": sorted(options)} if options else {})


def _option(line: str) -> str:
    """An option line as pip reads it, written one way: `-i URL` is `--index-url URL`, and
    `--opt=value` is `--opt value`."""
    words = line.replace("=", " ", 1).split() if line.startswith("--") else line.split()
    words[0] = _ALIASES.get(words[0], words[0])
    return " ".join(words)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with their backslash continuations joined as pip joins them (nothing in between; a
    comment line ends a continuation and is never continued), each with its first line's number."""
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if line.endswith("\\") and not _COMMENT_LINE.match(line):
            pending.append(line[:-1])
            continue
        if _COMMENT_LINE.match(line) and pending:
            lines.append((start, "".join(pending)))
            pending, start = [], number
        pending.append(line)
        lines.append((start, "".join(pending)))
        pending = []
    if pending:
        lines.append((start, "".join(pending)))
    return lines
