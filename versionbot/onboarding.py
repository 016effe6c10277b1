"""`versionbot init`: write the units discovery.py proposes into a new `versionbot.toml`, or append them
as `[tool.versionbot]` to an existing `pyproject.toml`, every byte of which stays as it was."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table

from versionbot.config import CONFIG_FILE, PYPROJECT
from versionbot.discovery import ProposedUnit
from versionbot.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]


def _units_table(units: Sequence[ProposedUnit]) -> Table:
    table = tomlkit.table(is_super_table=True)
    for unit in units:
        entry = tomlkit.table()
        entry["version-file"] = unit.version_file
        entry["inputs"] = list(unit.inputs)
        if unit.exclude:
            entry["exclude"] = list(unit.exclude)
        if unit.depends_on:
            entry["depends-on"] = list(unit.depends_on)
        table[unit.name] = entry
    return table


def render_addition(units: Sequence[ProposedUnit], target: Path, base: str | None = None) -> str:
    """Only what `render_config` adds to `target`, as TOML: what `init --dry-run` shows."""
    document = tomlkit.document()
    if target.name == PYPROJECT:
        tool, versionbot = tomlkit.table(is_super_table=True), tomlkit.table(is_super_table=True)
        _fill(versionbot, units, base)
        tool["versionbot"] = versionbot
        document["tool"] = tool
    else:
        _fill(document, units, base)
    return tomlkit.dumps(document)


def _fill(table: Table | tomlkit.TOMLDocument, units: Sequence[ProposedUnit], base: str | None) -> None:
    """The settings init writes: `base` when the remote's default branch is known, and the units."""
    if base:
        table["base"] = base
    table["units"] = _units_table(units)


def _read_text(path: Path) -> str:
    """An existing TOML file's text, exactly as it is (a byte-order mark and CRLF line endings
    included). A link is not followed: a repository's `pyproject.toml` may point outside it."""
    if path.is_symlink():
        raise ConfigError(f"{path}: is a symbolic link; versionbot edits only a file in the repository")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 ({error.reason} at byte {error.start}); save it as UTF-8"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None


def _loads(text: str, path: Path) -> dict[str, Any]:
    try:
        parsed: dict[str, Any] = tomllib.loads(text.removeprefix("\ufeff"))
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as error:
        raise ConfigError(f"{path}: invalid TOML: {error}; fix it, then run init again") from None
    return parsed


def appended(path: Path, text: str, addition: str) -> str:
    """`text` of an existing `pyproject.toml` with `addition` (its `[tool.versionbot]` tables) after
    its last line, in the file's own line endings: whatever the order of its tables (a `[tool.x]`
    split from another by `[build-system]`), nothing before moves. Refused where the result would
    not read as the same file plus the table (a `tool` written as an inline table)."""
    before = _loads(text, path)
    tool = before.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` is not a table; add [tool.versionbot] by hand (see the README)")
    if "versionbot" in tool:
        raise ConfigError(f"{path}: [tool.versionbot] exists already; edit it instead of running init")
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith(("\n", "\r")):
        text += newline
    result = text + (newline if text.strip("\ufeff \t\r\n") else "") + addition.replace("\n", newline)
    try:
        after = tomllib.loads(result.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError:
        after = {}
    added = tomllib.loads(addition)["tool"]["versionbot"]
    if after.get("tool", {}).pop("versionbot", None) != added or _without_empty_tool(after) != before:
        raise ConfigError(
            f"{path}: [tool.versionbot] cannot be added after its last line (is `tool` an inline "
            "table?); add it by hand (see the README, or `versionbot init --dry-run`)"
        )
    return result


def _without_empty_tool(document: dict[str, Any]) -> dict[str, Any]:
    if document.get("tool") == {}:
        del document["tool"]
    return document


def render_config(
    root: Path, units: Sequence[ProposedUnit], explicit: Path | None, base: str | None = None
) -> tuple[Path, str]:
    """Where to write and the full new text; refuses to replace an existing configuration."""
    config_file = explicit or root / CONFIG_FILE
    pyproject = root / PYPROJECT
    if explicit is None and not config_file.exists() and pyproject.is_file():
        config_file = pyproject
    if config_file.name == PYPROJECT and config_file.is_file():
        text = _read_text(config_file)
        return config_file, appended(config_file, text, render_addition(units, config_file, base))
    if config_file.exists():
        raise ConfigError(f"{config_file}: exists already; edit it instead of running init")
    document = tomlkit.document()
    document.add(tomlkit.comment("versionbot: one version per unit, bumped when its inputs change."))
    document.add(
        tomlkit.comment("Review the units, then run `versionbot bump` and commit the version files.")
    )
    _fill(document, units, base)
    return config_file, tomlkit.dumps(document)
