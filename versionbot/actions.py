"""The workflow commands, step outputs and job summary that `versionbot ci` writes (pure but for
appending to the files the runner reads). No network, no PyGithub."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped as the runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as `escape_data`, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str) -> str:
    """One workflow command line, e.g. `::error file=a.json,title=T::message`."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}\n"


def untrusted(text: str) -> str:
    """`text` between stop-commands markers, so that nothing in it (a file name holding `::error::`
    after a newline, say) can act as a workflow command."""
    token = uuid.uuid4().hex
    return f"::stop-commands::{token}\n{text}{'' if text.endswith(chr(10)) else chr(10)}::{token}::\n"


def format_outputs(values: Mapping[str, str]) -> str:
    """`GITHUB_OUTPUT` lines: every value in the `name<<DELIMITER` form, with a delimiter that does not
    occur in it, so a value can never end early or set another output."""
    lines = []
    for name, value in values.items():
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        while delimiter in value:  # pragma: no cover - a random UUID in a unit report
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
        lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(lines)


def append(path: Path, text: str) -> None:
    """Append to a file the runner reads after the step (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY)."""
    with path.open("a", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


def annotation_path(root: Path, path: str, workspace: Path | None) -> str:
    """A repository path as annotations need it: relative to GITHUB_WORKSPACE when the repository
    lies inside it (a checkout with `path:`), else as it is."""
    if workspace is None:
        return path
    full = os.path.abspath(root / path)
    relative = os.path.relpath(full, os.path.abspath(workspace))
    return path if relative.startswith("..") else Path(relative).as_posix()


_DETAILS_CLOSE = "</details>"


def truncate(text: str, limit: int, note: str) -> str:
    """Markdown `text` cut to fit `limit` characters, ending with `note`.

    The cut falls at a line boundary outside every fenced code block (an open fence would swallow
    the note), and a folded `<details>` section it falls in is closed, so what is left renders as
    it did.
    """
    if len(text) <= limit:
        return text
    budget = limit - len(note) - len(_DETAILS_CLOSE) - 6  # the blank lines around both
    kept: list[str] = []
    size = 0
    fence: str | None = None
    is_folded = False
    safe = (0, False)  # (lines kept, inside <details>) at the last place a cut may fall
    for line in text.split("\n"):
        size += len(line) + 1
        if size > budget:
            break
        kept.append(line)
        if fence is not None:
            if line.strip() and set(line.strip()) == {"`"} and len(line.strip()) >= len(fence):
                fence = None
        elif opening := re.match(r"`{3,}", line):
            fence = opening.group()
        elif line.startswith("<details>"):
            is_folded = True
        elif line.startswith(_DETAILS_CLOSE):
            is_folded = False
        if fence is None:
            safe = (len(kept), is_folded)
    count, is_open = safe
    closing = f"\n\n{_DETAILS_CLOSE}" if is_open else ""
    return "\n".join(kept[:count]).rstrip("\n") + closing + "\n\n" + note + "\n"
