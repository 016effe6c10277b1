"""The bump rule and the findings table (pure): one unit's finding from its base record, its head
record and the fingerprint of its inputs. DESIGN.md "When a version must change" and "Findings"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from versionbot.config import Unit
from versionbot.findings import Change, Finding, Status
from versionbot.lineage import Origin
from versionbot.records import Recorded
from versionbot.schemes import Scheme, Version
from versionbot.versionfile import PartRecord, VersionFile


def judge(
    *,
    unit: Unit,
    manifest: Mapping[str, str],
    depends: Mapping[str, Version],
    fingerprint: str,
    base_recorded: Recorded,
    head_recorded: Recorded,
    changes: tuple[Change, ...],
    origin: Origin | None = None,
    base_fingerprint: str | None = None,
    is_head_as_recorded: bool | None = None,
    level: str | None = None,
    part_fingerprints: Mapping[str, str] | None = None,
    base_part_fingerprints: Mapping[str, str] | None = None,
) -> Finding:
    """`origin` says where `base_recorded` was found when not plainly at the unit's own path.

    Where the base record was made under other rules than today's, `base_fingerprint` is the base's
    fingerprint under today's (else the record's own is compared), and `is_head_as_recorded` says
    whether the head's copy of that record, untouched, matches the head under its own rules: such a
    file passes until `rehash` or `bump` rewrites it. `level` (`bump --level`) overrides the unit's
    semver step. A `parts` unit's parts are judged each by its own fingerprint (`part_fingerprints`;
    `base_part_fingerprints` where the base's were made under other rules)."""
    scheme = unit.versions
    base_record, record = base_recorded.record, head_recorded.record
    if base_record is not None and not (
        base_record.parts if unit.parts else scheme.is_valid(base_record.version)
    ):
        base_record = None  # the unit changed schemes: it starts again, at `start`
    base_version = base_record.version if base_record else None
    parts = None
    expected_version: Version
    if unit.parts:
        parts = _judge_parts(
            unit,
            base_record,
            record,
            part_fingerprints or {},
            base_part_fingerprints or {},
            is_broken_base=base_recorded.problem is not None,
        )
        expected_version, is_changed = scheme.join(parts.numbers), parts.is_changed
    elif base_record is None:
        # No usable record in the base nor before it: a new unit, or a base whose file was broken
        # with no history to look back on (then the head's own version is trusted, not reset).
        is_broken_base = base_recorded.problem is not None
        expected_version = record.version if (record and is_broken_base) else unit.start
        is_changed = True
    elif fingerprint == (base_fingerprint or base_record.inputs_hash):
        expected_version, is_changed = base_record.version, False
    else:  # a change: the step people chose where the scheme accepts it, else the unit's level
        is_changed = True
        accepted = scheme.accepted(base_record.version)
        chosen = record.version if record is not None and record.version in accepted else None
        expected_version = (
            chosen if chosen is not None else scheme.next(base_record.version, level or unit.level)
        )
    extra = record.extra if record else base_record.extra if base_record else {}
    expected = VersionFile(
        unit=unit.name,
        version=expected_version,
        inputs=manifest,
        inputs_hash=fingerprint,
        values=unit.values,
        depends=depends,
        extra=extra,
        parts=parts.records if parts else {},
    )

    def finding(status: Status, message: str, *, is_writable: bool = True) -> Finding:
        return Finding(
            unit=unit.name,
            status=status,
            version_file=unit.version_file,
            base_version=base_version,
            recorded_version=record.version if record else None,
            expected=expected,
            changes=changes,
            message=message,
            is_writable=is_writable,
        )

    run_bump = "run `versionbot bump`"
    if head_recorded.is_future:
        return finding(
            Status.INVALID_FILE, f"{unit.version_file}: {head_recorded.problem}", is_writable=False
        )
    if head_recorded.is_foreign:
        return finding(
            Status.INVALID_FILE,
            f"{unit.version_file}: {head_recorded.problem}; versionbot never overwrites it: point "
            f"units.{unit.name}.version-file at a path of its own, or remove the file",
            is_writable=False,
        )
    if head_recorded.problem is not None:
        return finding(
            Status.INVALID_FILE,
            f"{unit.version_file} is not a valid version file: {head_recorded.problem}; "
            f"{run_bump} to regenerate it at version {expected_version}",
        )
    if record is not None and not scheme.is_valid(record.version) and not (unit.parts and record.parts):
        return finding(
            Status.INVALID_FILE,
            f"{unit.version_file} holds version {record.version!r}, but unit {unit.name} uses the "
            f"{scheme.name} scheme; {run_bump} to write version {expected_version}",
        )
    if record is None:
        return finding(
            Status.MISSING_FILE,
            f"{unit.version_file} does not exist; {run_bump} to "
            + ("create it at" if base_version is None else "restore it at")
            + f" version {expected_version}",
        )
    has_right_hashes = record.has_same_hashes(expected) and record.unit == unit.name
    looked_back = (
        f" (the base's own record is unreadable: continued from {origin.commit[:12]})"
        if (origin is not None and origin.commit is not None)
        else ""
    )
    if record.version == expected_version and has_right_hashes:
        if base_record is None:
            return finding(Status.NEW, f"new unit at version {expected_version}")
        if parts is not None and is_changed:
            status = Status.BUMPED if parts.bumped or parts.removed else Status.NEW
            return finding(
                status, f"inputs changed: {base_version} -> {expected_version} ({parts.describe()})"
            )
        if is_changed:
            return finding(
                Status.BUMPED, f"inputs changed: {base_version} -> {expected_version}{looked_back}"
            )
        if origin is not None and origin.is_carried_over(unit):
            return finding(
                Status.MOVED, f"version {expected_version} carried over from {_carried(unit, origin)}"
            )
        if base_fingerprint is not None:
            return finding(
                Status.REHASHED,
                f"inputs unchanged at version {expected_version}, recorded under today's rules",
            )
        return finding(Status.UNCHANGED, f"inputs unchanged at version {expected_version}{looked_back}")
    if record.version == expected_version and not is_changed and is_head_as_recorded:
        return finding(
            Status.UNCHANGED,
            f"inputs unchanged at version {expected_version}; the record predates today's rules "
            "(`versionbot rehash` rewrites it)",
        )
    if record.version == expected_version:
        if is_head_as_recorded is False:
            return finding(
                Status.STALE_HASH,
                f"version {expected_version} is right, but the record was made under older rules and "
                "the files changed since in a way those rules see (a regenerated lock file?); run "
                "`versionbot rehash` to record it under today's rules",
            )
        if record.unit != unit.name:
            return finding(
                Status.STALE_HASH,
                f"version {expected_version} is right but the file was written for the unit's former "
                f"name {record.unit!r}; {run_bump} to rewrite it",
            )
        return finding(
            Status.STALE_HASH,
            f"version {expected_version} is right but the recorded hashes do not match the inputs "
            f"(edited after the bump, or by hand); {run_bump} to refresh them",
        )
    if parts is not None:
        # The version string is what people edit; a record untouched since the base was written
        # by `bump` in the parts' order of then, which `parts` keeps by name.
        status, why = parts.wrong(recorded_numbers(unit, record, by_name=record == base_record))
        return finding(
            status, f"the version is {record.version} but should be {expected_version}: {why}; {run_bump}"
        )
    if base_version is not None and not is_changed and scheme.key(record.version) > scheme.key(base_version):
        return finding(
            Status.UNEXPECTED_BUMP,
            f"the version changed from {base_version} to {record.version} but the inputs did not; "
            f"{run_bump} to restore {expected_version}",
        )
    if base_version is not None and is_changed and record.version == base_version:
        return finding(
            Status.NEEDS_BUMP,
            f"inputs changed since the base but the version is still {record.version}; {run_bump}",
        )
    return finding(
        Status.WRONG_VERSION,
        _wrong_version_message(
            scheme, record.version, base_version, expected_version, is_changed, unit.start
        ),
    )


@dataclass(frozen=True)
class _Parts:
    """Each part of a `parts` unit judged by the integer rule against its own fingerprint."""

    numbers: dict[str, int]  # the expected number of each part
    records: dict[str, PartRecord]  # what the version file's `parts` should hold
    base: dict[str, int | None]  # each part's number in the base record (None: a new part)
    bumped: tuple[str, ...]  # the parts whose inputs changed
    new: tuple[str, ...]  # the parts the base has no number for
    removed: tuple[str, ...]  # the base record's parts the unit no longer has
    layout: str  # the parts in config order, for messages: "lock+app"

    @property
    def is_changed(self) -> bool:
        return bool(self.bumped or self.new or self.removed)

    def describe(self) -> str:
        """What moved, part by part: `app 1 -> 2`, `lock new at 1`, `extra removed`."""
        moved = [f"{name} {self.base[name]} -> {self.numbers[name]}" for name in self.bumped]
        moved += [f"{name} new at {self.numbers[name]}" for name in self.new]
        moved += [f"{name} removed" for name in self.removed]
        return ", ".join(moved)

    def wrong(self, recorded: Mapping[str, int | None]) -> tuple[Status, str]:
        """The status of a recorded version other than the expected one: each wrong part's status by
        the integer rule, the unit's the first of those in the findings table's order."""
        found: list[tuple[Status, str]] = []
        for name, expected in self.numbers.items():
            number, base = recorded.get(name), self.base[name]
            is_changed = name in self.bumped or name in self.new
            if number == expected:
                continue
            if number is None:
                found.append((Status.WRONG_VERSION, f"the file has no number for part {name}"))
            elif base is not None and not is_changed and number > base:
                found.append(
                    (
                        Status.UNEXPECTED_BUMP,
                        f"{name} went from {base} to {number} but its inputs did not change",
                    )
                )
            elif base is not None and is_changed and number == base:
                found.append((Status.NEEDS_BUMP, f"{name}'s inputs changed but it is still {number}"))
            elif base is None:
                found.append(
                    (Status.WRONG_VERSION, f"{name} is {number} but a new part starts at {expected}")
                )
            elif not is_changed:
                found.append(
                    (Status.WRONG_VERSION, f"{name} is {number} but its inputs did not change: {base}")
                )
            else:
                found.append(
                    (
                        Status.WRONG_VERSION,
                        f"{name} is {number} but one change gets one bump: {base} -> {expected}",
                    )
                )
        if not found:  # each number is right: the string joins them otherwise (hand-edited, or reordered)
            found.append((Status.WRONG_VERSION, f"the parts are {self.layout}, in the configuration's order"))
        order = list(Status)
        return min(found, key=lambda item: order.index(item[0]))[0], "; ".join(why for _, why in found)


def recorded_numbers(unit: Unit, record: VersionFile, *, by_name: bool = False) -> dict[str, int | None]:
    """Each part's number in a record: from the version string where it fits the unit's parts (and
    not `by_name`), else from the record's `parts` by name, a renamed part's by its former name."""
    scheme = unit.versions
    split: dict[str, int] = scheme.split(record.version) if scheme.is_valid(record.version) else {}
    numbers: dict[str, int | None] = {}
    for part in unit.parts:
        former = record.parts.get(part.renamed_from) if part.renamed_from else None
        found = record.parts.get(part.name) or former
        named = found.version if found is not None else None
        numbers[part.name] = split[part.name] if split and not by_name else (named or split.get(part.name))
    return numbers


def _judge_parts(
    unit: Unit,
    base_record: VersionFile | None,
    record: VersionFile | None,
    fingerprints: Mapping[str, str],
    base_fingerprints: Mapping[str, str],
    *,
    is_broken_base: bool,
) -> _Parts:
    scheme = unit.versions
    start: Mapping[str, int | None] = scheme.split(unit.start)
    if base_record is None and is_broken_base and record is not None:
        trusted = recorded_numbers(unit, record)  # no record to go by: the head's own is trusted
        start = {name: trusted[name] or start[name] for name in trusted}
    numbers, base, bumped, new = {}, {}, [], []
    carried: set[str] = set()
    for part in unit.parts:
        name = part.name
        before, was = None, name
        if base_record is not None:
            was = name if name in base_record.parts or not part.renamed_from else part.renamed_from
            before = base_record.parts.get(was)
        base[name] = before.version if before is not None else None
        if before is None:
            numbers[name] = start[name] or 1
            new.append(name)
            continue
        carried.add(was)
        if fingerprints[name] != base_fingerprints.get(name, before.inputs_hash):
            numbers[name] = before.version + 1
            bumped.append(name)
        else:
            numbers[name] = before.version
    removed = tuple(name for name in (base_record.parts if base_record else ()) if name not in carried)
    records = {name: PartRecord(numbers[name], fingerprints[name]) for name in numbers}
    layout = scheme.separator.join(part.name for part in unit.parts)
    return _Parts(numbers, records, base, tuple(bumped), tuple(new), removed, layout)


def _carried(unit: Unit, origin: Origin) -> str:
    """Where a carried record came from, in words."""
    parts = []
    if origin.name != unit.name:
        parts.append(f"unit {origin.name!r} (renamed-from)")
    if origin.path != unit.version_file:
        parts.append(f"{origin.path} (the version file moved)")
    parts += [f"dependency {old!r}, now {new!r}" for old, new in origin.dependencies]
    return ", ".join(parts)


def _wrong_version_message(  # noqa: PLR0917
    scheme: Scheme,
    recorded: Version,
    base: Version | None,
    expected: Version,
    is_changed: bool,
    start: Version,
) -> str:
    if base is None:
        why = f"a new unit starts at version {start}"
    elif not is_changed:
        why = f"the inputs did not change, so it stays at the base's {base}"
    elif scheme.key(recorded) < scheme.key(base):
        why = f"a version never goes down; the base has {base}"
    elif len(scheme.accepted(base)) > 1:
        why = f"a change to the base's {base} may be {', '.join(map(str, scheme.accepted(base)))}"
    else:  # above the one bump a change gets
        why = f"the base has {base} and a change gets exactly one bump (a double or skipped bump?)"
    return f"the version is {recorded} but should be {expected}: {why}; run `versionbot bump`"
