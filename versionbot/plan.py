"""Orchestration: base snapshot + head snapshot + config -> a Plan, every unit judged in dependency
order with its inputs selected, hashed in one batch where nothing vouches for them, and explained."""

from __future__ import annotations

import dataclasses

from versionbot.cache import Memory, fingerprint, is_vouched_for
from versionbot.changes import explain
from versionbot.config import Config
from versionbot.errors import ConfigError, VersionbotError
from versionbot.escape import visible
from versionbot.findings import Finding, Plan, Status, UnitState
from versionbot.hashing import Digests
from versionbot.inputs import Inputs
from versionbot.judge import judge
from versionbot.records import Recorded, Records
from versionbot.snapshot import Entry, Snapshot


def make_plan(
    config: Config,
    base: Snapshot | None,
    head: Snapshot,
    digests: Digests,
    memory: Memory | None = None,
) -> Plan:
    """Judge every unit of `head` against `base` (None: a repository without commits).

    `memory` holds what earlier runs verified (see `_fingerprint`); this run adds what it learns.
    """
    memory = Memory() if memory is None else memory
    verified = memory.verified
    records = Records(memory)
    units = config.dependency_order()
    _refuse_unmerged(config, head)
    inputs = {unit.name: Inputs(unit, head, digests, config) for unit in units}
    recorded = {unit.name: records.read(head, unit) for unit in units}
    # Every input file that no verified version file vouches for is hashed, so hash them in one
    # batch: a large batch (a cold run) takes two cores.
    unvouched: list[Entry] = []
    for unit in units:
        head_recorded, head_file_id = recorded[unit.name]
        if not is_vouched_for(inputs[unit.name], head_recorded.record, head_file_id, verified):
            unvouched.extend(inputs[unit.name].entries.values())
    digests.prefetch(head, unvouched)
    expected_versions: dict[str, int] = {}
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
        _refuse_unmatched(config, head_inputs)
        if base is not None:
            base_recorded, _ = records.read(base, unit)
            base_inputs: Inputs | None = Inputs(unit, base, digests, config)
        else:
            base_recorded, base_inputs = Recorded(None, None), None
        finding = judge(
            unit=unit,
            manifest=head_inputs.manifest,
            depends=depends,
            fingerprint=head_fingerprint,
            base_recorded=base_recorded,
            head_recorded=head_recorded,
            changes=(),
        )
        is_unchanged = finding.status is Status.UNCHANGED
        changes = explain(
            unit, base_inputs, head_inputs, base_recorded.record, depends, is_unchanged=is_unchanged
        )
        if changes:
            finding = dataclasses.replace(finding, changes=changes)
        expected_versions[unit.name] = finding.expected_version
        findings[unit.name] = finding
    return Plan(
        base=base.label if base is not None else None,
        head=head.label,
        findings=tuple(findings[unit.name] for unit in config.units),
    )


def _refuse_unmatched(config: Config, inputs: Inputs) -> None:
    """A pattern that matched no file where the inputs were selected is a configuration error."""
    if inputs.unmatched:
        raise ConfigError(
            f"{config.source}: units.{inputs.unit.name}.inputs: pattern {inputs.unmatched[0]!r} "
            f"matches no file in {inputs.snapshot.label}; fix the pattern or remove it"
        )


def _refuse_unmerged(config: Config, head: Snapshot) -> None:
    """An input still in conflict has no content to hash: the merge must be resolved first."""
    for path in sorted(head.unmerged - config.version_files):
        for unit in config.units:
            if unit.selects(path):
                raise VersionbotError(
                    f"{visible(path)}: an input of unit {unit.name} is unmerged (a merge conflict); "
                    "resolve it and stage the result (`git add`), then run versionbot again"
                )


def survey(
    config: Config, snapshot: Snapshot, digests: Digests | None, memory: Memory | None = None
) -> tuple[UnitState, ...]:
    """Every unit's recorded version; with `digests`, also whether its hashes are current
    (dependencies count at their recorded versions)."""
    memory = Memory() if memory is None else memory
    verified = memory.verified
    records = Records(memory)
    recorded = {unit.name: records.read(snapshot, unit) for unit in config.units}
    states: list[UnitState] = []
    for unit in config.units:
        (found, file_id) = recorded[unit.name]
        record, problem = found.record, found.problem
        if record is None and problem is None:
            problem = f"{unit.version_file} does not exist; run `versionbot bump`"
        elif record is not None and digests is not None:
            depends = {name: _recorded_version(recorded[name][0]) for name in unit.depends_on}
            inputs = Inputs(unit, snapshot, digests, config)
            current = fingerprint(
                inputs=inputs, record=record, file_id=file_id, depends=depends, verified=verified
            )
            _refuse_unmatched(config, inputs)
            if current != record.inputs_hash:
                problem = "the recorded hashes do not match the inputs; run `versionbot bump`"
        states.append(
            UnitState(
                unit=unit.name,
                version_file=unit.version_file,
                version=record.version if record else None,
                recorded_hash=record.inputs_hash if record else None,
                is_current=problem is None,
                problem=problem,
            )
        )
    return tuple(states)


def _recorded_version(recorded: Recorded) -> int:
    return recorded.record.version if recorded.record else 0
