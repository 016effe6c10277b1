"""The merge driver (DESIGN.md "Merge driver"): the rule as a table, its `.gitattributes` lines as
git reads them, and two branches that each bumped a unit merging to the next number without a
conflict or a hand edit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.flows import bump_app_on_both_sides
from tests.gitrepo import GitRepo
from versionbot.hashing import inputs_hash
from versionbot.merging import NotMergeable, attribute_line, merge_version_files, with_attribute_lines
from versionbot.schemes import INTEGER
from versionbot.versionfile import VersionFile, dumps

APP = "req/app/version.json"
APP_LOCK = "req/app/pylock.app.toml"
LAUNCH = "launch/app/__main__.py"


def record(version: int, inputs: dict[str, str], **extra: Any) -> bytes:
    return dumps(
        VersionFile(unit="app", version=version, inputs=inputs, inputs_hash=inputs_hash(inputs), extra=extra)
    )


def merged(ancestor: bytes | None, ours: bytes, theirs: bytes) -> Any:
    return json.loads(merge_version_files(ancestor, ours, theirs, INTEGER))


ANCESTOR = record(1, {"a": "sha256:1", "b": "sha256:1"})


@pytest.mark.parametrize(
    ("ours", "theirs", "version", "inputs"),
    [
        # both bumped 1 -> 2 for different files: two changes, so 3, each side's file kept
        (
            record(2, {"a": "sha256:2", "b": "sha256:1"}),
            record(2, {"a": "sha256:1", "b": "sha256:3"}),
            3,
            {"a": "sha256:2", "b": "sha256:3"},
        ),
        # one side bumped, the other left the file alone: that side, as it is
        (ANCESTOR, record(2, {"a": "sha256:2", "b": "sha256:1"}), 2, {"a": "sha256:2", "b": "sha256:1"}),
        (record(2, {"a": "sha256:2", "b": "sha256:1"}), ANCESTOR, 2, {"a": "sha256:2", "b": "sha256:1"}),
        # one side refreshed the hashes only (same version), the other bumped: the higher, no new step
        (
            record(1, {"a": "sha256:1", "b": "sha256:9"}),
            record(2, {"a": "sha256:2", "b": "sha256:1"}),
            2,
            {"a": "sha256:2", "b": "sha256:9"},
        ),
        # both changed the same file differently: ours
        (
            record(2, {"a": "sha256:2", "b": "sha256:1"}),
            record(3, {"a": "sha256:3", "b": "sha256:1"}),
            4,
            {"a": "sha256:2", "b": "sha256:1"},
        ),
        # a file added on one side, removed on the other
        (
            record(2, {"a": "sha256:1", "b": "sha256:1", "c": "sha256:1"}),
            record(2, {"a": "sha256:1"}),
            3,
            {"a": "sha256:1", "c": "sha256:1"},
        ),
    ],
)
def test_the_merge_rule(ours: bytes, theirs: bytes, version: int, inputs: dict[str, str]) -> None:
    result = merged(ANCESTOR, ours, theirs)
    assert (result["version"], result["inputs"]) == (version, inputs)
    assert result["inputs_hash"] == inputs_hash(inputs)  # recomputed from what resulted
    assert result["unit"] == "app"


def test_equal_sides_and_added_files_and_user_keys() -> None:
    two = record(2, {"a": "sha256:2"}, owner="team-a")
    assert merge_version_files(ANCESTOR, two, two, INTEGER) == two
    # both sides added the unit (no ancestor): the higher of the two, never a step of its own
    assert merged(None, record(1, {"a": "sha256:1"}), record(1, {"b": "sha256:1"}))["version"] == 1
    assert merged(b"", record(1, {"a": "sha256:1"}), record(2, {"b": "sha256:1"}))["version"] == 2
    result = merged(
        ANCESTOR, record(2, {"a": "sha256:2"}, owner="team-a"), record(2, {"b": "sha256:2"}, note="x")
    )
    assert (result["owner"], result["note"]) == ("team-a", "x")


@pytest.mark.parametrize(
    "side",
    [
        b"<<<<<<< ours\n{}\n=======\n{}\n>>>>>>> theirs\n",
        b"[1, 2]",
        b'{"unit": "app", "format": 9, "version": 2, "inputs": {}, "inputs_hash": "x"}',
        b"\xff",
        b"",
    ],
)
def test_a_side_that_is_not_a_version_file_is_left_to_git(side: bytes) -> None:
    with pytest.raises(NotMergeable):
        merge_version_files(ANCESTOR, side, ANCESTOR, INTEGER)
    with pytest.raises(NotMergeable):
        merge_version_files(ANCESTOR, ANCESTOR, side, INTEGER)


def test_attribute_lines_are_read_by_git_as_written(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    paths = ["version.json", "a b/v [1].json", "c/*?.json", "#x/v.json", "!y/v.json", 'q"/v.json']
    text = with_attribute_lines("* text=auto\r\n", paths)
    assert text is not None
    assert text.startswith("* text=auto\r\n")
    assert text.count("\r\n") == len(paths) + 1  # the file's own line endings
    assert with_attribute_lines(text, paths) is None  # nothing missing: nothing to write
    repo.write(".gitattributes", text)
    for path in [*paths, "deeper/version.json", "c/xy.json"]:
        shown = repo.git("check-attr", "merge", "--", path)
        expected = "versionbot" if path in paths else "unspecified"
        assert shown.endswith(f": merge: {expected}\n"), (path, shown)
    assert attribute_line("req/app/version.json") == "/req/app/version.json merge=versionbot"


def test_two_branches_that_each_bumped_merge_to_the_next_number(bumped: GitRepo, run: Run) -> None:
    installed = run(bumped, "init", "--merge-driver")
    assert installed.code == 0, installed.err
    assert "merge driver: wrote .gitattributes" in installed.out
    assert "versionbot.toml" not in installed.out  # a configuration exists: only the driver
    assert bumped.git("config", "merge.versionbot.driver").endswith(
        " -m versionbot merge-driver %O %A %B %P\n"
    )
    again = run(bumped, "init", "--merge-driver")
    assert again.out == "merge driver: already installed, nothing changed\n"
    bumped.commit("merge driver")
    bump_app_on_both_sides(bumped, run)

    merged_out = bumped.git("merge", "--no-edit", "main")
    assert "CONFLICT" not in merged_out
    assert bumped.read_json(APP)["version"] == 3
    check = run(bumped, "check")
    assert check.code == 0, check.out
    assert "app [bumped] 2 -> 3" in check.out
    assert run(bumped, "bump").out == "versionbot: every version file is up to date\n"


def test_without_the_driver_the_same_merge_conflicts(bumped: GitRepo, run: Run) -> None:
    bump_app_on_both_sides(bumped, run)
    assert "CONFLICT" in bumped.git("merge", "--no-edit", "main", check=False)


def test_a_driver_that_cannot_merge_leaves_gits_conflict(bumped: GitRepo, run: Run) -> None:
    assert run(bumped, "init", "--merge-driver").code == 0
    bumped.commit("merge driver")
    bumped.branch("feature")
    bumped.write(APP, 'not json, but mentions "inputs_hash"\n')
    bumped.commit("broken on feature")
    bumped.checkout("main")
    bumped.write(LAUNCH, "import scipy  # main\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("main bumped")
    bumped.checkout("feature")
    assert "CONFLICT" in bumped.git("merge", "--no-edit", "main", check=False)
    text = bumped.read(APP)  # merged as text, as git would without the driver
    assert text.startswith('<<<<<<< ours\nnot json, but mentions "inputs_hash"\n=======\n')
    assert run(bumped, "bump").code == 0
    assert bumped.read_json(APP)["version"] == 2  # main's inputs and number: feature changed none
    bumped.git("add", "-A")
    bumped.git("commit", "-q", "--no-edit")
    assert run(bumped, "check").code == 0


def test_init_merge_driver_in_a_new_repository_writes_both(tmp_path: Path, run: Run) -> None:
    repo = GitRepo(tmp_path / "new")
    repo.write("app/uv.lock", "version = 1\n")
    result = run(repo, "init", "--merge-driver")
    assert result.code == 0, result.err
    assert "wrote versionbot.toml" in result.out
    assert repo.read(".gitattributes") == "/app/version.json merge=versionbot\n"
    dry = run(repo, "init", "--merge-driver", "--dry-run")
    assert dry.out == "merge driver: already installed, nothing changed\n"
    other = GitRepo(tmp_path / "other")
    other.write("app/uv.lock", "version = 1\n")
    dry = run(other, "init", "--merge-driver", "--dry-run")
    assert "merge driver: would write .gitattributes: `merge=versionbot` for 1 version file(s)" in dry.out
    assert not (other.path / ".gitattributes").exists()
    assert not (other.path / "versionbot.toml").exists()


def test_a_branch_two_people_share_is_still_one_change(bumped: GitRepo, run: Run, tmp_path: Path) -> None:
    """Both bumped app 1 -> 2 on the same feature branch, for one change against main: `git pull`
    merges to 2, what `bump` gives, not 3."""
    remote = tmp_path / "remote.git"
    GitRepo(remote).git("config", "core.bare", "true")
    bumped.git("remote", "add", "origin", str(remote))
    bumped.git("push", "-q", "-u", "origin", "main")
    assert run(bumped, "init", "--merge-driver").code == 0
    bumped.branch("feature")
    bumped.commit("merge driver")
    bumped.git("push", "-q", "-u", "origin", "feature")
    other = GitRepo.__new__(GitRepo)
    other.path = tmp_path / "other"
    bumped.git("clone", "-q", "-b", "feature", str(remote), str(other.path))
    assert run(other, "init", "--merge-driver").code == 0
    other.write(APP_LOCK, "scipy 1.16.2\n")
    assert run(other, "bump").code == 0
    other.commit("scipy")
    other.git("push", "-q", "origin", "feature")
    bumped.write(LAUNCH, "import scipy  # mine\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("launch module")
    pulled = bumped.git("pull", "-q", "--no-rebase", "--no-edit", "origin", "feature", check=False)
    assert "CONFLICT" not in pulled
    assert bumped.read_json(APP)["version"] == 2
    assert run(bumped, "check").code == 0


def test_a_change_the_base_holds_already_takes_no_number(bumped: GitRepo, run: Run) -> None:
    """main took a change that includes the branch's: merging main adds nothing, so no new number."""
    assert run(bumped, "init", "--merge-driver").code == 0
    bumped.commit("merge driver")
    bumped.branch("feature")
    bumped.write(APP_LOCK, "scipy 1.16.2\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("feature: scipy")
    bumped.checkout("main")
    bumped.write(APP_LOCK, "scipy 1.16.2\n")
    bumped.write(LAUNCH, "import scipy  # main\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("main: scipy and the launch module")
    bumped.checkout("feature")
    assert "CONFLICT" not in bumped.git("merge", "--no-edit", "main")
    assert bumped.read_json(APP)["version"] == 2
    assert run(bumped, "check").code == 0


def test_a_file_that_is_no_version_file_gets_gits_own_conflict(bumped: GitRepo, run: Run) -> None:
    """A `.gitattributes` that routes another file to the driver costs nothing: it is merged as
    text, conflict markers and all."""
    bumped.write(".gitattributes", "*.json merge=versionbot\n")
    bumped.write("package.json", '{"name": "x", "version": "1.0.0"}\n')
    assert run(bumped, "init", "--merge-driver").code == 0
    bumped.commit("attributes")
    bumped.branch("feature")
    bumped.write("package.json", '{"name": "x", "version": "1.1.0"}\n')
    bumped.commit("feature")
    bumped.checkout("main")
    bumped.write("package.json", '{"name": "x", "version": "2.0.0"}\n')
    bumped.commit("main")
    bumped.checkout("feature")
    assert "CONFLICT" in bumped.git("merge", "--no-edit", "main", check=False)
    merged = bumped.read("package.json")
    assert "<<<<<<< ours" in merged
    assert "1.1.0" in merged
    assert "2.0.0" in merged


def test_semver_sides_merge_by_the_semver_rule() -> None:
    from versionbot.schemes import SEMVER

    def semver(version: str, inputs: dict[str, str]) -> bytes:
        return dumps(VersionFile(unit="lib", version=version, inputs=inputs, inputs_hash=inputs_hash(inputs)))

    base = semver("1.4.2", {"a": "sha256:1", "b": "sha256:1"})
    ours = semver("1.5.0", {"a": "sha256:2", "b": "sha256:1"})
    theirs = semver("1.4.3", {"a": "sha256:1", "b": "sha256:2"})
    assert (
        json.loads(merge_version_files(base, ours, theirs, SEMVER))["version"] == "1.5.1"
    )  # after the higher
    with pytest.raises(NotMergeable):
        merge_version_files(base, record(2, {"a": "sha256:2"}), theirs, SEMVER)
