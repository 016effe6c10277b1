"""`pdm.lock`, method `pdm-lock-1`.

Kept: `[metadata]` `groups`, `strategy` and `targets`; per package its name (normalised), version,
`requires_python`, `marker`, `groups`, `extras`, `files` (file names and hashes), `dependencies`, and
where it comes from (`git`, `ref`, `revision`, `path`, `url`, `editable`, `subdirectory`). Dropped:
comments and the generated header, `summary`, the lock's `lock_version` and `content_hash` (a hash of
the manifest, not of what is installed).
"""

from __future__ import annotations

from versionbot.locks import Locked, LockError, Package, normalized, pick, tables, toml

DETAILS = (
    *("requires_python", "marker", "groups", "extras", "files", "dependencies"),
    *("git", "ref", "revision", "path", "url", "editable", "subdirectory"),
)


def read(data: bytes) -> Locked:
    document = toml(data)
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        raise LockError("no [metadata] table: not a pdm lock file")
    packages = [
        Package(
            normalized(table.get("name")),
            str(table["version"]) if table.get("version") else None,
            pick(table, DETAILS),
        )
        for table in tables(document.get("package"), "package")
    ]
    return Locked(tuple(packages), pick(metadata, ("groups", "strategy", "targets")))
