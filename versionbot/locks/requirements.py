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
_HASH = re.compile(r"--hash[=\s]+(\S+)")


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
            options.add(" ".join(line.split()))
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise LockError(f"line {number}: {error}") from None
        specifiers = list(requirement.specifier)
        pinned = len(specifiers) == 1 and specifiers[0].operator in ("==", "===")
        details: dict[str, object] = {"hashes": hashes}
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


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with their backslash continuations joined, each with its first line's number."""
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        lines.append((start, " ".join(pending)))
        pending = []
    if pending:
        lines.append((start, " ".join(pending)))
    return lines
