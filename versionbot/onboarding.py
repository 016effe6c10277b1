"""`versionbot init`: propose one unit per directory holding lock files, and write the config."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Table

from versionbot.config import CONFIG_FILE, PYPROJECT
from versionbot.errors import ConfigError

LOCK_FILES = (
    "uv.lock",
    "poetry.lock",
    "pylock.toml",
    "pylock.*.toml",
    "Pipfile.lock",
    "requirements*.txt",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "Cargo.lock",
    "go.sum",
    "Gemfile.lock",
)


@dataclass(frozen=True, kw_only=True)
class ProposedUnit:
    name: str
    version_file: str
    inputs: tuple[str, ...]


def is_lock_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in LOCK_FILES)


def propose(root: Path, paths: Sequence[str]) -> list[ProposedUnit]:
    """One unit per directory with lock files; a directory that holds another unit's directory
    (or the repository root) takes only its lock files as inputs."""
    locks: dict[str, list[str]] = {}
    for path in paths:
        if is_lock_file(path) and "node_modules" not in path.split("/"):
            parent = PurePosixPath(path).parent.as_posix()
            locks.setdefault("" if parent == "." else parent, []).append(path)
    if not locks:
        raise ConfigError(
            f"{root}: found no lock files ({', '.join(LOCK_FILES)}); "
            f"write {CONFIG_FILE} by hand (see the README)"
        )
    units: list[ProposedUnit] = []
    taken: set[str] = set()
    for directory in sorted(locks):
        holds_other = directory == "" or any(other.startswith(directory + "/") for other in locks)
        inputs = tuple(locks[directory]) if holds_other else (directory + "/",)
        name = _unit_name(directory or root.name, taken)
        version_file = f"{directory}/version.json" if directory else "version.json"
        units.append(ProposedUnit(name=name, version_file=version_file, inputs=inputs))
    return units


def _unit_name(directory: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", directory.replace("/", "-")).strip("-._") or "root"
    name, counter = base, 2
    while name in taken:
        name, counter = f"{base}-{counter}", counter + 1
    taken.add(name)
    return name


def _units_table(units: Sequence[ProposedUnit]) -> Table:
    table = tomlkit.table(is_super_table=True)
    for unit in units:
        entry = tomlkit.table()
        entry["version-file"] = unit.version_file
        entry["inputs"] = list(unit.inputs)
        table[unit.name] = entry
    return table


def render_addition(units: Sequence[ProposedUnit], target: Path, base: str | None = None) -> str:
    """Only what `render_config` adds to `target`, as TOML: what `init --dry-run` shows."""
    document = tomlkit.document()
    if target.name == PYPROJECT:
        tool, versionbot = tomlkit.table(is_super_table=True), tomlkit.table(is_super_table=True)
        _fill(versionbot, units, base)
        tool["versionbot"] = versionbot
        document["tool"] = tool
    else:
        _fill(document, units, base)
    return tomlkit.dumps(document)


def _fill(table: Table | tomlkit.TOMLDocument, units: Sequence[ProposedUnit], base: str | None) -> None:
    """The settings init writes: `base` when the remote's default branch is known, and the units."""
    if base:
        table["base"] = base
    table["units"] = _units_table(units)


def _parse_document(path: Path) -> tomlkit.TOMLDocument:
    """An existing TOML file for editing; bytes are read so CRLF line endings stay as they are.
    A link is not followed: a repository's `pyproject.toml` may point at a file outside it."""
    if path.is_symlink():
        raise ConfigError(f"{path}: is a symbolic link; versionbot edits only a file in the repository")
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 ({error.reason} at byte {error.start}); save it as UTF-8"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        return tomlkit.parse(text)
    except (TOMLKitError, RecursionError, ValueError) as error:
        raise ConfigError(f"{path}: invalid TOML: {error}; fix it, then run init again") from None


def render_config(
    root: Path, units: Sequence[ProposedUnit], explicit: Path | None, base: str | None = None
) -> tuple[Path, str]:
    """Where to write and the full new text; refuses to replace an existing configuration."""
    config_file = explicit or root / CONFIG_FILE
    pyproject = root / PYPROJECT
    if explicit is None and not config_file.exists() and pyproject.is_file():
        config_file = pyproject
    if config_file.name == PYPROJECT and config_file.is_file():
        document = _parse_document(config_file)
        tool = document.get("tool")
        if isinstance(tool, (Table, OutOfOrderTableProxy)) and "versionbot" in tool:
            raise ConfigError(
                f"{config_file}: [tool.versionbot] exists already; edit it instead of running init"
            )
        # [tool.x] tables split by another table come back as one proxy over the pieces.
        if tool is not None and not isinstance(tool, (Table, OutOfOrderTableProxy)):
            raise ConfigError(
                f"{config_file}: `tool` is not a [tool] table; add [tool.versionbot] by hand (see the README)"
            )
        versionbot = tomlkit.table(is_super_table=True)
        _fill(versionbot, units, base)
        if tool is None:
            tool = tomlkit.table(is_super_table=True)
            document["tool"] = tool
        tool["versionbot"] = versionbot
        return config_file, tomlkit.dumps(document)
    if config_file.exists():
        raise ConfigError(f"{config_file}: exists already; edit it instead of running init")
    document = tomlkit.document()
    document.add(tomlkit.comment("versionbot: one version per unit, bumped when its inputs change."))
    document.add(
        tomlkit.comment("Review the units, then run `versionbot bump` and commit the version files.")
    )
    _fill(document, units, base)
    return config_file, tomlkit.dumps(document)
