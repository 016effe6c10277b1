"""`Cargo.lock`, method `cargo-lock-1`.

Read: versions 2 to 4 (a version 1 file, with its checksums in `[metadata]`, is digested by its
bytes). Kept: per package its name, version, `source` (registry, git with its commit, or none for a
path crate), `checksum`, `replace` and `dependencies` (sorted). Dropped: comments and the generated
header, the lock's own `version` (the file format) and `[metadata]`.
"""

from __future__ import annotations

from versionbot.locks import Locked, LockError, Package, pick, tables, toml


def read(data: bytes) -> Locked:
    document = toml(data)
    metadata = document.get("metadata")
    if isinstance(metadata, dict) and any(str(key).startswith("checksum ") for key in metadata):
        # version 1 kept checksums in [metadata]: read by its bytes instead
        raise LockError("a version 1 Cargo.lock (checksums in [metadata]): the method reads versions 2 to 4")
    packages = []
    for table in tables(document.get("package"), "package"):
        name = table.get("name")
        if not isinstance(name, str) or not name:
            raise LockError(f"a package without a name ({name!r})")
        details = pick(table, ("source", "checksum", "replace"))
        dependencies = table.get("dependencies")
        if dependencies is not None:
            if not isinstance(dependencies, list):
                raise LockError(f"package {name!r}: `dependencies` must be an array")
            details["dependencies"] = sorted(map(str, dependencies))
        packages.append(Package(name, str(table["version"]) if table.get("version") else None, details))
    if not packages and "version" not in document:
        raise LockError("no [[package]] and no `version`: not a Cargo lock file")
    return Locked(tuple(packages))
