"""Version schemes (DESIGN.md "Schemes"): pure functions, as tables; and semver end to end."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Run
from tests.gitrepo import GitRepo
from versionbot.schemes import INTEGER, SCHEMES, SEMVER, is_version


def test_known_schemes() -> None:
    assert SCHEMES == {"integer": INTEGER, "semver": SEMVER}
    assert (INTEGER.initial, SEMVER.initial) == (1, "1.0.0")


@pytest.mark.parametrize(("version", "following"), [(1, 2), (2, 3), (41, 42), (2**63, 2**63 + 1)])
def test_integer_next(version: int, following: int) -> None:
    assert INTEGER.next(version, "patch") == following
    assert INTEGER.next(version, "major") == following  # one integer: every level is one step
    assert INTEGER.accepted(version) == (following,)


@pytest.mark.parametrize(("level", "following"), [("patch", "1.4.3"), ("minor", "1.5.0"), ("major", "2.0.0")])
def test_semver_next(level: str, following: str) -> None:
    assert SEMVER.next("1.4.2", level) == following


def test_semver_accepts_one_step_of_any_level() -> None:
    assert SEMVER.accepted("1.4.2") == ("1.4.3", "1.5.0", "2.0.0")
    for refused in ("1.4.4", "1.6.0", "1.4.1", "3.0.0", "1.4.2"):
        assert refused not in SEMVER.accepted("1.4.2")


@pytest.mark.parametrize(
    ("value", "scheme"),
    [
        (1, INTEGER),
        (7, INTEGER),
        ("1.0.0", SEMVER),
        ("10.20.30", SEMVER),
        (0, None),
        (True, None),
        ("1.0", None),
        ("01.0.0", None),
        ("1.0.0-rc1", None),
        ("1.0.0+b", None),
        ("v1.0.0", None),
        (1.5, None),
    ],
)
def test_what_each_scheme_writes(value: object, scheme: object) -> None:
    assert [each for each in (INTEGER, SEMVER) if each.is_valid(value)] == ([scheme] if scheme else [])
    assert is_version(value) is (scheme is not None)


def test_semver_orders_by_number_not_text() -> None:
    assert SEMVER.key("1.10.0") > SEMVER.key("1.9.0")
    assert max("1.9.0", "1.10.0", key=SEMVER.key) == "1.10.0"


LIB = "lib/version.json"


def semver_repo(tmp_path: Any, run: Run, level: str = "") -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write(
        "versionbot.toml",
        f'[units.lib]\nversion-file = "{LIB}"\ninputs = ["lib/"]\nscheme = "semver"\nstart = "1.4.2"\n{level}'
        '[units.app]\nversion-file = "app/version.json"\ninputs = ["app/"]\ndepends-on = ["lib"]\n',
    )
    repo.write("lib/uv.lock", "one\n")
    repo.write("app/main.py", "print()\n")
    assert run(repo, "bump").code == 0
    repo.commit("initial")
    return repo


def unit(run: Run, repo: GitRepo, name: str) -> dict[str, Any]:
    data = json.loads(run(repo, "check", "--base", "HEAD", "--format", "json").out)
    found: dict[str, Any] = next(u for u in data["units"] if u["unit"] == name)
    return found


def test_semver_end_to_end(tmp_path: Any, run: Run) -> None:
    repo = semver_repo(tmp_path, run)
    assert repo.read_json(LIB)["version"] == "1.4.2"  # new at its start
    assert repo.read_json("app/version.json")["depends"] == {"lib": "1.4.2"}  # the string, recorded
    repo.write("lib/uv.lock", "two\n")
    lib = unit(run, repo, "lib")
    assert (lib["status"], lib["expected_version"]) == ("needs-bump", "1.4.3")
    assert run(repo, "bump", "--level", "minor").code == 0  # people decide how much
    assert repo.read_json(LIB)["version"] == "1.5.0"
    assert unit(run, repo, "lib")["status"] == "bumped"
    assert unit(run, repo, "app")["expected_version"] == 2  # its dependency moved: one step of its own
    record = repo.read_json(LIB)
    for accepted in ("1.4.3", "2.0.0"):
        repo.write(LIB, json.dumps(record | {"version": accepted}))
        assert unit(run, repo, "lib")["status"] == "bumped"  # any one step, the hashes being right
    repo.write(LIB, json.dumps(record | {"version": "1.4.4"}))
    lib = unit(run, repo, "lib")
    assert lib["status"] == "wrong-version"
    assert "may be 1.4.3, 1.5.0, 2.0.0" in lib["message"]


def test_the_configured_level_is_what_bump_writes(tmp_path: Any, run: Run) -> None:
    repo = semver_repo(tmp_path, run, level='level = "major"\n')
    repo.write("lib/uv.lock", "two\n")
    assert run(repo, "bump").code == 0
    assert repo.read_json(LIB)["version"] == "2.0.0"


def test_an_integer_in_a_semver_unit_is_an_invalid_file(tmp_path: Any, run: Run) -> None:
    repo = semver_repo(tmp_path, run)
    repo.write(LIB, json.dumps(repo.read_json(LIB) | {"version": 5}))
    lib = unit(run, repo, "lib")
    assert lib["status"] == "invalid-file"
    assert "uses the semver scheme" in lib["message"]
    assert run(repo, "bump").code == 0
    assert repo.read_json(LIB)["version"] == "1.4.2"
