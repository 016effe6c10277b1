"""The `parts` scheme (DESIGN.md "Schemes"): named integer parts, each judged by the integer rule
against its own inputs, joined into one version. venvstacks #89's `{layer}@{lock}+{app}` end to end."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Run
from tests.flows import report, unit, unpacked
from tests.gitrepo import GitRepo
from versionbot.config import parse_config
from versionbot.errors import ConfigError
from versionbot.findings import Status
from versionbot.judge import judge
from versionbot.plan import part_hashes
from versionbot.records import Recorded
from versionbot.schemes import parts_scheme
from versionbot.versionfile import PartRecord, VersionFile

LOCK_APP = parts_scheme(("lock", "app"))


def test_parts_versions_are_numbers_joined_in_config_order() -> None:
    assert LOCK_APP.initial == "1+1"
    assert LOCK_APP.split("2+3") == {"lock": 2, "app": 3}
    assert LOCK_APP.join({"app": 3, "lock": 2}) == "2+3"
    assert LOCK_APP.key("10+2") > LOCK_APP.key("9+2")  # by number, not text
    assert LOCK_APP.next("2+3", "patch") == "3+4"  # where nothing tells the parts apart
    assert parts_scheme(("a", "b", "c"), ".").initial == "1.1.1"


@pytest.mark.parametrize("value", ["2+3", "1+1", "123+4"])
def test_valid_parts_versions(value: str) -> None:
    assert LOCK_APP.is_valid(value)


@pytest.mark.parametrize("value", [2, "2", "2+3+1", "2-3", "0+1", "02+1", "+1", "2+", "2++3", "a+b", True])
def test_refused_parts_versions(value: object) -> None:
    assert not LOCK_APP.is_valid(value)


# The judgement, with no git: a base record, a head record and each part's fingerprint ------------

CONFIG = parse_config(
    {
        "units": {
            "layer": {
                "scheme": "parts",
                "version-file": "layer/version.json",
                "parts": {
                    "lock": {"inputs": ["layer/requirements/"], "values": {"runtime": "cpython-3.11"}},
                    "app": {"inputs": ["layer/launch/"]},
                },
            }
        }
    },
    source="versionbot.toml",
    version="1.0",
)
LAYER = CONFIG.units[0]
OLD = {"layer/requirements/pylock.toml": "sha256:" + "1" * 64, "layer/launch/app.py": "sha256:" + "2" * 64}


def record(version: str, manifest: dict[str, str]) -> VersionFile:
    """What `bump` writes for the layer at `version` over `manifest`."""
    hashes = part_hashes(LAYER, manifest, LAYER.values, {})
    numbers = LAYER.versions.split(version)
    return VersionFile(
        unit="layer",
        version=version,
        inputs=manifest,
        inputs_hash=f"whole:{sorted(manifest.items())}",
        values=LAYER.values,
        parts={name: PartRecord(numbers[name], hashes[name]) for name in numbers},
    )


def judged(base: VersionFile | None, head: VersionFile | None, manifest: dict[str, str]) -> Any:
    return judge(
        unit=LAYER,
        manifest=manifest,
        depends={},
        fingerprint=f"whole:{sorted(manifest.items())}",
        base_recorded=Recorded(base, None),
        head_recorded=Recorded(head, None),
        changes=(),
        part_fingerprints=part_hashes(LAYER, manifest, LAYER.values, {}),
    )


LAUNCH_CHANGED = OLD | {"layer/launch/app.py": "sha256:" + "3" * 64}
LOCK_CHANGED = OLD | {"layer/requirements/pylock.toml": "sha256:" + "4" * 64}
BOTH_CHANGED = LAUNCH_CHANGED | {"layer/requirements/pylock.toml": "sha256:" + "4" * 64}


@pytest.mark.parametrize(
    ("manifest", "recorded", "status", "expected", "words"),
    [
        (OLD, "1+1", Status.UNCHANGED, "1+1", "inputs unchanged"),
        (LAUNCH_CHANGED, "1+2", Status.BUMPED, "1+2", "app 1 -> 2"),
        (LOCK_CHANGED, "2+1", Status.BUMPED, "2+1", "lock 1 -> 2"),
        (BOTH_CHANGED, "2+2", Status.BUMPED, "2+2", "lock 1 -> 2, app 1 -> 2"),
        (LAUNCH_CHANGED, "1+1", Status.NEEDS_BUMP, "1+2", "app's inputs changed but it is still 1"),
        (LAUNCH_CHANGED, "2+2", Status.UNEXPECTED_BUMP, "1+2", "lock went from 1 to 2 but its inputs"),
        (LAUNCH_CHANGED, "1+3", Status.WRONG_VERSION, "1+2", "app is 3 but one change gets one bump"),
        # the first failing part's status in the findings table's order: needs-bump before the rest
        (LAUNCH_CHANGED, "2+1", Status.NEEDS_BUMP, "1+2", "lock went from 1 to 2"),
        (OLD, "1+2", Status.UNEXPECTED_BUMP, "1+1", "app went from 1 to 2"),
    ],
)
def test_each_part_by_the_integer_rule(
    manifest: dict[str, str], recorded: str, status: Status, expected: str, words: str
) -> None:
    finding = judged(record("1+1", OLD), record(recorded, manifest), manifest)
    assert (finding.status, finding.expected_version) == (status, expected)
    assert words in finding.message


def test_a_new_unit_starts_with_every_part_at_one() -> None:
    finding = judged(None, record("1+1", OLD), OLD)
    assert (finding.status, finding.expected_version) == (Status.NEW, "1+1")
    assert finding.expected.parts["lock"].version == 1


def test_a_part_added_later_starts_at_one_and_keeps_the_others() -> None:
    base = record("4+7", OLD)
    base = VersionFile(**{**base.__dict__, "version": "4", "parts": {"lock": base.parts["lock"]}})
    finding = judged(base, None, OLD)
    assert finding.expected_version == "4+1"  # never reset: the lock part keeps its 4


def test_a_record_of_another_scheme_starts_again() -> None:
    base = VersionFile(unit="layer", version=5, inputs=OLD, inputs_hash="x")
    assert judged(base, None, OLD).expected_version == "1+1"


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"scheme": "parts"}, "units.layer.parts: declare the unit's parts"),
        ({"scheme": "parts", "parts": {"lock": {"inputs": ["a/"]}}, "inputs": ["a/"]}, "units.layer.inputs"),
        ({"parts": {"lock": {"inputs": ["a/"]}}}, 'only a unit of scheme = "parts" has parts'),
        ({"scheme": "parts", "parts": {"version": {"inputs": ["a/"]}}}, "are not `unit` or `version`"),
        ({"scheme": "parts", "parts": {"lock": {"inputs": ["a/"], "start": 2}}}, "parts.lock.start: unknown"),
        ({"scheme": "parts", "parts": {"lock": {}}}, "units.layer.parts.lock.inputs: must be a list"),
        (
            {
                "scheme": "parts",
                "parts": {
                    "a": {"inputs": ["a/"], "values": {"x": 1}},
                    "b": {"inputs": ["b/"], "values": {"x": 1}},
                },
            },
            "parts.b.values.x: is a value of part 'a' too",
        ),
        (
            {"scheme": "parts", "separator": "/", "parts": {"lock": {"inputs": ["a/"]}}},
            "separator: must be one of",
        ),
        (
            {"scheme": "parts", "start": "2", "parts": {"a": {"inputs": ["a/"]}, "b": {"inputs": ["b/"]}}},
            "start: must be one number per part",
        ),
        (
            {
                "scheme": "parts",
                "deploy-name": "{unit}@{lock}",
                "parts": {"lock": {"inputs": ["a/"]}, "app": {"inputs": ["b/"]}},
            },
            "must hold {version} (or every part)",
        ),
        (
            {"scheme": "parts", "deploy-name": "{unit}@{lok}", "parts": {"lock": {"inputs": ["a/"]}}},
            "known: {unit}, {version}, {lock}",
        ),
    ],
)
def test_parts_configuration_errors_name_the_key(table: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(
            {"units": {"layer": {"version-file": "v.json", **table}}}, source="versionbot.toml", version="1.0"
        )
    assert fragment in str(raised.value)


# venvstacks #89 end to end ----------------------------------------------------------------------

VENVSTACKS = """\
[units.framework]
version-file = "requirements/framework/version.json"
inputs = ["requirements/framework/"]

[units.app-layer]
scheme = "parts"
version-file = "requirements/app-layer/version.json"
deploy-name = "{unit}@{lock}+{app}"

[units.app-layer.parts.lock]
inputs = ["requirements/app-layer/pylock.*.toml"]
depends-on = ["framework"]

[units.app-layer.parts.app]
inputs = ["launch_modules/app/"]
values = { entry = "app:main" }

[units.bundle]
version-file = "bundle/version.json"
inputs = ["bundle/"]
depends-on = ["app-layer"]
"""
LAYER_FILE = "requirements/app-layer/version.json"


@pytest.fixture
def stack(tmp_path: Any, run: Run) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("versionbot.toml", VENVSTACKS)
    repo.write("requirements/framework/pylock.framework.toml", "numpy==2.3.0\n")
    repo.write("requirements/app-layer/pylock.app-layer.toml", "scipy==1.16.1\n")
    repo.write("launch_modules/app/__main__.py", "print('app')\n")
    repo.write("bundle/manifest.txt", "one\n")
    assert run(repo, "bump").code == 0
    repo.commit("initial")
    return repo


def bump_and_commit(run: Run, repo: GitRepo, subject: str) -> dict[str, Any]:
    """Bump against the last commit, commit, and the layer's finding against it."""
    assert run(repo, "bump", "--base", "HEAD").code == 0
    repo.commit(subject)
    assert run(repo, "check", "--base", "HEAD~1").code == 0
    return unit(report(run, repo, "--base", "HEAD~1"), "app-layer")


def test_venvstacks_89_progressions(stack: GitRepo, run: Run) -> None:
    layer = unit(report(run, stack, "--base", "HEAD"), "app-layer")
    assert (layer["expected_version"], layer["deploy"]) == ("1+1", "app-layer@1+1")
    assert stack.read_json(LAYER_FILE)["parts"]["app"]["version"] == 1

    stack.write("launch_modules/app/__main__.py", "print('app, improved')\n")  # a launch-module update
    layer = bump_and_commit(run, stack, "launch module")
    assert (layer["status"], layer["deploy"]) == ("bumped", "app-layer@1+2")
    assert "app 1 -> 2" in layer["message"]

    stack.write("requirements/framework/pylock.framework.toml", "numpy==2.3.1\n")  # a dependency update
    layer = bump_and_commit(run, stack, "framework")
    assert (layer["status"], layer["deploy"]) == ("bumped", "app-layer@2+2")
    assert {"kind": "depends", "unit": "framework", "from": 1, "to": 2} in layer["changes"]

    stack.write("requirements/app-layer/pylock.app-layer.toml", "scipy==1.16.2\n")  # both at once
    stack.write("launch_modules/app/__main__.py", "print('app, again')\n")
    layer = bump_and_commit(run, stack, "both")
    assert (layer["status"], layer["deploy"]) == ("bumped", "app-layer@3+3")

    record = stack.read_json(LAYER_FILE)
    assert record["version"] == "3+3"
    assert {name: part["version"] for name, part in record["parts"].items()} == {"lock": 3, "app": 3}
    assert record["values"] == {"entry": "app:main"}  # the parts' together, as for a plain unit
    assert record["depends"] == {"framework": 2}
    assert stack.read_json("bundle/version.json")["depends"] == {"app-layer": "3+3"}  # the string


def test_a_part_bumped_by_hand_the_wrong_way_is_named(stack: GitRepo, run: Run) -> None:
    stack.write("launch_modules/app/__main__.py", "print('app, improved')\n")
    data = stack.read_json(LAYER_FILE)
    stack.write(LAYER_FILE, json.dumps(data | {"version": "2+1"}))
    layer = unit(report(run, stack, "--base", "HEAD"), "app-layer")
    assert layer["status"] == "needs-bump"
    assert "the version is 2+1 but should be 1+2" in layer["message"]
    assert "lock went from 1 to 2 but its inputs did not change" in layer["message"]
    assert run(stack, "bump").code == 0
    assert stack.read_json(LAYER_FILE)["version"] == "1+2"


def test_export_and_status_name_the_parts_deploy(stack: GitRepo, run: Run) -> None:
    exported = json.loads(run(stack, "export").out)
    bundle = next(entry for entry in exported["units"] if entry["unit"] == "bundle")
    assert bundle["requires"] == ["app-layer@1+1"]
    assert "app-layer@1+1" in run(stack, "status").out


def test_the_merge_driver_merges_parts_one_by_one(stack: GitRepo, run: Run) -> None:
    assert run(stack, "init", "--merge-driver").code == 0
    stack.commit("merge driver")
    stack.branch("launch")
    stack.checkout("main")
    stack.write("requirements/app-layer/pylock.app-layer.toml", "scipy==1.16.2\n")
    bump_and_commit(run, stack, "lock on main")  # 2+1
    stack.checkout("launch")
    stack.write("launch_modules/app/__main__.py", "print('app, improved')\n")
    bump_and_commit(run, stack, "launch module on a branch")  # 1+2
    stack.git("merge", "--no-edit", "main")  # no conflict: the driver merged the record
    assert stack.read_json(LAYER_FILE)["version"] == "2+2"
    merged = report(run, stack, "--base", "main")
    assert unit(merged, "app-layer")["status"] == "bumped"
    # A dependent's record cannot know the merged layer's version: `bump` refreshes it.
    assert unit(merged, "bundle")["status"] == "stale-hash"
    assert run(stack, "bump", "--base", "main").code == 0
    assert run(stack, "check", "--base", "main").code == 0


def test_verify_checks_each_part_of_a_deployed_tree(stack: GitRepo, run: Run, tmp_path: Any) -> None:
    tree = unpacked(stack, tmp_path / "deployed")
    assert run(stack, "--repo", str(tree), "verify", "--dir", str(tree)).code == 0
    data = json.loads((tree / LAYER_FILE).read_text())
    data["parts"]["app"]["inputs_hash"] = data["parts"]["lock"]["inputs_hash"]
    (tree / LAYER_FILE).write_text(json.dumps(data))
    result = run(stack, "verify", "--dir", str(tree))
    assert result.code == 1
    assert "part app does not match its inputs" in result.out


# The parts themselves change: renamed, added, removed, reordered ------------------------------


def reconfigure(repo: GitRepo, old: str, new: str) -> None:
    text = repo.read("versionbot.toml")
    assert old in text
    repo.write("versionbot.toml", text.replace(old, new))


def add_extra_part(repo: GitRepo) -> None:
    extra = '[units.app-layer.parts.extra]\ninputs = ["extra/"]\n\n[units.bundle]'
    repo.write("versionbot.toml", repo.read("versionbot.toml").replace("[units.bundle]", extra))
    reconfigure(repo, "{lock}+{app}", "{version}")


def layer_after(run: Run, repo: GitRepo) -> dict[str, Any]:
    return unit(report(run, repo, "--base", "HEAD"), "app-layer")


def test_a_renamed_part_keeps_its_number(stack: GitRepo, run: Run) -> None:
    stack.write("requirements/app-layer/pylock.app-layer.toml", "scipy==1.16.2\n")
    bump_and_commit(run, stack, "lock")  # 2+1
    reconfigure(
        stack, "[units.app-layer.parts.lock]\n", '[units.app-layer.parts.deps]\nrenamed-from = "lock"\n'
    )
    reconfigure(stack, "{lock}+{app}", "{deps}+{app}")
    layer = layer_after(run, stack)
    assert (layer["status"], layer["expected_version"]) == ("stale-hash", "2+1")  # never back to 1+1
    assert run(stack, "bump", "--base", "HEAD").code == 0
    assert set(stack.read_json(LAYER_FILE)["parts"]) == {"deps", "app"}
    assert layer_after(run, stack)["status"] == "unchanged"


def test_a_part_added_later_starts_at_one(stack: GitRepo, run: Run) -> None:
    stack.write("requirements/app-layer/pylock.app-layer.toml", "scipy==1.16.2\n")
    bump_and_commit(run, stack, "lock")  # 2+1
    stack.write("extra/data.txt", "x\n")
    add_extra_part(stack)
    layer = layer_after(run, stack)
    assert (layer["status"], layer["expected_version"]) == ("wrong-version", "2+1+1")
    assert "the file has no number for part extra" in layer["message"]
    assert run(stack, "bump", "--base", "HEAD").code == 0
    layer = layer_after(run, stack)
    assert (layer["status"], layer["recorded_version"]) == ("new", "2+1+1")
    assert "extra new at 1" in layer["message"]


def test_a_part_removed_is_a_change(stack: GitRepo, run: Run) -> None:
    reconfigure(
        stack,
        '[units.app-layer.parts.app]\ninputs = ["launch_modules/app/"]\nvalues = { entry = "app:main" }\n',
        "",
    )
    reconfigure(stack, "{lock}+{app}", "{lock}")
    assert run(stack, "bump", "--base", "HEAD").code == 0
    layer = layer_after(run, stack)
    assert (layer["status"], layer["recorded_version"]) == ("bumped", "1")
    assert "app removed" in layer["message"]


def test_reordered_parts_are_written_in_the_new_order_without_a_bump(stack: GitRepo, run: Run) -> None:
    stack.write("launch_modules/app/__main__.py", "print('app, improved')\n")
    bump_and_commit(run, stack, "launch module")  # 1+2
    lock = (
        '[units.app-layer.parts.lock]\ninputs = ["requirements/app-layer/pylock.*.toml"]\n'
        'depends-on = ["framework"]\n\n'
    )
    text = stack.read("versionbot.toml")
    stack.write("versionbot.toml", text.replace(lock, "").replace("[units.bundle]", lock + "[units.bundle]"))
    reconfigure(stack, "{lock}+{app}", "{version}")
    layer = layer_after(run, stack)
    assert (layer["status"], layer["expected_version"]) == ("wrong-version", "2+1")
    assert "the parts are app+lock, in the configuration's order" in layer["message"]
    assert run(stack, "bump", "--base", "HEAD").code == 0
    assert layer_after(run, stack)["status"] == "unchanged"  # each number kept: no redeploy


def test_the_merge_driver_merges_a_side_that_added_a_part(stack: GitRepo, run: Run) -> None:
    assert run(stack, "init", "--merge-driver").code == 0
    stack.commit("merge driver")
    stack.branch("extra")
    stack.checkout("main")
    stack.write("requirements/app-layer/pylock.app-layer.toml", "scipy==1.16.2\n")
    bump_and_commit(run, stack, "lock on main")  # 2+1
    stack.checkout("extra")
    stack.write("extra/data.txt", "x\n")
    add_extra_part(stack)
    assert run(stack, "bump", "--base", "HEAD").code == 0
    stack.commit("a part of its own")  # 1+1+1
    stack.git("merge", "--no-edit", "main")  # no conflict markers
    assert stack.read_json(LAYER_FILE)["version"] == "2+1+1"
