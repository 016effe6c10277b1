"""`pylock.toml` and `pylock.*.toml` (PEP 751), method `pylock-1`.

Kept: `lock-version`, `requires-python`, `environments`, `extras`, `dependency-groups`,
`default-groups`; per package its name (normalised), version, `marker`, `requires-python`, `index`,
`dependencies`, and its `vcs`, `directory`, `archive`, `sdist` and `wheels` without `upload-time` and
`size`. Dropped: comments and formatting, `created-by`, `[tool]` tables, attestation identities.
"""

from __future__ import annotations

from typing import Any

from versionbot.locks import Locked, LockError, Package, normalized, pick, tables, toml

SETTINGS = (
    "lock-version",
    "requires-python",
    "environments",
    "extras",
    "dependency-groups",
    "default-groups",
)
DETAILS = ("marker", "requires-python", "index", "dependencies")
ARTIFACTS = ("vcs", "directory", "archive", "sdist")
DROPPED = frozenset({"upload-time", "size"})


def read(data: bytes) -> Locked:
    document = toml(data)
    if "lock-version" not in document:
        raise LockError("no `lock-version`: not a PEP 751 lock file")
    packages = []
    for table in tables(document.get("packages"), "packages"):
        details = pick(table, DETAILS)
        details.update({key: _artifact(table[key]) for key in ARTIFACTS if key in table})
        if "wheels" in table:
            details["wheels"] = [_artifact(wheel) for wheel in tables(table["wheels"], "wheels")]
        version = table.get("version")
        packages.append(Package(normalized(table.get("name")), str(version) if version else None, details))
    return Locked(tuple(packages), pick(document, SETTINGS))


def _artifact(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: item for key, item in value.items() if key not in DROPPED}
    return value
