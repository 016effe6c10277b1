"""`uv.lock`, method `uv-lock-1`.

Kept: `requires-python`, `resolution-markers`, `supported-markers`, `required-markers`, `conflicts`
and `[options]` without `exclude-newer`; per package its name (normalised), version, `source`,
`resolution-markers`, `dependencies`, `optional-dependencies`, `dev-dependencies`, and its `sdist`
and `wheels` without `upload-time` and `size`. Dropped: the lock's own `version` and `revision`,
comments and formatting, `[manifest]` and each package's `[package.metadata]` (what the project
asked for, not what is installed), `exclude-newer` (a resolution time).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from versionbot.locks import Locked, LockError, Package, normalized, pick, tables, toml

SETTINGS = ("requires-python", "resolution-markers", "supported-markers", "required-markers", "conflicts")
DETAILS = ("source", "resolution-markers", "dependencies", "optional-dependencies", "dev-dependencies")
DROPPED = frozenset({"upload-time", "size"})


def read(data: bytes) -> Locked:
    document = toml(data)
    if "version" not in document:
        raise LockError("no `version`: not a uv lock file")
    settings = pick(document, SETTINGS)
    options = document.get("options")
    if isinstance(options, dict):
        kept = {key: value for key, value in options.items() if key != "exclude-newer"}
        if kept:
            settings["options"] = kept
    packages = []
    for table in tables(document.get("package"), "package"):
        details = pick(table, DETAILS)
        if isinstance(table.get("sdist"), dict):
            details["sdist"] = _artifact(table["sdist"])
        if "wheels" in table:
            details["wheels"] = [_artifact(wheel) for wheel in tables(table["wheels"], "wheels")]
        version = table.get("version")
        packages.append(Package(normalized(table.get("name")), str(version) if version else None, details))
    return Locked(tuple(packages), settings)


def _artifact(value: Mapping[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if key not in DROPPED}
