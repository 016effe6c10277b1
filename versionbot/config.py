"""Load and validate `versionbot.toml` or `[tool.versionbot]` into a frozen `Config`."""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from versionbot.attributes import folders_above
from versionbot.deploynames import DEPLOY_NAME, deploy_template, placeholders, render_template
from versionbot.errors import ConfigError
from versionbot.locks import method_for
from versionbot.patterns import Pattern, pattern_problem
from versionbot.schemes import LEVELS, NAMES, SCHEMES, SEPARATORS, Scheme, Version, parts_scheme
from versionbot.snapshot import Snapshot
from versionbot.validation import Fail, branch_problem, check_requires, check_values, version_file_problem
from versionbot.valuesfrom import ValueSource, parse_sources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

CONFIG_FILE = "versionbot.toml"
PYPROJECT = "pyproject.toml"


TOP_KEYS = ("requires", "base", "scheme", "level", "lock-hashing", "deploy-name", "units")
UNIT_KEYS = (
    *("version-file", "inputs", "exclude", "depends-on", "values", "values-from", "scheme", "start"),
    *("renamed-from", "lock-hashing", "deploy-name", "level", "parts", "separator"),
)
PART_KEYS = ("inputs", "exclude", "values", "values-from", "depends-on")  # a part's own, not the unit's
PART_ONLY_KEYS = ("renamed-from",)  # the part's former name: its number carries over
LOCK_HASHING = ("bytes", "semantic")
_UNIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_PART_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # a deploy-name placeholder too: `{lock}`


@dataclass(frozen=True, kw_only=True)
class Part:
    """One part of a `parts` unit: a number of its own, judged by the integer rule on its inputs."""

    name: str
    inputs: tuple[Pattern, ...]
    exclude: tuple[Pattern, ...]
    values: Mapping[str, Any]
    values_from: tuple[ValueSource, ...]
    depends_on: tuple[str, ...]
    renamed_from: str | None = None  # the part's former name: its number carries over

    def selects(self, path: str) -> bool:
        """Whether the part's patterns take `path` (a file, whatever the snapshot holds there)."""
        return _selects(self.inputs, self.exclude, path)


@dataclass(frozen=True)
class Selection:
    """Patterns that pick input files: a unit's own, or one part's (`where` names the key)."""

    where: str
    inputs: tuple[Pattern, ...]
    exclude: tuple[Pattern, ...]


def _selects(inputs: tuple[Pattern, ...], exclude: tuple[Pattern, ...], path: str) -> bool:
    if not any(next(iter(pattern.select((path,))), None) for pattern in inputs):
        return False
    return not any(pattern.matches(path) for pattern in exclude)


@dataclass(frozen=True, kw_only=True)
class Unit:
    name: str
    version_file: str
    inputs: tuple[Pattern, ...]
    exclude: tuple[Pattern, ...]
    depends_on: tuple[str, ...]
    values: Mapping[str, Any]
    scheme: str
    start: Version = 1  # the version the unit gets where the base has no record of it
    level: str = "patch"  # semver: which step `bump` takes
    renamed_from: str | None = None  # the unit's former name: its record carries over
    lock_hashing: str = "bytes"  # "semantic": lock files are digested by what they install
    values_from: tuple[ValueSource, ...] = ()  # values read out of a file of each snapshot
    deploy_name: str = DEPLOY_NAME  # the template of the name deployers use: `{unit}@{version}`
    # `parts` scheme: the parts, whose inputs, values and dependencies together are the unit's
    parts: tuple[Part, ...] = ()
    separator: str = "+"

    @functools.cached_property
    def versions(self) -> Scheme:
        """The unit's scheme: its first version, the next one, which a change may hold."""
        if self.scheme == "parts":
            return parts_scheme(tuple(part.name for part in self.parts), self.separator)
        return SCHEMES[self.scheme]

    @functools.cached_property
    def selections(self) -> tuple[Selection, ...]:
        """The patterns that pick the unit's inputs: its own, or each part's."""
        if self.parts:
            key = f"units.{self.name}.parts"
            return tuple(Selection(f"{key}.{p.name}", p.inputs, p.exclude) for p in self.parts)
        return (Selection(f"units.{self.name}", self.inputs, self.exclude),)

    def deploy(self, version: Version | None, *, name: str | None = None) -> str | None:
        """The unit's deploy name at `version` (None: no version, no name); `name`: the name it had
        then, where that was another (`log` of a renamed unit)."""
        if version is None:
            return None
        fields = {"unit": name or self.name, "version": str(version)}
        if self.parts and self.versions.is_valid(version):
            fields |= {part: str(number) for part, number in self.versions.split(version).items()}
        if not placeholders(self.deploy_name) <= fields.keys():
            return None  # a version of another scheme, which has no such parts
        return render_template(self.deploy_name, fields)

    def lock_method(self, path: str) -> str | None:
        """The semantic digest method of an input file under this unit's rules; None: its bytes."""
        return method_for(path) if self.lock_hashing == "semantic" else None

    def selects(self, path: str) -> bool:
        """Whether the unit's patterns take `path` (a file, whatever the snapshot holds there)."""
        return any(_selects(chosen.inputs, chosen.exclude, path) for chosen in self.selections)

    @functools.cached_property
    def key_paths(self) -> tuple[str, ...]:
        """The paths whose git ids determine the inputs: the folders (or files) the patterns look
        into, and every `.gitattributes` above them (those inside are part of a folder's id)."""
        roots = {pattern.scan_root for pattern in self.inputs}
        attributes = {
            f"{folder}/.gitattributes" if folder else ".gitattributes"
            for root in roots
            if root
            for folder in folders_above(root)
        }
        return tuple(sorted(roots | attributes))


@dataclass(frozen=True, kw_only=True)
class Config:
    source: str  # where the settings were read, for messages: "versionbot.toml" or "pyproject.toml"
    requires: str | None
    base: str | None
    units: tuple[Unit, ...]  # in config order

    @functools.cached_property
    def version_files(self) -> frozenset[str]:
        return frozenset(unit.version_file for unit in self.units)

    @functools.cached_property
    def cache_salt(self) -> str:
        """What every unit's inputs depend on besides its own patterns: the version files."""
        return hashlib.sha256("\n".join(sorted(self.version_files)).encode()).hexdigest()

    def unit(self, name: str) -> Unit:
        return next(unit for unit in self.units if unit.name == name)

    def dependency_order(self) -> tuple[Unit, ...]:
        """Units with every dependency before its dependents, otherwise in config order."""
        by_name = {unit.name: unit for unit in self.units}
        ordered: list[Unit] = []
        seen: set[str] = set()
        for unit in self.units:  # a depth-first walk with its own stack: chains may be long
            if unit.name in seen:
                continue
            seen.add(unit.name)
            stack = [(unit, iter(unit.depends_on))]
            while stack:
                current, dependencies = stack[-1]
                dependency = next((name for name in dependencies if name not in seen), None)
                if dependency is None:
                    ordered.append(current)
                    stack.pop()
                else:
                    seen.add(dependency)
                    stack.append((by_name[dependency], iter(by_name[dependency].depends_on)))
        return tuple(ordered)


def find_config(root: Path, explicit: Path | None = None) -> Path:
    """The config file: `explicit`, else `versionbot.toml`, else a `pyproject.toml` with the table."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: no such configuration file")
        return explicit
    candidate = root / CONFIG_FILE
    pyproject = root / PYPROJECT
    for found in (candidate, pyproject):  # the repository's: it may point anywhere
        if found.is_symlink():
            raise ConfigError(
                f"{found}: is a symbolic link; versionbot reads its configuration only from a file "
                "in the repository (or one named with --config)"
            )
    if candidate.is_file():
        return candidate
    if pyproject.is_file():
        table = _tool_table(_read_toml(pyproject)).get("versionbot")
        if isinstance(table, dict):
            return pyproject
        if table is not None:
            raise ConfigError(
                f"{pyproject}: tool.versionbot must be a table ([tool.versionbot]), not {_kind(table)}"
            )
    raise ConfigError(
        f"no configuration in {root}: create {CONFIG_FILE} (`versionbot init` proposes one) "
        f"or add [tool.versionbot] to {PYPROJECT}"
    )


def parse_toml(data: bytes) -> dict[str, Any]:
    """TOML bytes as tables; a UTF-8 byte-order mark, which some Windows editors write, is skipped."""
    parsed: dict[str, Any] = tomllib.loads(data.decode("utf-8").removeprefix("\ufeff"))
    return parsed


def load_config(path: Path, version: str, parse: Callable[[bytes], dict[str, Any]] = parse_toml) -> Config:
    """Read and validate one config file; `version` is this versionbot's, for `requires`;
    `parse` is `parse_toml`, or one that remembers what it parsed."""
    data = _read_toml(path, parse)
    if path.name == PYPROJECT:
        table = _tool_table(data).get("versionbot")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: no [tool.versionbot] table")
        return parse_config(table, source=f"{path.name} [tool.versionbot]", version=version)
    return parse_config(data, source=path.name, version=version)


def _tool_table(data: Mapping[str, Any]) -> Mapping[str, Any]:
    tool = data.get("tool", {})
    return tool if isinstance(tool, dict) else {}


def config_at(snapshot: Snapshot, version: str) -> Config:
    """The configuration a snapshot (a commit's tree) holds: `versionbot.toml`, else the
    `[tool.versionbot]` table of `pyproject.toml`, as that revision had them."""
    where = f"at {snapshot.label[:12]}"
    data = snapshot.read_file(CONFIG_FILE)
    if data is not None:
        parsed = _parsed(data, f"{CONFIG_FILE} {where}")
        return parse_config(parsed, source=f"{CONFIG_FILE} {where}", version=version)
    data = snapshot.read_file(PYPROJECT)
    if data is not None:
        table = _tool_table(_parsed(data, f"{PYPROJECT} {where}")).get("versionbot")
        if isinstance(table, dict):
            return parse_config(table, source=f"{PYPROJECT} [tool.versionbot] {where}", version=version)
    raise ConfigError(f"no configuration {where}: neither {CONFIG_FILE} nor [tool.versionbot] in {PYPROJECT}")


def _parsed(data: bytes, source: str) -> dict[str, Any]:
    try:
        return parse_toml(data)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{source}: not UTF-8 (byte {error.start})") from None
    except (RecursionError, ValueError) as error:
        raise ConfigError(f"{source}: cannot read it: {type(error).__name__}") from None


def _read_toml(path: Path, parse: Callable[[bytes], dict[str, Any]] = parse_toml) -> dict[str, Any]:
    try:
        return parse(path.read_bytes())
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 ({error.reason} at byte {error.start}); save it as UTF-8"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path}: arrays or tables nested too deeply to read; flatten them") from None
    except ValueError as error:  # an integer longer than Python reads
        raise ConfigError(f"{path}: cannot read a value: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None


def parse_config(data: Mapping[str, Any], *, source: str, version: str) -> Config:
    """Validate a parsed table; every problem names `source` and the key."""

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{source}: {key}: {problem}")

    _refuse_unknown_keys(data, TOP_KEYS, source, "")
    requires = _optional_str(data, "requires", fail)
    if requires is not None:
        check_requires(requires, version, fail)
    base = _optional_str(data, "base", fail)
    if base is not None and (problem := branch_problem(base)):
        raise fail("base", f"{base!r} {problem}")
    default_scheme = _scheme(data.get("scheme", "integer"), "scheme", fail)
    default_hashing = _lock_hashing(data.get("lock-hashing", "bytes"), "lock-hashing", fail)
    default_deploy = data.get("deploy-name", DEPLOY_NAME)  # checked with each unit's placeholders
    default_level = _level(data.get("level", "patch"), "level", fail)
    units_table = data.get("units", {})
    if not isinstance(units_table, dict) or not units_table:
        raise fail("units", "declare at least one unit, e.g. [units.app] with version-file and inputs")
    units = tuple(
        _parse_unit(
            name, table, (default_scheme, default_hashing, default_deploy, default_level), source, fail
        )
        for name, table in units_table.items()
    )
    _check_version_files(units, fail)
    _check_dependencies(units, fail)
    _check_renames(units, fail)
    return Config(source=source, requires=requires, base=base, units=units)


def _parse_unit(name: str, table: Any, defaults: tuple[str, str, Any, str], source: str, fail: Fail) -> Unit:
    """One `[units.NAME]` table; `defaults` are the top-level scheme, lock-hashing, deploy-name and
    level."""
    default_scheme, default_hashing, default_deploy, default_level = defaults
    key = f"units.{name}"
    if not _UNIT_NAME.fullmatch(name):
        raise fail(key, "unit names use letters, digits, `.`, `_` and `-`, starting with a letter or digit")
    if not isinstance(table, dict):
        raise fail(key, "must be a table with version-file and inputs")
    _refuse_unknown_keys(table, UNIT_KEYS, source, key + ".")
    version_file = table.get("version-file")
    if not isinstance(version_file, str):
        raise fail(key + ".version-file", "required: the path of the unit's version JSON file")
    if (problem := pattern_problem(version_file)) or version_file.endswith("/"):
        raise fail(key + ".version-file", f"{version_file!r} {problem or 'names a directory'}")
    if any(char in version_file for char in "*?["):
        raise fail(key + ".version-file", f"{version_file!r} must be a plain path, not a pattern")
    if problem := version_file_problem(version_file):
        raise fail(key + ".version-file", f"{version_file!r} {problem}")
    scheme = _scheme(table.get("scheme", default_scheme), key + ".scheme", fail)
    parts = _parse_parts(table, key, scheme, source, fail)
    if parts:  # the unit's inputs, values and dependencies are all its parts' together
        inputs = tuple(pattern for part in parts for pattern in part.inputs)
        exclude: tuple[Pattern, ...] = ()
        depends_on = tuple(dict.fromkeys(name for part in parts for name in part.depends_on))
        values = {name: value for part in parts for name, value in part.values.items()}
        values_from = tuple(source for part in parts for source in part.values_from)
    else:
        inputs, exclude, depends_on, values, values_from = _selection(table, key, fail)
    separator = table.get("separator", "+")
    if separator not in SEPARATORS:
        shown = " ".join(map(repr, SEPARATORS))
        raise fail(key + ".separator", f"must be one of {shown} (what joins the parts), not {separator!r}")
    part_names = tuple(part.name for part in parts)
    versions = parts_scheme(part_names, separator) if parts else SCHEMES[scheme]
    start = table.get("start", versions.initial)
    if not versions.is_valid(start) or (type(start) is int and start >= 2**63):
        shown = {
            "integer": "a whole number of at least 1",
            "semver": 'a "MAJOR.MINOR.PATCH" string',
            "parts": f"one number per part joined by {separator!r}, such as {versions.initial!r}",
        }[scheme]
        raise fail(key + ".start", f"must be {shown} (the unit's first version), not {start!r}")
    renamed_from = table.get("renamed-from")
    if renamed_from is not None and (
        not isinstance(renamed_from, str) or not _UNIT_NAME.fullmatch(renamed_from)
    ):
        raise fail(key + ".renamed-from", "must be the unit's former name (letters, digits, `.`, `_`, `-`)")
    if renamed_from == name:
        raise fail(key + ".renamed-from", "names the unit itself; write its former name, or remove the key")
    deploy_key = key + ".deploy-name" if "deploy-name" in table else "deploy-name"
    return Unit(
        name=name,
        version_file=version_file,
        inputs=inputs,
        exclude=exclude,
        depends_on=depends_on,
        values=values,
        scheme=scheme,
        parts=parts,
        separator=separator,
        start=start,
        level=_level(table.get("level", default_level), key + ".level", fail),
        renamed_from=renamed_from,
        lock_hashing=_lock_hashing(table.get("lock-hashing", default_hashing), key + ".lock-hashing", fail),
        values_from=values_from,
        deploy_name=deploy_template(table.get("deploy-name", default_deploy), deploy_key, fail, part_names),
    )


_Selected = tuple[
    tuple[Pattern, ...], tuple[Pattern, ...], tuple[str, ...], dict[str, Any], tuple[ValueSource, ...]
]


def _selection(table: Mapping[str, Any], key: str, fail: Fail) -> _Selected:
    """A unit's or a part's inputs, exclude, depends-on, values and values-from."""
    inputs = _patterns(table, "inputs", key, fail, required=True)
    exclude = _patterns(table, "exclude", key, fail, required=False)
    depends_on = table.get("depends-on", [])
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        raise fail(key + ".depends-on", "must be a list of unit names")
    values = table.get("values", {})
    if not isinstance(values, dict):
        raise fail(key + ".values", 'must be a table, e.g. values = { runtime = "cpython-3.11" }')
    check_values(values, key + ".values", fail)
    values_from = parse_sources(table.get("values-from", {}), values, key + ".values-from", fail)
    return inputs, exclude, tuple(dict.fromkeys(depends_on)), values, values_from


def _parse_parts(
    table: Mapping[str, Any], key: str, scheme: str, source: str, fail: Fail
) -> tuple[Part, ...]:
    """The `[units.NAME.parts.PART]` tables of a `parts` unit (none for any other)."""
    parts_table = table.get("parts")
    if scheme != "parts":
        for name in ("parts", "separator"):
            if name in table:
                raise fail(f"{key}.{name}", 'only a unit of scheme = "parts" has parts')
        return ()
    if not isinstance(parts_table, dict) or not parts_table:
        raise fail(key + ".parts", "declare the unit's parts, e.g. [units.app.parts.lock] with inputs")
    if own := [name for name in PART_KEYS if name in table]:
        raise fail(
            f"{key}.{own[0]}",
            "a parts unit keeps inputs, exclude, values, values-from and depends-on in its parts "
            f"([{key}.parts.PART]); move it into the part it belongs to",
        )
    parts: list[Part] = []
    owners: dict[str, str] = {}
    formerly: set[str] = set()
    for name, part_table in parts_table.items():
        where = f"{key}.parts.{name}"
        if not _PART_NAME.fullmatch(name) or name in ("unit", "version"):
            raise fail(
                where,
                "part names use letters, digits and `_`, starting with a letter, and are not `unit` or "
                "`version` (each part is a deploy-name placeholder too)",
            )
        if not isinstance(part_table, dict):
            raise fail(where, "must be a table with inputs")
        _refuse_unknown_keys(part_table, (*PART_KEYS, *PART_ONLY_KEYS), source, where + ".")
        inputs, exclude, depends_on, values, values_from = _selection(part_table, where, fail)
        for value in (*values, *(entry.name for entry in values_from)):
            if value in owners:
                raise fail(
                    f"{where}.values.{value}", f"is a value of part {owners[value]!r} too; give it to one"
                )
            owners[value] = name
        renamed_from = part_table.get("renamed-from")
        if renamed_from is not None and (
            not isinstance(renamed_from, str) or renamed_from in parts_table or renamed_from in formerly
        ):
            raise fail(
                where + ".renamed-from",
                "must be the part's former name, which no part has today and no other part was renamed from",
            )
        if renamed_from is not None:
            formerly.add(renamed_from)
        parts.append(
            Part(
                name=name,
                inputs=inputs,
                exclude=exclude,
                values=values,
                values_from=values_from,
                depends_on=depends_on,
                renamed_from=renamed_from,
            )
        )
    return tuple(parts)


def _patterns(
    table: Mapping[str, Any], name: str, key: str, fail: Fail, *, required: bool
) -> tuple[Pattern, ...]:
    patterns = table.get(name)
    if patterns is None and not required:
        return ()
    if (
        not isinstance(patterns, list)
        or not all(isinstance(p, str) for p in patterns)
        or (required and not patterns)
    ):
        raise fail(f"{key}.{name}", 'must be a list of path patterns, e.g. ["requirements/app/"]')
    for index, pattern in enumerate(patterns):
        if problem := pattern_problem(pattern):
            raise fail(f"{key}.{name}[{index}]", f"pattern {pattern!r} {problem}")
    return tuple(Pattern.compile(pattern) for pattern in patterns)


def _check_version_files(units: tuple[Unit, ...], fail: Fail) -> None:
    owners: dict[str, str] = {}
    for unit in units:
        # Compared without case: on macOS and Windows `App/v.json` and `app/v.json` are one file.
        if other := owners.get(unit.version_file.casefold()):
            raise fail(
                f"units.{unit.name}.version-file",
                f"{unit.version_file!r} is also the version file of unit {other!r} (or differs from it "
                "only in case); give each unit its own",
            )
        owners[unit.version_file.casefold()] = unit.name


def _check_dependencies(units: tuple[Unit, ...], fail: Fail) -> None:
    names = [unit.name for unit in units]
    graph = {unit.name: unit.depends_on for unit in units}
    for unit in units:
        for dependency in unit.depends_on:
            if dependency not in graph:
                hint = _did_you_mean(dependency, names)
                raise fail(f"units.{unit.name}.depends-on", f"unknown unit {dependency!r}{hint}")
    _refuse_cycles(graph, fail)


def _check_renames(units: tuple[Unit, ...], fail: Fail) -> None:
    """A former name belongs to one unit, and to no unit of today."""
    names = {unit.name for unit in units}
    claimed: dict[str, str] = {}
    for unit in units:
        old = unit.renamed_from
        if old is None:
            continue
        if old in names:
            raise fail(
                f"units.{unit.name}.renamed-from",
                f"{old!r} is the name of another unit of this configuration",
            )
        if old in claimed:
            raise fail(
                f"units.{unit.name}.renamed-from", f"unit {claimed[old]!r} was renamed from {old!r} already"
            )
        claimed[old] = unit.name


def _refuse_cycles(graph: Mapping[str, tuple[str, ...]], fail: Fail) -> None:
    """A depth-first walk with its own stack (a chain of a thousand units is fine); the first cycle
    found is named."""
    done: set[str] = set()
    for start in graph:
        if start in done:
            continue
        path = [start]
        pending = [iter(graph[start])]
        while pending:
            name = next(pending[-1], None)
            if name is None:
                done.add(path.pop())
                pending.pop()
            elif name in path:
                cycle = " -> ".join([*path[path.index(name) :], name])
                raise fail(f"units.{name}.depends-on", f"dependency cycle: {cycle}")
            elif name not in done:
                path.append(name)
                pending.append(iter(graph[name]))


def _level(value: Any, key: str, fail: Fail) -> str:
    if value not in LEVELS:
        raise fail(
            key,
            f"must be one of {', '.join(map(repr, LEVELS))} (the semver step `bump` takes), not {value!r}",
        )
    return str(value)


def _lock_hashing(value: Any, key: str, fail: Fail) -> str:
    if value not in LOCK_HASHING:
        raise fail(key, f"must be one of {', '.join(map(repr, LOCK_HASHING))}, not {value!r}")
    return str(value)


def _scheme(value: Any, key: str, fail: Fail) -> str:
    if not isinstance(value, str) or value not in NAMES:
        raise fail(key, f"unknown scheme {value!r}; known: {', '.join(NAMES)}")
    return str(value)


def _optional_str(data: Mapping[str, Any], key: str, fail: Fail) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise fail(key, "must be a string")
    return value


def _refuse_unknown_keys(table: Mapping[str, Any], known: tuple[str, ...], source: str, prefix: str) -> None:
    for key in table:
        if key not in known:
            hint = _did_you_mean(key, known)
            raise ConfigError(f"{source}: {prefix}{key}: unknown key{hint}; known keys: {', '.join(known)}")


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", str: "a string", list: "an array", float: "a float"}
    return names.get(type(value), "a date or time")


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
