"""Where a unit's base record comes from (pure), so that a number is carried, never reset. DESIGN.md
"When a version must change":

- the unit's own version file in the base (written for its name, or for its former name);
- else the file the base's own configuration gives the unit, or gives its former name
  (`renamed-from`): the version file moved, or the unit was renamed;
- else, when the base's record is missing or unreadable, the last readable one along the base's
  first-parent history (a corrupt or deleted file);
- and in whatever record was found, dependencies renamed since go by their names of today.

Only a unit whose own file in the base is missing or unreadable looks further, so the common
path reads nothing more than before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from versionbot.config import Config, Unit
from versionbot.hashing import inputs_hash
from versionbot.records import Recorded, Records, unit_names
from versionbot.schemes import Version
from versionbot.snapshot import Snapshot
from versionbot.versionfile import VersionFile

LOOK_BACK = 100  # commits read along a version file's history before giving up


class BaseHistory(Protocol):
    """The base's past, as the git adapter provides it."""

    def config(self) -> Config | None:
        """The base's own configuration; None when it has none that parses."""

    def earlier(self, path: str) -> Iterable[Snapshot]:
        """The commits before the base, on its first-parent history, that changed `path`, newest
        first."""

    def last_change(self, path: str) -> tuple[str, str] | None:
        """The base's commit that last changed `path` (the base itself included): id and subject."""

    def had(self, path: str, blob: str) -> bool:
        """Whether `path` held the blob `blob` before the base, on its first-parent history."""


@dataclass(frozen=True, kw_only=True)
class Origin:
    """Where a carried base record was found, when not plainly at the unit's own path."""

    path: str  # the version file it was read from
    name: str  # the unit name it was written for
    commit: str | None = None  # the earlier commit it was read at; None: the base itself
    dependencies: tuple[tuple[str, str], ...] = ()  # (former, today's) dependency names translated

    def is_carried_over(self, unit: Unit) -> bool:
        """Moved, renamed, or with a renamed dependency: the findings' `moved`."""
        return self.path != unit.version_file or self.name != unit.name or bool(self.dependencies)


def base_record(
    *,
    unit: Unit,
    config: Config,
    base: Snapshot,
    found: Recorded,
    records: Records,
    history: BaseHistory | None,
) -> tuple[Recorded, Origin | None]:
    """The unit's base record, starting from what its own path in the base holds (`found`)."""
    origin: Origin | None = None
    if found.record is not None:
        if found.record.unit != unit.name:
            origin = Origin(path=unit.version_file, name=found.record.unit)
    elif history is not None and not found.is_future:  # a newer versionbot's file: no guessing
        traced = _trace(unit, base, records, history)
        if traced is not None:
            found, origin = traced
    if found.record is None:
        return found, origin
    record, renamed = _today_dependency_names(found.record, unit, config)
    if renamed:
        origin = origin or Origin(path=unit.version_file, name=unit.name)
        origin = dataclasses.replace(origin, dependencies=renamed)
        found = Recorded(record, None)
    return found, origin


def _trace(
    unit: Unit, base: Snapshot, records: Records, history: BaseHistory
) -> tuple[Recorded, Origin] | None:
    """The file the base's configuration gives the unit, else the last readable record along the
    history of either path."""
    names = unit_names(unit)
    places = [unit.version_file]
    base_config = history.config()
    if base_config is not None:
        former = next((u for u in base_config.units if u.name in names[::-1]), None)
        if former is not None and former.version_file != unit.version_file:
            recorded, _ = records.read_at(base, former.version_file, names)
            if recorded.record is not None:
                return recorded, Origin(path=former.version_file, name=recorded.record.unit)
            places.append(former.version_file)
    for path in places:
        for count, snapshot in enumerate(history.earlier(path)):
            if count == LOOK_BACK:
                break
            recorded, _ = records.read_at(snapshot, path, names)
            if recorded.record is not None:
                return recorded, Origin(path=path, name=recorded.record.unit, commit=snapshot.label)
    return None


def _today_dependency_names(
    record: VersionFile, unit: Unit, config: Config
) -> tuple[VersionFile, tuple[tuple[str, str], ...]]:
    """The record with dependencies renamed since (`renamed-from`) under today's names, its
    fingerprint recomputed accordingly: a rename alone changes no version."""
    renamed: list[tuple[str, str]] = []
    depends: dict[str, Version] = dict(record.depends)
    for name in unit.depends_on:
        former = config.unit(name).renamed_from
        if former is not None and former in depends and name not in depends:
            depends[name] = depends.pop(former)
            renamed.append((former, name))
    if not renamed:
        return record, ()
    fingerprint = inputs_hash(record.inputs, record.values, _sorted(depends))
    translated = dataclasses.replace(record, depends=_sorted(depends), inputs_hash=fingerprint)
    if _fingerprint_of(record) != record.inputs_hash:  # the record did not match itself: keep it so
        translated = dataclasses.replace(translated, inputs_hash=record.inputs_hash)
    return translated, tuple(renamed)


def _fingerprint_of(record: VersionFile) -> str:
    return inputs_hash(record.inputs, record.values, record.depends)


def _sorted(mapping: Mapping[str, Version]) -> dict[str, Version]:
    return dict(sorted(mapping.items()))
