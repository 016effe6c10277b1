"""Version files, format 1: canonical bytes, validation with useful messages, atomic writes."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from versionbot.versionfile import FutureFormat, InvalidVersionFile, VersionFile, dumps, is_replaceable, parse

H1 = "sha256:" + "a" * 64
H2 = "sha256:" + "b" * 64

RECORD = VersionFile(
    unit="app",
    version=5,
    inputs={"requirements/app/pylock.toml": H1, "launch/é.py": H2},
    inputs_hash=H2,
    values={"runtime": "cpython-3.11", "flags": [1, True]},
    depends={"fw": 4},
)

RECORD_TEXT = """\
{
  "depends": {
    "fw": 4
  },
  "format": 1,
  "inputs": {
    "launch/é.py": "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "requirements/app/pylock.toml": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  },
  "inputs_hash": "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
  "unit": "app",
  "values": {
    "flags": [
      1,
      true
    ],
    "runtime": "cpython-3.11"
  },
  "version": 5
}
"""


def valid(**changes: Any) -> dict[str, Any]:
    """A valid format-1 object for unit `app`, with keys replaced (or removed when given None)."""
    obj: dict[str, Any] = {
        "format": 1,
        "unit": "app",
        "version": 3,
        "inputs": {"a.txt": H1},
        "inputs_hash": H2,
    }
    for key, value in changes.items():
        if value is None:
            obj.pop(key, None)
        else:
            obj[key] = value
    return obj


def encode(obj: Any) -> bytes:
    return json.dumps(obj).encode("utf-8")


def test_dumps_is_the_canonical_text() -> None:
    data = dumps(RECORD)
    assert data == RECORD_TEXT.encode("utf-8")
    assert (
        data == (json.dumps(json.loads(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    )
    assert b"\r" not in data
    assert "é".encode() in data  # not \u00e9


def test_dumps_omits_empty_values_and_depends() -> None:
    record = VersionFile(unit="fw", version=1, inputs={}, inputs_hash=H1)
    assert json.loads(dumps(record)) == {
        "format": 1,
        "unit": "fw",
        "version": 1,
        "inputs": {},
        "inputs_hash": H1,
    }
    assert dumps(record) == (
        b'{\n  "format": 1,\n  "inputs": {},\n  "inputs_hash": "' + H1.encode() + b'",\n'
        b'  "unit": "fw",\n  "version": 1\n}\n'
    )


def test_parse_round_trips() -> None:
    assert parse(dumps(RECORD), unit="app") == RECORD
    assert dumps(parse(RECORD_TEXT.encode(), unit="app")) == RECORD_TEXT.encode()


def test_parse_defaults_and_reads_crlf_files() -> None:
    record = parse(json.dumps(valid(), indent=2).replace("\n", "\r\n").encode(), unit="app")
    assert record == VersionFile(unit="app", version=3, inputs={"a.txt": H1}, inputs_hash=H2)
    assert dict(record.values) == {}
    assert dict(record.depends) == {}
    assert dict(record.extra) == {}


def test_unknown_keys_are_kept_on_rewrite_and_not_confused_with_known_ones() -> None:
    obj = valid(comment="deployed by team x", zz={"nested": [1, 2]})
    record = parse(encode(obj), unit="app")
    assert dict(record.extra) == {"comment": "deployed by team x", "zz": {"nested": [1, 2]}}
    rewritten = json.loads(dumps(dataclasses.replace(record, version=4, inputs_hash=H1)))
    assert rewritten == {**obj, "version": 4, "inputs_hash": H1}


def test_has_same_hashes() -> None:
    bumped = dataclasses.replace(RECORD, version=6, extra={"note": "x"})
    assert RECORD.has_same_hashes(bumped)
    assert not RECORD.has_same_hashes(dataclasses.replace(RECORD, inputs_hash=H1))
    assert not RECORD.has_same_hashes(dataclasses.replace(RECORD, inputs={}))
    assert not RECORD.has_same_hashes(dataclasses.replace(RECORD, values={}))
    assert not RECORD.has_same_hashes(dataclasses.replace(RECORD, depends={"fw": 5}))


CONFLICT = b"""\
{
<<<<<<< HEAD
  "version": 4,
=======
  "version": 5,
>>>>>>> feature
  "format": 1
}
"""


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        (b'{\n  "format": 1,\n  "unit": \n}\n', ["invalid JSON", "line 4, column 1"]),
        (b'{"format": 1,', ["invalid JSON", "line 1, column 14"]),
        (b"", ["invalid JSON", "line 1, column 1"]),
        (CONFLICT, ["merge-conflict"]),
        (b"\xff\xfe{}", ["not UTF-8", "byte 0"]),
        (b"[1]", ["JSON object"]),
        (b'"x"', ["JSON object"]),
        (encode(valid(format=None)), ['"format"', "integer"]),
        (encode(valid(format="1")), ['"format"', "integer"]),
        (encode(valid(format=1.0)), ['"format"', "integer"]),
        (encode(valid(format=True)), ['"format"', "integer"]),
        (encode(valid(format=0)), ['"format" 0', "first format is 1"]),
        (encode(valid(format=-3)), ['"format" -3']),
        (encode(valid(unit="other")), ["'other'", "'app'"]),
        (encode(valid(unit=None)), ['"unit"', "'app'"]),
        (encode(valid(version=None)), ['"version"', "integer", "at least 1"]),
        (encode(valid(version=True)), ['"version"', "integer"]),
        (encode(valid(version=False)), ['"version"', "integer"]),
        (encode(valid(version=0)), ['"version"', "at least 1"]),
        (encode(valid(version=-1)), ['"version"', "at least 1"]),
        (encode(valid(version=2.0)), ['"version"', "integer"]),
        (encode(valid(version="v2")), ['"version"', "integer"]),
        (encode(valid(inputs=None)), ['"inputs"', "object"]),
        (encode(valid(inputs=["a.txt"])), ['"inputs"', "object"]),
        (encode(valid(inputs={"a.txt": 1})), ['"inputs"', "digests"]),
        (encode(valid(inputs_hash=None)), ['"inputs_hash"', "string"]),
        (encode(valid(inputs_hash=7)), ['"inputs_hash"', "string"]),
        (encode(valid(values=["x"])), ['"values"', "object"]),
        (encode(valid(values="x")), ['"values"', "object"]),
        (encode(valid(depends=["fw"])), ['"depends"', "versions (integers"]),
        (encode(valid(depends={"fw": "v4"})), ['"depends"', "versions (integers"]),
        (encode(valid(depends={"fw": True})), ['"depends"', "versions (integers"]),
        (encode(valid(depends={"fw": 4.0})), ['"depends"', "versions (integers"]),
    ],
)
def test_parse_rejects_with_a_useful_message(data: bytes, fragments: list[str]) -> None:
    with pytest.raises(InvalidVersionFile) as caught:
        parse(data, unit="app")
    assert not isinstance(caught.value, FutureFormat)
    for fragment in fragments:
        assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "obj",
    [
        valid(format=2),
        valid(format=2, unit="other", version="two", inputs=None),  # judged by format before anything else
        {"format": 99},
    ],
)
def test_parse_refuses_a_future_format(obj: dict[str, Any]) -> None:
    with pytest.raises(FutureFormat) as caught:
        parse(encode(obj), unit="app")
    message = str(caught.value)
    assert f'"format": {obj["format"]}' in message
    assert "reads format 1" in message
    assert "newer versionbot" in message
    assert isinstance(caught.value, InvalidVersionFile)


@pytest.mark.parametrize(
    ("data", "is_ours"),
    [
        (RECORD_TEXT.encode(), True),
        (b"", True),
        (b"  \n", True),
        (CONFLICT, True),
        (b'{"format": 1', False),  # does not parse and does not say "inputs_hash": not known as ours
        (b'{"inputs_hash": "sha256:", oops', True),
        (b'{"inputs_hash": 1}', True),
        (b'{"format": 7, "anything": true}', True),
        (b'{"name": "app", "version": "1.0.0"}', False),  # package.json
        (b'[tool.poetry]\nname = "x"\n', False),  # pyproject.toml
        (b"version = 1\nrevision = 3\n", False),  # uv.lock
        (b"print('hello')\n", False),
        (b"\xff\xfe binary", False),
        (b"[" * 5000, False),
    ],
)
def test_is_replaceable_accepts_only_version_files_and_their_wrecks(data: bytes, is_ours: bool) -> None:
    assert is_replaceable(data) is is_ours
