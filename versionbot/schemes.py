"""Version schemes (pure; DESIGN.md "Schemes"): a unit's first version, the next one, which versions a
change may hold, and how they order. Inputs decide whether a version changes; for semver, people
decide by how much (`level`).

- `integer`: a JSON integer from 1; the next version is +1.
- `semver`: `"MAJOR.MINOR.PATCH"`, digits only; a change may hold the next patch, minor or major
  version of the base's, and `bump` writes the one its `level` says (default `patch`).
- `parts`: named integer parts joined by a separator (`"2+3"`, venvstacks' `{lock}+{app}`); each
  part follows the integer rule against its own inputs (`next_parts`), so the whole has no single
  next version: `next` steps every part, for where nothing tells the parts apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Version = int | str  # an integer for `integer`, a string for `semver` and `parts`
LEVELS = ("patch", "minor", "major")
NAMES = ("integer", "semver", "parts")
SEPARATORS = ("+", ".", "-", "_", "~")  # a parts version stays one word in a deploy name or a tag
_SEMVER = re.compile(r"(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})")
_PART = r"[1-9][0-9]{0,17}"
_PARTS = re.compile(rf"{_PART}(?:[{re.escape(''.join(SEPARATORS))}]{_PART})*")


@dataclass(frozen=True)
class Scheme:
    name: str
    initial: Version
    is_valid: Callable[[object], bool]  # a version this scheme writes
    next: Callable[[Version, str], Version]  # the next version at a level
    key: Callable[[Version], tuple[int, ...]]  # the order of versions
    parts: tuple[str, ...] = ()  # `parts`: the part names, in config order
    separator: str = "+"  # `parts`: what joins the numbers

    def accepted(self, base: Version) -> tuple[Version, ...]:
        """The versions a change against `base` may hold."""
        return tuple(dict.fromkeys(self.next(base, level) for level in LEVELS))

    def describe(self, version: Version) -> str:
        return str(version)

    def split(self, version: Version) -> dict[str, int]:
        """A `parts` version's number per part (a version `is_valid` let through)."""
        return dict(zip(self.parts, self.key(version), strict=True))

    def join(self, numbers: Mapping[str, int]) -> str:
        """The `parts` version of each part's number."""
        return self.separator.join(str(numbers[name]) for name in self.parts)


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


def parts_scheme(parts: tuple[str, ...], separator: str = "+") -> Scheme:
    """The `parts` scheme of a unit with these parts: `"1+1"` first, each number from 1."""

    def key(version: Version) -> tuple[int, ...]:
        numbers = str(version).split(separator)
        if len(numbers) != len(parts) or not all(re.fullmatch(_PART, n) for n in numbers):
            raise ValueError(f"{version!r} is not {len(parts)} numbers joined by {separator!r}")
        return tuple(map(int, numbers))

    def is_valid(value: object) -> bool:
        if not isinstance(value, str):
            return False
        try:
            key(value)
        except ValueError:
            return False
        return True

    def step(version: Version, _level: str) -> Version:
        return separator.join(str(number + 1) for number in key(version))

    return Scheme(
        name="parts",
        initial=separator.join("1" for _ in parts),
        is_valid=is_valid,
        next=step,
        key=key,
        parts=parts,
        separator=separator,
    )


def next_part(base: int | None, is_changed: bool, start: int = 1) -> int:
    """One part's expected number: the integer rule against its own inputs."""
    if base is None:
        return start
    return base + 1 if is_changed else base


def is_version(value: object) -> bool:
    """Whether `value` looks like a version of some scheme (a record's `version` or `depends`)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 1
    return isinstance(value, str) and (
        _SEMVER.fullmatch(value) is not None or _PARTS.fullmatch(value) is not None
    )
