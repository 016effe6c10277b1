"""The merge driver's rule (pure): two sides of a version file and their ancestor merged into one
record, never into conflict markers. DESIGN.md "Merge driver".

Two branches that each bumped a unit 1 -> 2 made two changes, so the merge holds 3; a side that
did not raise the version leaves the other's. The manifest, values and dependencies merge entry by
entry (the side that changed an entry wins; where both changed it differently, ours), and the
fingerprint is recomputed from what results: `versionbot check` then says whether the merged inputs
still need `bump` to refresh the hashes.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from versionbot import safejson
from versionbot.hashing import inputs_hash
from versionbot.schemes import Scheme, Version
from versionbot.versionfile import InvalidVersionFile, PartRecord, VersionFile, dumps, parse

T = TypeVar("T")
_ABSENT: Any = object()


class NotMergeable(ValueError):
    """A side is not a version file: git reports the conflict as usual."""


def merge_version_files(
    ancestor: bytes | None, ours: bytes, theirs: bytes, scheme: Scheme, base: VersionFile | None = None
) -> bytes:
    """The merged version file; `ancestor` is None (or empty) when both sides added the file.

    `base` is the unit's record at the base the merge will have (where it is known): the merged
    record then holds what `bump` would write there, its version if the merged inputs are its own,
    else the next one. Without it, both sides' raises count as two changes. The difference shows on
    a branch two people share: each bumped 1 -> 2 for one change against main, which is 2, not 3.
    """
    mine = _record(ours, "ours")
    other = _record(theirs, "theirs")
    before = _record(ancestor, "the ancestor") if ancestor and ancestor.strip() else None
    if mine == other or (before is not None and other == before):
        return dumps(mine)
    if before is not None and mine == before:
        return dumps(other)
    common = before
    inputs = _merged(common.inputs if common else {}, mine.inputs, other.inputs)
    values = _merged(common.values if common else {}, mine.values, other.values)
    depends = _merged(common.depends if common else {}, mine.depends, other.depends)
    parts: dict[str, PartRecord] = {}
    if scheme.parts:
        parts = _merged_parts(scheme, common, mine, other, base)
        version: Version = scheme.join({name: part.version for name, part in parts.items()})
    elif base is not None:
        is_base_own = (dict(base.inputs), dict(base.values), dict(base.depends)) == (inputs, values, depends)
        version = base.version if is_base_own else scheme.next(base.version, "patch")
    else:
        if not all(scheme.is_valid(side.version) for side in (mine, other, *([common] if common else []))):
            raise NotMergeable(f"a side's version does not follow the {scheme.name} scheme")
        higher = max(mine.version, other.version, key=scheme.key)
        lower = min(mine.version, other.version, key=scheme.key)
        both_raised = common is not None and scheme.key(lower) > scheme.key(common.version)
        version = scheme.next(higher, "patch") if both_raised else higher
    return dumps(
        VersionFile(
            unit=mine.unit,
            version=version,
            inputs=inputs,
            inputs_hash=inputs_hash(inputs, values, depends),
            values=values,
            depends=depends,
            extra=_merged(common.extra if common else {}, mine.extra, other.extra),
            parts=parts,
        )
    )


def _merged_parts(
    scheme: Scheme,
    common: VersionFile | None,
    mine: VersionFile,
    other: VersionFile,
    base: VersionFile | None,
) -> dict[str, PartRecord]:
    """A `parts` record merged part by part, each by the integer rule above: a part's fingerprint
    from the side that changed it, its number what `bump` would write at `base` where that is known.
    A side written before a part was added (or after one was removed) merges by the parts it has."""
    common_parts, mine_parts, other_parts = (_part_records(scheme, side) for side in (common, mine, other))
    merged = _merged(common_parts, mine_parts, other_parts)
    parts = {}
    for name in scheme.parts:
        fingerprint = merged[name].inputs_hash if name in merged else ""
        if base is not None:
            before = base.parts.get(name)
            number = 1 if before is None else before.version + (fingerprint != before.inputs_hash)
        else:
            sides = [side[name].version for side in (mine_parts, other_parts) if name in side]
            raised = name in common_parts and len(sides) == 2 and min(sides) > common_parts[name].version
            number = max(sides, default=1) + raised
        parts[name] = PartRecord(number, fingerprint)
    return parts


def _part_records(scheme: Scheme, record: VersionFile | None) -> dict[str, PartRecord]:
    """Each part's number and fingerprint: from the record's `parts`, by name; a part it lacks
    there takes its number from the version string, where that fits the scheme's parts."""
    if record is None:
        return {}
    split = scheme.split(record.version) if scheme.is_valid(record.version) else {}
    if not (record.parts or split):
        raise NotMergeable(f"a side's version {record.version!r} is not {len(scheme.parts)} parts")
    records = dict(record.parts)
    for name, number in split.items():
        records.setdefault(name, PartRecord(number, ""))
    return records


def _merged(base: Mapping[str, T], ours: Mapping[str, T], theirs: Mapping[str, T]) -> dict[str, T]:
    """Key by key: the side that changed a key wins; where both changed it differently, ours."""
    merged: dict[str, T] = {}
    for key in sorted(ours.keys() | theirs.keys()):
        before, mine, other = base.get(key, _ABSENT), ours.get(key, _ABSENT), theirs.get(key, _ABSENT)
        chosen = other if mine == before else mine
        if chosen is not _ABSENT:
            merged[key] = chosen
    return merged


def _record(data: bytes, side: str) -> VersionFile:
    try:
        unit = safejson.loads(data.decode("utf-8")).get("unit")
    except (UnicodeDecodeError, safejson.JSONError, AttributeError):
        unit = None
    if not isinstance(unit, str):
        raise NotMergeable(f'{side} is not a version file (no "unit" in a JSON object)')
    try:
        return parse(data, unit=unit)
    except InvalidVersionFile as error:
        raise NotMergeable(f"{side} is not a version file: {error}") from None


# Installing it ---------------------------------------------------------------------------------

DRIVER = "versionbot"  # `merge=versionbot` in .gitattributes, `merge.versionbot.driver` in git config
DRIVER_NAME = "versionbot version files"
_GLOB = re.compile(r"([*?\[\\])")


def attribute_line(version_file: str) -> str:
    """The `.gitattributes` line that hands one version file to the driver: anchored at the root
    (a bare name would match at every depth), wildcards escaped, quoted where it holds a space."""
    pattern = "/" + _GLOB.sub(r"\\\1", version_file)
    if any(char in pattern for char in ' \t"'):
        pattern = '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{pattern} merge={DRIVER}"


def with_attribute_lines(text: str, version_files: Sequence[str]) -> str | None:
    """`.gitattributes` text with a line for every version file it lacks (None: it has them all),
    in the file's own line endings."""
    newline = "\r\n" if "\r\n" in text else "\n"
    present = set(text.splitlines())
    missing = [line for line in map(attribute_line, version_files) if line not in present]
    if not missing:
        return None
    if text and not text.endswith(("\n", "\r")):
        text += newline
    return text + "".join(line + newline for line in missing)


def driver_command(python: str) -> str:
    """The `merge.versionbot.driver` git runs (through the shell, `%O %A %B %P` filled in)."""
    return f"{shlex.quote(python)} -m versionbot merge-driver %O %A %B %P"
