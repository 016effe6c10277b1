"""The core engine end to end through the CLI, in real git repositories (issue: core engine)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.flows import report, unit
from tests.gitrepo import GitRepo, clean_env
from versionbot.parallel import MIN_ITEMS

APP = "req/app/version.json"
FW = "req/fw/version.json"


def set_version(repo: GitRepo, path: str, version: int) -> None:
    """Edit a version file's number by hand, as a person might."""
    data = repo.read_json(path)
    data["version"] = version
    repo.write(path, json.dumps(data))


def test_bump_creates_every_version_file_at_1(project: GitRepo, run: Run) -> None:
    before = run(project, "check")
    assert before.code == 1
    assert "missing-file" in before.out
    assert "run `versionbot bump`" in before.out
    assert run(project, "bump").code == 0
    assert project.read_json(APP)["version"] == 1
    assert project.read_json(FW)["version"] == 1
    after = report(run, project)
    assert [u["status"] for u in after["units"]] == ["new", "new"]
    assert run(project, "check").code == 0


def test_version_file_is_canonical_and_complete(bumped: GitRepo) -> None:
    raw = (bumped.path / APP).read_bytes()
    data = json.loads(raw)
    assert raw == (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    assert data["unit"] == "app"
    assert data["format"] == 1
    assert data["values"] == {"runtime": "cpython-3.11"}
    assert data["depends"] == {"fw": 1}
    assert sorted(data["inputs"]) == ["launch/app/__main__.py", "req/app/pylock.app.toml"]
    assert "depends" not in bumped.read_json(FW)


def test_three_commits_bump_once_against_the_base(bumped: GitRepo, run: Run) -> None:
    bumped.branch("feature")
    for round_ in range(3):
        bumped.write("req/fw/pylock.fw.toml", f'lock-version = "1.0"\n# round {round_}\n')
        bumped.commit(f"lock change {round_}")
        assert run(bumped, "bump", "--base", "main").code == 0
        bumped.commit(f"bump {round_}")
    assert bumped.read_json(FW)["version"] == 2
    assert bumped.read_json(APP)["version"] == 2  # cascaded once as well
    data = report(run, bumped, "--base", "main")
    assert unit(data, "fw")["status"] == "bumped"
    assert unit(data, "fw")["changes"] == [
        {"kind": "modified", "path": "req/fw/pylock.fw.toml"},
        {
            "kind": "package",
            "path": "req/fw/pylock.fw.toml",
            "name": "numpy",
            "from": "unversioned",
            "to": None,
        },
    ]
    assert unit(data, "app")["changes"] == [{"kind": "depends", "unit": "fw", "from": 1, "to": 2}]
    # running bump again changes nothing
    assert run(bumped, "bump", "--base", "main").code == 0
    assert bumped.git("status", "--porcelain") == ""


def test_crlf_round_trip_is_unchanged_and_shown_as_eol_only(bumped: GitRepo, run: Run) -> None:
    path = "launch/app/__main__.py"
    bumped.write(path, bumped.read(path).replace("\n", "\r\n"))
    data = report(run, bumped, "--base", "main")
    app = unit(data, "app")
    assert app["status"] == "unchanged"
    assert app["changes"] == [{"kind": "eol-only", "path": path}]
    assert "only line endings" in run(bumped, "check", "--base", "main").out
    bumped.write(path, bumped.read(path).replace("\r\n", "\n"))
    assert unit(report(run, bumped, "--base", "main"), "app")["changes"] == []


def test_binary_change_is_a_change(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/fw/blob.bin", b"\x00\x01\r\n\x02")
    bumped.commit("binary")
    run(bumped, "bump")
    bumped.commit("bump")
    bumped.write("req/fw/blob.bin", b"\x00\x01\n\x02")  # CRLF -> LF inside binary bytes
    fw = unit(report(run, bumped, "--base", "HEAD"), "fw")
    assert fw["status"] == "needs-bump"
    assert fw["changes"] == [{"kind": "modified", "path": "req/fw/blob.bin"}]


def test_dependency_change_cascades(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/fw/extra.toml", "x = 1\n")
    data = report(run, bumped, "--base", "main")
    assert unit(data, "fw")["status"] == "needs-bump"
    app = unit(data, "app")
    assert app["status"] == "needs-bump"
    assert app["expected_version"] == 2
    assert {"kind": "depends", "unit": "fw", "from": 1, "to": 2} in app["changes"]
    assert unit(data, "fw")["changes"] == [{"kind": "added", "path": "req/fw/extra.toml"}]


def test_rename_and_removal_and_value_changes(bumped: GitRepo, run: Run) -> None:
    bumped.git("mv", "launch/app/__main__.py", "launch/app/main.py")
    text = bumped.read("versionbot.toml").replace("cpython-3.11", "cpython-3.12")
    bumped.write("versionbot.toml", text)
    app = unit(report(run, bumped, "--base", "main"), "app")
    assert app["status"] == "needs-bump"
    assert {"kind": "renamed", "path": "launch/app/main.py", "from": "launch/app/__main__.py"} in app[
        "changes"
    ]
    assert {"kind": "value", "key": "runtime", "from": "cpython-3.11", "to": "cpython-3.12"} in app["changes"]


def test_untracked_inputs_count_and_ignored_files_do_not(bumped: GitRepo, run: Run) -> None:
    bumped.write(".gitignore", "*.pyc\n")
    bumped.commit("ignore")
    bumped.write("launch/app/cache.pyc", b"\x00")
    assert run(bumped, "check", "--base", "main").code == 0
    bumped.write("launch/app/helper.py", "x = 1\n")
    app = unit(report(run, bumped, "--base", "main"), "app")
    assert app["changes"] == [{"kind": "added", "path": "launch/app/helper.py"}]
    # the index does not have it yet
    assert unit(report(run, bumped, "--base", "main", "--head", "index"), "app")["status"] == "unchanged"


def test_excluded_paths_are_not_inputs(bumped: GitRepo, run: Run) -> None:
    bumped.write("launch/app/__pycache__/m.cpython-311.pyc", b"\x00junk")
    assert run(bumped, "check", "--base", "main").code == 0


def test_head_index_reads_git_index_file(bumped: GitRepo, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    alternate = bumped.path / ".git" / "index.alt"
    env = clean_env(GIT_INDEX_FILE=str(alternate))
    bumped.git("read-tree", "HEAD", env=env)
    bumped.git("add", "req/fw/pylock.fw.toml", env=env)
    assert unit(report(run, bumped, "--head", "index"), "fw")["status"] == "unchanged"
    monkeypatch.setenv("GIT_INDEX_FILE", str(alternate))
    assert unit(report(run, bumped, "--head", "index"), "fw")["status"] == "needs-bump"


def test_head_revision_is_judged_against_its_merge_base(bumped: GitRepo, run: Run) -> None:
    bumped.branch("feature")
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    feature = bumped.commit("unbumped")
    bumped.checkout("main")
    bumped.write("README.md", "main moved on\n")
    bumped.commit("main moves")
    data = report(run, bumped, "--base", "main", "--head", feature)
    assert data["head"] == feature
    assert unit(data, "fw")["status"] == "needs-bump"


# every failing status, through the CLI ------------------------------------------------------


def test_needs_bump(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/app/pylock.app.toml", "changed\n")
    result = run(bumped, "check", "--base", "main")
    assert result.code == 1
    assert "needs-bump" in result.out
    assert "modified req/app/pylock.app.toml" in result.out
    assert "run `versionbot bump`" in result.out


def test_stale_hash(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    run(bumped, "bump", "--base", "main")
    bumped.write("req/fw/pylock.fw.toml", "changed again after the bump\n")
    result = run(bumped, "check", "--base", "main")
    assert result.code == 1
    assert "stale-hash" in result.out
    assert "run `versionbot bump`" in result.out
    assert run(bumped, "bump", "--base", "main").code == 0
    assert bumped.read_json(FW)["version"] == 2
    assert run(bumped, "check", "--base", "main").code == 0


def test_unexpected_bump(bumped: GitRepo, run: Run) -> None:
    set_version(bumped, FW, 2)
    result = run(bumped, "check", "--base", "main")
    assert result.code == 1
    assert "unexpected-bump" in result.out
    assert "restore 1" in result.out
    run(bumped, "bump", "--base", "main")
    assert bumped.read_json(FW)["version"] == 1


def test_double_bump_is_wrong_version(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    run(bumped, "bump", "--base", "main")
    set_version(bumped, FW, 3)
    result = run(bumped, "check", "--base", "main")
    assert result.code == 1
    assert "wrong-version" in result.out
    assert "double or skipped bump" in result.out


def test_base_that_moved_on_needs_another_bump(bumped: GitRepo, run: Run) -> None:
    bumped.branch("feature")
    bumped.write("req/fw/pylock.fw.toml", "feature change\n")
    run(bumped, "bump", "--base", "main")
    bumped.commit("feature bump to 2")
    bumped.checkout("main")
    bumped.write("req/fw/pylock.fw.toml", "another change merged first\n")
    run(bumped, "bump")
    bumped.commit("main bump to 2")
    main_head = bumped.head()
    bumped.checkout("feature")
    bumped.git("merge", "-q", "-X", "ours", "--no-edit", "main")
    # the merge kept the feature's lock and its version 2, but main reached 2 first
    data = report(run, bumped, "--base", main_head)
    fw = unit(data, "fw")
    assert (fw["base_version"], fw["recorded_version"], fw["expected_version"]) == (2, 2, 3)
    assert fw["status"] == "needs-bump"
    assert not data["ok"]


def test_wrong_version_going_down(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    run(bumped, "bump")
    bumped.commit("fw at 2")
    bumped.branch("feature")
    bumped.write("req/fw/pylock.fw.toml", "changed twice\n")
    set_version(bumped, FW, 1)
    result = run(bumped, "check", "--base", "main")
    assert result.code == 1
    assert "wrong-version" in result.out
    assert "never goes down" in result.out


def test_missing_file_restores_the_base_version(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    run(bumped, "bump")
    bumped.commit("fw at 2")
    (bumped.path / FW).unlink()
    result = run(bumped, "check")
    assert result.code == 1
    assert "missing-file" in result.out
    assert "restore it at version 2" in result.out
    assert run(bumped, "bump").code == 0
    assert bumped.read_json(FW)["version"] == 2
    assert bumped.git("status", "--porcelain") == ""


@pytest.mark.parametrize(
    "content",
    [
        '<<<<<<< HEAD\n{"version": 2}\n=======\n{"version": 3}\n>>>>>>> other\n',
        '{"inputs_hash": "sha256:x", "version": 2,',
        '{"format": 1, "unit": "fw", "version": "v2", "inputs": {}, "inputs_hash": "x"}',
        '{"format": 1, "unit": "app", "version": 1, "inputs": {}, "inputs_hash": "x"}',
    ],
    ids=["conflict-markers", "invalid-json", "string-version", "other-unit"],
)
def test_invalid_file_is_reported_and_regenerated(bumped: GitRepo, run: Run, content: str) -> None:
    expected = (bumped.path / FW).read_bytes()
    bumped.write(FW, content)
    result = run(bumped, "check")
    assert result.code == 1
    assert "invalid-file" in result.out
    assert "run `versionbot bump` to regenerate" in result.out
    assert run(bumped, "bump").code == 0
    assert (bumped.path / FW).read_bytes() == expected


def test_future_format_is_refused_and_never_rewritten(bumped: GitRepo, run: Run) -> None:
    data = bumped.read_json(FW)
    data["format"] = 2
    future = json.dumps(data)
    bumped.write(FW, future)
    result = run(bumped, "check")
    assert result.code == 1
    assert "format 1" in result.out
    assert "newer versionbot" in result.out
    bumped.write("req/app/pylock.app.toml", "changed\n")
    bumped_result = run(bumped, "bump")
    assert bumped_result.code == 2
    assert "newer versionbot" in bumped_result.err
    assert bumped.read(FW) == future
    assert bumped.read_json(APP)["version"] == 1  # nothing written when one file is refused


def test_users_keys_survive_a_bump(bumped: GitRepo, run: Run) -> None:
    data = bumped.read_json(FW)
    data["owner"] = "team-numerics"
    bumped.write(FW, json.dumps(data, indent=2, sort_keys=True) + "\n")
    bumped.commit("annotate")
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    run(bumped, "bump")
    assert bumped.read_json(FW)["owner"] == "team-numerics"
    assert bumped.read_json(FW)["version"] == 2


def test_bump_dry_run_writes_nothing(project: GitRepo, run: Run) -> None:
    result = run(project, "bump", "--dry-run")
    assert result.code == 1
    assert "would write req/app/version.json" in result.out
    assert not (project.path / APP).exists()


# status and export --------------------------------------------------------------------------


def test_status_and_export(bumped: GitRepo, run: Run) -> None:
    status = run(bumped, "status", "--format", "json")
    assert status.code == 0
    units = json.loads(status.out)["units"]
    assert [(u["deploy"], u["is_current"]) for u in units] == [("app@1", True), ("fw@1", True)]
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    stale = run(bumped, "status")
    assert stale.code == 1
    assert "NOT CURRENT" in stale.out
    exported = run(bumped, "export")
    assert exported.code == 0
    data = json.loads(exported.out)
    assert data["rev"] == bumped.head()
    assert data["units"][1] == {
        "unit": "fw",
        "version": 1,
        "deploy": "fw@1",
        "inputs_hash": bumped.read_json(FW)["inputs_hash"],
        "requires": [],
        "values": {},
        "extra": {},
    }
    assert data["units"][0]["requires"] == ["fw@1"]  # app depends on fw
    assert data["units"][0]["values"] == {"runtime": "cpython-3.11"}


def test_markdown_report(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    result = run(bumped, "check", "--format", "markdown")
    assert result.code == 1
    assert "| `fw` | 1 | 1 | ❌ needs-bump |" in result.out
    assert "- modified `req/fw/pylock.fw.toml`" in result.out


# bad input: exit 2, a clear message, no traceback, nothing written ------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("[units.app\nversion-file = 1", "line 1, column"),
        ('[units.fw]\nversion-file = "req/fw/version.json"\ninptus = ["req/fw/"]\n', "did you mean 'inputs'"),
        (
            '[units.fw]\nversion-file = "v.json"\ninputs = ["req/fw/"]\ndepends-on = ["fww"]\n',
            "unknown unit 'fww'",
        ),
        (
            '[units.a]\nversion-file = "a.json"\ninputs = ["req/fw/"]\ndepends-on = ["b"]\n'
            '[units.b]\nversion-file = "b.json"\ninputs = ["req/fw/"]\ndepends-on = ["a"]\n',
            "dependency cycle: a -> b -> a",
        ),
        (
            '[units.fw]\nversion-file = "v.json"\ninputs = ["req/nothing/"]\n',
            "'req/nothing/' matches no file",
        ),
        ('[units.fw]\nversion-file = "v.json"\ninputs = ["../outside/"]\n', "inside the repository"),
        (
            '[units.a]\nversion-file = "v.json"\ninputs = ["req/fw/"]\n'
            '[units.b]\nversion-file = "v.json"\ninputs = ["req/app/"]\n',
            "also the version file of unit 'a'",
        ),
        (
            '[units.fw]\nversion-file = "v.json"\ninputs = ["req/fw/"]\nvalues = { built = 2024-01-01 }\n',
            "units.fw.values.built: is a date or time",
        ),
        ('[units.fw]\nversion-file = "v\xe9.json"\n'.encode("latin-1"), "not UTF-8"),
    ],
    ids=[
        "malformed",
        "unknown-key",
        "unknown-dep",
        "cycle",
        "matches-nothing",
        "leaves-repo",
        "shared-file",
        "date-value",
        "not-utf8",
    ],
)
def test_bad_config(project: GitRepo, run: Run, config: str | bytes, expected: str) -> None:
    project.write("versionbot.toml", config)
    for command in ("check", "bump"):
        result = run(project, command)
        assert result.code == 2
        assert expected in result.err
        assert "versionbot.toml" in result.err
        assert "Traceback" not in result.err
    assert project.git("status", "--porcelain") == " M versionbot.toml\n"


def test_not_a_git_repository(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "versionbot", "--repo", str(tmp_path), "check"],
        capture_output=True,
        text=True,
        env=clean_env(GIT_CEILING_DIRECTORIES=str(tmp_path.parent)),
        check=False,
    )
    assert result.returncode == 2
    assert "not a git repository" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_revision(bumped: GitRepo, run: Run) -> None:
    result = run(bumped, "check", "--base", "no-such-branch")
    assert result.code == 2
    assert "unknown revision 'no-such-branch'" in result.err


def test_shallow_clone_without_the_base(bumped: GitRepo, run: Run, tmp_path: Path) -> None:
    bumped.branch("feature")
    for index in range(3):
        bumped.write("req/fw/pylock.fw.toml", f"change {index}\n")
        bumped.commit(f"feature {index}")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{bumped.path}", str(clone)],
        check=True,
        env=clean_env(),
    )
    shallow = GitRepo.__new__(GitRepo)
    shallow.path = clone
    shallow.git("checkout", "-q", "feature")
    result = run(shallow, "check", "--base", "origin/main")
    assert result.code == 2
    assert "shallow" in result.err
    assert "fetch-depth: 0" in result.err


def test_a_local_main_is_the_base_of_a_branch_without_upstream(bumped: GitRepo, run: Run) -> None:
    bumped.branch("feature")
    for round_ in range(2):
        bumped.write("req/fw/pylock.fw.toml", f"change {round_}\n")
        bumped.commit(f"change {round_}")
        result = run(bumped, "check", "--format", "json")
        assert json.loads(result.out)["base_source"] == "guess"
        assert json.loads(result.out)["base_ref"] == "main"
        assert run(bumped, "bump").code == 0
        bumped.commit(f"bump {round_}")
    assert bumped.read_json(FW)["version"] == 2  # one bump for the whole branch


def test_without_any_base_each_commit_is_judged_on_its_own_and_it_says_so(bumped: GitRepo, run: Run) -> None:
    for round_ in range(2):  # on main, with no remote: nothing to judge against but HEAD
        bumped.write("req/fw/pylock.fw.toml", f"change {round_}\n")
        bumped.commit(f"change {round_}")
        result = run(bumped, "check")
        assert result.code == 1
        assert "no base found" in result.err
        assert "set `base` in versionbot.toml" in result.err
        assert "HEAD itself" in result.out
        assert run(bumped, "bump").code == 0
        bumped.commit(f"bump {round_}")
    assert bumped.read_json(FW)["version"] == 3
    bumped.git("branch", "release", "HEAD~4")
    bumped.write("versionbot.toml", 'base = "release"\n' + bumped.read("versionbot.toml"))
    result = run(bumped, "check", "--format", "json")
    assert json.loads(result.out)["base_source"] == "config"
    assert result.err == ""
    assert "should be 2" in json.dumps(json.loads(result.out))
    run(bumped, "bump")
    assert bumped.read_json(FW)["version"] == 2


def test_upstream_is_the_default_base(bumped: GitRepo, run: Run, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(bumped.path), str(clone)], check=True, env=clean_env())
    work = GitRepo.__new__(GitRepo)
    work.path = clone
    work.git("checkout", "-q", "-b", "feature", "--track", "origin/main")
    work.write("req/fw/pylock.fw.toml", "changed\n")
    work.commit("unbumped")
    result = run(work, "check")
    assert result.code == 1
    assert "needs-bump" in result.out


def test_a_branch_tracking_its_own_remote_copy_is_judged_against_origin_head(
    bumped: GitRepo, run: Run, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(bumped.path), str(remote)], check=True, env=clean_env()
    )
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True, env=clean_env())
    work = GitRepo.__new__(GitRepo)
    work.path = clone
    work.git("checkout", "-q", "-b", "feature")
    for round_ in range(2):
        work.write("req/fw/pylock.fw.toml", f"change {round_}\n")
        assert run(work, "bump").code == 0
        work.commit(f"change {round_}")
        work.git("push", "-q", "-u", "origin", "feature")
    # judged against origin/HEAD (main), not against the branch's own first push
    assert work.read_json(FW)["version"] == 2
    assert run(work, "check").code == 0


def test_repository_without_commits(tmp_path: Path, run: Run) -> None:
    repo = GitRepo(tmp_path / "fresh")
    repo.write("versionbot.toml", '[units.x]\nversion-file = "x.json"\ninputs = ["src/"]\n')
    repo.write("src/a.txt", "a\n")
    assert run(repo, "bump").code == 0
    assert repo.read_json("x.json")["version"] == 1


def test_version_and_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "versionbot", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("versionbot ")


def test_init_writes_a_working_config(tmp_path: Path, run: Run) -> None:
    repo = GitRepo(tmp_path / "mono")
    repo.write("services/api/uv.lock", "version = 1\n")
    repo.write("services/api/app.py", "print()\n")
    repo.write("web/package-lock.json", "{}\n")
    repo.commit("initial")
    dry = run(repo, "init", "--dry-run")
    assert dry.code == 0
    assert "[units.services-api]" in dry.out
    assert not (repo.path / "versionbot.toml").exists()
    assert run(repo, "init").code == 0
    assert run(repo, "bump").code == 0
    assert repo.read_json("services/api/version.json")["version"] == 1
    assert run(repo, "check").code == 0
    again = run(repo, "init")
    assert again.code == 2
    assert "exists already" in again.err


def test_a_bump_large_enough_for_two_cores_gives_each_file_its_sha256(tmp_path: Path, run: Run) -> None:
    repo = GitRepo(tmp_path / "large")
    repo.write(
        "versionbot.toml",
        '[units.a]\nversion-file = "a/version.json"\ninputs = ["a/"]\n\n'
        '[units.b]\nversion-file = "b/version.json"\ninputs = ["b/"]\n',
    )
    contents: dict[str, bytes] = {}
    for index in range(MIN_ITEMS + 100):  # enough for the batch to be split across a fork
        path = f"{'ab'[index % 2]}/{index % 37}/{index}.txt"
        contents[path] = f"file {index}\n".encode() * (index % 5 + 1)
        repo.write(path, contents[path])
    repo.commit()
    contents["a/0/0.txt"] = b"edited in the working tree\n"
    repo.write("a/0/0.txt", contents["a/0/0.txt"])
    assert run(repo, "bump").code == 0
    for name in "ab":
        recorded = repo.read_json(f"{name}/version.json")["inputs"]
        assert recorded == {
            path: "sha256:" + hashlib.sha256(content).hexdigest()
            for path, content in sorted(contents.items())
            if path.startswith(f"{name}/")
        }


@pytest.mark.parametrize("content", ["{not json", "[tool.poetry]\nname = 'x'\n", '{"name": "pkg"}'])
def test_a_version_file_that_names_a_foreign_file_is_never_overwritten(
    bumped: GitRepo, run: Run, content: str
) -> None:
    bumped.write(FW, content)
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    result = run(bumped, "check")
    assert result.code == 1
    assert "invalid-file" in result.out
    assert "never overwrites it" in result.out
    bump = run(bumped, "bump")
    assert bump.code == 2
    assert f"{FW}: it is not a version file" in bump.err
    assert bumped.read(FW) == content
    assert bumped.read_json(APP)["version"] == 1  # nothing written: all or nothing


def test_export_and_status_of_an_old_revision_read_its_own_configuration(bumped: GitRepo, run: Run) -> None:
    bumped.git("tag", "v1")
    config = bumped.read("versionbot.toml")
    bumped.write("versionbot.toml", config.replace("[units.fw]", "[units.framework]"))  # a rename
    bumped.write("req/extra/pylock.extra.toml", "extra\n")
    bumped.write(
        "versionbot.toml",
        bumped.read("versionbot.toml").replace('depends-on = ["fw"]', 'depends-on = ["framework"]')
        + '\n[units.extra]\nversion-file = "req/extra/version.json"\ninputs = ["req/extra/"]\n',
    )
    assert run(bumped, "bump").code == 0
    bumped.commit("a unit renamed and one added after v1")
    exported = run(bumped, "export", "--rev", "v1")
    assert exported.code == 0, exported.err
    assert [unit["unit"] for unit in json.loads(exported.out)["units"]] == ["app", "fw"]
    status = run(bumped, "status", "--rev", "v1", "--format", "json")
    assert status.code == 0, status.err
    assert [unit["unit"] for unit in json.loads(status.out)["units"]] == ["app", "fw"]
    now = json.loads(run(bumped, "export").out)
    assert [unit["unit"] for unit in now["units"]] == ["app", "framework", "extra"]


def test_a_new_pattern_or_exclude_lists_the_files_it_adds_or_removes(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/fw/extra.txt", "not an input yet\n")
    bumped.write("req/fw/notes.md", "an input until excluded\n")
    config = bumped.read("versionbot.toml")
    bumped.write("versionbot.toml", config)
    bumped.commit("files")
    assert run(bumped, "bump").code == 0
    bumped.commit("fw bumped for its new files")
    config = bumped.read("versionbot.toml")
    bumped.write(
        "versionbot.toml",
        config.replace(
            'inputs = ["req/fw/"]', 'inputs = ["req/fw/", "README.md"]\nexclude = ["req/fw/*.md"]'
        ),
    )
    fw = unit(report(run, bumped, "--base", "HEAD"), "fw")
    assert fw["status"] == "needs-bump"
    assert {(change["kind"], change["path"]) for change in fw["changes"]} == {
        ("added", "README.md"),
        ("removed", "req/fw/notes.md"),
    }


def test_deploy_names_follow_the_template(bumped: GitRepo, run: Run) -> None:
    config = bumped.read("versionbot.toml")
    bumped.write(
        "versionbot.toml",
        'deploy-name = "{unit}-v{version}"\n'
        + config.replace("[units.fw]\n", '[units.fw]\ndeploy-name = "framework@{version}"\n'),
    )
    exported = json.loads(run(bumped, "--config", str(bumped.path / "versionbot.toml"), "export").out)
    assert [(u["deploy"], u["requires"]) for u in exported["units"]] == [
        ("app-v1", ["framework@1"]),
        ("framework@1", []),
    ]
    status = json.loads(run(bumped, "status", "--format", "json").out)
    assert [u["deploy"] for u in status["units"]] == ["app-v1", "framework@1"]
    bumped.write("req/fw/pylock.fw.toml", "changed\n")
    check = json.loads(run(bumped, "check", "--base", "HEAD", "--format", "json").out)
    assert [u["deploy"] for u in check["units"]] == ["app-v2", "framework@2"]
    assert "| `framework@2` |" in run(bumped, "check", "--base", "HEAD", "--format", "markdown").out
