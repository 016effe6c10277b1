"""The README's first two commands, as a newcomer runs them."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.gitrepo import clean_env

PROJECT = Path(__file__).resolve().parents[1]


def first_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", (PROJECT / "README.md").read_text(encoding="utf-8"), re.S)
    assert block is not None, "README.md starts with a sh block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_install_and_run_then_the_tests() -> None:
    install_and_run, tests = first_commands()
    assert install_and_run.startswith("pip install -e '.[dev]' && versionbot ")
    assert tests == "python -m pytest"
    assert "python3 -m pytest" in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_example_runs_and_is_consistent() -> None:
    install_and_run, _ = first_commands()
    command = shlex.split(install_and_run.split("&&", 1)[1])
    assert command[0] == "versionbot"
    done = subprocess.run(
        [sys.executable, "-m", "versionbot", *command[1:]],
        cwd=PROJECT,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all units are consistent" in done.stdout
