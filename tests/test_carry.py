"""Numbers carried, never reset (DESIGN.md "When a version must change"): moved version files, renamed
units and dependencies, `start`, a base record that is corrupt or deleted, and who took a number.
End to end with the real git CLI."""

from __future__ import annotations

from tests.conftest import Run
from tests.flows import report, unit
from tests.gitrepo import GitRepo

APP = "req/app/version.json"
FW = "req/fw/version.json"
FW_LOCK = "req/fw/pylock.fw.toml"
APP_LOCK = "req/app/pylock.app.toml"


def at_fw_3(repo: GitRepo, run: Run) -> None:
    """fw taken to 3 (and app with it) on main, in two changes."""
    for text in ("numpy 2.0\n", "numpy 2.1\n"):
        repo.write(FW_LOCK, text)
        assert run(repo, "bump", "--base", "HEAD").code == 0
        repo.commit(f"fw: {text.strip()}")
    assert repo.read_json(FW)["version"] == 3


def edit_config(repo: GitRepo, old: str, new: str) -> None:
    config = repo.read("versionbot.toml")
    assert old in config
    repo.write("versionbot.toml", config.replace(old, new))


def test_git_mv_of_a_version_file_is_moved_and_keeps_its_number(bumped: GitRepo, run: Run) -> None:
    at_fw_3(bumped, run)
    bumped.branch("feature")
    bumped.git("mv", FW, "req/fw/fw.version.json")
    edit_config(bumped, f'version-file = "{FW}"', 'version-file = "req/fw/fw.version.json"')
    fw = unit(report(run, bumped), "fw")
    assert (fw["status"], fw["base_version"], fw["expected_version"]) == ("moved", 3, 3)
    assert {"kind": "moved", "path": "req/fw/fw.version.json", "from": FW} in fw["changes"]
    assert unit(report(run, bumped), "app")["status"] == "unchanged"
    text = run(bumped, "check")
    assert text.code == 0
    assert f"moved version file {FW} -> req/fw/fw.version.json" in text.out
    bumped.commit("move fw's version file")
    assert run(bumped, "check").code == 0


def test_a_moved_version_file_without_git_mv_is_written_and_the_old_one_removed(
    bumped: GitRepo, run: Run
) -> None:
    at_fw_3(bumped, run)
    bumped.branch("feature")
    edit_config(bumped, f'version-file = "{FW}"', 'version-file = "req/fw/fw.version.json"')
    fw = unit(report(run, bumped), "fw")
    assert (fw["status"], fw["expected_version"]) == ("missing-file", 3)
    dry = run(bumped, "bump", "--dry-run")
    assert f"would remove {FW}: the version file moved" in dry.out
    bump = run(bumped, "bump")
    assert bump.code == 0, bump.err
    assert f"removed {FW}: the version file moved" in bump.out
    assert not (bumped.path / FW).exists()
    assert bumped.read_json("req/fw/fw.version.json")["version"] == 3
    assert unit(report(run, bumped), "fw")["status"] == "moved"


def test_a_renamed_unit_keeps_its_number_and_so_do_its_dependents(bumped: GitRepo, run: Run) -> None:
    at_fw_3(bumped, run)
    assert bumped.read_json(APP)["version"] == 3
    bumped.branch("feature")
    config = bumped.read("versionbot.toml")
    config = config.replace("[units.fw]", '[units.framework]\nrenamed-from = "fw"')
    bumped.write("versionbot.toml", config.replace('depends-on = ["fw"]', 'depends-on = ["framework"]'))
    before = report(run, bumped)
    framework, app = unit(before, "framework"), unit(before, "app")
    assert (framework["status"], framework["expected_version"]) == ("stale-hash", 3)
    assert "former name 'fw'" in framework["message"]
    assert (app["status"], app["expected_version"]) == ("stale-hash", 3)
    assert {"kind": "renamed-unit", "unit": "framework", "from": "fw"} in app["changes"]
    assert run(bumped, "bump").code == 0
    assert bumped.read_json(FW)["unit"] == "framework"
    assert bumped.read_json(APP)["depends"] == {"framework": 3}
    after = report(run, bumped)
    assert after["ok"] is True
    assert {found["unit"]: (found["status"], found["expected_version"]) for found in after["units"]} == {
        "app": ("moved", 3),
        "framework": ("moved", 3),
    }
    bumped.commit("fw is framework now")
    bumped.write(FW_LOCK, "numpy 2.2\n")
    assert run(bumped, "bump").code == 0  # a real change on top of the rename: one bump
    assert (bumped.read_json(FW)["version"], bumped.read_json(APP)["version"]) == (4, 4)


def test_a_unit_with_start_is_new_at_that_number(bumped: GitRepo, run: Run) -> None:
    bumped.write("layers/cpython/pylock.toml", "python 3.12\n")
    bumped.write(
        "versionbot.toml",
        bumped.read("versionbot.toml")
        + '\n[units.cpython]\nversion-file = "layers/cpython/version.json"\ninputs = ["layers/cpython/"]\n'
        + "start = 5\n",
    )
    cpython = unit(report(run, bumped), "cpython")
    assert (cpython["status"], cpython["expected_version"]) == ("missing-file", 5)
    assert run(bumped, "bump").code == 0
    cpython = unit(report(run, bumped), "cpython")
    assert (cpython["status"], cpython["expected_version"]) == ("new", 5)


def test_a_corrupt_base_record_continues_from_the_last_readable_one(bumped: GitRepo, run: Run) -> None:
    at_fw_3(bumped, run)
    bumped.write(FW, "<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> feature\n")  # a conflict committed
    bumped.commit("a bad merge resolution")
    bumped.branch("feature")
    fw = unit(report(run, bumped), "fw")
    assert (fw["status"], fw["expected_version"]) == ("invalid-file", 3)
    bumped.write(FW_LOCK, "numpy 2.2\n")
    fw = unit(report(run, bumped), "fw")
    assert (fw["status"], fw["base_version"], fw["expected_version"]) == ("invalid-file", 3, 4)
    assert run(bumped, "bump").code == 0
    assert bumped.read_json(FW)["version"] == 4
    fw = unit(report(run, bumped), "fw")
    assert fw["status"] == "bumped"
    assert "continued from" in fw["message"]


def test_a_deleted_base_record_is_restored_at_its_number(bumped: GitRepo, run: Run) -> None:
    at_fw_3(bumped, run)
    (bumped.path / FW).unlink()
    bumped.commit("fw's version file deleted by mistake")
    bumped.branch("feature")
    fw = unit(report(run, bumped), "fw")
    assert (fw["status"], fw["expected_version"]) == ("missing-file", 3)
    assert run(bumped, "bump").code == 0
    assert bumped.read_json(FW)["version"] == 3


def test_a_base_that_moved_on_names_who_took_the_number(bumped: GitRepo, run: Run) -> None:
    """Two branches bump app 1 -> 2; one lands; the other merges main and keeps its own version file
    (the conflict resolved as "ours"): the check names main's commit that took 2."""
    bumped.branch("feature")
    bumped.write("launch/app/__main__.py", "import scipy  # feature\n")
    assert run(bumped, "bump").code == 0
    bumped.commit("feature: launch module, app bumped")
    bumped.checkout("main")
    bumped.write(APP_LOCK, "scipy 1.16.2\n")
    assert run(bumped, "bump").code == 0
    taker = bumped.commit("scipy 1.16.2 (#12)")
    bumped.checkout("feature")
    bumped.git("merge", "-q", "-X", "ours", "--no-edit", "main")
    app = unit(report(run, bumped, "--base", "main"), "app")
    assert (app["status"], app["base_version"], app["recorded_version"]) == ("needs-bump", 2, 2)
    assert app["taken_by"] == {"commit": taker, "subject": "scipy 1.16.2 (#12)"}
    text = run(bumped, "check", "--base", "main")
    assert f"app took 2 in {taker[:12]} (scipy 1.16.2 (#12))" in text.out
    assert run(bumped, "bump", "--base", "main").code == 0
    assert bumped.read_json(APP)["version"] == 3
    forgot = unit(report(run, bumped, "--base", "HEAD"), "app")
    assert forgot["taken_by"] is None


def test_a_revert_names_nobody(bumped: GitRepo, run: Run) -> None:
    """Reverting a bump brings back a file the base held before: no other change took a number."""
    bumped.write(FW_LOCK, "numpy 2.0\n")
    assert run(bumped, "bump").code == 0
    bump = bumped.commit("numpy 2.0")
    bumped.branch("feature")
    bumped.git("revert", "--no-edit", bump)
    fw = unit(report(run, bumped, "--base", "main"), "fw")
    assert fw["status"] == "wrong-version"
    assert fw["taken_by"] is None
