"""The JSON Schemas (draft 2020-12) of the configuration and of a version file: shipped in the
package (`versionbot/schema/`, package data), printed by `versionbot schema`, and in the form
SchemaStore takes (`$schema`, `$id`, `title`, a `description` for every key), so editors complete
and check `versionbot.toml` and `version.json` files."""

from __future__ import annotations

from importlib import resources

FILES = {"config": "config.json", "version-file": "version-file.json"}


def schema_text(name: str) -> str:
    """The schema named `name` (a key of FILES), as the package ships it."""
    return (resources.files("versionbot") / "schema" / FILES[name]).read_text(encoding="utf-8")
