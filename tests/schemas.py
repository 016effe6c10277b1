"""Every file the suite has versionbot write is checked against the schemas versionbot ships:
`check_written(root)` validates a repository's configuration and each version file it names."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema

from versionbot.schemas import schema_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]


@functools.cache
def validator(name: str) -> Any:
    schema = json.loads(schema_text(name))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def problems(name: str, document: Any) -> list[str]:
    """What the schema `name` says is wrong with `document`, one line each (none: valid)."""
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator(name).iter_errors(document)
    ]


def check(name: str, document: Any, where: object) -> None:
    found = problems(name, document)
    assert not found, f"{where} does not validate against the {name} schema:\n" + "\n".join(found)


def config_table(root: Path, config: Path | None = None) -> dict[str, Any] | None:
    """The configuration table of a repository, as versionbot would find it (None: none there)."""
    for path in [config] if config else [root / "versionbot.toml", root / "pyproject.toml"]:
        if not path.is_file():
            continue
        data: dict[str, Any] = tomllib.loads(path.read_bytes().decode("utf-8").removeprefix("\ufeff"))
        if path.name != "pyproject.toml":
            return data
        table = data.get("tool", {}).get("versionbot")
        if isinstance(table, dict):
            return table
    return None


def check_written(root: Path, config: Path | None = None) -> None:
    """The configuration of the repository at `root`, and every version file of it that exists."""
    table = config_table(root, config)
    if table is None:
        return
    check("config", table, root / (config or "versionbot.toml"))
    for unit in table.get("units", {}).values():
        path = root / unit["version-file"]
        if path.is_file() and not path.is_symlink():
            check("version-file", json.loads(path.read_bytes()), path)
