"""What one run learns that the next can reuse, and the rule of what that lets a run skip (pure).

The memory is kept by git.py under the git directory. Every entry is keyed by content (git object
ids, and the hash revision), so a stale entry can only go unused, never give a wrong answer; an
unreadable cache is an empty one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableSet
from dataclasses import dataclass, field
from typing import Any

from versionbot import __version__
from versionbot.hashing import inputs_hash
from versionbot.inputs import Inputs
from versionbot.versionfile import VersionFile

LIMIT = 50_000  # entries of each kind kept; dropping some only costs time


@dataclass
class Memory:
    # "input key:version-file id" for version files that record exactly their inputs (plan.py)
    verified: set[str] = field(default_factory=set)
    # version-file blob id -> [unit, version, inputs_hash, values, depends, extra]: all but `inputs`
    records: dict[str, list[Any]] = field(default_factory=dict)
    # "tree id/name" -> [blob id, mode]: files found in a tree without reading it (git.py)
    blobs: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> Memory:
        try:
            # Our own file under .git, and large: the standard parser, with its one deep-nesting
            # failure caught, reads it several times faster than the bounded one.
            data = json.loads(text)
            verified, records, blobs = data["verified"], data["records"], data["blobs"]
            if data["versionbot"] != __version__:  # another release may read version files differently
                return cls()
        except (ValueError, KeyError, TypeError, RecursionError):
            return cls()
        if not (isinstance(verified, list) and isinstance(records, dict) and isinstance(blobs, dict)):
            return cls()
        return cls({item for item in verified if isinstance(item, str)}, records, blobs)

    @property
    def size(self) -> int:
        return len(self.verified) + len(self.records) + len(self.blobs)

    def merged(self, other: Memory) -> Memory:
        """This run's entries over another's (a concurrent run's), within the limits."""
        verified = sorted(other.verified - self.verified)[: max(0, LIMIT - len(self.verified))]
        return Memory(
            self.verified | set(verified),
            _merged(self.records, other.records),
            _merged(self.blobs, other.blobs),
        )

    def to_json(self) -> str:
        data = {
            "versionbot": __version__,
            "verified": sorted(self.verified),
            "records": self.records,
            "blobs": self.blobs,
        }
        return json.dumps(data, sort_keys=True)


def _merged(mine: dict[str, list[Any]], theirs: dict[str, list[Any]]) -> dict[str, list[Any]]:
    merged = dict(list(theirs.items())[: max(0, LIMIT - len(mine))])
    merged.update(mine)
    return merged


def fingerprint(
    *,
    inputs: Inputs,
    record: VersionFile | None,
    file_id: str | None,
    depends: Mapping[str, int | str],
    verified: MutableSet[str],
) -> str:
    """The unit's fingerprint in `inputs.snapshot`, from a verified version file when possible.

    A version file is verified for an input key when its `inputs` are exactly the manifest those
    inputs have and its `inputs_hash` is right for what it records: its manifest can be trusted
    without hashing a file, and its hash too when the values and dependencies are unchanged.
    """
    token = verified_token(inputs, file_id)
    if record is not None and is_vouched_for(inputs, record, file_id, verified):
        inputs.trust(record.inputs)
    elif (
        token is not None
        and record is not None
        and dict(record.inputs) == inputs.manifest
        and record.inputs_hash == inputs_hash(record.inputs, record.values, record.depends)
    ):
        verified.add(token)
    is_as_recorded = (
        record is not None
        and dict(record.values) == dict(inputs.unit.values)
        and dict(record.depends) == depends
    )
    if record is not None and is_as_recorded and token in verified:
        return record.inputs_hash
    return inputs_hash(inputs.manifest, inputs.unit.values, depends)


def verified_token(inputs: Inputs, file_id: str | None) -> str | None:
    """What `verified` holds once a version file (by its blob id) matched these inputs."""
    key = inputs.key
    return f"{key}:{file_id}" if key and file_id else None


def is_vouched_for(
    inputs: Inputs, record: VersionFile | None, file_id: str | None, verified: MutableSet[str]
) -> bool:
    """Whether the version file's manifest is known to be the inputs' (see `fingerprint`)."""
    return record is not None and verified_token(inputs, file_id) in verified
