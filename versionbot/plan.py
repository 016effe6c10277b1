"""Orchestration: base snapshot + head snapshot + config -> a Plan, every unit judged in dependency
order with its inputs selected, hashed in one batch where nothing vouches for them, and explained."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from versionbot import safejson
from versionbot.cache import Memory, fingerprint, is_vouched_for
from versionbot.changes import explain
from versionbot.config import Config, Unit, parse_toml
from versionbot.errors import ConfigError, VersionbotError
from versionbot.escape import visible
from versionbot.findings import Change, ChangeKind, Finding, Plan, Status, TakenBy
from versionbot.hashing import Digests, inputs_hash
from versionbot.inputs import Inputs
from versionbot.judge import judge
from versionbot.lineage import BaseHistory, Origin, base_record
from versionbot.records import Recorded, Records
from versionbot.rules import is_under_rules, own_rules
from versionbot.schemes import Version
from versionbot.snapshot import Entry, Snapshot
from versionbot.validation import check_values
from versionbot.valuesfrom import SelectError, ValueSource, select
from versionbot.versionfile import VersionFile


def make_plan(
    config: Config,
    base: Snapshot | None,
    head: Snapshot,
    digests: Digests,
    memory: Memory | None = None,
    *,
    history: BaseHistory | None = None,
    level: str | None = None,
) -> Plan:
    """Judge every unit of `head` against `base` (None: a repository without commits).

    `memory` holds what earlier runs verified (see `_fingerprint`); this run adds what it learns.
    `history` is the base's past: where a record moved or broke (lineage.py), and who took a number.
    """
    memory = Memory() if memory is None else memory
    verified = memory.verified
    records = Records(memory)
    units = [with_values_from(config, unit, head) for unit in config.dependency_order()]
    based: dict[str, tuple[Recorded, Origin | None]] = {}
    if base is not None:
        for unit in units:
            found, _ = records.read(base, unit)
            based[unit.name] = base_record(
                unit=unit, config=config, base=base, found=found, records=records, history=history
            )
    # A version file that moved without `git mv` leaves its old file behind until `bump` removes
    # it: it is no unit's input meanwhile.
    left = frozenset(
        origin.path
        for _, origin in based.values()
        if origin is not None and origin.path not in config.version_files and head.entry(origin.path)
    )
    moved_from = {origin.path for _, origin in based.values() if origin is not None}
    _refuse_unmerged(config, head, moved_from)
    inputs = {unit.name: Inputs(unit, head, digests, config, left) for unit in units}
    recorded = {unit.name: records.read(head, unit) for unit in units}
    # Every input file that no verified version file vouches for is hashed, so hash them in one
    # batch: a large batch (a cold run) takes two cores.
    unvouched: list[Entry] = []
    for unit in units:
        head_recorded, head_file_id = recorded[unit.name]
        if not is_vouched_for(inputs[unit.name], head_recorded.record, head_file_id, verified):
            unvouched.extend(inputs[unit.name].entries.values())
    digests.prefetch(head, unvouched)
    expected_versions: dict[str, Version] = {}
    findings: dict[str, Finding] = {}
    for unit in units:
        depends = {name: expected_versions[name] for name in unit.depends_on}
        head_inputs = inputs[unit.name]
        head_recorded, head_file_id = recorded[unit.name]
        head_fingerprint = fingerprint(
            inputs=head_inputs,
            record=head_recorded.record,
            file_id=head_file_id,
            depends=depends,
            verified=verified,
        )
        refuse_unmatched(config, head_inputs)
        origin: Origin | None = None
        if base is not None:
            base_recorded, origin = based[unit.name]
            base_inputs: Inputs | None = Inputs(unit, base, digests, config, left)
        else:
            base_recorded, base_inputs = Recorded(None, None), None
        other_rules = _under_other_rules(
            unit, base_recorded.record, head_recorded.record, base_inputs, head_inputs
        )
        part_fingerprints = base_part_fingerprints = None
        if unit.parts:
            part_fingerprints = part_hashes(unit, head_inputs.manifest, unit.values, depends)
            if other_rules is not None and base_recorded.record is not None:
                base_values, base_depends = base_recorded.record.values, base_recorded.record.depends
                base_part_fingerprints = part_hashes(
                    unit, other_rules.base_manifest, base_values, base_depends
                )
        finding = judge(
            unit=unit,
            manifest=head_inputs.manifest,
            depends=depends,
            fingerprint=head_fingerprint,
            base_recorded=base_recorded,
            head_recorded=head_recorded,
            changes=(),
            origin=origin,
            base_fingerprint=other_rules.base_fingerprint if other_rules else None,
            is_head_as_recorded=other_rules.is_head_as_recorded if other_rules else None,
            level=level,
            part_fingerprints=part_fingerprints,
            base_part_fingerprints=base_part_fingerprints,
        )
        is_unchanged = finding.status is Status.UNCHANGED and other_rules is None
        changes = _carried(unit, origin) + explain(
            unit,
            base_inputs,
            head_inputs,
            base_recorded.record,
            depends,
            is_unchanged=is_unchanged,
            base_manifest=other_rules.base_manifest if other_rules else None,
        )
        if changes:
            finding = dataclasses.replace(finding, changes=changes)
        if history is not None and base is not None:
            finding = _with_taker(finding, unit, base_recorded, head_recorded, head_file_id, history)
        expected_versions[unit.name] = finding.expected_version
        findings[unit.name] = dataclasses.replace(finding, deploy=unit.deploy(finding.expected_version))
    return Plan(
        base=base.label if base is not None else None,
        head=head.label,
        findings=tuple(findings[unit.name] for unit in config.units),
    )


def part_hashes(
    unit: Unit, manifest: Mapping[str, str], values: Mapping[str, Any], depends: Mapping[str, Version]
) -> dict[str, str]:
    """Each part's fingerprint: of the files it selects, its own values and its own dependencies."""
    return {
        part.name: inputs_hash(
            {path: digest for path, digest in manifest.items() if part.selects(path)},
            {name: values[name] for name in part.values if name in values},
            {name: depends[name] for name in part.depends_on if name in depends},
        )
        for part in unit.parts
    }


@dataclass(frozen=True)
class _OtherRules:
    """A base record made under other rules than today's: the base digested again under today's."""

    base_manifest: Mapping[str, str]
    base_fingerprint: str
    is_head_as_recorded: bool | None  # the head's untouched copy of it matches under its own rules


def _under_other_rules(
    unit: Unit,
    base_record: VersionFile | None,
    record: VersionFile | None,
    base_inputs: Inputs | None,
    head_inputs: Inputs,
) -> _OtherRules | None:
    """Both sides under today's rules where the base record was made under others (rules.py); None
    where it was not, which is every record after `bump` or `rehash` wrote it."""
    if base_record is None or base_inputs is None or is_under_rules(base_record, unit):
        return None
    manifest = base_inputs.manifest
    if dict(manifest) == dict(base_record.inputs):  # the same digests after all (a lock that falls
        return None  # back to its bytes under either rule): nothing was made under other rules
    base_fingerprint = inputs_hash(manifest, base_record.values, base_record.depends)
    is_head_as_recorded = None
    if record is not None and record == base_record:  # untouched since: judged by its own rules
        own = head_inputs.under(own_rules(record, unit))
        is_head_as_recorded = inputs_hash(own, record.values, record.depends) == record.inputs_hash
    return _OtherRules(manifest, base_fingerprint, is_head_as_recorded)


def _carried(unit: Unit, origin: Origin | None) -> tuple[Change, ...]:
    """The `moved` and `renamed-unit` changes of a record carried over."""
    if origin is None:
        return ()
    changes = []
    if origin.path != unit.version_file:
        changes.append(Change(kind=ChangeKind.MOVED, path=unit.version_file, previous=origin.path))
    if origin.name != unit.name:
        changes.append(Change(kind=ChangeKind.RENAMED_UNIT, key=unit.name, previous=origin.name))
    changes += [
        Change(kind=ChangeKind.RENAMED_UNIT, key=new, previous=old) for old, new in origin.dependencies
    ]
    return tuple(changes)


def _with_taker(  # noqa: PLR0917 - one call site, each argument a different kind
    finding: Finding,
    unit: Unit,
    base_recorded: Recorded,
    head_recorded: Recorded,
    head_file_id: str | None,
    history: BaseHistory,
) -> Finding:
    """Name the base's commit that took the number, where the head holds a version file of its own
    at a number the base already has (or passed): another change was merged first. A file the base
    itself held before (a revert, a stale copy) is no other change's."""
    base_record, record = base_recorded.record, head_recorded.record
    if finding.status not in (Status.NEEDS_BUMP, Status.WRONG_VERSION) or not (base_record and record):
        return finding
    scheme = unit.versions
    if not (scheme.is_valid(record.version) and scheme.is_valid(base_record.version)):
        return finding
    if scheme.key(record.version) > scheme.key(base_record.version) or record == base_record:
        return finding
    if head_file_id is not None and history.had(finding.version_file, head_file_id):
        return finding
    taker = history.last_change(finding.version_file)
    if taker is None:
        return finding
    commit, subject = taker
    message = f"{finding.message}; {finding.unit} took {base_record.version} in {commit[:12]} ({subject})"
    return dataclasses.replace(finding, taken_by=TakenBy(commit, subject), message=message)


VALUES_FROM_LIMIT = 8 << 20  # bytes: a file values are taken from is a settings file, not data


def with_values_from(config: Config, unit: Unit, snapshot: Snapshot) -> Unit:
    """The unit with its `values-from` read out of `snapshot`, beside its literal values (a part's
    beside its part's)."""
    if not unit.values_from:
        return unit
    if not unit.parts:
        values = _read_values(config, snapshot, unit.values, unit.values_from, f"units.{unit.name}")
        return dataclasses.replace(unit, values=values)
    parts = tuple(
        dataclasses.replace(
            part,
            values=_read_values(
                config, snapshot, part.values, part.values_from, f"units.{unit.name}.parts.{part.name}"
            ),
        )
        for part in unit.parts
    )
    values = {name: value for part in parts for name, value in part.values.items()}
    return dataclasses.replace(unit, parts=parts, values=values)


def _read_values(
    config: Config,
    snapshot: Snapshot,
    literal: Mapping[str, Any],
    sources: tuple[ValueSource, ...],
    key: str,
) -> dict[str, Any]:
    values = dict(literal)
    for source in sources:
        where = f"{config.source}: {key}.values-from.{source.name}"
        data = snapshot.read_file(source.file)
        if data is None:
            raise ConfigError(f"{where}: {source.file} is no file in {snapshot.label}")
        if len(data) > VALUES_FROM_LIMIT:
            raise ConfigError(f"{where}: {source.file} is larger than {VALUES_FROM_LIMIT >> 20} MiB")
        try:
            document = (
                safejson.loads(data.decode("utf-8")) if source.file.endswith(".json") else parse_toml(data)
            )
            values[source.name] = select(document, source.steps)
        except SelectError as error:
            raise ConfigError(f"{where}: key {source.key!r} in {source.file}: {error}") from None
        except (UnicodeDecodeError, ValueError, RecursionError) as error:  # JSON or TOML that is none
            raise ConfigError(f"{where}: {source.file} cannot be read: {error}") from None
        check_values(values[source.name], source.name, _failing(f"{where}: the value of {source.key!r}"))
    return values


def _failing(where: str) -> Callable[[str, str], ConfigError]:
    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{where} ({key}) {problem}")

    return fail


def refuse_unmatched(config: Config, inputs: Inputs) -> None:
    """A pattern that matched no file where the inputs were selected is a configuration error."""
    if inputs.unmatched:
        where, pattern = inputs.unmatched[0]
        raise ConfigError(
            f"{config.source}: {where}.inputs: pattern {pattern!r} "
            f"matches no file in {inputs.snapshot.label}; fix the pattern or remove it"
        )


def _refuse_unmerged(config: Config, head: Snapshot, moved_from: set[str]) -> None:
    """An input still in conflict has no content to hash: the merge must be resolved first. The old
    file of a moved version file is none (`bump` removes it)."""
    for path in sorted(head.unmerged - config.version_files - moved_from):
        for unit in config.units:
            if unit.selects(path):
                raise VersionbotError(
                    f"{visible(path)}: an input of unit {unit.name} is unmerged (a merge conflict); "
                    "resolve it and stage the result (`git add`), then run versionbot again"
                )
