"""What `versionbot init` proposes for trees shaped like real repositories: a venvstacks project, a
poetry-style project with test fixtures, an npm workspace with a root lock (and Python servers
beside it), a uv workspace and a Cargo workspace. Each asserts the exact units."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from versionbot.discovery import Proposal, ProposedUnit, propose, repository_name

Tree = Mapping[str, str]


def proposal(tree: Tree, *, include_tests: bool = False) -> Proposal:
    def read(path: str) -> bytes | None:
        return tree[path].encode() if path in tree else None

    return propose(sorted(tree), read, where="repo", fallback_name="fallback", include_tests=include_tests)


def unit(
    name: str,
    version_file: str,
    *inputs: str,
    exclude: tuple[str, ...] = (),
    depends_on: tuple[str, ...] = (),
) -> ProposedUnit:
    return ProposedUnit(
        name=name, version_file=version_file, inputs=inputs, exclude=exclude, depends_on=depends_on
    )


VENVSTACKS_TOML = """\
[[runtimes]]
name = "cpython-3.11"
python_implementation = "cpython@3.11.11"
requirements = ["numpy"]

[[frameworks]]
name = "scipy"
runtime = "cpython-3.11"
requirements = ["scipy"]

[[frameworks]]
name = "http-client"
runtime = "cpython-3.11"
requirements = ["httpx"]

[[applications]]
name = "scipy-client"
launch_module = "launch_modules/scipy_client"
support_modules = ["../outside/empty.py", "support_modules/app_support.py"]
frameworks = ["scipy", "http-client"]
requirements = ["scipy", "httpx"]

[[applications]]
name = "scipy-import"
launch_module = "launch_modules/scipy_import.py"
frameworks = ["scipy"]
requirements = ["scipy"]

[[applications]]
name = "jupyterlab"
launch_module = "run_jupyterlab.py"
runtime = "cpython-3.11"
requirements = ["jupyterlab"]

[[applications]]
name = "sklearn-import"
launch_module = "launch_modules/sklearn_import.py"
frameworks = ["scipy"]
requirements = ["scikit-learn"]
"""


def layer_files(prefix: str, env: str) -> dict[str, str]:
    lock = env.replace(".", "_")
    folder = f"{prefix}requirements/{env}"
    return {
        f"{folder}/pylock.{lock}.toml": 'lock-version = "1.0"\n',
        f"{folder}/pylock.{lock}.meta.json": "{}\n",
        f"{folder}/requirements-{env}.in": "numpy\n",
        f"{folder}/packages-{env}.txt": "numpy==2.0\n",
    }


VENVSTACKS: dict[str, str] = {
    "pyproject.toml": '[project]\nname = "venvstacks"\n\n[tool.pdm]\ndistribution = true\n',
    "pdm.lock": "# pdm lock\n",
    "ci-constraints.txt": "uv==0.9\n",
    "docs/requirements.txt": "sphinx\n",
    "docs/index.rst": "venvstacks\n",
    "src/venvstacks/__init__.py": "",
    "venvstacks.toml": VENVSTACKS_TOML,
    **layer_files("", "cpython-3.11"),
    **layer_files("", "framework-scipy"),
    **layer_files("", "framework-http-client"),
    **layer_files("", "app-scipy-client"),
    **layer_files("", "app-scipy-import"),
    **layer_files("", "app-jupyterlab"),
    "launch_modules/scipy_client/__main__.py": "",
    "launch_modules/scipy_client/cli.py": "",
    "launch_modules/scipy_import.py": "",
    "support_modules/app_support.py": "",
    "run_jupyterlab.py": "",
    "tests/sample_project/venvstacks.toml": VENVSTACKS_TOML,
    **layer_files("tests/sample_project/", "app-scipy-import"),
    "tests/sample_project/requirements.txt": "x==1\n",
}


def test_a_venvstacks_project() -> None:
    found = proposal(VENVSTACKS)
    pycache = ("**/__pycache__/**",)
    assert found.units == (
        unit("venvstacks", "version.json", "pdm.lock"),
        unit("cpython-3.11", "requirements/cpython-3.11/version.json", "requirements/cpython-3.11/"),
        unit(
            "framework-scipy",
            "requirements/framework-scipy/version.json",
            "requirements/framework-scipy/",
            depends_on=("cpython-3.11",),
        ),
        unit(
            "framework-http-client",
            "requirements/framework-http-client/version.json",
            "requirements/framework-http-client/",
            depends_on=("cpython-3.11",),
        ),
        unit(
            "app-scipy-client",
            "requirements/app-scipy-client/version.json",
            "requirements/app-scipy-client/",
            "launch_modules/scipy_client/",
            "support_modules/app_support.py",
            exclude=pycache,
            depends_on=("framework-scipy", "framework-http-client"),
        ),
        unit(
            "app-scipy-import",
            "requirements/app-scipy-import/version.json",
            "requirements/app-scipy-import/",
            "launch_modules/scipy_import.py",
            exclude=pycache,
            depends_on=("framework-scipy",),
        ),
        unit(
            "app-jupyterlab",
            "requirements/app-jupyterlab/version.json",
            "requirements/app-jupyterlab/",
            "run_jupyterlab.py",
            exclude=pycache,
            depends_on=("cpython-3.11",),
        ),
    )
    assert found.left_out == {
        "documentation": ("docs/requirements.txt",),
        "test fixtures (`--include-tests` proposes them)": (
            "tests/sample_project/requirements.txt",
            "tests/sample_project/requirements/app-scipy-import/pylock.app-scipy-import.toml",
            "tests/sample_project/venvstacks.toml",
        ),
        "venvstacks layers not locked yet (`venvstacks lock`, then init again)": (
            "requirements/app-sklearn-import/",
        ),
    }


def test_a_venvstacks_project_with_its_test_fixtures() -> None:
    """Asked for, the sample project's layers come too, named apart from the root project's."""
    units = proposal(VENVSTACKS, include_tests=True).units
    assert units[-2:] == (
        unit(
            "tests-sample_project",
            "tests/sample_project/version.json",
            "tests/sample_project/requirements.txt",
        ),
        unit(
            "tests-sample_project-app-scipy-import",
            "tests/sample_project/requirements/app-scipy-import/version.json",
            "tests/sample_project/requirements/app-scipy-import/",
        ),  # its framework and launch module are not in the tree: no input, no dependency
    )


POETRY_PYPROJECT = """\
[project]
name = "poetry"
version = "2.2.0"
requires-python = ">=3.9,<4.0"

[tool.poetry]
packages = [{ include = "poetry", from = "src" }]

[tool.poetry.group.dev.dependencies]
pytest = "^8"

[build-system]
requires = ["poetry-core>=2.0"]
build-backend = "poetry.core.masonry.api"

[tool.mypy]
strict = true

[tool.pytest.ini_options]
addopts = "-n logical"
"""

POETRY: dict[str, str] = {
    "pyproject.toml": POETRY_PYPROJECT,
    "poetry.lock": "# poetry lock\n",
    "src/poetry/__init__.py": "",
    "docs/requirements.txt": "mkdocs\n",
    "tests/fixtures/simple_project/pyproject.toml": '[tool.poetry]\nname = "simple-project"\n',
    "tests/fixtures/simple_project/poetry.lock": "",
    "tests/fixtures/with-include/poetry.lock": "",
    "tests/installation/fixtures/old-lock/poetry.lock": "",
    "tests/repositories/fixtures/pypi.org/requirements.txt": "",
}


def test_a_poetry_project_with_test_fixtures() -> None:
    found = proposal(POETRY)
    assert found.units == (unit("poetry", "version.json", "poetry.lock"),)
    assert len(found.left_out["test fixtures (`--include-tests` proposes them)"]) == 4
    with_tests = proposal(POETRY, include_tests=True)
    assert [found.name for found in with_tests.units] == [
        "poetry",
        "simple-project",
        "tests-fixtures-with-include",
        "tests-installation-fixtures-old-lock",
        "tests-repositories-fixtures-pypi.org",
    ]


def package_json(name: str, **more: object) -> str:
    return json.dumps({"name": name, "version": "1.0.0", **more})


MCP_SERVERS: dict[str, str] = {
    "package.json": package_json("@modelcontextprotocol/servers", private=True, workspaces=["src/*"]),
    "package-lock.json": "{}",
    "src/everything/package.json": package_json("@modelcontextprotocol/server-everything"),
    "src/everything/index.ts": "",
    "src/filesystem/package.json": package_json("@modelcontextprotocol/server-filesystem"),
    "src/filesystem/index.ts": "",
    "src/filesystem/__tests__/lib.test.ts": "",
    "src/memory/package.json": package_json("@modelcontextprotocol/server-memory"),
    "src/sequentialthinking/package.json": package_json("@modelcontextprotocol/server-sequential-thinking"),
    "src/fetch/pyproject.toml": '[project]\nname = "mcp-server-fetch"\n',
    "src/fetch/uv.lock": "version = 1\n",
    "src/git/pyproject.toml": '[project]\nname = "mcp-server-git"\n',
    "src/git/uv.lock": "version = 1\n",
    "src/git/tests/test_server.py": "",
    "node_modules/x/package-lock.json": "{}",
}


def test_an_npm_workspace_with_a_root_lock() -> None:
    assert proposal(MCP_SERVERS).units == (
        unit("server-everything", "src/everything/version.json", "src/everything/", "package-lock.json"),
        unit("server-filesystem", "src/filesystem/version.json", "src/filesystem/", "package-lock.json"),
        unit("server-memory", "src/memory/version.json", "src/memory/", "package-lock.json"),
        unit(
            "server-sequential-thinking",
            "src/sequentialthinking/version.json",
            "src/sequentialthinking/",
            "package-lock.json",
        ),
        unit("mcp-server-fetch", "src/fetch/version.json", "src/fetch/"),
        unit("mcp-server-git", "src/git/version.json", "src/git/"),
    )


def test_an_npm_workspace_root_that_is_a_package_is_a_unit_too() -> None:
    tree = {**MCP_SERVERS, "package.json": package_json("servers", workspaces={"packages": ["src/*"]})}
    units = proposal(tree).units
    assert units[0] == unit("servers", "version.json", "package-lock.json")  # it shares its lock
    assert [found.name for found in units[1:5]] == [
        "server-everything",
        "server-filesystem",
        "server-memory",
        "server-sequential-thinking",
    ]


UV_WORKSPACE: dict[str, str] = {
    "pyproject.toml": (
        '[project]\nname = "app"\n\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/legacy"]\n'
    ),
    "uv.lock": "version = 1\n",
    "packages/core/pyproject.toml": '[project]\nname = "app-core"\n',
    "packages/core/src/core/__init__.py": "",
    "packages/cli/pyproject.toml": '[project]\nname = "app-cli"\n',
    "packages/legacy/pyproject.toml": '[project]\nname = "legacy"\n',
    "packages/legacy/requirements.txt": "six==1\n",
}


def test_a_uv_workspace() -> None:
    assert proposal(UV_WORKSPACE).units == (
        unit("app", "version.json", "uv.lock"),
        unit("app-cli", "packages/cli/version.json", "packages/cli/", "uv.lock"),
        unit("app-core", "packages/core/version.json", "packages/core/", "uv.lock"),
        unit("legacy", "packages/legacy/version.json", "packages/legacy/"),  # excluded: its own lock
    )


def test_a_virtual_cargo_workspace() -> None:
    tree = {
        "Cargo.toml": '[workspace]\nmembers = ["crates/*", "tools/gen"]\n',
        "Cargo.lock": "version = 4\n",
        "crates/a/Cargo.toml": '[package]\nname = "alpha"\n',
        "crates/a/src/lib.rs": "",
        "crates/b/Cargo.toml": '[package]\nname = "beta"\n',
        "tools/gen/Cargo.toml": '[package]\nname = "gen"\n',
        "tools/other/Cargo.toml": '[package]\nname = "other"\n',
    }
    assert proposal(tree).units == (
        unit("alpha", "crates/a/version.json", "crates/a/", "Cargo.lock"),
        unit("beta", "crates/b/version.json", "crates/b/", "Cargo.lock"),
        unit("gen", "tools/gen/version.json", "tools/gen/", "Cargo.lock"),
    )


@pytest.mark.parametrize(
    ("lock", "manifest", "name"),
    [
        ("pdm.lock", ("pyproject.toml", '[project]\nname = "my.app"\n'), "my.app"),
        ("pixi.lock", ("pyproject.toml", '[tool.poetry]\nname = "poet"\n'), "poet"),
        ("go.sum", ("go.mod", "module example.com/svc\n"), "fallback"),
        ("Gemfile.lock", ("Gemfile", "gem 'rails'\n"), "fallback"),
        ("yarn.lock", ("package.json", package_json("@acme/web")), "web"),
        ("pnpm-lock.yaml", ("package.json", "not json"), "fallback"),
        ("Cargo.lock", ("Cargo.toml", '[package]\nname = "crab"\n'), "crab"),
        ("uv.lock", ("pyproject.toml", "not toml ["), "fallback"),
    ],
)
def test_the_root_is_named_by_its_manifest_else_the_fallback(
    lock: str, manifest: tuple[str, str], name: str
) -> None:
    assert proposal({lock: "", manifest[0]: manifest[1]}).units == (unit(name, "version.json", lock),)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://github.com/modelcontextprotocol/servers.git", "servers"),
        ("git@github.com:org/app.git", "app"),
        ("/srv/git/project/", "project"),
        ("ssh://host/x y.git", "x-y"),
        (None, "root"),
        ("", "root"),
        ("https://host/dépôt.git", "root"),
    ],
)
def test_repository_name(url: str | None, name: str) -> None:
    assert repository_name(url) == name


def test_only_test_fixtures_is_no_proposal() -> None:
    from versionbot.errors import ConfigError

    with pytest.raises(ConfigError, match=r"outside test and documentation folders"):
        proposal({"tests/fixtures/a/uv.lock": ""})


# What a hostile or unusual tree cannot do to init ---------------------------------------------


def test_a_workspace_glob_full_of_stars_is_matched_in_linear_time() -> None:
    member = "a" * 40
    tree = {
        "package.json": json.dumps({"private": True, "workspaces": ["*a" * 12 + "b", "*"]}),
        "package-lock.json": "{}",
        f"{member}/package.json": package_json("m"),
    }
    # A backtracking regex takes minutes here; the NFA, as for the configuration's own patterns, not.
    assert [found.name for found in proposal(tree).units] == ["m"]


def test_a_workspace_of_too_many_globs_is_left_out_and_said_so() -> None:
    tree = {
        "package.json": json.dumps({"workspaces": [f"p{index}" for index in range(5000)]}),
        "package-lock.json": "{}",
        "p1/package.json": package_json("one"),
    }
    found = proposal(tree)
    assert found.left_out["workspaces not read"] == ("package.json (more than 1000 workspace member globs)",)


def test_members_with_one_name_both_stay() -> None:
    tree = {
        "package.json": json.dumps({"private": True, "workspaces": ["a", "b"]}),
        "package-lock.json": "{}",
        "a/package.json": package_json("@x/dup"),
        "b/package.json": package_json("@y/dup"),
    }
    assert proposal(tree).units == (
        unit("a-dup", "a/version.json", "a/", "package-lock.json"),
        unit("b-dup", "b/version.json", "b/", "package-lock.json"),
    )


def test_names_a_configuration_cannot_hold_are_left_out() -> None:
    tree = {"ok/uv.lock": "", "star[x]/uv.lock": "", "tab\there/uv.lock": "", "\udcff\udcfe/uv.lock": ""}
    found = proposal(tree)
    assert [each.name for each in found.units] == ["ok"]
    assert found.left_out["names that are not UTF-8"] == ("\\xff\\xfe/uv.lock",)  # the bytes, shown
    left = found.left_out["units whose name or paths a configuration cannot hold (write them by hand)"]
    assert left == ("star[x]/version.json", "tab\\there/version.json")


def test_another_tools_version_json_is_left_alone() -> None:
    tree = {
        "uv.lock": "",
        "version.json": '{"version": "1.2"}',
        "app/uv.lock": "",
        "app/version.json": '{"inputs_hash": "x"}',
    }
    assert [each.version_file for each in proposal(tree).units] == ["versionbot.json", "app/version.json"]
