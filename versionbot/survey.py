"""Every unit's recorded version in one snapshot, and whether its record is current: for `status`,
`export` and `verify` (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from versionbot.cache import Memory, fingerprint, is_vouched_for
from versionbot.config import Config, Unit
from versionbot.errors import VersionbotError
from versionbot.findings import UnitState
from versionbot.hashing import Digests, inputs_hash
from versionbot.inputs import Inputs
from versionbot.plan import part_hashes, refuse_unmatched, with_values_from
from versionbot.records import Recorded, Records
from versionbot.rules import is_under_rules, own_rules
from versionbot.schemes import Version
from versionbot.snapshot import Entry, Snapshot
from versionbot.versionfile import VersionFile


def survey(
    config: Config,
    snapshot: Snapshot,
    digests: Digests | None,
    memory: Memory | None = None,
    *,
    is_deployed: bool = False,
) -> tuple[UnitState, ...]:
    """Every unit's recorded version; with `digests`, also whether its hashes are current
    (dependencies count at their recorded versions). `is_deployed`: the snapshot is a tree someone
    deployed (`verify`), where a pattern that matches nothing is a finding, not a configuration
    error."""
    memory = Memory() if memory is None else memory
    verified = memory.verified
    records = Records(memory)
    recorded = {unit.name: records.read(snapshot, unit) for unit in config.units}
    inputs_of: dict[str, Inputs] = {}
    if digests is not None:  # what no verified record vouches for is hashed in one batch
        unvouched: list[Entry] = []
        for unit in config.units:
            (found, file_id) = recorded[unit.name]
            if found.record is not None:
                inputs = inputs_of[unit.name] = Inputs(
                    with_values_from(config, unit, snapshot), snapshot, digests, config
                )
                if not is_vouched_for(inputs, found.record, file_id, verified):
                    try:
                        unvouched.extend(inputs.entries.values())
                    except VersionbotError:
                        if not is_deployed:
                            raise  # else: told as this unit's finding below
        digests.prefetch(snapshot, unvouched)
    states: list[UnitState] = []
    for unit in config.units:
        (found, file_id) = recorded[unit.name]
        record, problem = found.record, found.problem
        if record is None and problem is None:
            problem = f"{unit.version_file} does not exist" + (
                "" if is_deployed else "; run `versionbot bump`"
            )
        elif record is not None and digests is not None:
            try:
                problem = _problem(
                    config,
                    unit,
                    record=record,
                    inputs=inputs_of[unit.name],
                    file_id=file_id,
                    recorded=recorded,
                    verified=verified,
                    is_deployed=is_deployed,
                )
            except VersionbotError as error:
                if not is_deployed:
                    raise
                problem = str(error)  # a tree someone deployed: one unit's unreadable file is its finding
        version = record.version if record else None
        requires = [
            config.unit(name).deploy(_recorded_version(recorded[name][0])) for name in unit.depends_on
        ]
        states.append(
            UnitState(
                unit=unit.name,
                version_file=unit.version_file,
                version=version,
                recorded_hash=record.inputs_hash if record else None,
                is_current=problem is None,
                problem=problem,
                deploy_name=unit.deploy(version),
                requires=tuple(name for name in requires if name is not None),
                values=record.values if record else {},
                extra=record.extra if record else {},
            )
        )
    return tuple(states)


def _problem(
    config: Config,
    unit: Unit,
    *,
    record: VersionFile,
    inputs: Inputs,
    file_id: str | None,
    recorded: Mapping[str, tuple[Recorded, str | None]],
    verified: set[str],
    is_deployed: bool,
) -> str | None:
    """Why a unit's record is not current in the snapshot, or None."""
    resolved = inputs.unit
    # a dependency without a readable record counts as version 0, which no record holds
    depends: dict[str, Version] = {
        name: _recorded_version(recorded[name][0]) or 0 for name in unit.depends_on
    }
    own: Mapping[str, str] | None = None
    if is_under_rules(record, resolved):
        current = fingerprint(
            inputs=inputs, record=record, file_id=file_id, depends=depends, verified=verified
        )
    else:  # a record is read by its own rules
        own = inputs.under(own_rules(record, resolved))
        current = inputs_hash(own, resolved.values, depends)
    if not is_deployed:
        refuse_unmatched(config, inputs)
    if current == record.inputs_hash and not resolved.parts:
        return None  # the common answer: no manifest is read for it
    manifest = inputs.manifest if own is None else own
    fix = "" if is_deployed else "; run `versionbot bump`"
    if current == record.inputs_hash:  # a parts unit's record holds each part's fingerprint too
        recorded_parts = {name: part.inputs_hash for name, part in record.parts.items()}
        parts = part_hashes(resolved, manifest, resolved.values, depends)
        wrong = [name for name, digest in parts.items() if recorded_parts.get(name) != digest]
        if not wrong:
            return None
        return f"the recorded fingerprint of part {wrong[0]} does not match its inputs{fix}"
    differs = _differing(record, manifest, resolved.values, depends)
    return f"the recorded hashes do not match the inputs ({differs}){fix}"


def _differing(
    record: VersionFile,
    manifest: Mapping[str, str],
    values: Mapping[str, Any],
    depends: Mapping[str, Version],
) -> str:
    """What differs between a record and the inputs, in words: the first few paths, values, units."""
    recorded = record.inputs
    words = [f"modified {p}" for p in sorted(manifest) if p in recorded and recorded[p] != manifest[p]]
    words += [f"added {p}" for p in sorted(manifest) if p not in recorded]
    words += [f"removed {p}" for p in sorted(recorded) if p not in manifest]
    words += [
        f"value {key}"
        for key in sorted(values.keys() | record.values.keys())
        if values.get(key) != record.values.get(key)
    ]
    words += [f"depends {name}" for name in sorted(depends) if record.depends.get(name) != depends[name]]
    if not words:
        return "the recorded inputs_hash is not the hash of what it records"
    return ", ".join(words[:10]) + (f" and {len(words) - 10} more" if len(words) > 10 else "")


def _recorded_version(recorded: Recorded) -> Version | None:
    return recorded.record.version if recorded.record else None
