"""Version schemes (pure; DESIGN.md "Schemes"): a unit's first version, the next one, which versions a
change may hold, and how they order. Inputs decide whether a version changes; for semver, people
decide by how much (`level`).

- `integer`: a JSON integer from 1; the next version is +1.
- `semver`: `"MAJOR.MINOR.PATCH"`, digits only; a change may hold the next patch, minor or major
  version of the base's, and `bump` writes the one its `level` says (default `patch`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

Version = int | str  # an integer for `integer`, a string for `semver`
LEVELS = ("patch", "minor", "major")
_SEMVER = re.compile(r"(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})")


@dataclass(frozen=True)
class Scheme:
    name: str
    initial: Version
    is_valid: Callable[[object], bool]  # a version this scheme writes
    next: Callable[[Version, str], Version]  # the next version at a level
    key: Callable[[Version], tuple[int, ...]]  # the order of versions

    def accepted(self, base: Version) -> tuple[Version, ...]:
        """The versions a change against `base` may hold."""
        return tuple(dict.fromkeys(self.next(base, level) for level in LEVELS))

    def describe(self, version: Version) -> str:
        return str(version)


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_semver(value: object) -> bool:
    return isinstance(value, str) and _SEMVER.fullmatch(value) is not None


def _semver_parts(version: Version) -> tuple[int, int, int]:
    match = _SEMVER.fullmatch(str(version))
    if match is None:  # never for a version `is_valid` let through
        raise ValueError(f"{version!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def _semver_next(version: Version, level: str) -> Version:
    major, minor, patch = _semver_parts(version)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


INTEGER = Scheme(
    name="integer",
    initial=1,
    is_valid=_is_integer,
    next=lambda version, _level: int(version) + 1,
    key=lambda version: (int(version),),
)
SEMVER = Scheme(
    name="semver",
    initial="1.0.0",
    is_valid=_is_semver,
    next=_semver_next,
    key=_semver_parts,
)

SCHEMES: dict[str, Scheme] = {scheme.name: scheme for scheme in (INTEGER, SEMVER)}


def scheme_of(version: object) -> Scheme | None:
    """The scheme whose versions look like `version`, if any."""
    return next((scheme for scheme in SCHEMES.values() if scheme.is_valid(version)), None)
