"""`poetry.lock`, method `poetry-lock-1`.

Kept: `[metadata]` `python-versions`; per package its name (normalised), version, `optional`,
`python-versions`, `markers`, `groups`, `files` (file names and hashes), `source`, `dependencies`,
`extras` and `develop`. Dropped: comments and the generated header, `description`, the lock's
`lock-version` and `content-hash` (a hash of the manifest, not of what is installed).
"""

from __future__ import annotations

from versionbot.locks import Locked, LockError, Package, normalized, pick, tables, toml

DETAILS = (
    "optional",
    "python-versions",
    "markers",
    "groups",
    "files",
    "source",
    "dependencies",
    "extras",
    "develop",
)


def read(data: bytes) -> Locked:
    document = toml(data)
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        raise LockError("no [metadata] table: not a poetry lock file")
    packages = [
        Package(normalized(table.get("name")), _version(table.get("version")), pick(table, DETAILS))
        for table in tables(document.get("package"), "package")
    ]
    return Locked(tuple(packages), pick(metadata, ("python-versions",)))


def _version(value: object) -> str | None:
    return str(value) if value else None
