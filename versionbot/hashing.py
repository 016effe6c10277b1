"""Hash revision 1: file digests with line endings normalised, and the canonical `inputs_hash`.

This is a published algorithm: the same inputs give the same hashes forever, on every platform.
A change here is a new hash revision, never an edit (tests/test_golden.py pins it).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any, Protocol, TypeVar

from versionbot.attributes import Attributes, TextMode
from versionbot.snapshot import Entry, EntryKind, Snapshot

HASH_REVISION = 1
T = TypeVar("T")
NUL_WINDOW = 8000  # git's own rule: a NUL in the first 8000 bytes means binary


def file_digest(chunks: Iterable[bytes], mode: TextMode) -> str:
    """Digest of a file's content; text has every CRLF replaced by LF, even across chunks."""
    if isinstance(chunks, tuple) and len(chunks) == 1:  # the common case: a blob read whole
        data = chunks[0]
        if mode is TextMode.AUTO:
            mode = TextMode.BINARY if data.find(b"\0", 0, NUL_WINDOW) != -1 else TextMode.TEXT
        if mode is TextMode.TEXT:
            data = data.replace(b"\r\n", b"\n")
        return "sha256:" + hashlib.sha256(data).hexdigest()
    iterator: Iterator[bytes] = iter(chunks)
    if mode is TextMode.AUTO:
        head: list[bytes] = []
        size = 0
        for chunk in iterator:
            head.append(chunk)
            size += len(chunk)
            if size >= NUL_WINDOW:
                break
        mode = TextMode.BINARY if b"\0" in b"".join(head)[:NUL_WINDOW] else TextMode.TEXT
        iterator = itertools.chain(head, iterator)
    digest = hashlib.sha256()
    if mode is TextMode.BINARY:
        for chunk in iterator:
            digest.update(chunk)
    else:
        carry = b""  # a trailing CR waits for the next chunk: it may start with LF
        for chunk in iterator:
            joined = carry + chunk
            carry = b"\r" if joined.endswith(b"\r") else b""
            digest.update(joined[: len(joined) - len(carry)].replace(b"\r\n", b"\n"))
        digest.update(carry)
    return "sha256:" + digest.hexdigest()


def link_digest(target: bytes) -> str:
    return "sha256:" + hashlib.sha256(b"symlink:" + target).hexdigest()


def entry_digest(entry: Entry, content: Iterable[bytes], mode: TextMode) -> str:
    """Digest of one snapshot entry; `content` is only read for files and links."""
    if entry.kind is EntryKind.SUBMODULE:
        return "git:" + entry.oid
    if entry.kind is EntryKind.LINK:
        return link_digest(b"".join(content))
    return file_digest(content, mode)


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def inputs_hash(
    inputs: Mapping[str, str],
    values: Mapping[str, Any] | None = None,
    depends: Mapping[str, int | str] | None = None,
) -> str:
    """The fingerprint: options join the hashed object only when used, so old hashes never move."""
    obj: dict[str, Any] = {"inputs": dict(inputs)}
    if values:
        obj["values"] = dict(values)
    if depends:
        obj["depends"] = dict(depends)
    return "sha256:" + hashlib.sha256(canonical_json(obj)).hexdigest()


class BatchMap(Protocol):
    """Runs `function` over a batch, `retry` where it gives None (parallel.py has one on two cores)."""

    def __call__(
        self, function: Callable[[T], str | None], items: Sequence[T], retry: Callable[[T], str]
    ) -> list[str]: ...


def one_by_one(
    function: Callable[[T], str | None], items: Sequence[T], retry: Callable[[T], str]
) -> list[str]:
    return [function(item) or retry(item) for item in items]


class Digests:
    """Digests of snapshot entries, each blob hashed at most once per run.

    Keyed by git's object id and the text mode, which together determine the digest; `cache` lets
    several instances share what they hashed; `map_batch` runs `prefetch`'s batch.
    """

    def __init__(
        self, cache: MutableMapping[str, str] | None = None, *, map_batch: BatchMap = one_by_one
    ) -> None:
        self._cache: MutableMapping[str, str] = {} if cache is None else cache
        self._map_batch = map_batch
        self._attributes: dict[int, tuple[Snapshot, Attributes]] = {}
        self.hashed = 0  # blobs actually read and hashed, for tests and benchmarks
        self.unparsed: dict[str, str] = {}  # blob id -> why a lock file fell back to its bytes
        self._locked: dict[tuple[str, str], Any] = {}  # (blob id, method) -> Locked, or its LockError

    def attributes(self, snapshot: Snapshot) -> Attributes:
        known = self._attributes.get(id(snapshot))
        if known is None:

            def load(directory: str) -> bytes | None:  # bytes: git matches and limits lines by bytes
                return snapshot.read_file(f"{directory}/.gitattributes" if directory else ".gitattributes")

            known = (snapshot, Attributes(load))  # the snapshot is kept so its id stays unique
            self._attributes[id(snapshot)] = known
        return known[1]

    def of(self, snapshot: Snapshot, entry: Entry, method: str | None = None) -> str:
        """The entry's digest: by its bytes, or with a lock `method` by what the lock installs (by its
        bytes after all when it does not parse as that format, `unparsed` saying why)."""
        if entry.kind is EntryKind.SUBMODULE:
            return "git:" + entry.oid
        if method is not None and entry.kind is EntryKind.FILE:
            key = f"{entry.oid}:{method}"
            digest = self._cache.get(key)
            if digest is None:
                digest = self._cache[key] = self._lock_digest(snapshot, entry, method)
            return digest
        mode = self.attributes(snapshot).text_mode(entry.path) if entry.kind is EntryKind.FILE else None
        key = _key(entry, mode)
        digest = self._cache.get(key)
        if digest is None:
            digest = self._cache[key] = entry_digest(entry, snapshot.read(entry), mode or TextMode.BINARY)
            self.hashed += 1
        return digest

    def locked(self, snapshot: Snapshot, entry: Entry, method: str) -> Any:
        """What a lock file installs (`locks.Locked`), parsed once per blob and run; raises its
        `locks.LockError` when it does not parse."""
        from versionbot import locks  # only a changed or semantically hashed lock is ever read

        key = (entry.oid, method)
        if key not in self._locked:
            try:
                self._locked[key] = locks.read(method, _bounded(snapshot.read(entry), LOCK_LIMIT))
            except locks.LockError as error:
                self._locked[key] = error
        found = self._locked[key]
        if isinstance(found, Exception):
            raise found
        return found

    def _lock_digest(self, snapshot: Snapshot, entry: Entry, method: str) -> str:
        from versionbot import locks

        self.hashed += 1
        try:
            return locks.digest(method, self.locked(snapshot, entry, method))
        except locks.LockError as error:
            self.unparsed[entry.oid] = (
                f"does not parse as its format ({method}): {error}; digested by its bytes"
            )
            return self.of(snapshot, entry)

    def prefetch(self, snapshot: Snapshot, entries: Iterable[Entry]) -> None:
        """Hash the files among `entries` that `of` would hash, as one batch. `map_batch` may run
        `from_checkout` in another process: it reads only what lies in the checkout."""
        text_mode = self.attributes(snapshot).text_mode
        batch: dict[str, tuple[Entry, TextMode]] = {}
        for entry in entries:
            if entry.kind is EntryKind.FILE:
                mode = text_mode(entry.path)
                key = _key(entry, mode)
                if key not in self._cache:
                    batch[key] = (entry, mode)

        def from_checkout(job: tuple[Entry, TextMode]) -> str | None:
            data = snapshot.read_checked_out(job[0])
            return file_digest((data,), job[1]) if data is not None else None

        def from_snapshot(job: tuple[Entry, TextMode]) -> str:
            return file_digest(snapshot.read(job[0]), job[1])

        digests = self._map_batch(from_checkout, list(batch.values()), from_snapshot)
        self._cache.update(zip(batch, digests, strict=True))
        self.hashed += len(batch)


LOCK_LIMIT = 64 << 20  # bytes: a larger lock file is digested by its bytes, streamed, never parsed


def _bounded(chunks: Iterable[bytes], limit: int) -> bytes:
    """The chunks joined, or a `LockError` once they pass `limit` (read no further)."""
    from versionbot import locks

    joined, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise locks.LockError(f"larger than {limit >> 20} MiB")
        joined.append(chunk)
    return b"".join(joined)


def _key(entry: Entry, mode: TextMode | None) -> str:
    """What determines a digest: the blob, how its line endings are read, the hash revision."""
    return entry.oid + _KEY_SUFFIXES[mode]


_KEY_SUFFIXES = {mode: f":{mode.value if mode else 'link'}:{HASH_REVISION}" for mode in (*TextMode, None)}
