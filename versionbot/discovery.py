"""What `versionbot init` proposes (pure): one unit per deployable found in a repository's files.

It knows, in this order:

- venvstacks projects (`venvstacks.toml`): one unit per layer, named as venvstacks names the layer's
  environment (`cpython-3.11`, `framework-scipy`, `app-scipy-import`), over its lock folder
  (`requirements/<layer>/`, beside `venvstacks.toml`), an application's launch module and support
  modules, and `depends-on` from the layer's `runtime` and `frameworks`;
- workspaces (uv's `[tool.uv.workspace]`, npm's `workspaces`, Cargo's `[workspace]`): one unit per
  member, over the member's folder and the workspace's shared lock file; the workspace root is a unit
  of its own only where it is a package itself;
- any other folder holding lock files: one unit over the folder (over just its lock files where the
  folder holds another unit's folder, as the repository root does).

Names come from the project (`[project].name`, `[tool.poetry].name`, `package.json`'s `name` without
its scope, `[package].name`), never from the checkout's folder. Test fixtures (`tests/`, `test/`,
`fixtures/`, `testdata/`), documentation builds (`docs/`, `doc/`) and `node_modules/` are left out
unless asked (`include_tests`: the first kind).

The repository's files are read through `read` (a path to its bytes, or None), never run.
"""

from __future__ import annotations

import bisect
import collections
import dataclasses
import fnmatch
import functools
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from versionbot import safejson, wildmatch
from versionbot.errors import ConfigError
from versionbot.escape import visible
from versionbot.patterns import pattern_problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

LOCK_FILES = (
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "pixi.lock",
    "pylock.toml",
    "pylock.*.toml",
    "Pipfile.lock",
    "requirements*.txt",
    "package-lock.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "Cargo.lock",
    "go.sum",
    "Gemfile.lock",
)
TEST_FOLDERS = frozenset({"tests", "test", "fixtures", "testdata"})
DOC_FOLDERS = frozenset({"docs", "doc"})
NEVER = frozenset({"node_modules", ".git"})
MAX_GLOBS = 1000  # a workspace's member and exclude globs; more is no workspace people write
MANIFEST_LIMIT = 1 << 20  # bytes: a project manifest is small; a larger one is not read
PYCACHE = "**/__pycache__/**"
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # the bytes git's names did not decode as UTF-8
UNIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # as the configuration takes them

Read = Callable[[str], "bytes | None"]


@dataclass(frozen=True, kw_only=True)
class ProposedUnit:
    name: str
    version_file: str
    inputs: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Proposal:
    units: tuple[ProposedUnit, ...]
    left_out: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # why -> lock files


def is_lock_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in LOCK_FILES)


def propose(
    paths: Sequence[str],
    read: Read,
    *,
    where: str,
    fallback_name: str,
    include_tests: bool = False,
) -> Proposal:
    """The units for a repository whose files are `paths` (sorted, `/`-separated). `where` names the
    repository in messages; `fallback_name` names the root unit when no manifest there names it."""
    kept, left_out = _kept(paths, include_tests)
    finder = _Finder(kept, read, fallback_name)
    finder.venvstacks()
    finder.workspaces()
    finder.lock_folders()
    if not finder.groups:
        raise ConfigError(
            f"{where}: found no lock files ({', '.join(LOCK_FILES)}) and no venvstacks.toml"
            + (f" outside test and documentation folders ({', '.join(sorted(left_out))})" if left_out else "")
            + "; write versionbot.toml by hand (see the README)"
        )
    # by folder; at one folder, its own unit before the layers or members it frames
    groups = [(folder, units) for folder, _, units in sorted(finder.groups, key=lambda item: item[:2])]
    if finder.unlocked:
        left_out["venvstacks layers not locked yet (`venvstacks lock`, then init again)"] = tuple(
            finder.unlocked
        )
    if finder.left_out:
        left_out["workspaces not read"] = tuple(finder.left_out)
    units, unwritable = _writable(_named(groups))
    if unwritable:
        left_out["units whose name or paths a configuration cannot hold (write them by hand)"] = unwritable
    return Proposal(units=units, left_out=left_out)


def _writable(units: list[ProposedUnit]) -> tuple[tuple[ProposedUnit, ...], tuple[str, ...]]:
    """The units a configuration can hold as proposed, and the version files of those it cannot: a
    folder whose name holds a pattern's special characters (`*?[\\`) or a control character, or a
    layer name that is no unit name. `depends-on` on a unit left out is dropped."""
    kept, dropped = [], []
    for unit in units:
        paths = (unit.version_file, *unit.inputs)
        if not UNIT_NAME.fullmatch(unit.name) or any(_unwritable(path) for path in paths):
            dropped.append(visible(unit.version_file))
        else:
            kept.append(unit)
    names = {unit.name for unit in kept}
    return tuple(
        dataclasses.replace(unit, depends_on=tuple(name for name in unit.depends_on if name in names))
        for unit in kept
    ), tuple(dropped)


def _unwritable(path: str) -> bool:
    return bool(pattern_problem(path)) or any(char in path for char in "*?[\\") or visible(path) != path


def _kept(paths: Sequence[str], include_tests: bool) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """The paths init looks at, and the lock files it leaves out, by why."""
    kept: list[str] = []
    left: dict[str, list[str]] = {}
    for path in paths:
        folders = set(path.split("/")[:-1])
        if folders & NEVER:
            continue
        if _NOT_UTF8.search(path):
            if is_lock_file(path):
                left.setdefault("names that are not UTF-8", []).append(visible(path))
            continue
        if not include_tests and folders & TEST_FOLDERS:
            reason = "test fixtures (`--include-tests` proposes them)"
        elif folders & DOC_FOLDERS:
            reason = "documentation"
        else:
            kept.append(path)
            continue
        if is_lock_file(path) or PurePosixPath(path).name == "venvstacks.toml":
            left.setdefault(reason, []).append(path)
    return kept, {reason: tuple(found) for reason, found in left.items()}


def _folder(path: str) -> str:
    parent = PurePosixPath(path).parent.as_posix()
    return "" if parent == "." else parent


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _is_below(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


class _Finder:
    """The units found so far, in groups (sorted by their folder at the end), and the lock files and
    folders they took."""

    def __init__(self, paths: list[str], read: Read, fallback_name: str) -> None:
        self.paths = paths
        self._path_set = frozenset(paths)
        self.read = read
        self.fallback_name = fallback_name
        self.groups: list[tuple[str, int, list[ProposedUnit]]] = []  # folder, rank, units
        self.claimed: set[str] = set()  # lock files a unit took
        self.unit_folders: list[str] = []  # folders a unit took whole
        self.unlocked: list[str] = []  # venvstacks layers without a lock folder yet
        self.left_out: list[str] = []  # manifests not read: too many globs

    def _taken(self, path: str) -> bool:
        return path in self.claimed or any(_is_below(path, folder) for folder in self.unit_folders if folder)

    # venvstacks ---------------------------------------------------------------------------------

    def venvstacks(self) -> None:
        for spec in [path for path in self.paths if PurePosixPath(path).name == "venvstacks.toml"]:
            document = _toml(self.read, spec)
            if document is not None:
                self._venvstacks_project(_folder(spec), document)

    def _venvstacks_project(self, folder: str, document: Mapping[str, Any]) -> None:
        layers: list[tuple[str, Mapping[str, Any]]] = []
        for kind, prefix in (("runtimes", ""), ("frameworks", "framework-"), ("applications", "app-")):
            entries = document.get(kind, [])
            if isinstance(entries, list):
                layers += [
                    (prefix + entry["name"], entry)
                    for entry in entries
                    if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"]
                ]
        frameworks = {name.removeprefix("framework-") for name, _ in layers if name.startswith("framework-")}
        present = {name for name, _ in layers if self._lock_folder(folder, name) is not None}
        units = []
        for env, layer in layers:
            lock_folder = self._lock_folder(folder, env)
            if lock_folder is None:  # not locked yet: nothing to hash
                self.unlocked.append(_join(folder, f"requirements/{env}/"))
                continue
            inputs = [lock_folder + "/"]
            for module in [layer.get("launch_module"), *_strings(layer.get("support_modules"))]:
                if isinstance(module, str) and (found := self._module(folder, module)):
                    inputs.append(found)
            # a layer names its frameworks, or else its runtime (venvstacks takes one or the other)
            depends = [
                f"framework-{name}" if name in frameworks else name
                for name in _strings(layer.get("frameworks"))
            ] or _strings([layer.get("runtime")])
            units.append(
                ProposedUnit(
                    name=env,
                    version_file=self._version_file(lock_folder),
                    inputs=tuple(dict.fromkeys(inputs)),
                    exclude=(PYCACHE,) if len(inputs) > 1 else (),
                    depends_on=tuple(name for name in dict.fromkeys(depends) if name in present),
                )
            )
            self.unit_folders.append(lock_folder)
        if units:
            self.groups.append((folder, 1, units))

    def _lock_folder(self, folder: str, env: str) -> str | None:
        lock_folder = _join(folder, f"requirements/{env}")
        return lock_folder if any(_is_below(path, lock_folder) for path in self.paths) else None

    def _module(self, folder: str, module: str) -> str | None:
        """A launch or support module's path in the repository: a file, or a folder (with `/`)."""
        parts: list[str] = [part for part in folder.split("/") if part]
        for part in module.replace("\\", "/").split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    return None  # outside the repository
                parts.pop()
            else:
                parts.append(part)
        path = "/".join(parts)
        if not path:
            return None
        if path in self._path_set:
            return path
        if any(_is_below(other, path) for other in self.paths):
            return path + "/"
        return None

    # workspaces ---------------------------------------------------------------------------------

    def workspaces(self) -> None:
        for path in self.paths:
            name = PurePosixPath(path).name
            if name == "pyproject.toml":
                document = _toml(self.read, path)
                workspace = _table(_table(_table(document).get("tool")).get("uv")).get("workspace")
                if isinstance(workspace, dict):
                    self._workspace(path, workspace.get("members"), workspace.get("exclude"), "uv.lock")
            elif name == "Cargo.toml":
                workspace = _table(_toml(self.read, path)).get("workspace")
                if isinstance(workspace, dict):
                    self._workspace(path, workspace.get("members"), workspace.get("exclude"), "Cargo.lock")
            elif name == "package.json":
                manifest = _table(_json(self.read, path))
                members = manifest.get("workspaces")
                if isinstance(members, dict):  # yarn's { packages = [...] }
                    members = members.get("packages")
                locks = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml")
                if members is not None:
                    self._workspace(path, members, None, *locks)

    def _workspace(self, manifest: str, members: Any, exclude: Any, *lock_names: str) -> None:
        members, exclude = _strings(members), _strings(exclude)
        if len(members) + len(exclude) > MAX_GLOBS:
            self.left_out.append(f"{manifest} (more than {MAX_GLOBS} workspace member globs)")
            return
        folder = _folder(manifest)
        manifest_name = PurePosixPath(manifest).name
        locks = [_join(folder, lock) for lock in lock_names if _join(folder, lock) in self._path_set]
        found = [
            _folder(path)
            for path in self.paths
            if PurePosixPath(path).name == manifest_name
            and path != manifest
            and _is_below(path, folder)
            and _matches_any(_relative(_folder(path), folder), members)
            and not _matches_any(_relative(_folder(path), folder), exclude)
            and not self._taken(path)
        ]
        units = []
        if locks and _is_package(manifest_name, self.read, manifest):
            units.append(self._unit(folder, tuple(locks)))  # the root is a package too
        for member in sorted(found):
            units.append(
                ProposedUnit(
                    name=_manifest_name(self.read, folder=member) or _slug(member),
                    version_file=self._version_file(member),
                    inputs=(member + "/", *locks),
                )
            )
            self.unit_folders.append(member)
        if not found:
            return
        self.claimed.update(locks)
        self.groups.append((folder, 1, units))

    # other lock folders -------------------------------------------------------------------------

    def lock_folders(self) -> None:
        by_folder: dict[str, list[str]] = {}
        for path in self.paths:
            if is_lock_file(path) and not self._taken(path):
                by_folder.setdefault(_folder(path), []).append(path)
        taken = sorted({*self.unit_folders, *by_folder})
        for folder in sorted(by_folder):
            # another taken folder below this one sorts right after `folder/`: one look, not a scan
            after = bisect.bisect_left(taken, folder + "/")
            holds_other = folder == "" or (after < len(taken) and taken[after].startswith(folder + "/"))
            inputs = tuple(by_folder[folder]) if holds_other else (folder + "/",)
            self.groups.append((folder, 0, [self._unit(folder, inputs)]))

    def _unit(self, folder: str, inputs: tuple[str, ...]) -> ProposedUnit:
        name = _manifest_name(self.read, folder=folder) or (_slug(folder) if folder else self.fallback_name)
        return ProposedUnit(name=name, version_file=self._version_file(folder), inputs=inputs)

    def _version_file(self, folder: str) -> str:
        """`version.json` in the unit's folder, unless another tool's file has that name there (a
        Nerdbank.GitVersioning `version.json`, say): then `versionbot.json`."""
        path = _join(folder, "version.json")
        if path not in self._path_set:
            return path
        data = self.read(path) or b""
        return path if b'"inputs_hash"' in data else _join(folder, "versionbot.json")


def repository_name(url: str | None) -> str:
    """The root unit's name where no manifest names it: the remote repository's (`org/app.git` ->
    `app`), the same in every clone, never the checkout's folder; else `root`."""
    last = (url or "").rstrip("/").replace(":", "/").rpartition("/")[2].removesuffix(".git")
    name = "".join(char if char.isalnum() or char in "._-" else "-" for char in last).strip("-._")
    return name if name and name.isascii() else "root"


def _relative(path: str, folder: str) -> str:
    return path[len(folder) + 1 :] if folder else path


def _matches_any(path: str, globs: Sequence[str]) -> bool:
    return any(matcher(path) for matcher in _matchers(tuple(globs)))


@functools.lru_cache(maxsize=64)
def _matchers(globs: tuple[str, ...]) -> tuple[wildmatch.Matcher, ...]:
    """Workspace member globs (`packages/*`, `crates/**`) in git's dialect, `*` within a folder and
    `**` across: compiled once, and matched in linear time however many stars they hold."""
    return tuple(
        wildmatch.compile_matcher(pattern.strip("/").removeprefix("./"), pathname=True) for pattern in globs
    )


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _table(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _toml(read: Read, path: str) -> dict[str, Any] | None:
    data = read(path)
    if data is None or len(data) > MANIFEST_LIMIT:
        return None
    try:
        parsed: dict[str, Any] = tomllib.loads(data.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None  # not a manifest init can read: the folder is proposed without its name
    return parsed


def _json(read: Read, path: str) -> Any:
    data = read(path)
    if data is None or len(data) > MANIFEST_LIMIT:
        return None
    try:
        return safejson.loads(data.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, safejson.JSONError):
        return None


def _is_package(manifest_name: str, read: Read, manifest: str) -> bool:
    """Whether a workspace root is a package itself (not only the workspace's frame)."""
    if manifest_name == "package.json":
        return _table(_json(read, manifest)).get("private") is not True
    document = _table(_toml(read, manifest))
    return isinstance(document.get("project" if manifest_name == "pyproject.toml" else "package"), dict)


def _manifest_name(read: Read, *, folder: str) -> str | None:
    """The project's or package's own name, from the folder's manifest."""
    for manifest in ("pyproject.toml", "Cargo.toml"):
        document = _table(_toml(read, _join(folder, manifest)))
        for table in (
            _table(document.get("project")),
            _table(_table(document.get("tool")).get("poetry")),
            _table(document.get("package")),
        ):
            if isinstance(table.get("name"), str) and (name := _clean(table["name"])):
                return name
    package = _table(_json(read, _join(folder, "package.json")))
    if isinstance(package.get("name"), str):
        return _clean(package["name"].rpartition("/")[2]) or None  # `@scope/name`: the name
    return None


def _clean(name: str) -> str:
    return _NAME_CHARS.sub("-", name).strip("-._")


def _slug(folder: str) -> str:
    return _clean(folder.replace("/", "-")) or "root"


def _named(groups: list[tuple[str, list[ProposedUnit]]]) -> list[ProposedUnit]:
    """Every unit with a name of its own. A name that several units would have gets, for each of
    them but the repository root's, its group's folder (a venvstacks project's, a workspace's, its
    own) in front, so none keeps the bare name by the accident of coming first; a number then
    settles what is left.
    `depends-on` follows the renames within a group (one venvstacks project's layers)."""
    counts = collections.Counter(unit.name or "root" for _, group in groups for unit in group)
    taken: set[str] = set()
    result = []
    for folder, group in groups:
        within = collections.Counter(unit.name or "root" for unit in group)
        names = []
        for unit in group:
            name = unit.name or "root"
            # Two of one group (a workspace's members) are told apart by their own folders, two
            # groups' (two venvstacks projects' layers) by the group's; the root keeps its own name.
            own = _slug(_folder(unit.version_file))
            prefix = own if within[name] > 1 else _slug(folder)
            if counts[name] > 1 and (folder or within[name] > 1) and prefix != name and own != "root":
                name = f"{prefix}-{name}"
            candidate, counter = name, 2
            while name in taken:
                name, counter = f"{candidate}-{counter}", counter + 1
            taken.add(name)
            names.append(name)
        renamed: dict[str, str] = {}
        for unit, name in zip(group, names, strict=True):
            renamed.setdefault(unit.name, name)
        result += [
            dataclasses.replace(
                unit, name=name, depends_on=tuple(renamed.get(other, other) for other in unit.depends_on)
            )
            for unit, name in zip(group, names, strict=True)
        ]
    return result
