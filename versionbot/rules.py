"""Rule changes never bump (pure; DESIGN.md "Rule changes never bump"): whether a record was made
under the rules a unit has today, and the rules it was made under, so both sides of a judgement are
digested alike and a record is checked by its own."""

from __future__ import annotations

from collections.abc import Callable

from versionbot.config import Unit
from versionbot.versionfile import BYTES_METHODS, VersionFile, digest_method, special_digests


def is_under_rules(record: VersionFile, unit: Unit) -> bool:
    """Whether every digest of the record was made by the method the unit's rules give its path."""
    for path, method in special_digests(record):
        wanted = unit.lock_method(path)
        if (wanted is None and method not in BYTES_METHODS) or (wanted is not None and method != wanted):
            return False
    return True


def recorded_method(record: VersionFile, unit: Unit, path: str) -> str | None:
    """The lock method the record digested `path` with (None: its bytes); today's for a path the
    record does not hold."""
    digest = record.inputs.get(path)
    if digest is None:
        return unit.lock_method(path)
    method = digest_method(digest)
    return None if method in BYTES_METHODS else method


def own_rules(record: VersionFile, unit: Unit) -> Callable[[str], str | None]:
    """The record's rules, path by path: for `Inputs.under`, to check a record by its own rules."""
    return lambda path: recorded_method(record, unit, path)
