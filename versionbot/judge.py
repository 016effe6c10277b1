"""The bump rule and the findings table (pure): one unit's finding from its base record, its head
record and the fingerprint of its inputs. DESIGN.md "When a version must change" and "Findings"."""

from __future__ import annotations

from collections.abc import Mapping

from versionbot.config import Unit
from versionbot.findings import Change, Finding, Status
from versionbot.lineage import Origin
from versionbot.records import Recorded
from versionbot.schemes import SCHEMES, Scheme, Version
from versionbot.versionfile import VersionFile


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
) -> Finding:
    """`origin` says where `base_recorded` was found when not plainly at the unit's own path.

    Where the base record was made under other rules than today's, `base_fingerprint` is the base's
    fingerprint under today's (else the record's own is compared), and `is_head_as_recorded` says
    whether the head's copy of that record, untouched, matches the head under its own rules: such a
    file passes until `rehash` or `bump` rewrites it. `level` (`bump --level`) overrides the unit's
    semver step."""
    scheme = SCHEMES[unit.scheme]
    base_record, record = base_recorded.record, head_recorded.record
    if base_record is not None and not scheme.is_valid(base_record.version):
        base_record = None  # the unit changed schemes: it starts again, at `start`
    base_version = base_record.version if base_record else None
    if base_record is None:
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
    if record is not None and not scheme.is_valid(record.version):
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
