"""Hash revision 1: normalised file digests and the canonical `inputs_hash` (pure, no git)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from versionbot.attributes import TextMode
from versionbot.hashing import Digests, entry_digest, file_digest, inputs_hash, link_digest
from versionbot.snapshot import Entry, EntryKind


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)] or [b""]


@pytest.mark.parametrize(
    ("content", "mode", "hashed"),
    [
        (b"a\r\nb\r\n", TextMode.TEXT, b"a\nb\n"),
        (b"a\r\nb\r\n", TextMode.AUTO, b"a\nb\n"),
        (b"a\r\nb\r\n", TextMode.BINARY, b"a\r\nb\r\n"),
        (b"a\rb\r", TextMode.TEXT, b"a\rb\r"),  # a lone CR stays
        (b"a\r\r\nb", TextMode.TEXT, b"a\r\nb"),  # only the CR right before LF goes
        (b"a\n\rb", TextMode.TEXT, b"a\n\rb"),  # LF CR is not CRLF
        (b"\r\n\r\n", TextMode.TEXT, b"\n\n"),
        (b"\r", TextMode.TEXT, b"\r"),
        (b"", TextMode.TEXT, b""),
        (b"", TextMode.AUTO, b""),
        (b"\xef\xbb\xbfbom \t \r\n", TextMode.TEXT, b"\xef\xbb\xbfbom \t \n"),  # no BOM or space stripping
        (b"nul\0\r\n", TextMode.AUTO, b"nul\0\r\n"),  # AUTO with a NUL: binary
        (b"nul\0\r\n", TextMode.TEXT, b"nul\0\n"),  # attributes say text: normalised anyway
        (b"\xff\xfe\r\n", TextMode.AUTO, b"\xff\xfe\n"),  # not UTF-8 is still text without a NUL
    ],
)
def test_file_digest(content: bytes, mode: TextMode, hashed: bytes) -> None:
    assert file_digest([content], mode) == sha(hashed)
    assert file_digest(iter([content[i : i + 1] for i in range(len(content))]), mode) == sha(hashed)


@pytest.mark.parametrize(
    ("nul_at", "is_binary"),
    [(0, True), (100, True), (7999, True), (8000, False), (8001, False), (20000, False)],
)
@pytest.mark.parametrize("chunk_size", [1000, 4096, 7999, 8000, 8001, 65536])
def test_nul_window_under_auto(nul_at: int, is_binary: bool, chunk_size: int) -> None:
    content = bytearray(b"x\r\n" * 8000)
    content[nul_at] = 0
    data = bytes(content)
    expected = sha(data) if is_binary else sha(data.replace(b"\r\n", b"\n"))
    assert file_digest(chunked(data, chunk_size), TextMode.AUTO) == expected


def test_auto_text_with_crlf_straddling_the_nul_window() -> None:
    data = b"a" * 7999 + b"\r\n" + b"\0"  # the NUL is at 8001: text; the CRLF spans bytes 7999-8000
    assert file_digest(chunked(data, 8000), TextMode.AUTO) == sha(b"a" * 7999 + b"\n\0")


def _random_crlf_bytes(rng: random.Random) -> bytes:
    return bytes(rng.choice(b"\r\r\n\nab\0") for _ in range(rng.randint(0, 40)))


def _random_chunks(rng: random.Random, data: bytes) -> list[bytes]:
    chunks: list[bytes] = []
    start = 0
    while start < len(data):
        size = rng.choice([0, 1, 1, 2, 3, 5])
        chunks.append(data[start : start + size])
        start += size
    if rng.random() < 0.5:
        chunks.insert(rng.randint(0, len(chunks)), b"")
    return chunks


@pytest.mark.parametrize("mode", [TextMode.TEXT, TextMode.BINARY, TextMode.AUTO])
def test_chunking_never_changes_the_digest(mode: TextMode) -> None:
    rng = random.Random(20240601)
    for _ in range(300):
        data = _random_crlf_bytes(rng)
        if mode is TextMode.BINARY or (mode is TextMode.AUTO and b"\0" in data):
            expected = sha(data)
        else:
            expected = sha(data.replace(b"\r\n", b"\n"))
        assert file_digest([data], mode) == expected, data
        for split in range(len(data) + 1):
            assert file_digest([data[:split], data[split:]], mode) == expected, (data, split)
        for _ in range(5):
            chunks = _random_chunks(rng, data)
            assert b"".join(chunks) == data
            assert file_digest(chunks, mode) == expected, (data, chunks)


def test_file_digest_reads_a_generator_once() -> None:
    def chunks() -> Iterator[bytes]:
        yield from (b"a\r", b"\nb" * 5000, b"\r", b"\n")

    data = b"a\r" + b"\nb" * 5000 + b"\r\n"
    assert file_digest(chunks(), TextMode.AUTO) == sha(data.replace(b"\r\n", b"\n"))


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (b"../lib/x.py", hashlib.sha256(b"symlink:../lib/x.py").hexdigest()),
        (b"a\r\nb", hashlib.sha256(b"symlink:a\r\nb").hexdigest()),  # never normalised
        (b"", hashlib.sha256(b"symlink:").hexdigest()),
    ],
)
def test_link_digest(target: bytes, expected: str) -> None:
    assert link_digest(target) == "sha256:" + expected


def test_entry_digest_by_kind() -> None:
    oid = "0123456789abcdef0123456789abcdef01234567"
    assert (
        entry_digest(Entry(path="sub", kind=EntryKind.SUBMODULE, oid=oid), [], TextMode.AUTO) == "git:" + oid
    )
    link = Entry(path="l", kind=EntryKind.LINK, oid=oid)
    assert entry_digest(link, [b"tar", b"get"], TextMode.TEXT) == sha(b"symlink:target")
    file = Entry(path="f", kind=EntryKind.FILE, oid=oid)
    assert entry_digest(file, [b"a\r", b"\n"], TextMode.TEXT) == sha(b"a\n")
    assert entry_digest(file, [b"a\r", b"\n"], TextMode.BINARY) == sha(b"a\r\n")


D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64


@pytest.mark.parametrize(
    ("inputs", "values", "depends", "canonical"),
    [
        ({}, None, None, '{"inputs":{}}'),
        ({"b.txt": D2, "a.txt": D1}, None, None, '{"inputs":{"a.txt":"' + D1 + '","b.txt":"' + D2 + '"}}'),
        ({"a.txt": D1}, {}, {}, '{"inputs":{"a.txt":"' + D1 + '"}}'),
        (
            {"a.txt": D1},
            {"runtime": "cpython-3.11"},
            None,
            '{"inputs":{"a.txt":"' + D1 + '"},"values":{"runtime":"cpython-3.11"}}',
        ),
        (
            {"a.txt": D1},
            None,
            {"framework-scipy": 5},
            '{"depends":{"framework-scipy":5},"inputs":{"a.txt":"' + D1 + '"}}',
        ),
        (
            {"z/a.txt": D1, "a/z.txt": D2},
            {"z": [1, True, "x"], "a": {"k": None, "b": "é"}},
            {"b": 2, "a": 10},
            '{"depends":{"a":10,"b":2},"inputs":{"a/z.txt":"'
            + D2
            + '","z/a.txt":"'
            + D1
            + '"},"values":{"a":{"b":"é","k":null},"z":[1,true,"x"]}}',
        ),
        (
            {"données/é.txt": D1, "日本/ß": D2},
            None,
            None,
            '{"inputs":{"données/é.txt":"' + D1 + '","日本/ß":"' + D2 + '"}}',
        ),
        ({'q"uote\\/x': D1}, None, None, '{"inputs":{"q\\"uote\\\\/x":"' + D1 + '"}}'),
    ],
)
def test_inputs_hash_is_sha256_of_the_canonical_json(
    inputs: dict[str, str], values: dict[str, Any] | None, depends: dict[str, int] | None, canonical: str
) -> None:
    expected = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert inputs_hash(inputs, values, depends) == expected


def test_inputs_hash_pinned_value() -> None:
    # Spelled out once more as a literal, so a change to the rule cannot hide behind the helper above.
    canonical = b'{"inputs":{"a.txt":"sha256:' + b"1" * 64 + b'"}}'
    assert inputs_hash({"a.txt": D1}) == "sha256:" + hashlib.sha256(canonical).hexdigest()
    assert inputs_hash({"a.txt": D1}) == inputs_hash({"a.txt": D1}, {}, {})
    assert inputs_hash({"a.txt": D1}) != inputs_hash({"a.txt": D1}, {"k": ""})
    assert inputs_hash({"a.txt": D1}, depends={"u": 1}) != inputs_hash({"a.txt": D1}, depends={"u": 2})


@dataclass
class FakeSnapshot:
    """A Snapshot in memory: path -> (kind, content); the oid is derived from the content."""

    files: dict[str, tuple[EntryKind, bytes]]
    chunk_size: int = 3
    reads: list[str] = field(default_factory=list)
    unmerged: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return "worktree"

    def paths_under(self, directory: str) -> Sequence[str]:
        return sorted(
            p for p in self.files if not directory or p == directory or p.startswith(directory + "/")
        )

    def entry(self, path: str) -> Entry | None:
        if path not in self.files:
            return None
        kind, content = self.files[path]
        oid = content.decode() if kind is EntryKind.SUBMODULE else hashlib.sha1(content).hexdigest()
        return Entry(path=path, kind=kind, oid=oid)

    def content_id(self, path: str) -> str | None:
        return None  # unknown: nothing may be skipped

    def read_file(self, path: str) -> bytes | None:
        entry = self.entry(path)
        if entry is None or entry.kind is not EntryKind.FILE:
            return None
        return b"".join(self.read(entry))

    def read(self, entry: Entry) -> Iterable[bytes]:
        self.reads.append(entry.path)
        return chunked(self.files[entry.path][1], self.chunk_size)

    def read_checked_out(self, entry: Entry) -> bytes | None:
        return None  # nothing is checked out


def test_digests_follow_the_snapshot_attributes_and_cache_by_oid_and_mode() -> None:
    crlf = b"one\r\ntwo\r\n"
    commit = "f" * 40
    snapshot = FakeSnapshot(
        {
            ".gitattributes": (EntryKind.FILE, b"*.bin -text\nsub/*.txt text\n"),
            "a.txt": (EntryKind.FILE, crlf),
            "b.txt": (EntryKind.FILE, crlf),
            "c.bin": (EntryKind.FILE, crlf),
            "link": (EntryKind.LINK, b"a.txt"),
            "mod": (EntryKind.SUBMODULE, commit.encode()),
            "sub/.gitattributes": (EntryKind.FILE, b"*.txt -text\n"),
            "sub/d.txt": (EntryKind.FILE, crlf),
        }
    )
    digests = Digests()

    def of(path: str) -> str:
        entry = snapshot.entry(path)
        assert entry is not None
        return digests.of(snapshot, entry)

    assert of("a.txt") == sha(b"one\ntwo\n")
    assert of("b.txt") == sha(b"one\ntwo\n")
    assert digests.hashed == 1  # same content and mode: hashed once
    assert of("c.bin") == sha(crlf)
    assert of("sub/d.txt") == sha(crlf)  # the deeper file's -text comes after the root's text
    assert digests.hashed == 2
    assert of("link") == sha(b"symlink:a.txt")
    assert of("mod") == "git:" + commit
    assert digests.hashed == 3
    assert snapshot.reads.count("a.txt") + snapshot.reads.count("b.txt") == 1
    assert "mod" not in snapshot.reads


def test_digests_use_a_given_cache() -> None:
    snapshot = FakeSnapshot({"a.txt": (EntryKind.FILE, b"x\r\n")})
    entry = snapshot.entry("a.txt")
    assert entry is not None
    cache: dict[str, str] = {}
    assert Digests(cache).of(snapshot, entry) == sha(b"x\n")
    assert list(cache.values()) == [sha(b"x\n")]
    again = Digests(cache)
    assert again.of(snapshot, entry) == sha(b"x\n")
    assert again.hashed == 0
    assert snapshot.reads == ["a.txt"]
