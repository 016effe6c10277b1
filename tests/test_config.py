"""Config: versionbot.toml or [tool.versionbot], validated into a frozen Config; every error names
the file and the key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from versionbot.config import Config, find_config, load_config, parse_config
from versionbot.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

VERSION = "0.1.0"
SOURCE = "versionbot.toml"

FULL = """\
requires = ">=0.1"
base = "origin/main"
scheme = "integer"

[units.app-scipy-import]
version-file = "requirements/app-scipy-import/version.json"
inputs = ["requirements/app-scipy-import/pylock.*.toml", "launch_modules/scipy_import/"]
exclude = ["**/__pycache__/**"]
depends-on = ["framework-scipy", "framework-scipy"]
values = { runtime = "cpython-3.11", n = 3, on = true, list = [1, "a"], t = { k = "v" } }
scheme = "integer"

[units.framework-scipy]
version-file = "requirements/framework-scipy/version.json"
inputs = ["requirements/framework-scipy/pylock.*.toml"]
"""

MINIMAL_UNIT = """
[units.app]
version-file = "app/version.json"
inputs = ["app/"]
"""


def parse(text: str, *, version: str = VERSION) -> Config:
    return parse_config(tomllib.loads(text), source=SOURCE, version=version)


def config_error(text: str, *, version: str = VERSION) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(text, version=version)
    return str(caught.value)


def test_parse_config_reads_every_key() -> None:
    config = parse(FULL)
    assert config.source == SOURCE
    assert config.requires == ">=0.1"
    assert config.base == "origin/main"
    assert [unit.name for unit in config.units] == ["app-scipy-import", "framework-scipy"]
    app = config.unit("app-scipy-import")
    assert app.version_file == "requirements/app-scipy-import/version.json"
    assert [pattern.text for pattern in app.inputs] == [
        "requirements/app-scipy-import/pylock.*.toml",
        "launch_modules/scipy_import/",
    ]
    assert [pattern.text for pattern in app.exclude] == ["**/__pycache__/**"]
    assert app.depends_on == ("framework-scipy",)  # duplicates collapse
    assert dict(app.values) == {
        "runtime": "cpython-3.11",
        "n": 3,
        "on": True,
        "list": [1, "a"],
        "t": {"k": "v"},
    }
    assert app.scheme == "integer"
    assert app.inputs[0].matches("requirements/app-scipy-import/pylock.app-scipy-import.toml")
    assert app.exclude[0].matches("launch_modules/scipy_import/__pycache__/x.pyc")
    framework = config.unit("framework-scipy")
    assert (framework.exclude, framework.depends_on, dict(framework.values)) == ((), (), {})
    assert config.version_files == frozenset(
        {"requirements/app-scipy-import/version.json", "requirements/framework-scipy/version.json"}
    )


def test_defaults() -> None:
    config = parse(MINIMAL_UNIT)
    assert (config.requires, config.base) == (None, None)
    assert config.units[0].scheme == "integer"


def test_config_is_frozen() -> None:
    config = parse(MINIMAL_UNIT)
    with pytest.raises(AttributeError):
        config.base = "x"  # type: ignore[misc]


def test_dependency_order_puts_dependencies_first() -> None:
    text = """
[units.c]
version-file = "c/v.json"
inputs = ["c/"]
depends-on = ["a"]
[units.b]
version-file = "b/v.json"
inputs = ["b/"]
depends-on = ["c", "d"]
[units.a]
version-file = "a/v.json"
inputs = ["a/"]
[units.d]
version-file = "d/v.json"
inputs = ["d/"]
depends-on = ["a"]
[units.e]
version-file = "e/v.json"
inputs = ["e/"]
"""
    config = parse(text)
    assert [unit.name for unit in config.units] == ["c", "b", "a", "d", "e"]  # config order kept
    order = [unit.name for unit in config.dependency_order()]
    assert order == ["a", "c", "d", "b", "e"]
    for unit in config.units:
        for dependency in unit.depends_on:
            assert order.index(dependency) < order.index(unit.name)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        # unknown keys, with a hint where one is close
        ('unit = "x"\n' + MINIMAL_UNIT, ["unit: unknown key", "did you mean 'units'", "known keys"]),
        ('bse = "main"\n' + MINIMAL_UNIT, ["bse: unknown key", "did you mean 'base'"]),
        (
            "zzzz = 1\n" + MINIMAL_UNIT,
            ["zzzz: unknown key; known keys: requires, base, scheme, level, lock-hashing, deploy-name, "],
        ),
        (MINIMAL_UNIT + 'version_file = "x"\n', ["units.app.version_file: unknown key", "'version-file'"]),
        ('lock-hashing = "smart"\n' + MINIMAL_UNIT, ["lock-hashing: must be one of 'bytes', 'semantic'"]),
        (
            'deploy-name = "{unit}-{ver}"\n' + MINIMAL_UNIT,
            ["deploy-name: unknown placeholder {ver}", "{unit}, {version}"],
        ),
        ('deploy-name = "{unit.__class__}"\n' + MINIMAL_UNIT, ["unknown placeholder {unit.__class__}"]),
        ('deploy-name = "{version!r}"\n' + MINIMAL_UNIT, ["takes no `!` conversion"]),
        ('deploy-name = "{{version}}"\n' + MINIMAL_UNIT, ["must hold {version}"]),
        ('deploy-name = "{unit}\\n@{version}"\n' + MINIMAL_UNIT, ["holds a control character"]),
        ('deploy-name = "{unit}"\n' + MINIMAL_UNIT, ["must hold {version}"]),
        ('deploy-name = "{unit"\n' + MINIMAL_UNIT, ["is no template"]),
        (MINIMAL_UNIT + "deploy-name = 5\n", ["units.app.deploy-name: must be a template"]),
        (MINIMAL_UNIT + "start = 0\n", ["units.app.start: must be a whole number of at least 1"]),
        (MINIMAL_UNIT + "start = true\n", ["units.app.start"]),
        (MINIMAL_UNIT + 'renamed-from = "app"\n', ["units.app.renamed-from: names the unit itself"]),
        (
            MINIMAL_UNIT + 'values = { k = "v" }\nvalues-from = { k = { file = "a.toml", key = "x" } }\n',
            ["units.app.values-from.k: 'k' is given in values too"],
        ),
        (
            MINIMAL_UNIT + 'values-from = { k = { file = "a.yaml", key = "x" } }\n',
            ["units.app.values-from.k.file: must be the path of a .toml or .json file"],
        ),
        (
            MINIMAL_UNIT + 'values-from = { k = { file = "a.toml", key = "x[" } }\n',
            ["units.app.values-from.k.key: 'x[': expected `.` or `[`"],
        ),
        (
            MINIMAL_UNIT + 'values-from = { k = { file = "a.toml", key = "x[a]" } }\n',
            ["units.app.values-from.k.key: 'x[a]': [a] is neither an index"],
        ),
        (
            MINIMAL_UNIT + 'values-from = { k = { file = "a.toml" } }\n',
            ["units.app.values-from.k: must be a table with `file` and `key`"],
        ),
        (MINIMAL_UNIT + 'depends_on = ["x"]\n', ["units.app.depends_on: unknown key", "'depends-on'"]),
        (MINIMAL_UNIT + 'excludes = ["x"]\n', ["units.app.excludes: unknown key", "'exclude'"]),
        # units
        ("", ["units:", "at least one unit"]),
        ("units = {}\n", ["units:", "at least one unit"]),
        ('units = "app"\n', ["units:", "at least one unit"]),
        ('[units]\napp = "x"\n', ["units.app:", "must be a table"]),
        ('[units."my app"]\nversion-file = "v.json"\ninputs = ["a"]\n', ["units.my app:", "unit names"]),
        (
            '[units._app]\nversion-file = "v.json"\ninputs = ["a"]\n',
            ["units._app:", "starting with a letter"],
        ),
        # version-file
        ('[units.app]\ninputs = ["app/"]\n', ["units.app.version-file:", "required"]),
        ('[units.app]\nversion-file = 1\ninputs = ["app/"]\n', ["units.app.version-file:", "required"]),
        ('[units.app]\nversion-file = "/v.json"\ninputs = ["a"]\n', ["units.app.version-file:", "absolute"]),
        ('[units.app]\nversion-file = "../v.json"\ninputs = ["a"]\n', ["units.app.version-file:", "`..`"]),
        ('[units.app]\nversion-file = "app/"\ninputs = ["a"]\n', ["units.app.version-file:", "directory"]),
        (
            '[units.app]\nversion-file = "v*.json"\ninputs = ["a"]\n',
            ["units.app.version-file:", "not a pattern"],
        ),
        ('[units.app]\nversion-file = ""\ninputs = ["a"]\n', ["units.app.version-file:", "empty"]),
        # inputs and exclude
        ('[units.app]\nversion-file = "v.json"\n', ["units.app.inputs:", "list of path patterns"]),
        (
            '[units.app]\nversion-file = "v.json"\ninputs = []\n',
            ["units.app.inputs:", "list of path patterns"],
        ),
        ('[units.app]\nversion-file = "v.json"\ninputs = "app/"\n', ["units.app.inputs:", "list"]),
        ('[units.app]\nversion-file = "v.json"\ninputs = [1]\n', ["units.app.inputs:", "list"]),
        (
            '[units.app]\nversion-file = "v.json"\ninputs = ["a/", "../etc"]\n',
            ["units.app.inputs[1]:", "'../etc'", "`..`"],
        ),
        ('[units.app]\nversion-file = "v.json"\ninputs = ["/etc"]\n', ["units.app.inputs[0]:", "absolute"]),
        (
            '[units.app]\nversion-file = "v.json"\ninputs = ["a\\\\b"]\n',
            ["units.app.inputs[0]:", "backslash"],
        ),
        ('[units.app]\nversion-file = "v.json"\ninputs = ["a/./b"]\n', ["units.app.inputs[0]:", "`.`"]),
        (MINIMAL_UNIT + 'exclude = ["ok", "x/../../y"]\n', ["units.app.exclude[1]:", "`..`"]),
        (MINIMAL_UNIT + 'exclude = "x"\n', ["units.app.exclude:", "list"]),
        # version files are the units' own
        (
            MINIMAL_UNIT + '[units.other]\nversion-file = "app/version.json"\ninputs = ["o/"]\n',
            ["units.other.version-file:", "'app/version.json'", "unit 'app'"],
        ),
        # depends-on
        (MINIMAL_UNIT + 'depends-on = "fw"\n', ["units.app.depends-on:", "list of unit names"]),
        (MINIMAL_UNIT + "depends-on = [1]\n", ["units.app.depends-on:", "list of unit names"]),
        (
            MINIMAL_UNIT + 'depends-on = ["framework-scip"]\n'
            '[units.framework-scipy]\nversion-file = "fw/v.json"\ninputs = ["fw/"]\n',
            ["units.app.depends-on:", "unknown unit 'framework-scip'", "did you mean 'framework-scipy'"],
        ),
        (MINIMAL_UNIT + 'depends-on = ["zzz"]\n', ["units.app.depends-on:", "unknown unit 'zzz'"]),
        (MINIMAL_UNIT + 'depends-on = ["app"]\n', ["units.app.depends-on:", "dependency cycle: app -> app"]),
        (
            '[units.a]\nversion-file = "a/v.json"\ninputs = ["a"]\ndepends-on = ["b"]\n'
            '[units.b]\nversion-file = "b/v.json"\ninputs = ["b"]\ndepends-on = ["c"]\n'
            '[units.c]\nversion-file = "c/v.json"\ninputs = ["c"]\ndepends-on = ["a"]\n',
            ["depends-on:", "dependency cycle: a -> b -> c -> a"],
        ),
        (
            '[units.x]\nversion-file = "x/v.json"\ninputs = ["x"]\ndepends-on = ["b"]\n'
            '[units.b]\nversion-file = "b/v.json"\ninputs = ["b"]\ndepends-on = ["c"]\n'
            '[units.c]\nversion-file = "c/v.json"\ninputs = ["c"]\ndepends-on = ["b"]\n',
            ["units.b.depends-on:", "dependency cycle: b -> c -> b"],
        ),
        # values JSON cannot carry exactly
        (MINIMAL_UNIT + 'values = "x"\n', ["units.app.values:", "must be a table"]),
        (MINIMAL_UNIT + "values = { ratio = 1.5 }\n", ["units.app.values.ratio:", "float"]),
        (MINIMAL_UNIT + "values = { big = inf }\n", ["units.app.values.big:", "float"]),
        (MINIMAL_UNIT + "values = { day = 2024-01-02 }\n", ["units.app.values.day:", "date or time"]),
        (MINIMAL_UNIT + "values = { at = 2024-01-02T03:04:05Z }\n", ["units.app.values.at:", "date or time"]),
        (
            MINIMAL_UNIT + "values = { t = { noon = 12:00:00 } }\n",
            ["units.app.values.t.noon:", "date or time"],
        ),
        (MINIMAL_UNIT + 'values = { l = [1, "a", 2.0] }\n', ["units.app.values.l[2]:", "float"]),
        (MINIMAL_UNIT + "values = { l = [{ x = [0.1] }] }\n", ["units.app.values.l[0].x[0]:", "float"]),
        # schemes
        (
            'scheme = "calver"\n' + MINIMAL_UNIT,
            ["scheme:", "unknown scheme 'calver'", "known: integer, semver"],
        ),
        (MINIMAL_UNIT + 'scheme = "calver"\n', ["units.app.scheme:", "unknown scheme 'calver'", "integer"]),
        (MINIMAL_UNIT + "scheme = 1\n", ["units.app.scheme:", "unknown scheme"]),
        ("scheme = []\n" + MINIMAL_UNIT, ["scheme:", "unknown scheme"]),
        (MINIMAL_UNIT + "scheme = { name = 'integer' }\n", ["units.app.scheme:", "unknown scheme"]),
        # strings
        ("base = 1\n" + MINIMAL_UNIT, ["base:", "must be a string"]),
        ("requires = 0.1\n" + MINIMAL_UNIT, ["requires:", "must be a string"]),
        ('requires = "0.1"\n' + MINIMAL_UNIT, ["requires:", "'0.1'", "not a version requirement"]),
        ('requires = ">= banana"\n' + MINIMAL_UNIT, ["requires:", "not a version requirement"]),
    ],
)
def test_errors_name_the_file_and_key(text: str, fragments: list[str]) -> None:
    message = config_error(text)
    assert message.startswith(SOURCE + ": ")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("requires", "version"),
    [
        (">=0.1", "0.1.0"),
        (">=0.1", "0.1"),
        (">=0.1.0", "0.2.3"),
        (">=0.1,<1", "0.9.9"),
        (">= 0.1 , < 1.0", "0.5"),
        ("==0.1", "0.1.0"),
        ("!=0.2", "0.1.0"),
        (">0.1", "0.1.1"),
        ("<=1", "1.0.0"),
        (">=0.1", "0.1.0+local.7"),
        (">=1.2", "10.0.0"),  # numeric, not text, comparison
    ],
)
def test_requires_satisfied(requires: str, version: str) -> None:
    assert parse(f'requires = "{requires}"\n' + MINIMAL_UNIT, version=version).requires == requires


@pytest.mark.parametrize(
    ("requires", "version"),
    [
        (">=0.2", "0.1.0"),
        (">=0.1,<0.5", "0.5.0"),
        ("==0.1", "0.1.1"),
        ("!=0.1.0", "0.1"),
        (">0.1", "0.1.0"),
        ("<0.1", "0.1.0"),
        (">=10.0", "9.9.9"),
    ],
)
def test_requires_unsatisfied_names_both_versions(requires: str, version: str) -> None:
    message = config_error(f'requires = "{requires}"\n' + MINIMAL_UNIT, version=version)
    assert message.startswith(f"{SOURCE}: requires: ")
    assert f"needs versionbot {requires}" in message
    assert f"this is {version}" in message


# Files on disk: load_config and find_config.


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


PYPROJECT = """\
[project]
name = "demo"

[tool.ruff]
line-length = 100

[tool.versionbot]
base = "origin/trunk"

[tool.versionbot.units.app]
version-file = "app/version.json"
inputs = ["app/"]
"""


def test_load_config_from_versionbot_toml(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "versionbot.toml", FULL), VERSION)
    assert config == parse(FULL)


def test_load_config_from_pyproject(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "pyproject.toml", PYPROJECT), VERSION)
    assert config.source == "pyproject.toml [tool.versionbot]"
    assert config.base == "origin/trunk"
    assert [(unit.name, unit.version_file) for unit in config.units] == [("app", "app/version.json")]


def test_load_config_pyproject_errors_name_the_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", PYPROJECT.replace('inputs = ["app/"]', 'input = ["app/"]'))
    with pytest.raises(ConfigError) as caught:
        load_config(path, VERSION)
    message = str(caught.value)
    assert message.startswith("pyproject.toml [tool.versionbot]: units.app.input: unknown key")
    assert "did you mean 'inputs'" in message


def test_load_config_pyproject_without_the_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "demo"\n')
    with pytest.raises(ConfigError, match=r"pyproject\.toml: no \[tool\.versionbot\] table"):
        load_config(path, VERSION)


@pytest.mark.parametrize(
    ("name", "text", "position"),
    [
        (
            "versionbot.toml",
            '[units.app]\nversion-file = "v.json"\ninputs = ["a" "b"]\n',
            "line 3, column 15",
        ),
        ("versionbot.toml", "[units.app]\nversion-file = \n", "line 2, column 16"),
        ("versionbot.toml", "[units.app]\n[units.app]\n", "line 2, column 1"),
        ("pyproject.toml", '[project]\nname = "x"\n\n[tool.versionbot\n', "line 4, column 17"),
    ],
)
def test_malformed_toml_names_file_line_and_column(
    tmp_path: Path, name: str, text: str, position: str
) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, VERSION)
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid TOML")
    assert position in message


def test_load_config_unreadable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "versionbot.toml", VERSION)


def test_load_config_pyproject_with_a_non_table_tool(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "tool = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml"):
        load_config(path, VERSION)


def test_find_config_pyproject_with_a_non_table_tool(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "tool = 1\n")
    with pytest.raises(ConfigError, match=r"no configuration"):
        find_config(tmp_path)


def test_find_config_prefers_versionbot_toml(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", PYPROJECT)
    own = write(tmp_path / "versionbot.toml", MINIMAL_UNIT)
    assert find_config(tmp_path) == own


def test_find_config_falls_back_to_pyproject_with_the_table(tmp_path: Path) -> None:
    pyproject = write(tmp_path / "pyproject.toml", PYPROJECT)
    assert find_config(tmp_path) == pyproject


@pytest.mark.parametrize("pyproject", [None, '[project]\nname = "demo"\n', "[tool.ruff]\nline-length = 1\n"])
def test_find_config_nothing_found(tmp_path: Path, pyproject: str | None) -> None:
    if pyproject is not None:
        write(tmp_path / "pyproject.toml", pyproject)
    with pytest.raises(ConfigError) as caught:
        find_config(tmp_path)
    message = str(caught.value)
    assert str(tmp_path) in message
    assert "versionbot.toml" in message
    assert "[tool.versionbot]" in message
    assert "versionbot init" in message


def test_find_config_explicit_wins(tmp_path: Path) -> None:
    write(tmp_path / "versionbot.toml", MINIMAL_UNIT)
    explicit = write(tmp_path / "ci" / "other.toml", MINIMAL_UNIT)
    assert find_config(tmp_path, explicit) == explicit


@pytest.mark.parametrize("make_dir", [False, True])
def test_find_config_explicit_missing(tmp_path: Path, make_dir: bool) -> None:
    explicit = tmp_path / "nope.toml"
    if make_dir:
        explicit.mkdir()
    with pytest.raises(ConfigError, match="no such configuration file") as caught:
        find_config(tmp_path, explicit)
    assert str(explicit) in str(caught.value)


def test_find_config_malformed_pyproject(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool\n")
    with pytest.raises(ConfigError, match="invalid TOML") as caught:
        find_config(tmp_path)
    assert str(path) in str(caught.value)
