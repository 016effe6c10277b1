"""`versionbot init`: proposing units from lock files, and writing the config without disturbing
an existing pyproject.toml."""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from versionbot.config import parse_config
from versionbot.discovery import ProposedUnit, is_lock_file
from versionbot.discovery import propose as discover
from versionbot.errors import ConfigError
from versionbot.onboarding import render_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

ROOT = Path("/work/repos/my-repo")


def unit(name: str, version_file: str, *inputs: str) -> ProposedUnit:
    return ProposedUnit(name=name, version_file=version_file, inputs=inputs)


def propose(root: Path, paths: list[str]) -> list[ProposedUnit]:
    """What init proposes for a repository of these paths, none of which holds a manifest."""
    return list(discover(paths, lambda path: None, where=str(root), fallback_name=root.name).units)


@pytest.mark.parametrize(
    ("path", "is_lock"),
    [
        ("uv.lock", True),
        ("a/poetry.lock", True),
        ("a/pylock.toml", True),
        ("a/pylock.app.toml", True),
        ("Pipfile.lock", True),
        ("requirements.txt", True),
        ("reqs/requirements-dev.txt", True),
        ("package-lock.json", True),
        ("yarn.lock", True),
        ("pnpm-lock.yaml", True),
        ("Cargo.lock", True),
        ("go.sum", True),
        ("Gemfile.lock", True),
        ("pyproject.toml", False),
        ("uv.lock.bak", False),
        ("requirements.in", False),
        ("cargo.lock", False),
        ("uv.lock/README.md", False),
        ("pylock.toml.d/x", False),
    ],
)
def test_is_lock_file(path: str, is_lock: bool) -> None:
    assert is_lock_file(path) is is_lock


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        pytest.param(
            [
                "README.md",
                "requirements/app/launch.py",
                "requirements/app/pylock.app.toml",
                "requirements/fw/pylock.fw.toml",
                "services/api/src/main.py",
                "services/api/uv.lock",
            ],
            [
                unit("requirements-app", "requirements/app/version.json", "requirements/app/"),
                unit("requirements-fw", "requirements/fw/version.json", "requirements/fw/"),
                unit("services-api", "services/api/version.json", "services/api/"),
            ],
            id="several-directories",
        ),
        pytest.param(
            ["src/app.py", "uv.lock"],
            [unit("my-repo", "version.json", "uv.lock")],
            id="root-lock-file",
        ),
        pytest.param(
            ["requirements-dev.txt", "requirements.txt", "src/x.py", "uv.lock", "web/yarn.lock"],
            [
                unit("my-repo", "version.json", "requirements-dev.txt", "requirements.txt", "uv.lock"),
                unit("web", "web/version.json", "web/"),
            ],
            id="root-with-subdirectory",
        ),
        pytest.param(
            ["a/b/c/Cargo.lock", "a/b/c/src/lib.rs", "a/b/poetry.lock", "a/b/x.py", "a/uv.lock"],
            [
                unit("a", "a/version.json", "a/uv.lock"),
                unit("a-b", "a/b/version.json", "a/b/poetry.lock"),
                unit("a-b-c", "a/b/c/version.json", "a/b/c/"),
            ],
            id="nested",
        ),
        pytest.param(
            ["ab/uv.lock", "a/uv.lock"],  # `ab` is not below `a`
            [unit("a", "a/version.json", "a/"), unit("ab", "ab/version.json", "ab/")],
            id="prefix-is-not-parent",
        ),
        pytest.param(
            [
                "node_modules/left-pad/package-lock.json",
                "web/node_modules/x/yarn.lock",
                "web/package-lock.json",
            ],
            [unit("web", "web/version.json", "web/")],
            id="node-modules-ignored",
        ),
        pytest.param(
            ["a-b/uv.lock", "a/b/uv.lock", "a b/uv.lock"],
            [
                unit("a-b", "a b/version.json", "a b/"),
                unit("a-b-2", "a-b/version.json", "a-b/"),
                unit("a-b-3", "a/b/version.json", "a/b/"),
            ],
            id="name-collisions",
        ),
        pytest.param(
            ["my-repo/uv.lock", "uv.lock"],
            [
                unit("my-repo", "version.json", "uv.lock"),
                unit("my-repo-2", "my-repo/version.json", "my-repo/"),
            ],
            id="collision-with-root-name",
        ),
    ],
)
def test_propose(paths: list[str], expected: list[ProposedUnit]) -> None:
    assert propose(ROOT, sorted(paths)) == expected


def test_propose_only_skips_real_node_modules_folders() -> None:
    paths = ["not_node_modules/yarn.lock", "tools/my_node_modules/package-lock.json"]
    assert [proposed.version_file for proposed in propose(ROOT, paths)] == [
        "not_node_modules/version.json",
        "tools/my_node_modules/version.json",
    ]


@pytest.mark.parametrize("paths", [[], ["README.md", "src/a.py"], ["node_modules/x/package-lock.json"]])
def test_propose_without_lock_files(paths: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        propose(ROOT, paths)
    message = str(caught.value)
    assert str(ROOT) in message
    assert "no lock files" in message
    assert "uv.lock" in message
    assert "versionbot.toml" in message


def _check_against_proposal(table: dict[str, Any], proposal: list[ProposedUnit]) -> None:
    assert table == {
        "units": {u.name: {"version-file": u.version_file, "inputs": list(u.inputs)} for u in proposal}
    }
    config = parse_config(table, source="versionbot.toml", version="0.1.0")
    assert [(u.name, u.version_file, tuple(p.text for p in u.inputs)) for u in config.units] == [
        (u.name, u.version_file, u.inputs) for u in proposal
    ]


PROPOSAL = [
    unit("my-repo", "version.json", "requirements.txt", "uv.lock"),
    unit("services-api", "services/api/version.json", "services/api/"),
]


@pytest.mark.parametrize(
    "paths",
    [
        ["uv.lock", "requirements.txt", "services/api/uv.lock"],
        ["_vendor/uv.lock"],
        [".tools/uv.lock"],
        ["-x-/uv.lock"],
        ["données/app/uv.lock"],
        ["a..b/uv.lock"],
        ["a b/c d/uv.lock", "a b/uv.lock"],
    ],
)
def test_rendered_versionbot_toml_reads_back_as_the_proposal(tmp_path: Path, paths: list[str]) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    proposal = propose(root, sorted(paths))
    target, text = render_config(root, proposal, None)
    assert target == root / "versionbot.toml"
    assert not target.exists()  # rendering writes nothing
    assert text.startswith("# ")
    _check_against_proposal(tomllib.loads(text), proposal)


def _insertion(original: str, new: str) -> str:
    """The text added to `original` at one place (a line start or the end) to give `new`; fails the
    test when anything else changed."""
    start = 0
    while start < min(len(original), len(new)) and original[start] == new[start]:
        start += 1
    if start < len(original):
        start = original.rfind("\n", 0, start) + 1
    rest = original[start:]
    assert new.startswith(original[:start])
    assert new.endswith(rest), "text after the insertion changed"
    inserted = new[start : len(new) - len(rest)]
    assert new == original[:start] + inserted + rest
    return inserted


PYPROJECTS = {
    "plain": '[project]\nname = "demo"\nversion = "1"\n',
    "comments-and-odd-spacing": (
        "# top comment\n"
        "\n"
        "[project]   # trailing comment\n"
        'name    =   "demo"\n'
        "dependencies = [\n"
        '    "a",  # why a\n'
        '    "b",\n'
        "]\n"
        "\n\n\n"
        "[ build-system ]\n"
        "requires=['setuptools']\n"
        "    # indented comment\n"
    ),
    "no-final-newline": '[project]\nname="demo"',
    "tool-table-first": '[tool.ruff]\nline-length = 100  # wide\n\n[project]\nname = "demo"\n',
    "tool-table-last": '[project]\nname = "demo"\n\n[tool.ruff]\nline-length = 100\n',
    "dotted-tool-key": 'tool.ruff.line-length = 100\n[project]\nname = "demo"\n',
    "array-of-tables": '[project]\nname = "demo"\n[[tool.mypy.overrides]]\nmodule = "x"\n',
    "crlf": '[project]\r\nname = "demo"  # comment\r\n\r\n[tool.ruff]\r\nline-length = 100\r\n',
    "inline-tool": 'tool = { ruff = { line-length = 100 } }\n[project]\nname = "demo"\n',
}


@pytest.mark.parametrize("name", sorted(PYPROJECTS))
def test_pyproject_keeps_every_original_byte(tmp_path: Path, name: str) -> None:
    original = PYPROJECTS[name]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_bytes(original.encode("utf-8"))
    try:
        target, text = render_config(tmp_path, PROPOSAL, None)
    except ConfigError:  # refusing is acceptable for layouts tomlkit cannot extend; crashing is not
        assert pyproject.read_bytes() == original.encode("utf-8")
        return
    assert target == pyproject
    assert pyproject.read_bytes() == original.encode("utf-8")
    assert not (tmp_path / "versionbot.toml").exists()
    inserted = _insertion(original, text)
    assert tomllib.loads(inserted) == {
        "tool": {
            "versionbot": {
                "units": {
                    u.name: {"version-file": u.version_file, "inputs": list(u.inputs)} for u in PROPOSAL
                }
            }
        }
    }
    before, after = tomllib.loads(original), tomllib.loads(text)
    _check_against_proposal(after["tool"].pop("versionbot"), PROPOSAL)
    if not after["tool"]:
        del after["tool"]
    assert after == before


def test_pyproject_without_trailing_text_keeps_it_as_a_prefix(tmp_path: Path) -> None:
    original = PYPROJECTS["comments-and-odd-spacing"]
    (tmp_path / "pyproject.toml").write_text(original, encoding="utf-8")
    _, text = render_config(tmp_path, PROPOSAL, None)
    assert text.startswith(original)
    assert "[tool.versionbot.units.my-repo]" in text[len(original) :]


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"versionbot.toml": "[units.x]\n"}, "versionbot.toml: exists already"),
        (
            {"versionbot.toml": "", "pyproject.toml": '[project]\nname = "x"\n'},
            "versionbot.toml: exists already",
        ),
        ({"pyproject.toml": "[tool.versionbot]\nbase = 'main'\n"}, "[tool.versionbot] exists already"),
        (
            {"pyproject.toml": '[tool.versionbot.units.a]\nversion-file = "a/v.json"\ninputs = ["a/"]\n'},
            "[tool.versionbot] exists already",
        ),
        ({"pyproject.toml": "[tool]\nversionbot = {}\n"}, "[tool.versionbot] exists already"),
    ],
)
def test_refuses_to_replace_a_configuration(tmp_path: Path, files: dict[str, str], fragment: str) -> None:
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        render_config(tmp_path, PROPOSAL, None)
    assert fragment in str(caught.value)
    assert "edit it instead" in str(caught.value)
    for name, content in files.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == content


def test_explicit_config_path(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    explicit = tmp_path / "ci" / "versionbot.toml"
    target, text = render_config(tmp_path, PROPOSAL, explicit)
    assert target == explicit
    _check_against_proposal(tomllib.loads(text), PROPOSAL)
    explicit.parent.mkdir()
    explicit.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="exists already"):
        render_config(tmp_path, PROPOSAL, explicit)


def test_explicit_pyproject_path(tmp_path: Path) -> None:
    (tmp_path / "versionbot.toml").write_text("# someone else's\n", encoding="utf-8")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n', encoding="utf-8")
    target, text = render_config(tmp_path, PROPOSAL, pyproject)
    assert target == pyproject
    assert text.startswith('[project]\nname = "x"\n')
    assert "versionbot" in tomllib.loads(text)["tool"]


def test_proposal_paths_are_posix_and_relative() -> None:
    proposal = propose(ROOT, ["a/b/uv.lock", "c/requirements.txt", "uv.lock"])
    for proposed in proposal:
        for path in (proposed.version_file, *proposed.inputs):
            assert not PurePosixPath(path).is_absolute()
            assert "\\" not in path


# --- init on real repositories ---------------------------------------------------------------------

from tests.conftest import Run  # noqa: E402
from tests.gitrepo import GitRepo  # noqa: E402
from tests.test_discovery import MCP_SERVERS, POETRY, POETRY_PYPROJECT, VENVSTACKS  # noqa: E402


def repository(path: Path, tree: dict[str, str]) -> GitRepo:
    repo = GitRepo(path)
    for name, content in tree.items():
        repo.write(name, content)
    repo.commit("the project")
    return repo


def test_init_then_bump_on_a_venvstacks_project(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path / "venvstacks", VENVSTACKS)
    done = run(repo, "init")
    assert done.code == 0, done.err
    assert done.out.startswith(
        "wrote pyproject.toml with 7 units (venvstacks, cpython-3.11, framework-scipy, "
    )
    assert "left out, as documentation: docs/requirements.txt" in done.err
    assert "left out, as test fixtures (`--include-tests` proposes them): tests/sample_project/" in done.err
    config = tomllib.loads(repo.read("pyproject.toml"))["tool"]["versionbot"]
    assert config["units"]["app-scipy-import"] == {
        "version-file": "requirements/app-scipy-import/version.json",
        "inputs": ["requirements/app-scipy-import/", "launch_modules/scipy_import.py"],
        "exclude": ["**/__pycache__/**"],
        "depends-on": ["framework-scipy"],
    }
    assert '[tool.versionbot.units."cpython-3.11"]' in repo.read("pyproject.toml")  # dotted: quoted
    assert run(repo, "bump").code == 0
    assert repo.read_json("requirements/app-scipy-client/version.json")["depends"] == {
        "framework-http-client": 1,
        "framework-scipy": 1,
    }
    repo.commit("versions")
    assert run(repo, "check").code == 0


def test_init_keeps_a_crlf_pyproject_with_split_tool_tables(tmp_path: Path, run: Run) -> None:
    original = POETRY_PYPROJECT.replace("\n", "\r\n").encode()
    repo = repository(tmp_path / "poetry", {**POETRY, "pyproject.toml": ""})
    repo.write("pyproject.toml", original)
    repo.commit("CRLF")
    done = run(repo, "init")
    assert done.code == 0, done.err
    assert done.out.startswith("wrote pyproject.toml with 1 unit (poetry);")
    written = (repo.path / "pyproject.toml").read_bytes()
    assert written.startswith(original)
    added = written[len(original) :]
    assert added == (
        b'\r\n[tool.versionbot.units.poetry]\r\nversion-file = "version.json"\r\ninputs = ["poetry.lock"]\r\n'
    )
    assert b"\n" not in written.replace(b"\r\n", b"")
    before, after = tomllib.loads(original.decode()), tomllib.loads(written.decode())
    assert after["tool"].pop("versionbot") == {
        "units": {"poetry": {"version-file": "version.json", "inputs": ["poetry.lock"]}}
    }
    assert after == before
    assert run(repo, "bump").code == 0


def test_init_dry_run_prints_only_what_it_adds(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path / "poetry", POETRY)
    done = run(repo, "init", "--dry-run")
    assert done.code == 0, done.err
    assert done.out == (
        "# would add to pyproject.toml:\n"
        "[tool.versionbot.units.poetry]\n"
        'version-file = "version.json"\n'
        'inputs = ["poetry.lock"]\n'
    )
    assert repo.read("pyproject.toml") == POETRY_PYPROJECT
    assert repo.git("status", "--porcelain") == ""


def test_init_include_tests(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path / "poetry", POETRY)
    done = run(repo, "init", "--include-tests")
    assert done.code == 0, done.err
    assert done.out.startswith("wrote pyproject.toml with 5 units (poetry, simple-project, ")
    assert "test fixtures" not in done.err


def test_init_names_the_root_after_the_remote_not_the_checkout(tmp_path: Path, run: Run) -> None:
    tree = {**MCP_SERVERS, "uv.lock": "version = 1\n"}  # a root lock no manifest names
    origin = repository(tmp_path / "servers", tree)
    clone = tmp_path / "newcomer-mcp"
    origin.git("clone", "-q", str(origin.path), str(clone))
    repo = GitRepo.__new__(GitRepo)
    repo.path = clone
    done = run(repo, "init")
    assert done.code == 0, done.err
    config = tomllib.loads(repo.read("versionbot.toml"))
    assert config["base"] == "origin/main"
    assert list(config["units"]) == [
        "servers",
        "server-everything",
        "server-filesystem",
        "server-memory",
        "server-sequential-thinking",
        "mcp-server-fetch",
        "mcp-server-git",
    ]
    assert config["units"]["servers"] == {
        "version-file": "version.json",
        "inputs": ["uv.lock"],  # the workspace's lock is its members' input
    }
    assert run(repo, "bump").code == 0


def test_init_merge_driver_writes_nothing_when_gitattributes_cannot_be_read(tmp_path: Path, run: Run) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/uv.lock", "")
    (repo.path / "elsewhere").write_text("* text\n")
    (repo.path / ".gitattributes").symlink_to(repo.path / "elsewhere")
    done = run(repo, "init", "--merge-driver")
    assert done.code == 2
    assert ".gitattributes: not a regular file versionbot can read" in done.err
    assert "/app/version.json merge=versionbot" in done.err  # the line to add by hand
    assert not (repo.path / "versionbot.toml").exists()  # refused before anything was written
    assert (repo.path / "elsewhere").read_text() == "* text\n"


def test_a_gitattributes_too_large_to_read_is_never_replaced(bumped: GitRepo, run: Run) -> None:
    big = "# a comment\n" * (3 << 20)  # 36 MiB: more than versionbot reads of one file
    bumped.write(".gitattributes", big)
    done = run(bumped, "init", "--merge-driver")
    assert done.code == 2
    assert (bumped.path / ".gitattributes").stat().st_size == len(big)
