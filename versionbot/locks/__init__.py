"""Lock files read for what they install (pure): one module per format behind one interface, so a
lock regenerated with another header, order or timestamp has the same digest, and a change can be
told package by package. DESIGN.md "Semantic lock digests"; each method's selection is written in
docs/DESIGN.md and pinned by tests/test_locks.py.

A method's name (`uv-lock-1`) is part of every digest it makes: changing what a method keeps is a new
method (`uv-lock-2`), never an edit, so recorded digests keep their meaning.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class LockError(ValueError):
    """The file does not parse as its format; the message says why."""


@dataclass(frozen=True)
class Package:
    """One locked package: its normalised name, its version, and the rest of what decides what gets
    installed (source, markers, artifacts and their hashes), as JSON values."""

    name: str
    version: str | None
    details: Mapping[str, Any] = field(default_factory=dict)

    def key(self) -> str:
        return json.dumps([self.name, self.version, self.details], sort_keys=True, default=str)


@dataclass(frozen=True)
class Locked:
    """What a lock file installs: its packages and its settings that change what is installed."""

    packages: tuple[Package, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)

    def canonical(self) -> bytes:
        packages = sorted(self.packages, key=Package.key)
        obj = {
            "packages": [{"name": p.name, "version": p.version, **p.details} for p in packages],
            "settings": dict(self.settings),
        }
        return json.dumps(
            obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        ).encode()


# (file names, method, module): which parser reads which file, and the method its digests carry
_FORMATS = (
    (("pylock.toml", "pylock.*.toml"), "pylock-1", "pylock"),
    (("uv.lock",), "uv-lock-1", "uv"),
    (("poetry.lock",), "poetry-lock-1", "poetry"),
    (("pdm.lock",), "pdm-lock-1", "pdm"),
    (("requirements*.txt",), "requirements-1", "requirements"),
    (("package-lock.json",), "npm-lock-1", "npm"),
    (("Cargo.lock",), "cargo-lock-1", "cargo"),
)
METHODS = frozenset(method for _, method, _ in _FORMATS)


# One pattern for every format's file names, a named group per format: `method_for` runs for every
# input of every record summarised, so it is one match, not a loop of fnmatch calls.
_NAMES = re.compile(
    "|".join(
        f"(?P<f{index}>{'|'.join(fnmatch.translate(pattern) for pattern in patterns)})"
        for index, (patterns, _, _) in enumerate(_FORMATS)
    )
)


def method_for(path: str) -> str | None:
    """The semantic method for a file, by its name; None when it is no lock file versionbot reads."""
    match = _NAMES.match(path.rpartition("/")[2])
    if match is None or match.lastgroup is None:
        return None
    return _FORMATS[int(match.lastgroup[1:])][1]


def read(method: str, data: bytes) -> Locked:
    """What a lock file installs, read by the method's parser (imported on first use)."""
    module = next(module for _, known, module in _FORMATS if known == method)
    parser = importlib.import_module(f"versionbot.locks.{module}")
    locked: Locked = parser.read(data)
    return locked


def digest(method: str, locked: Locked) -> str:
    return f"{method}:sha256:" + hashlib.sha256(locked.canonical()).hexdigest()


@dataclass(frozen=True)
class PackageChange:
    """A package whose versions, or whose source, markers or artifacts, differ between two locks."""

    name: str
    before: str | list[str] | None  # None: added; a list: several versions of one name
    after: str | list[str] | None  # None: removed
    note: str | None = None  # versions equal: what else changed


def package_changes(before: Locked, after: Locked) -> list[PackageChange]:
    old, new = _by_name(before.packages), _by_name(after.packages)
    changes = []
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name, []), new.get(name, [])
        versions_before, versions_after = _versions(was), _versions(now)
        if versions_before != versions_after:
            changes.append(PackageChange(name, versions_before, versions_after))
        elif sorted(map(Package.key, was)) != sorted(map(Package.key, now)):
            keys = sorted({key for p in [*was, *now] for key in p.details} - _same_details(was, now))
            changes.append(PackageChange(name, versions_before, versions_after, f"{', '.join(keys)} changed"))
    return changes


def _by_name(packages: Sequence[Package]) -> dict[str, list[Package]]:
    grouped: dict[str, list[Package]] = {}
    for package in packages:
        grouped.setdefault(package.name, []).append(package)
    return grouped


def _versions(packages: Sequence[Package]) -> str | list[str] | None:
    versions = sorted({p.version or "unversioned" for p in packages})
    if not versions:
        return None
    return versions[0] if len(versions) == 1 else versions


def _same_details(was: Sequence[Package], now: Sequence[Package]) -> set[str]:
    """The detail keys whose values are the same on both sides."""
    keys = {key for p in [*was, *now] for key in p.details}
    return {
        key
        for key in keys
        if sorted(json.dumps(p.details.get(key), sort_keys=True, default=str) for p in was)
        == sorted(json.dumps(p.details.get(key), sort_keys=True, default=str) for p in now)
    }


def normalized(name: object) -> str:
    """A package name as PEP 503 compares it (`Foo_Bar` = `foo-bar`)."""
    from packaging.utils import canonicalize_name

    if not isinstance(name, str) or not name:
        raise LockError(f"a package without a name ({name!r})")
    return str(canonicalize_name(name))


def pick(table: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """The entries of `keys` that `table` has."""
    return {key: table[key] for key in keys if key in table}


def tables(value: object, what: str) -> list[Mapping[str, Any]]:
    """An array of tables, or a clear error."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise LockError(f"{what} must be an array of tables")
    return value


def toml(data: bytes) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

    try:
        parsed: dict[str, Any] = tomllib.loads(data.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, RecursionError, ValueError) as error:  # TOMLDecodeError is a ValueError
        raise LockError(f"not TOML: {error}") from None
    bounded(parsed)
    return parsed


MAX_DEPTH = 64  # no lock format nests a tenth of this: deeper is refused, the same way everywhere


def bounded(document: Any) -> None:
    """A lock nested deeper than MAX_DEPTH is no lock (and would read differently by stack depth)."""
    stack = [(document, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise LockError(f"nested more than {MAX_DEPTH} levels deep")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
