from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from tests.gitrepo import GitRepo, config_option, writes_files
from tests.schemas import check_written
from versionbot.cli import main

pytest_plugins = ["tests.github_server"]

PROJECT_CONFIG = """\
[units.app]
version-file = "req/app/version.json"
inputs = ["req/app/pylock.*.toml", "launch/app/"]
exclude = ["**/__pycache__/**"]
depends-on = ["fw"]
values = { runtime = "cpython-3.11" }

[units.fw]
version-file = "req/fw/version.json"
inputs = ["req/fw/"]
"""


@pytest.fixture(autouse=True)
def _no_outer_git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may run inside a git hook; its GIT_* variables must not leak into scratch repositories."""
    for key in list(os.environ):
        if key.startswith(("GIT_", "PRE_COMMIT", "GITHUB_")):
            monkeypatch.delenv(key)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the CLI in-process against a repository: `run(repo, "check", "--base", "main")`. What a
    successful `bump`, `rehash` or `init` wrote is checked against the schemas versionbot ships."""

    def invoke(repo: GitRepo, *args: str) -> Result:
        capsys.readouterr()
        code = main(["--repo", str(repo.path), *args])
        captured = capsys.readouterr()
        if code == 0 and writes_files(args):
            check_written(repo.path, config_option(args))
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def project(tmp_path: Path) -> GitRepo:
    """Two units (app depends on fw) with no version files yet, committed on main."""
    repo = GitRepo(tmp_path / "project")
    repo.write("versionbot.toml", PROJECT_CONFIG)
    repo.write("req/app/pylock.app.toml", 'lock-version = "1.0"\n[[packages]]\nname = "scipy"\n')
    repo.write("launch/app/__main__.py", "import scipy\nprint(scipy.__version__)\n")
    repo.write("req/fw/pylock.fw.toml", 'lock-version = "1.0"\n[[packages]]\nname = "numpy"\n')
    repo.write("README.md", "not an input\n")
    repo.commit("initial")
    return repo


@pytest.fixture
def bumped(project: GitRepo, run: Run) -> GitRepo:
    """The project with version files at 1, committed on main."""
    assert run(project, "bump").code == 0
    project.commit("version files")
    return project


# Property tests: a fixed, derandomized example budget in CI; more where a developer asks for it.
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("hunt", max_examples=400, deadline=None)  # HYPOTHESIS_PROFILE=hunt
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
