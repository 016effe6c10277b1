"""The rules single configuration values must follow (pure): version-file paths, the configured
base, `values`, and `requires`. Each returns the problem in words, or raises through `fail`."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from versionbot.errors import ConfigError
from versionbot.escape import is_visible

Fail = Callable[[str, str], ConfigError]  # (key, problem) -> the error to raise


MAX_PATH = 4096  # characters: the longest path most file systems take
MAX_NAME = 200  # bytes of a version file's name: room for its temporary file's within 255
_REF_NAME = re.compile(r"[A-Za-z0-9._/+-]+")


def branch_problem(name: str) -> str | None:
    """Why a configured `base` is not a branch name (or a commit id), or None.

    The configuration may come from a pull request, so it names a branch and nothing more: git's
    revision syntax (`^{/regex}` searches every commit message with a backtracking regex, `@{...}`
    reads the reflog, `:path` a file) is for the command line's `--base`."""
    parts = name.split("/")
    if (
        not _REF_NAME.fullmatch(name)
        or name.startswith("-")
        or ".." in name
        or any(part in ("", ".") or part.startswith(".") or part.endswith(".lock") for part in parts)
        or name.endswith(".")
    ):
        return 'is not a branch name: write one such as "origin/main" (letters, digits, `.`, `_`, `-`, `/`)'
    return None


def version_file_problem(path: str) -> str | None:
    """Why a `version-file` path is refused (besides being a pattern), or None when it is fine."""
    if not path.endswith(".json"):
        return "must end in .json: a version file is JSON"
    if not is_visible(path):
        return "holds a control character; name the file with printable characters"
    if len(path) > MAX_PATH:
        return f"is {len(path)} characters long; keep it under {MAX_PATH}"
    if any(part.lower().rstrip(". ") == ".git" for part in path.split("/")):
        return "lies in a .git folder, which git never tracks; put the version file in the work tree"
    if any(len(part.encode("utf-8", "surrogatepass")) > 255 for part in path.split("/")):
        return "has a folder name longer than 255 bytes, which no file system takes"
    if len(path.rpartition("/")[2].encode("utf-8", "surrogatepass")) > MAX_NAME:
        return f"has a file name longer than {MAX_NAME} bytes; shorten it"
    return None


MAX_VALUE_DEPTH = 32  # tables and arrays inside `values`
INT64 = 1 << 63  # TOML's integers are 64-bit


def check_values(values: Any, key: str, fail: Fail) -> None:
    """Every value must be one JSON carries exactly, within TOML's own bounds."""
    stack = [(values, key, 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, float | datetime.date | datetime.time):
            kind = "a float" if isinstance(value, float) else "a date or time"
            raise fail(where, f"is {kind}, which JSON cannot carry exactly; write it as a string")
        if isinstance(value, int) and not -INT64 <= value < INT64:
            raise fail(where, "is an integer outside TOML's 64-bit range; write it as a string")
        if isinstance(value, dict | list) and depth >= MAX_VALUE_DEPTH:
            raise fail(where, f"nests more than {MAX_VALUE_DEPTH} tables or arrays; flatten it")
        if isinstance(value, dict):
            stack.extend((item, f"{where}.{name}", depth + 1) for name, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{index}]", depth + 1) for index, item in enumerate(value))


_CLAUSE = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*([0-9]{1,9}(?:\.[0-9]{1,9}){0,3})\s*")


def check_requires(spec: str, version: str, fail: Fail) -> None:
    current = _version_tuple(version)
    for clause in spec.split(","):
        match = _CLAUSE.fullmatch(clause)
        if not match:
            raise fail("requires", f'{spec!r} is not a version requirement like ">=0.1"')
        operator, wanted = match.group(1), _version_tuple(match.group(2))
        width = max(len(current), len(wanted))
        have, need = current + (0,) * (width - len(current)), wanted + (0,) * (width - len(wanted))
        satisfied = {
            ">=": have >= need,
            "<=": have <= need,
            "==": have == need,
            "!=": have != need,
            ">": have > need,
            "<": have < need,
        }[operator]
        if not satisfied:
            raise fail(
                "requires",
                f"this repository needs versionbot {spec}, but this is {version}; "
                "install a matching versionbot",
            )


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"[0-9]+", text.split("+", 1)[0])[:3])
