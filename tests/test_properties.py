"""Property tests: whatever a pull request holds (configuration, version files, `.gitattributes`),
the CLI ends in exit 0, 1 or 2 with a message, never exit 3 or a traceback, and writes nothing but
version files (issue: untrusted input). The example budget is fixed in CI (tests/conftest.py)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.gitrepo import GitRepo
from versionbot.cli import main

HOSTILE = [
    "",
    ".",
    "..",
    "../outside.json",
    "/etc/passwd",
    ".git/hooks/pre-commit",
    ".git/config.json",
    "link/version.json",
    "link/new/version.json",
    "src",
    "src/app.py",
    "src/version.json",
    "a\nb.json",
    "::error::x.json",
    "a\x00b.json",
    "x" * 300 + ".json",
    "/".join(["d"] * 300) + "/v.json",
    "[z-a]",
    "**",
    "src/**",
    "src/[[:digit:]]*",
    "\\",
    "ünï/cødé.json",
    "\ud800.json",
]
names = st.one_of(st.sampled_from(["app", "fw", "a.b", "x-1", "app\n::error::x", ""]), st.text(max_size=12))
paths = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
json_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(1 << 70), max_value=1 << 70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
toml_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.booleans(), st.integers(min_value=-(1 << 70), max_value=1 << 70), st.text(max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


def mostly(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` four times in five: most examples should get as far as hashing and writing."""
    return st.one_of(usual, usual, usual, usual, rare)


plausible_files = st.sampled_from(
    ["src/version.json", "link/version.json", "link/new/version.json", "v/app.json", "src/data.bin.json"]
)
plausible_inputs = st.sampled_from(["src/", "src/*.py", "src/**", "link", "src/[[:digit:]]*", "src/app.py"])
unit_tables = st.fixed_dictionaries(
    {
        "version-file": mostly(plausible_files, paths),
        "inputs": mostly(st.lists(plausible_inputs, min_size=1, max_size=2), st.lists(paths, max_size=2)),
    },
    optional={
        "exclude": st.lists(plausible_inputs | paths, max_size=2),
        "depends-on": st.lists(st.sampled_from(["app", "fw"]) | names, max_size=2),
        "values": st.dictionaries(st.text(max_size=8), toml_values, max_size=3),
    },
)
configs = st.fixed_dictionaries(
    {
        "units": st.dictionaries(
            mostly(st.sampled_from(["app", "fw"]), names), unit_tables, min_size=1, max_size=3
        )
    },
    optional={"base": st.sampled_from(["main", "HEAD", "", "origin/main\n::error::x"])},
)


def _toml(config: dict[str, Any]) -> str | None:
    """The configuration as TOML text, or None where no file can hold it (a lone surrogate)."""
    try:
        text = tomlkit.dumps(config)
        text.encode("utf-8")  # a lone surrogate cannot be written to a file at all
    except (ValueError, TypeError, KeyError):
        return None
    return text


def base_repository(tmp_path: Path) -> GitRepo:
    """A committed repository with an input folder and a link to a folder outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.json").write_text('{"format": 1, "inputs_hash": "x"}\n')
    repo = GitRepo(tmp_path / "repo")
    repo.write("src/app.py", "print('app')\n")
    repo.write("src/data.bin", b"\x00\x01\r\n")
    repo.write("src/version.json", '{"format": 1, "inputs_hash": "x"}\n')
    (repo.path / "link").symlink_to(outside)
    repo.commit("base")
    return repo


def fingerprint(root: Path) -> dict[str, str]:
    """Every file under `root` (not following links) with a digest of its content."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            found[str(path.relative_to(root))] = hashlib.sha256(data).hexdigest()
        dirs.sort()
    return found


def cli(repo: GitRepo, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--repo", str(repo.path), *args])
    return code, err.getvalue()


def assert_well_behaved(repo: GitRepo, allowed: Callable[[str], bool], *commands: tuple[str, ...]) -> None:
    """Each command ends in 0, 1 or 2 without a traceback; nothing changes but allowed files, the
    cache under .git/versionbot, and nothing at all outside the repository."""
    outside = repo.path.parent / "outside"
    before_outside, before = fingerprint(outside), fingerprint(repo.path)
    for command in commands:
        code, err = cli(repo, *command)
        assert code in (0, 1, 2), err
        assert "Traceback" not in err
        assert "internal error" not in err
        # Every line is one of ours: nothing a message quotes can start another.
        assert all(line.startswith("versionbot: ") for line in err.splitlines()), err
    assert fingerprint(outside) == before_outside
    after = fingerprint(repo.path)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    unexpected = {
        path
        for path in changed
        if not path.startswith((".git/versionbot/", ".git/objects/")) and not allowed(path)
    }
    assert unexpected == set()
    repo.git("checkout", "-q", "--", ".")
    repo.git("clean", "-qfdx", "--exclude=link")


def test_any_configuration(tmp_path: Path) -> None:
    repo = base_repository(tmp_path)

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(configs)
    def check(config: dict[str, Any]) -> None:
        text = _toml(config)
        if text is None:
            return
        version_files = {
            table["version-file"] for table in config["units"].values() if isinstance(table, dict)
        }
        repo.write("versionbot.toml", text)
        assert_well_behaved(
            repo,
            lambda path: path == "versionbot.toml" or path in version_files,
            ("check",),
            ("bump",),
            ("status",),
        )

    check()


def test_any_configuration_bytes(tmp_path: Path) -> None:
    repo = base_repository(tmp_path)

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
    def check(data: bytes) -> None:
        repo.write("versionbot.toml", data)
        assert_well_behaved(repo, lambda path: path == "versionbot.toml", ("check",), ("bump",))

    check()


CONFIG = '[units.app]\nversion-file = "src/version.json"\ninputs = ["src/"]\n'


def test_any_version_file(tmp_path: Path) -> None:
    repo = base_repository(tmp_path)
    repo.write("versionbot.toml", CONFIG)
    repo.commit("config")

    def as_bytes(value: Any) -> bytes:
        return json.dumps(value).encode()

    records = st.fixed_dictionaries(
        {"format": json_values | st.just(1), "unit": names | st.just("app"), "inputs_hash": json_values},
        optional={"version": json_values, "inputs": json_values, "values": json_values, "x": json_values},
    )

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(st.binary(max_size=300), records.map(as_bytes), json_values.map(as_bytes)))
    def check(data: bytes) -> None:
        repo.write("src/version.json", data)
        assert_well_behaved(repo, lambda path: path == "src/version.json", ("check",), ("bump",), ("status",))

    check()


ATTRIBUTES = st.lists(
    st.tuples(
        st.sampled_from(
            ["*", "*.py", "src/*", "[[:digit:]]*", "[z-a]", "**/x", '"a b"', "!x", "[attr]m", "\\"]
        )
        | st.text(max_size=8),
        st.lists(
            st.sampled_from(
                ["text", "-text", "text=auto", "eol=crlf", "binary", "-binary", "m", "crlf", "!text"]
            )
            | st.text(max_size=6),
            max_size=3,
        ),
    ),
    max_size=5,
)


def test_any_gitattributes(tmp_path: Path) -> None:
    repo = base_repository(tmp_path)
    repo.write("versionbot.toml", CONFIG)
    repo.commit("config")

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(ATTRIBUTES, st.sampled_from([".gitattributes", "src/.gitattributes"]))
    def check(lines: list[tuple[str, list[str]]], where: str) -> None:
        repo.write(where, "".join(f"{pattern} {' '.join(attrs)}\n" for pattern, attrs in lines))
        assert_well_behaved(repo, lambda path: path in (where, "src/version.json"), ("check",), ("bump",))

    check()


def test_any_event_payload(tmp_path: Path) -> None:
    """`versionbot ci` on any payload (hostile values where GitHub's fields are read, or any JSON at
    all) ends in 0, 1 or 2, and every line it prints is one of ours or a workflow command of ours."""
    import unittest.mock

    repo = base_repository(tmp_path)
    repo.write("versionbot.toml", CONFIG)
    head = repo.commit("config")
    event_path = tmp_path / "event.json"
    commits = st.sampled_from([head, "0" * 40, "f" * 40, head.upper(), ""]) | json_values
    pull_request = st.fixed_dictionaries(
        {
            "number": mostly(st.integers(1, 99), json_values),
            "base": st.fixed_dictionaries({"sha": commits, "ref": mostly(st.just("main"), json_values)}),
            "head": st.fixed_dictionaries({"sha": commits}),
        }
    )
    payloads = st.one_of(
        st.fixed_dictionaries({"pull_request": mostly(pull_request, json_values)}),
        st.fixed_dictionaries({"before": commits, "after": commits, "repository": json_values}),
        st.fixed_dictionaries(
            {
                "merge_group": st.fixed_dictionaries(
                    {"head_sha": commits, "base_sha": commits, "base_ref": json_values}
                )
            }
        ),
        json_values,
    )
    events = st.sampled_from(
        ["pull_request", "pull_request_target", "push", "merge_group", "workflow_dispatch"]
    )

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(events, payloads, st.sampled_from([head, "not a sha", ""]))
    def check(event: str, payload: Any, sha: str) -> None:
        event_path.write_text(json.dumps(payload), encoding="utf-8")
        environ = {
            "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": "octo/project",
            "GITHUB_SHA": sha,
            "GITHUB_API_URL": "http://127.0.0.1:9",  # never reached: --no-comment
        }
        out, err = io.StringIO(), io.StringIO()
        with (
            unittest.mock.patch.dict(os.environ, environ),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = main(["--repo", str(repo.path), "ci", "--no-comment"])
        assert code in (0, 1, 2), err.getvalue()
        assert "Traceback" not in err.getvalue()
        assert all(line.startswith("versionbot: ") for line in err.getvalue().splitlines()), err.getvalue()

    check()
