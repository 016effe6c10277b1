"""The caches under .git/versionbot: they only ever save work, never change an answer."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Run
from tests.gitrepo import GitRepo
from versionbot.cache import Memory
from versionbot.config import parse_toml
from versionbot.findings import Plan
from versionbot.hashing import Digests
from versionbot.plan import make_plan
from versionbot.render import check_json
from versionbot.store import MEMORY as CACHE_FILE
from versionbot.store import PARSED_TOML as TOML_CACHE
from versionbot.workspace import Workspace


def plan_with(repo: GitRepo, memory: Memory, head: str = "worktree") -> tuple[Plan, int]:
    workspace = Workspace.open(repo.path, None)
    snapshots = workspace.snapshots(base="main", head=head)
    base, snapshot = snapshots.base, snapshots.head
    digests = Digests()
    plan = make_plan(workspace.config, base, snapshot, digests, memory)
    return plan, digests.hashed


def report(plan: Plan) -> Any:
    return json.loads(check_json(plan))


def test_a_second_run_hashes_nothing(bumped: GitRepo) -> None:
    memory = Memory()
    first, hashed = plan_with(bumped, memory)
    assert hashed == 3  # every input once, however many snapshots share it
    assert len(memory.verified) == 2
    assert len(memory.records) == 2
    second, hashed_again = plan_with(bumped, memory, head="index")
    assert hashed_again == 0
    assert report(second)["units"] == report(first)["units"]


def test_changes_are_found_with_a_warm_cache(bumped: GitRepo) -> None:
    memory = Memory()
    plan_with(bumped, memory)
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    plan, hashed = plan_with(bumped, memory)
    assert hashed == 1  # the changed file; the base's digest is in its record, app's manifest trusted
    statuses = {finding.unit: finding.status.value for finding in plan.findings}
    assert statuses == {"fw": "needs-bump", "app": "needs-bump"}


def test_untracked_input_is_found_with_a_warm_cache(bumped: GitRepo) -> None:
    memory = Memory()
    plan_with(bumped, memory)
    bumped.write("launch/app/new_module.py", "x = 1\n")
    plan, _ = plan_with(bumped, memory)
    app = next(finding for finding in plan.findings if finding.unit == "app")
    assert app.status.value == "needs-bump"
    assert [change.path for change in app.changes] == ["launch/app/new_module.py"]


def test_gitattributes_above_a_unit_invalidates_it(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/fw/data.txt", b"a\r\nb\r\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("crlf data")
    memory = Memory()
    plan, _ = plan_with(bumped, memory)
    assert plan.ok
    bumped.write(".gitattributes", "*.txt -text\n")  # data.txt is now hashed as it is: CRLF kept
    plan, _ = plan_with(bumped, memory)
    fw = next(finding for finding in plan.findings if finding.unit == "fw")
    assert fw.status.value == "needs-bump"
    assert [change.to_json() for change in fw.changes] == [{"kind": "modified", "path": "req/fw/data.txt"}]


def test_a_hand_edited_version_file_is_not_trusted(bumped: GitRepo) -> None:
    memory = Memory()
    plan_with(bumped, memory)
    data = bumped.read_json("req/fw/version.json")
    data["inputs"]["req/fw/pylock.fw.toml"] = "sha256:" + "0" * 64
    bumped.write("req/fw/version.json", json.dumps(data, indent=2))
    plan, _ = plan_with(bumped, memory)
    fw = next(finding for finding in plan.findings if finding.unit == "fw")
    assert fw.status.value == "stale-hash"


def test_the_cache_lives_in_the_git_directory_and_survives_corruption(bumped: GitRepo, run: Run) -> None:
    assert run(bumped, "check").code == 0
    cache = bumped.path / ".git" / CACHE_FILE
    assert len(json.loads(cache.read_text())["verified"]) == 2
    assert bumped.git("status", "--porcelain") == ""
    cache.write_bytes(b"\xff\x00garbage\nnot-a-token\n")
    assert run(bumped, "check").code == 0
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    assert run(bumped, "check").code == 1


def test_a_bump_after_a_warm_run_writes_whole_version_files(bumped: GitRepo, run: Run) -> None:
    assert run(bumped, "check").code == 0  # app's inputs are now known by summary only
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    assert run(bumped, "bump").code == 0
    app = bumped.read_json("req/app/version.json")
    assert (app["version"], app["depends"]) == (2, {"fw": 2})
    assert sorted(app["inputs"]) == ["launch/app/__main__.py", "req/app/pylock.app.toml"]


def test_a_cache_from_another_release_is_not_used() -> None:
    memory = Memory({"key:id"}, {"id": ["fw", 1, "sha256:x", {}, {}, {}]}, {"tree/name": ["id", 0o100644]})
    text = memory.to_json()
    assert Memory.from_json(text) == memory
    assert Memory.from_json(text.replace('"versionbot": "', '"versionbot": "0.0.0-')) == Memory()
    assert Memory.from_json("{not json") == Memory()


def test_files_found_in_a_tree_are_remembered_by_its_id(bumped: GitRepo, run: Run) -> None:
    first = run(bumped, "check", "--format", "json")
    cache = bumped.path / ".git" / CACHE_FILE
    blobs = json.loads(cache.read_text())["blobs"]
    assert {key.rpartition("/")[2] for key in blobs} >= {"version.json"}
    for key, (oid, mode) in blobs.items():
        tree, _, name = key.rpartition("/")
        assert bumped.git("ls-tree", tree, "--", name).split() == [f"{mode:06o}", "blob", oid, name]
    assert run(bumped, "check", "--format", "json") == first
    damaged = json.loads(cache.read_text())
    damaged["blobs"] = {key: ["not an id", "not a mode"] for key in blobs}
    cache.write_text(json.dumps(damaged))
    assert run(bumped, "check", "--format", "json") == first


def test_the_parsed_configuration_is_kept_until_the_file_changes(bumped: GitRepo, run: Run) -> None:
    assert run(bumped, "check").code == 0
    kept = json.loads((bumped.path / ".git" / TOML_CACHE).read_text())
    assert kept["data"] == parse_toml((bumped.path / "versionbot.toml").read_bytes())
    assert run(bumped, "check").code == 0
    config = bumped.read("versionbot.toml").replace('inputs = ["req/fw/"]', 'inputs = ["req/nothing/"]')
    bumped.write("versionbot.toml", config)
    result = run(bumped, "check")
    assert (result.code, "'req/nothing/' matches no file" in result.err) == (2, True)
