"""What one run learns that the next can reuse (pure): kept by git.py under the git directory.

Every entry is keyed by content (git object ids, and the hash revision), so a stale entry can only go
unused, never give a wrong answer; an unreadable cache is an empty one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from versionbot import __version__

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
            data = json.loads(text)
            verified, records, blobs = data["verified"], data["records"], data["blobs"]
            if data["versionbot"] != __version__:  # another release may read version files differently
                return cls()
        except (ValueError, KeyError, TypeError):
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
