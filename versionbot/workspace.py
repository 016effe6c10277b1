"""The application layer: a repository and its configuration, what a judgement compares, and
applying a bump. The entry points (cli, hook, ci) all start here; it imports none of them."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from versionbot import __version__, merging, writer
from versionbot.base import NO_BASE, BaseChoice, BaseSource, choose_base
from versionbot.config import Config, Unit, config_at, find_config, load_config
from versionbot.errors import ConfigError, GitError, VersionbotError
from versionbot.files import LARGE, read_regular
from versionbot.findings import ChangeKind, Plan
from versionbot.git import Repository
from versionbot.hashing import Digests
from versionbot.lineage import LOOK_BACK
from versionbot.parallel import map_halves
from versionbot.plan import make_plan
from versionbot.records import read_record, unit_names
from versionbot.snapshot import Snapshot
from versionbot.versionfile import VersionFile, dumps, is_replaceable


@dataclass(frozen=True, kw_only=True)
class Snapshots:
    """What one judgement compares, and where its base came from."""

    base: Snapshot | None  # None: a repository without commits
    head: Snapshot
    choice: BaseChoice


@dataclass(frozen=True)
class Workspace:
    """The repository and its configuration, as every command starts from them."""

    repo: Repository
    root: Path
    config: Config

    @classmethod
    def open(cls, repo_path: Path | None, config_path: Path | None) -> Workspace:
        """The repository at `repo_path` (default: the current directory) and its configuration."""
        repo = Repository(repo_path or Path.cwd())
        if repo.root is None:
            raise VersionbotError("a bare repository has no configuration to read; run in a checkout")
        config = load_config(find_config(repo.root, config_path), __version__, repo.parsed_toml)
        return cls(repo, repo.root, config)

    def snapshots(self, *, base: str | None, head: str) -> Snapshots:
        """The base and head snapshots of a judgement: `head` is "worktree", "index" or a revision,
        and the base is the merge-base of `base` (or the base the chain finds) with the head commit."""
        head_snapshot: Snapshot
        if head == "worktree":
            head_snapshot, head_commit = self.repo.worktree_snapshot(), self.repo.head_commit()
        elif head == "index":
            head_snapshot, head_commit = self.repo.index_snapshot(), self.repo.head_commit()
        else:
            head_commit = self.repo.resolve(head)
            head_snapshot = self.repo.commit_snapshot(head_commit)
        choice = self.base_choice(base)
        # The next commit of a merge under way is the merge: its base is the merge's (DESIGN "The base").
        merging = self.repo.merge_heads(os.environ) if head in ("index", "worktree") else ()
        base_commit = self.base_commit(choice, head_commit, merging=merging)
        base_snapshot = self.repo.commit_snapshot(base_commit) if base_commit else None
        return Snapshots(base=base_snapshot, head=head_snapshot, choice=choice)

    def judge(
        self,
        base: Snapshot | None,
        head: Snapshot,
        choice: BaseChoice | None = None,
        *,
        level: str | None = None,
    ) -> Plan:
        """The plan for `head` against `base`, with what earlier runs learnt, on two cores; `choice`
        says where the base came from, for the report."""
        history = GitHistory(self.repo, base.label, self.config.version_files) if base is not None else None
        with self.repo.memory() as memory:
            plan = make_plan(
                self.config, base, head, Digests(map_batch=map_halves), memory, history=history, level=level
            )
        if choice is None:
            return plan
        return dataclasses.replace(plan, base_ref=choice.ref, base_source=choice.source.value)

    def base_choice(self, explicit: str | None) -> BaseChoice:
        """The revision a change is judged against (base.py has the chain)."""
        upstream_remote = self.repo.upstream_remote()
        return choose_base(
            explicit=explicit,
            configured=self.config.base,
            upstream=self.repo.upstream(),
            remote=upstream_remote,
            current_branch=self.repo.current_branch(),
            has_ref=self.repo.has_reference,
            remote_default=self.repo.remote_default,
        )

    def base_commit(
        self, choice: BaseChoice, head_commit: str | None, *, merging: Sequence[str] = ()
    ) -> str | None:
        """The merge-base of the chosen base with the head commit, as in `git diff REV...HEAD`; HEAD
        itself when the chain found nothing; None when there are no commits yet.

        `merging`: the commits a merge under way brings in (`Repository.merge_heads`); the base is
        then what it will be once the merge is committed.
        """
        if head_commit is None:
            return None
        if choice.ref is None:
            return head_commit
        try:
            if merging:
                return self.repo.merge_base_of_merge(choice.ref, [head_commit, *merging])
            return self.repo.merge_base(choice.ref, head_commit)
        except GitError as error:
            if choice.source is BaseSource.CONFIG:
                raise GitError(f"{self.config.source}: base: {error}") from None
            raise

    def no_base_warning(self, choice: BaseChoice) -> str | None:
        """What every command says on standard error when the base is HEAD itself."""
        if choice.source is not BaseSource.HEAD:
            return None
        source = (
            "[tool.versionbot] of pyproject.toml"
            if self.config.source.endswith("pyproject.toml")
            else (self.config.source)
        )
        return NO_BASE.format(remote=self.repo.upstream_remote() or "origin", source=source)

    def record_at_merge_base(self, unit: Unit) -> VersionFile | None:
        """The unit's record at the base a merge under way will have (the merge driver's), or None
        where that is not known: no base found, or no readable record there."""
        try:
            choice = self.base_choice(None)
            head = self.repo.head_commit()
            if choice.ref is None or head is None:
                return None
            base = self.base_commit(choice, head, merging=self.repo.merge_heads(os.environ))
            if base is None:
                return None
            return read_record(self.repo.commit_snapshot(base), unit.version_file, unit_names(unit)).record
        except VersionbotError:
            return None

    def with_repository(self, repo: Repository) -> Workspace:
        """The same workspace reading another handle of the repository (one reopened after a fetch)."""
        return dataclasses.replace(self, repo=repo)


class GitHistory:
    """The base commit's past (lineage.BaseHistory), read from git only when a unit asks.

    Which version files the base's history ever held is asked once, of all of them together: a
    bump that creates five hundred new version files must not ask git five hundred times."""

    def __init__(self, repo: Repository, base: str, version_files: Iterable[str]) -> None:
        self._repo = repo
        self._base = base
        self._version_files = frozenset(version_files)
        self._config: list[Config | None] = []
        self._touched: frozenset[str] | None = None

    def config(self) -> Config | None:
        if not self._config:
            try:
                self._config.append(config_at(self._repo.commit_snapshot(self._base), __version__))
            except VersionbotError:  # none, or one this versionbot cannot read: nothing to follow
                self._config.append(None)
        return self._config[0]

    def earlier(self, path: str) -> Iterator[Snapshot]:
        if self._touched is None:
            base_config = self.config()
            known = self._version_files | (base_config.version_files if base_config else frozenset())
            self._touched = self._repo.touched(self._base, sorted(known | {path}))
        if path not in self._touched:
            return
        for commit, _ in self._repo.changes_to(self._base, path, LOOK_BACK + 1):
            if commit != self._base:
                yield self._repo.commit_snapshot(commit)

    def had(self, path: str, blob: str) -> bool:
        for snapshot in self.earlier(path):
            entry = snapshot.entry(path)
            if entry is not None and entry.oid == blob:
                return True
        return False

    def last_change(self, path: str) -> tuple[str, str] | None:
        changes = self._repo.changes_to(self._base, path, 1)
        if not changes or changes[0][0] in self._repo.shallow_boundary():
            return None  # the history is cut there: who changed the file is not known
        return changes[0]


def moved_away(workspace: Workspace, plan: Plan) -> list[str]:
    """The former paths of moved version files that no unit owns any more."""
    owned = workspace.config.version_files
    return [
        change.previous
        for finding in plan.findings
        for change in finding.changes
        if change.kind is ChangeKind.MOVED and change.previous and change.previous not in owned
    ]


def apply_bump(workspace: Workspace, plan: Plan, judged: Snapshot, *, rewrite: bool = False) -> list[str]:
    """Write every version file the plan calls for, or none when one of them must not be touched,
    then remove what moved version files left behind (returned: the paths removed).

    `judged` is the snapshot the plan's head was read from: a version file whose working-tree copy
    differs from it (unstaged edits, when the index was judged) is not overwritten. `rewrite`: write
    every finding's record, fine ones included (`rehash`).
    """
    due = plan.findings if rewrite else plan.due
    refused = [finding.message for finding in due if not finding.is_writable]
    refused += [
        f"not bumping {finding.version_file}: it differs from the {judged.label} that was judged "
        "(unstaged edits?); stage or discard those edits, then try again"
        for finding in due
        if has_local_edits(workspace, judged, finding.version_file)
    ]
    if refused:
        raise VersionbotError("; ".join(refused))
    for finding in due:  # the same checks as the write's, before anything is written
        _write_version_file(workspace, finding.unit, finding.version_file, None)
    for finding in due:
        _write_version_file(workspace, finding.unit, finding.version_file, dumps(finding.expected))
    forbidden = [workspace.repo.git_dir]
    return [
        path
        for path in moved_away(workspace, plan)
        if writer.remove(
            workspace.root, path, forbidden=forbidden, may_replace=is_replaceable, what="version file"
        )
    ]


def _write_version_file(workspace: Workspace, unit: str, path: str, data: bytes | None) -> None:
    """Write (or with None, only check that it may be written) one unit's version file."""
    try:
        writer.write(
            workspace.root,
            path,
            data,
            forbidden=[workspace.repo.git_dir],
            may_replace=is_replaceable,
            what="version file",
        )
    except writer.WriteRefused as error:
        raise ConfigError(f"{workspace.config.source}: units.{unit}.version-file: {error}") from None


def has_local_edits(workspace: Workspace, judged: Snapshot, path: str) -> bool:
    """Whether the working tree's copy of a version file differs from the judged one: writing it would
    lose those edits. Line endings do not count (a CRLF checkout of an LF file is no edit)."""
    if judged.label == "worktree":
        return False
    full = workspace.root / path
    on_disk = read_regular(str(full))
    if on_disk is None and (full.exists() or full.is_symlink()):
        return True  # a folder, a link or a pipe: nothing versionbot may replace
    recorded = judged.read_file(path)
    if on_disk is None or recorded is None:
        return on_disk is not recorded
    return on_disk.replace(b"\r\n", b"\n") != recorded.replace(b"\r\n", b"\n")


def install_merge_driver(
    repo: Repository, root: Path, version_files: Sequence[str], *, is_dry_run: bool = False
) -> list[str]:
    """Hand the version files to the merge driver: a `.gitattributes` line for each, and the driver
    in `.git/config` (git never takes drivers from a clone). Says what it changed (or, dry, would
    change); nothing when everything is in place already."""
    changes = []
    attributes = root / ".gitattributes"
    existing = read_regular(str(attributes))
    if existing is None and os.path.lexists(attributes):  # never replace what could not be read
        raise VersionbotError(
            f"{attributes}: not a regular file versionbot can read (a link, a folder, or larger than "
            f"{LARGE >> 20} MiB); add the lines `init --merge-driver` would write by hand: "
            + "; ".join(merging.attribute_line(path) for path in version_files[:3])
        )
    try:
        text = existing.decode("utf-8") if existing is not None else ""
    except UnicodeDecodeError as error:
        raise VersionbotError(f"{attributes}: not UTF-8 (byte {error.start}); save it as UTF-8") from None
    updated = merging.with_attribute_lines(text, version_files)
    if updated is not None:
        added = len(updated.splitlines()) - len(text.splitlines())
        changes.append(f".gitattributes: `merge={merging.DRIVER}` for {added} version file(s)")
        if not is_dry_run:
            data = updated.encode("utf-8")
            writer.write(root, ".gitattributes", data, forbidden=[repo.git_dir], what="file")
    wanted = {
        f"merge.{merging.DRIVER}.name": merging.DRIVER_NAME,
        f"merge.{merging.DRIVER}.driver": merging.driver_command(sys.executable),
    }
    for key, value in wanted.items():
        if repo.config_value(key) != value:
            changes.append(f"{key} in .git/config")
            if not is_dry_run:
                repo.set_local_config(key, value)
    return changes
