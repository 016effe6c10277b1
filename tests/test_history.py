"""`versionbot log` and `versionbot diff` (DESIGN.md "Command line"): a unit's versions through the
first-parent history, with the commit that introduced each, and the delta between two records."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Run
from tests.gitrepo import GitRepo

FW = "req/fw/version.json"
FW_LOCK = "req/fw/pylock.fw.toml"


def four_versions(repo: GitRepo, run: Run) -> list[str]:
    """fw at 1 (the `bumped` fixture), then 2, 3 and 4 on main; the commits that made 2, 3 and 4."""
    made = []
    for version in (2, 3, 4):
        repo.write(FW_LOCK, f'lock-version = "1.0"\n[[packages]]\nname = "numpy"\nversion = "2.{version}"\n')
        assert run(repo, "bump", "--base", "HEAD").code == 0
        made.append(repo.commit(f"numpy 2.{version}"))
    repo.write("README.md", "a commit that touches no version file\n")
    repo.commit("docs")
    return made


def log(run: Run, repo: GitRepo, *args: str) -> dict[str, Any]:
    result = run(repo, "log", "--format", "json", *args)
    assert result.code in (0, 1), result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def test_log_lists_every_version_with_its_commit(bumped: GitRepo, run: Run) -> None:
    made = four_versions(bumped, run)
    first = bumped.git("rev-list", "--max-parents=0", "HEAD").strip()
    versions = log(run, bumped, "fw")["units"][0]["versions"]
    assert [(v["version"], v["deploy"]) for v in versions] == [
        (4, "fw@4"),
        (3, "fw@3"),
        (2, "fw@2"),
        (1, "fw@1"),
    ]
    assert [v["commit"] for v in versions[:3]] == made[::-1]
    assert versions[0]["subject"] == "numpy 2.4"
    assert versions[3]["commit"] != first  # fw@1 came with the version files, not the first commit
    assert {"kind": "modified", "path": FW_LOCK} in versions[0]["changes"]
    package = next(c for c in versions[0]["changes"] if c["kind"] == "package")
    assert (package["name"], package["from"], package["to"]) == ("numpy", "2.3", "2.4")
    text = run(bumped, "log", "fw").out
    assert text.startswith(f"version fw@4  {made[2][:12]}  ")
    assert "    package numpy 2.3 -> 2.4" in text


def test_log_of_one_version_answers_which_commit(bumped: GitRepo, run: Run) -> None:
    made = four_versions(bumped, run)
    one = log(run, bumped, "fw@3")["units"][0]["versions"]
    assert [(v["version"], v["commit"]) for v in one] == [(3, made[1])]
    missing = run(bumped, "log", "fw@9")
    assert missing.code == 1
    assert "no commit on HEAD's first-parent history introduced fw@9" in missing.err
    assert log(run, bumped, "--rev", made[0], "fw")["units"][0]["versions"][0]["version"] == 2


def test_a_unit_renamed_and_moved_keeps_its_whole_history(bumped: GitRepo, run: Run) -> None:
    four_versions(bumped, run)
    config = bumped.read("versionbot.toml").replace("[units.fw]", '[units.framework]\nrenamed-from = "fw"')
    config = config.replace('depends-on = ["fw"]', 'depends-on = ["framework"]')
    bumped.write("versionbot.toml", config.replace(f'"{FW}"', '"req/fw/framework.json"'))
    bumped.git("mv", FW, "req/fw/framework.json")
    assert run(bumped, "bump").code == 0
    bumped.commit("fw is framework now, its version file moved")
    bumped.write(FW_LOCK, "numpy 3\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("numpy 3")
    versions = log(run, bumped, "framework")["units"][0]["versions"]
    assert [v["version"] for v in versions] == [5, 4, 3, 2, 1]
    assert [v["deploy"] for v in versions[:2]] == ["framework@5", "fw@4"]  # each under the name it had


def test_diff_compares_two_records_directly(bumped: GitRepo, run: Run) -> None:
    made = four_versions(bumped, run)
    result = run(bumped, "diff", "fw@1", "fw@4", "--format", "json")
    assert result.code == 0, result.err
    units = json.loads(result.out)["units"]
    assert [(u["unit"], u["from"], u["to"]) for u in units] == [("fw", 1, 4)]
    assert units[0]["changes"] == [{"kind": "modified", "path": FW_LOCK, "version": 4}]  # its last change
    assert "unit fw 1 -> 4" in run(bumped, "diff", "fw@1", "fw@4").out
    between = json.loads(run(bumped, "diff", made[0], "HEAD", "--format", "json").out)["units"]
    assert [(u["unit"], u["from"], u["to"]) for u in between] == [("app", 2, 4), ("fw", 2, 4)]


def test_diff_says_in_which_version_each_change_came(bumped: GitRepo, run: Run) -> None:
    bumped.write("req/fw/extra.toml", "one\n")
    assert run(bumped, "bump", "--base", "HEAD").code == 0
    bumped.commit("fw 2: a file added")
    bumped.write(FW_LOCK, "numpy changed\n")
    assert run(bumped, "bump", "--base", "HEAD").code == 0
    bumped.commit("fw 3: the lock changed")
    bumped.write("req/fw/extra.toml", "one\n")  # unchanged: only the lock changes back and forth
    bumped.write(FW_LOCK, 'lock-version = "1.0"\n[[packages]]\nname = "numpy"\n')
    assert run(bumped, "bump", "--base", "HEAD").code == 0
    bumped.commit("fw 4: the lock changed back")
    units = json.loads(run(bumped, "diff", "fw@1", "fw@4", "--format", "json").out)["units"]
    fw = next(u for u in units if u["unit"] == "fw")
    assert fw["changes"] == [
        {"kind": "added", "path": "req/fw/extra.toml", "version": 2}
    ]  # changed and back: none


def move(repo: GitRepo, old: str, new: str) -> None:
    (repo.path / new).parent.mkdir(parents=True, exist_ok=True)
    repo.git("mv", old, new)
    repo.write("versionbot.toml", repo.read("versionbot.toml").replace(f'"{old}"', f'"{new}"'))


def test_a_version_file_moved_away_and_back_keeps_every_version(bumped: GitRepo, run: Run) -> None:
    four_versions(bumped, run)
    move(bumped, FW, "meta/fw.json")
    bumped.commit("fw's version file moved")
    for version in (5, 6):
        bumped.write(FW_LOCK, f"numpy {version}\n")
        assert run(bumped, "bump").code == 0
        bumped.commit(f"fw {version}")
    move(bumped, "meta/fw.json", FW)
    bumped.commit("and back")
    versions = log(run, bumped, "fw")["units"][0]["versions"]
    assert [v["version"] for v in versions] == [6, 5, 4, 3, 2, 1]
    assert run(bumped, "log", "fw@6").code == 0


def test_diff_compares_the_records_at_both_ends(bumped: GitRepo, run: Run) -> None:
    made = four_versions(bumped, run)
    back = json.loads(run(bumped, "diff", "HEAD", made[0], "--format", "json").out)["units"]
    assert [(u["unit"], u["from"], u["to"]) for u in back] == [("app", 4, 2), ("fw", 4, 2)]  # A after B
    bumped.branch("side", made[1])
    bumped.write("req/fw/extra.toml", "side\n")
    assert run(bumped, "bump", "--base", "HEAD").code == 0
    side = bumped.commit("side: fw 4 of its own")
    divergent = json.loads(run(bumped, "diff", "main", side, "--format", "json").out)["units"]
    fw = next(u for u in divergent if u["unit"] == "fw")
    assert (fw["from"], fw["to"]) == (4, 4)  # the records at both ends, whatever their histories
    assert {"kind": "added", "path": "req/fw/extra.toml", "version": 4} in fw["changes"]


def test_diff_across_a_rename(bumped: GitRepo, run: Run) -> None:
    four_versions(bumped, run)
    config = bumped.read("versionbot.toml").replace("[units.fw]", '[units.framework]\nrenamed-from = "fw"')
    bumped.write("versionbot.toml", config.replace('depends-on = ["fw"]', 'depends-on = ["framework"]'))
    assert run(bumped, "bump").code == 0
    bumped.commit("fw is framework now")
    bumped.write(FW_LOCK, "numpy 3\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("framework 5")
    result = run(bumped, "diff", "framework@2", "framework@5", "--format", "json")
    assert result.code == 0, result.err
    assert [(u["unit"], u["from"], u["to"]) for u in json.loads(result.out)["units"]] == [("framework", 2, 5)]


def test_a_version_after_a_deleted_file_is_told_against_the_last_readable_record(
    bumped: GitRepo, run: Run
) -> None:
    four_versions(bumped, run)
    (bumped.path / FW).unlink()
    bumped.commit("fw's version file deleted by mistake")
    bumped.write(FW_LOCK, "numpy 3\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("fw 5")
    newest = log(run, bumped, "fw")["units"][0]["versions"][0]
    assert newest["version"] == 5
    assert newest["changes"][0] == {"kind": "modified", "path": FW_LOCK}  # not every input `added`


def test_log_in_a_shallow_clone_says_so(bumped: GitRepo, run: Run, tmp_path: Any) -> None:
    four_versions(bumped, run)
    clone = GitRepo.__new__(GitRepo)
    clone.path = tmp_path / "shallow"
    bumped.git("clone", "-q", "--depth", "2", f"file://{bumped.path}", str(clone.path))
    result = run(clone, "log", "fw")
    assert result.code == 2
    assert "shallow clone" in result.err
    assert "git fetch --unshallow" in result.err


def test_a_tag_shaped_like_unit_at_version_is_a_revision(bumped: GitRepo, run: Run) -> None:
    made = four_versions(bumped, run)
    bumped.git("tag", "rel@1", made[0])
    units = json.loads(run(bumped, "diff", "rel@1", "HEAD", "--format", "json").out)["units"]
    assert [(u["unit"], u["from"], u["to"]) for u in units] == [("app", 2, 4), ("fw", 2, 4)]
