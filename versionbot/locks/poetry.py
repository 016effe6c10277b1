"""`poetry.lock`, method `poetry-lock-1`.

Read: lock-version 2.x (Poetry 1.5 and later); an older file is digested by its bytes. Kept:
`[metadata]` `python-versions` and the top-level `[extras]`; per package its name (normalised),
version, `optional`, `python-versions`, `markers`, `groups`, `files` (file names and hashes),
`source`, `dependencies`, `extras` and `develop`. Dropped: comments and the generated header,
`description`, the lock's `lock-version` and `content-hash` (a hash of the manifest, not of what is
installed).
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
    lock_version = str(metadata.get("lock-version", ""))
    if not lock_version.startswith("2."):
        # 1.x kept hashes in [metadata.files] and groups as `category`: read by its bytes instead
        raise LockError(f"lock-version {lock_version or '(none)'}: the method reads lock-version 2.x")
    packages = [
        Package(normalized(table.get("name")), _version(table.get("version")), pick(table, DETAILS))
        for table in tables(document.get("package"), "package")
    ]
    settings = pick(metadata, ("python-versions",)) | pick(document, ("extras",))
    return Locked(tuple(packages), settings)


def _version(value: object) -> str | None:
    return str(value) if value else None
