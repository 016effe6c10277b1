"""Version files (format 1): parse and validate, render canonical bytes, and say which files
`bump` may overwrite (pure; writer.py writes them)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from versionbot import safejson
from versionbot.schemes import Version, is_version

FORMAT = 1
KNOWN_KEYS = frozenset(
    {"depends", "format", "hash", "inputs", "inputs_hash", "parts", "unit", "values", "version"}
)
PART_LIMIT = 10**18  # a part's number has at most 18 digits, as in the version string
HASH_REVISIONS = (1,)  # the hash revisions this versionbot reads; `hash` absent means 1
BYTES_METHODS = frozenset({"sha256", "git"})  # a file's or link's bytes; a submodule's commit


def digest_method(digest: str) -> str:
    """The method a recorded digest was made with: `sha256`, `git`, or a lock method (`uv-lock-1`)."""
    return digest.partition(":")[0]


class InvalidVersionFile(ValueError):
    """The file cannot be used; the message says why, in words."""


class FutureFormat(InvalidVersionFile):
    """Written by a newer versionbot: refused, and never rewritten."""


@dataclass(frozen=True)
class PartRecord:
    """One part of a `parts` unit: its number and the fingerprint of its own inputs."""

    version: int
    inputs_hash: str


@dataclass(frozen=True, kw_only=True)
class VersionFile:
    unit: str
    version: Version
    inputs: Mapping[str, str]
    inputs_hash: str
    values: Mapping[str, Any] = field(default_factory=dict)
    depends: Mapping[str, Version] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # users' own keys, kept and never hashed
    parts: Mapping[str, PartRecord] = field(default_factory=dict)  # the `parts` scheme's parts
    # `special_digests`, when a summary gave them (compared never: they follow from `inputs`)
    specials: tuple[tuple[str, str], ...] | None = field(default=None, compare=False, repr=False)

    def has_same_hashes(self, other: VersionFile) -> bool:
        """Records the same inputs, values and dependencies (the version aside)."""
        return (
            self.inputs_hash == other.inputs_hash
            and (self.inputs is other.inputs or dict(self.inputs) == dict(other.inputs))
            and dict(self.values) == dict(other.values)
            and dict(self.depends) == dict(other.depends)
            and dict(self.parts) == dict(other.parts)
        )


def parse(data: bytes, *, unit: str, formerly: tuple[str, ...] = ()) -> VersionFile:
    """Validate the bytes of the version file that belongs to `unit`, or was written for one of its
    former names, `formerly` (the record then says which)."""
    try:
        obj = safejson.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InvalidVersionFile(f"not UTF-8 (byte {error.start})") from None
    except safejson.JSONError as error:
        if has_conflict_markers(data):
            raise InvalidVersionFile("it holds merge-conflict markers") from None
        raise InvalidVersionFile(str(error)) from None
    if not isinstance(obj, dict):
        raise InvalidVersionFile("the top level must be a JSON object")
    file_format = obj.get("format")
    if not _is_int(file_format):
        raise InvalidVersionFile('"format" must be an integer (1)')
    if file_format > FORMAT:
        raise FutureFormat(
            f'it has "format": {file_format}, but this versionbot reads format {FORMAT}; '
            "install a newer versionbot (it was left untouched)"
        )
    if file_format < 1:
        raise InvalidVersionFile(f'"format" {file_format} does not exist; the first format is 1')
    if obj.get("unit") not in (unit, *formerly) or not isinstance(obj["unit"], str):
        found = f"is {repr(obj['unit'])[:80]}" if "unit" in obj else "is missing"
        raise InvalidVersionFile(f'"unit" {found}, but this file belongs to unit {unit!r}')
    version = obj.get("version")
    if not isinstance(version, int | str) or not is_version(version):
        raise InvalidVersionFile(
            '"version" must be an integer of at least 1, "MAJOR.MINOR.PATCH", or parts such as "2+3"'
        )
    revision = obj.get("hash", 1)
    if not _is_int(revision):
        raise InvalidVersionFile('"hash" must be an integer (the hash revision)')
    if revision < 1:
        raise InvalidVersionFile(f'"hash" {revision} does not exist; the first hash revision is 1')
    if revision not in HASH_REVISIONS:
        raise FutureFormat(
            f'it has "hash": {revision}, but this versionbot knows hash revision '
            f"{', '.join(map(str, HASH_REVISIONS))}; install a newer versionbot (it was left untouched)"
        )
    inputs = obj.get("inputs")
    if not isinstance(inputs, dict) or not set(map(type, inputs.values())) <= {str}:
        raise InvalidVersionFile('"inputs" must be an object mapping paths to digests')
    known = _known_methods()
    unknown = sorted({digest_method(digest) for digest in inputs.values()} - known)
    if unknown:
        raise FutureFormat(
            f"its digests use method {unknown[0][:40]!r}, which this versionbot does not know; install a "
            "newer versionbot (it was left untouched)"
        )
    if not isinstance(obj.get("inputs_hash"), str):
        raise InvalidVersionFile('"inputs_hash" must be a string')
    values = obj.get("values", {})
    if not isinstance(values, dict):
        raise InvalidVersionFile('"values" must be an object')
    depends = obj.get("depends", {})
    if not isinstance(depends, dict) or not all(map(is_version, depends.values())):
        raise InvalidVersionFile(
            '"depends" must map unit names to versions (integers, "MAJOR.MINOR.PATCH", or parts)'
        )
    return VersionFile(
        parts=_parts(obj.get("parts", {})),
        unit=obj["unit"],
        version=version,
        inputs=inputs,
        inputs_hash=obj["inputs_hash"],
        values=values,
        depends=depends,
        extra={key: value for key, value in obj.items() if key not in KNOWN_KEYS},
    )


def _parts(parts: Any) -> dict[str, PartRecord]:
    problem = InvalidVersionFile('"parts" must map part names to {"version": N, "inputs_hash": "sha256:..."}')
    if not isinstance(parts, dict):
        raise problem
    records = {}
    for name, part in parts.items():
        if not isinstance(part, dict) or set(part) != {"version", "inputs_hash"}:
            raise problem
        version, inputs_hash = part["version"], part["inputs_hash"]
        if not (_is_int(version) and 1 <= version < PART_LIMIT and isinstance(inputs_hash, str)):
            raise problem
        records[name] = PartRecord(version, inputs_hash)
    return records


class LazyInputs(Mapping[str, str]):
    """A version file's `inputs`, read only when first asked for: most runs never need them."""

    def __init__(self, load: Callable[[], Mapping[str, str]]) -> None:
        self._load: Callable[[], Mapping[str, str]] | None = load
        self._data: Mapping[str, str] = {}

    def _loaded(self) -> Mapping[str, str]:
        if self._load is not None:
            self._data, self._load = self._load(), None
        return self._data

    def __getitem__(self, key: str) -> str:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def _known_methods() -> frozenset[str]:
    from versionbot.locks import METHODS

    return BYTES_METHODS | METHODS


def special_digests(record: VersionFile) -> tuple[tuple[str, str], ...]:
    """The record's digests whose rules could differ from a unit's: every lock file's, and every one
    not made by bytes. A summary keeps them, so rules are compared without reading `inputs`."""
    if record.specials is not None:
        return record.specials
    from versionbot.locks import method_for

    specials = tuple(
        (path, method)
        for path, digest in sorted(record.inputs.items())
        if (method := digest_method(digest)) not in BYTES_METHODS or method_for(path) is not None
    )
    # Asked for several times of one record (its summary, its rules): found once. The field takes
    # no part in comparisons, so filling it in changes nothing else about the record.
    object.__setattr__(record, "specials", specials)
    return specials


def to_summary(record: VersionFile) -> list[Any]:
    """Everything but `inputs`, as JSON, for the cache (see cache.py)."""
    specials = [list(pair) for pair in special_digests(record)]
    return [
        record.unit,
        record.version,
        record.inputs_hash,
        record.values,
        record.depends,
        record.extra,
        specials,
        {name: [part.version, part.inputs_hash] for name, part in record.parts.items()},
    ]


def from_summary(
    summary: Any, names: tuple[str, ...], load_inputs: Callable[[], Mapping[str, str]]
) -> VersionFile | None:
    """The record a summary describes, or None when it is not a summary of a file written for one
    of `names`."""
    if not isinstance(summary, list) or len(summary) != 8 or summary[0] not in names:
        return None
    unit, version, inputs_hash, values, depends, extra, specials, parts = summary
    if not (is_version(version) and isinstance(inputs_hash, str) and isinstance(parts, dict)):
        return None
    if not all(isinstance(part, list) and len(part) == 2 for part in parts.values()):
        return None
    if not (isinstance(values, dict) and isinstance(depends, dict) and isinstance(extra, dict)):
        return None
    if not isinstance(specials, list) or not all(
        isinstance(pair, list) and len(pair) == 2 for pair in specials
    ):
        return None
    return VersionFile(
        specials=tuple((str(path), str(method)) for path, method in specials),
        unit=unit,
        version=version,
        inputs=LazyInputs(load_inputs),
        inputs_hash=inputs_hash,
        values=values,
        depends=depends,
        extra=extra,
        parts={name: PartRecord(*part) for name, part in parts.items()},
    )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def dumps(record: VersionFile) -> bytes:
    """The canonical bytes: the same on every platform, so diffs stay small."""
    obj: dict[str, Any] = dict(record.extra)
    obj.update(
        format=FORMAT,
        unit=record.unit,
        version=record.version,
        inputs=dict(record.inputs),
        inputs_hash=record.inputs_hash,
    )
    if record.values:
        obj["values"] = dict(record.values)
    if record.depends:
        obj["depends"] = dict(record.depends)
    if record.parts:
        obj["parts"] = {
            name: {"inputs_hash": part.inputs_hash, "version": part.version}
            for name, part in record.parts.items()
        }
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


_CONFLICT_MARKER = re.compile(rb"^(<{7}|>{7})(?: |$)", re.MULTILINE)


def has_conflict_markers(data: bytes) -> bool:
    return _CONFLICT_MARKER.search(data) is not None


def is_replaceable(data: bytes) -> bool:
    """Whether `bump` may overwrite a file holding `data`: a version file or the wreck of one (an
    empty file, a file with merge-conflict markers, text that mentions "inputs_hash"), never a lock
    file, a manifest or a source file that a unit's `version-file` happens to name."""
    if not data.strip() or has_conflict_markers(data) or b'"inputs_hash"' in data:
        return True
    try:
        obj = safejson.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, safejson.JSONError):
        return False
    return isinstance(obj, dict) and ("format" in obj or "inputs_hash" in obj)
