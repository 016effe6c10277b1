"""The `text`/`binary`/`eol` attributes of a path, from the `.gitattributes` files of one snapshot.

We read `.gitattributes` ourselves instead of asking libgit2 so that the answer depends only on the
snapshot being hashed: never on `.git/info/attributes`, a global attributes file or the work tree.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

from versionbot.patterns import glob_to_regex


class TextMode(enum.Enum):
    TEXT = "text"
    BINARY = "binary"
    AUTO = "auto"  # decided by content: git's NUL-byte rule


AttrValue = bool | str | None  # True set, False unset, str a value, None unspecified


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    settings: tuple[tuple[str, AttrValue], ...]


def parse_gitattributes(text: str, directory: str) -> tuple[_Rule, ...]:
    """Rules of one `.gitattributes` file living in `directory` ('' for the root)."""
    base = directory + "/" if directory else ""
    rules: list[_Rule] = []
    for line in text.splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#") or fields[0].startswith(("!", "[attr]")):
            continue  # negated patterns are invalid in .gitattributes; macros other than binary are not ours
        pattern, *attrs = fields
        settings = tuple(setting for attr in attrs for setting in _parse_attr(attr))
        if not settings or pattern.endswith("/"):
            continue  # a directory pattern never matches a file in .gitattributes
        if "/" in pattern:
            regex = re.escape(base) + glob_to_regex(pattern.lstrip("/"))
        else:
            regex = re.escape(base) + "(?:.*/)?" + glob_to_regex(pattern)
        rules.append(_Rule(re.compile(regex), settings))
    return tuple(rules)


def _parse_attr(attr: str) -> tuple[tuple[str, AttrValue], ...]:
    if attr == "binary":
        return (("text", False),)
    if attr.startswith("-"):
        return ((attr[1:], False),)
    if attr.startswith("!"):
        return ((attr[1:], None),)
    name, sep, value = attr.partition("=")
    return ((name, value if sep else True),)


def folders_above(path: str) -> list[str]:
    """The folders that hold `path`, from the root ('') down to its parent."""
    parts = path.split("/")[:-1]
    return ["", *("/".join(parts[: index + 1]) for index in range(len(parts)))]


class Attributes:
    """Answers `text_mode(path)` for one snapshot; `load(directory)` returns that folder's
    `.gitattributes` text, or None."""

    def __init__(self, load: Callable[[str], str | None]) -> None:
        self._load = load
        self._rules: dict[str, tuple[_Rule, ...]] = {}
        self._effective: dict[str, tuple[_Rule, ...]] = {}

    def _rules_in(self, directory: str) -> tuple[_Rule, ...]:
        rules = self._rules.get(directory)
        if rules is None:
            text = self._load(directory)
            rules = parse_gitattributes(text, directory) if text else ()
            self._rules[directory] = rules
        return rules

    def _rules_for(self, folder: str) -> tuple[_Rule, ...]:
        """Every rule that can apply to a file in `folder`, shallowest file and first line first."""
        rules = self._effective.get(folder)
        if rules is None:
            parent = folder.rpartition("/")[0] if folder else None
            rules = (self._rules_for(parent) if parent is not None else ()) + self._rules_in(folder)
            self._effective[folder] = rules
        return rules

    def text_mode(self, path: str) -> TextMode:
        rules = self._rules_for(path.rpartition("/")[0])
        if not rules:
            return TextMode.AUTO
        text: AttrValue = None
        eol: AttrValue = None
        for rule in rules:  # deeper files and later lines override
            if rule.regex.fullmatch(path):
                for name, value in rule.settings:
                    if name == "text":
                        text = value
                    elif name == "eol":
                        eol = value
        if text is False:
            return TextMode.BINARY
        if text is True or eol in ("lf", "crlf"):
            return TextMode.TEXT
        return TextMode.AUTO
