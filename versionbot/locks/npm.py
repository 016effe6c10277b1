"""`package-lock.json` (lockfileVersion 2 and 3), method `npm-lock-1`.

Kept: every installed package (each entry of `packages` but the root project's): its name (the
entry's `name`, else the last `node_modules/` part of its location), `version`, its location in the
tree, `resolved`, `integrity`, `link`, `dev`, `optional`, `devOptional`, `peer`, `inBundle`, `os`,
`cpu`, `libc`, `hasInstallScript`. Dropped: the root entry and the top-level `name`, `version` and
`lockfileVersion` (the project's own, and the file format), `requires`, and per package `license`,
`engines`, `funding`, `bin` and its dependency ranges (the tree records what those ranges resolved
to).
"""

from __future__ import annotations

from versionbot import safejson
from versionbot.locks import Locked, LockError, Package, bounded, pick

DETAILS = (
    *("resolved", "integrity", "link", "dev", "optional", "devOptional", "peer", "inBundle"),
    *("os", "cpu", "libc", "hasInstallScript"),
)


def read(data: bytes) -> Locked:
    try:
        document = safejson.loads(data.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, safejson.JSONError) as error:
        raise LockError(f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise LockError("not a JSON object")
    bounded(document)
    version = document.get("lockfileVersion")
    if version not in (2, 3):
        raise LockError(f"lockfileVersion {version!r}: only versions 2 and 3 list every installed package")
    entries = document.get("packages")
    if not isinstance(entries, dict):
        raise LockError("`packages` must be an object")
    packages = []
    for location, entry in entries.items():
        if not location:
            continue  # the root project itself
        if not isinstance(entry, dict):
            raise LockError(f"packages[{location!r}] must be an object")
        name = entry.get("name") or location.rpartition("node_modules/")[2]
        if not isinstance(name, str) or not name:
            raise LockError(f"packages[{location!r}] has no name")
        details = {"location": location, **pick(entry, DETAILS)}
        version = entry.get("version")
        packages.append(Package(name, str(version) if version else None, details))
    return Locked(tuple(packages))
