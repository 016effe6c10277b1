"""The bump rule as a table (no git): every status and every transition of `judge`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from versionbot.config import Unit
from versionbot.findings import Status
from versionbot.hashing import inputs_hash
from versionbot.judge import judge
from versionbot.lineage import Origin
from versionbot.patterns import Pattern
from versionbot.records import Recorded
from versionbot.versionfile import VersionFile

UNIT = Unit(
    name="app",
    version_file="app/version.json",
    inputs=(Pattern.compile("app/"),),
    exclude=(),
    depends_on=(),
    values={},
    scheme="integer",
)
OLD = {"app/a.txt": "sha256:" + "a" * 64}
RULES_OLD = {"app/a.txt": "sha256:" + "c" * 64}  # the same content, as older rules digested it
NEW = {"app/a.txt": "sha256:" + "b" * 64}


def record(
    version: int,
    manifest: dict[str, str] = OLD,
    *,
    inputs_hash_of: dict[str, str] | None = None,
    unit: str = "app",
) -> Recorded:
    fingerprint = inputs_hash(inputs_hash_of if inputs_hash_of is not None else manifest)
    return Recorded(VersionFile(unit=unit, version=version, inputs=manifest, inputs_hash=fingerprint), None)


ABSENT = Recorded(None, None)
BROKEN = Recorded(None, "invalid JSON at line 1, column 1: Expecting value")
FUTURE = Recorded(None, 'it has "format": 2, but this versionbot reads format 1', is_future=True)
FOREIGN = Recorded(None, "it is not a version file (invalid JSON)", is_foreign=True)


@dataclass(frozen=True)
class Row:
    base: Recorded
    head: Recorded
    manifest: dict[str, str]  # the head's inputs
    status: Status
    expected: int
    is_writable: bool = True
    origin: Origin | None = None  # where the base record was found (lineage.py)
    unit: Unit = UNIT
    base_fingerprint: str | None = None  # the base under today's rules, where its record's differ
    is_head_as_recorded: bool | None = None


MOVED = Origin(path="old/version.json", name="app")
RENAMED = Origin(path="app/version.json", name="old-app")
LOOKED_BACK = Origin(path="app/version.json", name="app", commit="c" * 40)
STARTS_AT_5 = dataclasses.replace(UNIT, start=5)
RENAMED_UNIT = dataclasses.replace(UNIT, renamed_from="old-app")


TABLE = {
    "unchanged": Row(record(3), record(3), OLD, Status.UNCHANGED, 3),
    "bumped": Row(record(3), record(4, NEW), NEW, Status.BUMPED, 4),
    "new": Row(ABSENT, record(1), OLD, Status.NEW, 1),
    "needs-bump": Row(record(3), record(3), NEW, Status.NEEDS_BUMP, 4),
    "stale-hash, inputs changed": Row(record(3), record(4), NEW, Status.STALE_HASH, 4),
    "stale-hash, inputs unchanged": Row(
        record(3), record(3, NEW, inputs_hash_of=OLD), OLD, Status.STALE_HASH, 3
    ),
    "unexpected-bump": Row(record(3), record(4), OLD, Status.UNEXPECTED_BUMP, 3),
    "wrong-version, double bump": Row(record(3), record(5, NEW), NEW, Status.WRONG_VERSION, 4),
    "wrong-version, went down": Row(record(3), record(2, NEW), NEW, Status.WRONG_VERSION, 4),
    "wrong-version, went down unchanged": Row(record(3), record(2), OLD, Status.WRONG_VERSION, 3),
    "wrong-version, new unit not at start": Row(ABSENT, record(7), OLD, Status.WRONG_VERSION, 1),
    "missing-file, new unit": Row(ABSENT, ABSENT, OLD, Status.MISSING_FILE, 1),
    "missing-file, deleted": Row(record(3), ABSENT, OLD, Status.MISSING_FILE, 3),
    "missing-file, deleted and changed": Row(record(3), ABSENT, NEW, Status.MISSING_FILE, 4),
    "invalid-file": Row(record(3), BROKEN, NEW, Status.INVALID_FILE, 4),
    "invalid-file, newer format": Row(record(3), FUTURE, OLD, Status.INVALID_FILE, 3, is_writable=False),
    "invalid-file, not a version file": Row(
        record(3), FOREIGN, OLD, Status.INVALID_FILE, 3, is_writable=False
    ),
    "broken base keeps the head's version": Row(BROKEN, record(6), OLD, Status.NEW, 6),
    "new unit at its start": Row(ABSENT, record(5), OLD, Status.NEW, 5, unit=STARTS_AT_5),
    "wrong-version, new unit below its start": Row(
        ABSENT, record(1), OLD, Status.WRONG_VERSION, 5, unit=STARTS_AT_5
    ),
    "moved": Row(record(3), record(3), OLD, Status.MOVED, 3, origin=MOVED),
    "moved and changed": Row(record(3), record(4, NEW), NEW, Status.BUMPED, 4, origin=MOVED),
    "moved, not yet written": Row(record(3), ABSENT, OLD, Status.MISSING_FILE, 3, origin=MOVED),
    "renamed": Row(
        record(3, unit="old-app"), record(3), OLD, Status.MOVED, 3, origin=RENAMED, unit=RENAMED_UNIT
    ),
    "renamed, the file still under the former name": Row(
        record(3, unit="old-app"),
        record(3, unit="old-app"),
        OLD,
        Status.STALE_HASH,
        3,
        origin=RENAMED,
        unit=RENAMED_UNIT,
    ),
    "looked back past a broken base": Row(record(3), record(3), OLD, Status.UNCHANGED, 3, origin=LOOKED_BACK),
    "looked back, changed": Row(record(3), record(4, NEW), NEW, Status.BUMPED, 4, origin=LOOKED_BACK),
    # the base record made under other rules (its digests differ from today's: RULES_OLD)
    "rehashed": Row(
        record(3, RULES_OLD), record(3), OLD, Status.REHASHED, 3, base_fingerprint=inputs_hash(OLD)
    ),
    "rules changed, the file untouched": Row(
        record(3, RULES_OLD),
        record(3, RULES_OLD),
        OLD,
        Status.UNCHANGED,
        3,
        base_fingerprint=inputs_hash(OLD),
        is_head_as_recorded=True,
    ),
    "rules changed, the file untouched but stale": Row(
        record(3, RULES_OLD),
        record(3, RULES_OLD),
        OLD,
        Status.STALE_HASH,
        3,
        base_fingerprint=inputs_hash(OLD),
        is_head_as_recorded=False,
    ),
    "rules changed and inputs changed": Row(
        record(3, RULES_OLD),
        record(3, RULES_OLD),
        NEW,
        Status.NEEDS_BUMP,
        4,
        base_fingerprint=inputs_hash(OLD),
    ),
}


@pytest.mark.parametrize("row", TABLE.values(), ids=TABLE.keys())
def test_judge(row: Row) -> None:
    finding = judge(
        unit=row.unit,
        manifest=row.manifest,
        depends={},
        fingerprint=inputs_hash(row.manifest),
        base_recorded=row.base,
        head_recorded=row.head,
        changes=(),
        origin=row.origin,
        base_fingerprint=row.base_fingerprint,
        is_head_as_recorded=row.is_head_as_recorded,
    )
    assert finding.status is row.status
    assert finding.expected_version == row.expected
    assert finding.expected.unit == "app"
    assert finding.is_writable is row.is_writable
    fine = (Status.UNCHANGED, Status.BUMPED, Status.NEW, Status.MOVED, Status.REHASHED)
    assert finding.is_fine is (row.status in fine)
    assert finding.expected.inputs_hash == inputs_hash(row.manifest)
    assert finding.message


def test_every_status_is_in_the_table() -> None:
    assert {row.status for row in TABLE.values()} == set(Status)


def test_a_dependency_version_is_part_of_the_expected_record() -> None:
    dependent = Unit(
        name="app",
        version_file="app/version.json",
        inputs=(Pattern.compile("app/"),),
        exclude=(),
        depends_on=("fw",),
        values={"runtime": "3.11"},
        scheme="integer",
    )
    base = Recorded(
        VersionFile(
            unit="app",
            version=2,
            inputs=OLD,
            inputs_hash=inputs_hash(OLD, {"runtime": "3.11"}, {"fw": 1}),
            values={"runtime": "3.11"},
            depends={"fw": 1},
        ),
        None,
    )
    finding = judge(
        unit=dependent,
        manifest=OLD,
        depends={"fw": 2},
        fingerprint=inputs_hash(OLD, {"runtime": "3.11"}, {"fw": 2}),
        base_recorded=base,
        head_recorded=base,
        changes=(),
    )
    assert finding.status is Status.NEEDS_BUMP
    assert finding.expected.depends == {"fw": 2}
    assert finding.expected_version == 3
