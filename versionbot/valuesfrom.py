"""`values-from` (pure): a value read out of a `.toml` or `.json` file of the snapshot being judged, by a
key path: segments separated by `.` (a bare key, or a quoted one: `"a.b"`), each followed by any number
of `[N]` (an index) or `[field=value]` (the one element whose `field` equals `value`). DESIGN.md
"values-from". The file itself is no input: only the value selected joins the unit's values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from versionbot.patterns import pattern_problem
from versionbot.validation import Fail

_SEGMENT = re.compile(r'(?:"(?P<quoted>[^"]*)"|(?P<bare>[A-Za-z0-9_-]+))(?P<selectors>(?:\[[^\]]*\])*)')
_SELECTOR = re.compile(r"\[([^\]]*)\]")


class SelectError(ValueError):
    """The key path selects nothing usable; the message says where it stopped."""


@dataclass(frozen=True)
class Step:
    key: str | None = None  # a table's key
    index: int | None = None  # an array's element
    field: str | None = None  # `[field=value]`: the one element whose `field` is `value`
    value: str | None = None


@dataclass(frozen=True)
class ValueSource:
    """One `values-from` entry: the value's name, the file, and the key path as written and parsed."""

    name: str
    file: str
    key: str
    steps: tuple[Step, ...]


def parse_key(key: str) -> tuple[Step, ...]:
    """The steps of a key path; a `SelectError` says what is wrong with it."""
    steps: list[Step] = []
    position = 0
    while True:
        match = _SEGMENT.match(key, position)
        if match is None:
            raise SelectError(f"cannot read a key at {key[position : position + 20]!r}")
        steps.append(Step(key=match["quoted"] if match["quoted"] is not None else match["bare"]))
        for selector in _SELECTOR.findall(match["selectors"]):
            steps.append(_selector(selector))
        position = match.end()
        if position == len(key):
            return tuple(steps)
        if key[position] != ".":
            raise SelectError(f"expected `.` or `[` at {key[position : position + 20]!r}")
        position += 1


def _selector(text: str) -> Step:
    if text.strip().isdigit():
        return Step(index=int(text))
    field, equals, value = text.partition("=")
    if not equals or not field.strip():
        raise SelectError(f"[{text}] is neither an index ([0]) nor a match ([name=value])")
    return Step(field=field.strip(), value=value.strip().strip('"'))


def select(document: Any, steps: tuple[Step, ...]) -> Any:
    """The value the steps lead to in a parsed document."""
    current = document
    walked = ""
    for step in steps:
        if step.key is not None:
            if not isinstance(current, Mapping) or step.key not in current:
                raise SelectError(f"no key {step.key!r}" + (f" in {walked}" if walked else ""))
            current = current[step.key]
            walked = f"{walked}.{step.key}" if walked else step.key
        elif step.index is not None:
            if not isinstance(current, list) or not -len(current) <= step.index < len(current):
                raise SelectError(f"{walked} has no element [{step.index}]")
            current = current[step.index]
            walked += f"[{step.index}]"
        else:
            if not isinstance(current, list):
                raise SelectError(f"{walked} is not an array, so [{step.field}={step.value}] selects nothing")
            found = [
                item
                for item in current
                if isinstance(item, Mapping) and _text(item.get(step.field)) == step.value
            ]
            if len(found) != 1:
                many = "no element" if not found else f"{len(found)} elements"
                raise SelectError(
                    f"{many} of {walked} with {step.field} = {step.value!r}; exactly one must match"
                )
            current = found[0]
            walked += f"[{step.field}={step.value}]"
    return current


def _text(value: Any) -> str | None:
    """A value as `[field=value]` compares it: strings as they are, integers and booleans as TOML and
    JSON write them (`5`, `true`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, (str, int)) else None


def parse_sources(table: Any, values: Mapping[str, Any], key: str, fail: Fail) -> tuple[ValueSource, ...]:
    """`values-from = { NAME = { file = "…", key = "…" } }`, each checked as far as the configuration
    can tell (the file is read from each snapshot judged)."""
    example = '{ launch = { file = "venvstacks.toml", key = "applications[name=app].launch_module" } }'
    if not isinstance(table, dict):
        raise fail(key, f"must be a table, e.g. values-from = {example}")
    sources = []
    for name, entry in table.items():
        where = f"{key}.{name}"
        if name in values:
            raise fail(where, f"{name!r} is given in values too; keep one of the two")
        if not isinstance(entry, dict) or set(entry) != {"file", "key"}:
            raise fail(where, f"must be a table with `file` and `key`, e.g. values-from = {example}")
        file, path = entry["file"], entry["key"]
        if not isinstance(file, str) or not file.endswith((".toml", ".json")):
            raise fail(where + ".file", "must be the path of a .toml or .json file of the repository")
        if (problem := pattern_problem(file)) or any(char in file for char in "*?["):
            raise fail(where + ".file", f"{file!r} {problem or 'must be a plain path, not a pattern'}")
        if not isinstance(path, str):
            raise fail(where + ".key", 'must be a key path, e.g. "applications[name=app].launch_module"')
        try:
            steps = parse_key(path)
        except SelectError as error:
            raise fail(where + ".key", f"{path!r}: {error}") from None
        sources.append(ValueSource(name=name, file=file, key=path, steps=steps))
    return tuple(sources)
