"""A tiny typed helper around real git repositories made under tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.schemas import check_written

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for git and versionbot subprocesses: no GIT_* leaking in from outside."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(GIT_ENV)
    env.update(extra)
    return env


class GitRepo:
    def __init__(self, path: Path, branch: str = "main") -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "core.autocrlf", "false")

    def git(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=env or clean_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def write(self, relative: str, content: str | bytes) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        target.write_bytes(content)
        return target

    def read(self, relative: str) -> str:
        return (self.path / relative).read_text(encoding="utf-8")

    def read_json(self, relative: str) -> Any:
        return json.loads(self.read(relative))

    def commit(self, message: str = "change", *, add_all: bool = True) -> str:
        if add_all:
            self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def branch(self, name: str, start: str = "HEAD") -> None:
        self.git("checkout", "-q", "-b", name, start)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def versionbot(
        self, *args: str, env: dict[str, str] | None = None, timeout: float | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the CLI as a user would, in a subprocess, from the repository's root; `timeout` turns
        a hang into a test failure. What a successful `bump`, `rehash` or `init` wrote is checked
        against the schemas versionbot ships."""
        done = subprocess.run(
            [sys.executable, "-m", "versionbot", *args],
            cwd=self.path,
            env=env or clean_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode == 0 and writes_files(args):
            check_written(self.path, config_option(args, self.path))
        return done


@dataclass(frozen=True)
class Outcome:
    code: int
    output: str  # stdout and stderr interleaved, as a user sees them


def attempt(repo: GitRepo, env: dict[str, str], *command: str) -> Outcome:
    """Run a command in the repository as a user would, hooks and all; failing is an outcome."""
    result = subprocess.run(
        command,
        cwd=repo.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    return Outcome(result.returncode, result.stdout)


def git(repo: GitRepo, env: dict[str, str], *args: str) -> Outcome:
    return attempt(repo, env, "git", *args)


WRITING_COMMANDS = frozenset({"bump", "rehash", "init"})


def _command_and_config(args: tuple[str, ...] | list[str]) -> tuple[str | None, str | None]:
    """The command of a versionbot command line and its `--config` value, if any."""
    config = None
    rest = list(args)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option in ("--config", "--repo") and rest:
            value = rest.pop(0)
            config = value if option == "--config" else config
    return (rest[0] if rest else None), config


def writes_files(args: tuple[str, ...] | list[str]) -> bool:
    """Whether a command line writes version files or a configuration (not with --dry-run)."""
    command, _ = _command_and_config(args)
    return command in WRITING_COMMANDS and "--dry-run" not in args


def config_option(args: tuple[str, ...] | list[str], cwd: Path | None = None) -> Path | None:
    """The `--config PATH` of a command line, if any (relative to `cwd`)."""
    _, config = _command_and_config(args)
    if config is None:
        return None
    path = Path(config)
    return path if path.is_absolute() or cwd is None else cwd / path
