"""The JSON Schemas versionbot ships: printed by `versionbot schema`, packaged, in the form SchemaStore
takes, in step with what the configuration reader knows, and satisfied by every example."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.gitrepo import GitRepo
from tests.schemas import check, check_written, config_table, problems
from versionbot import config as config_module
from versionbot.schemas import FILES, schema_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(FILES))
def test_schema_command_prints_the_packaged_schema(run: Run, tmp_path: Path, name: str) -> None:
    done = run(GitRepo(tmp_path / "r"), "schema", name)
    assert done.code == 0, done.err
    assert done.out == (PROJECT / "versionbot" / "schema" / FILES[name]).read_text(encoding="utf-8")
    schema = json.loads(done.out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("https://json.schemastore.org/versionbot")
    assert schema["title"]
    assert schema["description"]


def test_schema_command_outside_a_repository(tmp_path: Path) -> None:
    done = GitRepo(tmp_path / "r").versionbot("--repo", str(tmp_path / "nowhere"), "schema", "config")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["title"] == "versionbot configuration"


def _properties_described(schema: Any, where: str = "") -> list[str]:
    """Every property without a description, anywhere in the schema (SchemaStore asks for them)."""
    missing = []
    if isinstance(schema, dict):
        for key, value in schema.get("properties", {}).items():
            if isinstance(value, dict) and "description" not in value and "$ref" not in value:
                missing.append(f"{where}/{key}")
        for key, value in schema.items():
            missing += _properties_described(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            missing += _properties_described(value, f"{where}/{index}")
    return missing


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_property_is_described(name: str) -> None:
    assert _properties_described(json.loads(schema_text(name))) == []


def test_the_schemas_are_package_data() -> None:
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"]["versionbot"]
    assert "schema/*.json" in shipped
    assert sorted(path.name for path in (PROJECT / "versionbot" / "schema").iterdir()) == sorted(
        FILES.values()
    )
    assert any(
        dependency.startswith("jsonschema")
        for dependency in pyproject["project"]["optional-dependencies"]["dev"]
    )


def test_config_schema_knows_every_key_the_reader_knows() -> None:
    schema = json.loads(schema_text("config"))
    assert set(schema["properties"]) == set(config_module.TOP_KEYS)
    assert set(config_module.UNIT_KEYS) <= set(schema["$defs"]["unit"]["properties"])


def test_the_example_validates() -> None:
    check_written(PROJECT, PROJECT / "examples" / "versionbot.toml")
    for path in sorted((PROJECT / "examples").rglob("version.json")):
        check("version-file", json.loads(path.read_bytes()), path)


def test_the_projects_fixture_config_validates() -> None:
    from tests.conftest import PROJECT_CONFIG

    check("config", tomllib.loads(PROJECT_CONFIG), "tests/conftest.py PROJECT_CONFIG")


def test_bumped_files_validate(bumped: GitRepo) -> None:
    """The `run` fixture checks what a bump writes; here it is checked by hand once, to be sure."""
    table = config_table(bumped.path)
    assert table is not None
    for unit in table["units"].values():
        check("version-file", bumped.read_json(unit["version-file"]), unit["version-file"])


PARTS_CONFIG = """\
scheme = "parts"

[units.app]
version-file = "req/app/version.json"
separator = "+"

[units.app.parts.lock]
inputs = ["req/app/pylock.*.toml"]
depends-on = ["fw"]

[units.app.parts.launch]
inputs = ["launch/app/"]
exclude = ["**/__pycache__/**"]
values = { module = "app" }
values-from = { launch = { file = "venvstacks.toml", key = "applications[name=app].launch_module" } }

[units.fw]
version-file = "req/fw/version.json"
inputs = ["req/fw/"]
scheme = "integer"
"""

DIGEST = "sha256:" + "0" * 64


def test_parts_configuration_and_record_validate() -> None:
    check("config", tomllib.loads(PARTS_CONFIG), "PARTS_CONFIG")
    record = {
        "format": 1,
        "unit": "app",
        "version": "2+3",
        "inputs": {"req/app/pylock.app.toml": "pylock-1:" + DIGEST, "launch/app/__main__.py": DIGEST},
        "inputs_hash": DIGEST,
        "depends": {"fw": 4},
        "values": {"module": "app", "launch": "app"},
        "parts": {
            "lock": {"version": 2, "inputs_hash": DIGEST},
            "launch": {"version": 3, "inputs_hash": DIGEST},
        },
    }
    check("version-file", record, "a parts record")


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ('[units.a]\nversion-file = "a/v.json"\ninputs = ["a/"]\nunknown = 1\n', "unknown"),
        ('[units.a]\nversion-file = "a/v.json"\n', "'inputs' is a required property"),
        ('[units.a]\nversion-file = "a/v.txt"\ninputs = ["a/"]\n', "version-file"),
        ('[units.a]\nversion-file = "a/v.json"\ninputs = []\n', "inputs"),
        ('[units.a]\nversion-file = "a/v.json"\ninputs = ["/abs"]\n', "inputs/0"),
        ('[units.a]\nversion-file = "a/v.json"\ninputs = ["a/../b"]\n', "inputs/0"),
        ('[units.a]\nversion-file = ".git/v.json"\ninputs = ["a/"]\n', "version-file"),
        ('scheme = "calver"\n[units.a]\nversion-file = "a/v.json"\ninputs = ["a/"]\n', "scheme"),
        ('[units.a]\nversion-file = "a/v.json"\ninputs = ["a/"]\ndeploy-name = "{unit}"\n', "deploy-name"),
        (
            '[units.a]\nversion-file = "a/v.json"\ninputs = ["a/"]\n[units.a.parts.x]\ninputs = ["x/"]\n',
            "should not be valid",
        ),
        ('[units.a]\nversion-file = "a/v.json"\n[units.a.parts.x]\nexclude = ["x/"]\n', "inputs"),
        ("units = {}\n", "units"),
    ],
)
def test_config_schema_refuses(config: str, fragment: str) -> None:
    found = problems("config", tomllib.loads(config))
    assert found
    assert fragment in "\n".join(found)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"format": 2}, "format"),
        ({"version": 0}, "version"),
        ({"version": "v1"}, "version"),
        ({"inputs_hash": "md5:00"}, "inputs_hash"),
        ({"inputs": {"a": "crc:1"}}, "inputs/a"),
        ({"unit": ""}, "unit"),
    ],
)
def test_version_file_schema_refuses(change: dict[str, Any], fragment: str) -> None:
    record = {"format": 1, "unit": "a", "version": 1, "inputs": {"a": DIGEST}, "inputs_hash": DIGEST}
    assert problems("version-file", record) == []
    found = problems("version-file", {**record, **change})
    assert found
    assert fragment in "\n".join(found)


def test_users_own_keys_are_allowed_in_a_version_file() -> None:
    record = {"format": 1, "unit": "a", "version": "1.4.2", "inputs": {}, "inputs_hash": DIGEST}
    assert problems("version-file", {**record, "built_by": "ci", "notes": ["x"]}) == []
