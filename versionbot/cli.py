"""Command line: argparse, the one place that turns errors into messages and exit codes."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from versionbot import __version__, escape, hook, merging, render, writer
from versionbot.config import Config, config_at, find_config, load_config
from versionbot.directory import DirectorySnapshot
from versionbot.errors import ConfigError, VersionbotError
from versionbot.escape import visible
from versionbot.files import read_regular
from versionbot.findings import ChangeKind, Plan, Status, UnitVersion
from versionbot.git import Repository
from versionbot.hashing import Digests
from versionbot.parallel import map_halves
from versionbot.records import unit_names
from versionbot.schemes import INTEGER, LEVELS, Scheme
from versionbot.snapshot import Snapshot
from versionbot.survey import survey
from versionbot.timeline import Timeline, parse_at_version, since
from versionbot.versionfile import VersionFile, is_replaceable
from versionbot.workspace import Workspace, apply_bump, install_merge_driver, moved_away

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
# the commands that open what they read themselves (or read nothing of the repository)
OPENS_ITSELF = ("init", "ci", "merge-driver", "verify", "schema", "doctor")


def _judge(workspace: Workspace, args: argparse.Namespace) -> tuple[Plan, Snapshot]:
    """The plan for `--base`/`--head`, and the head snapshot it judged; a base that is HEAD itself
    is said on standard error."""
    snapshots = workspace.snapshots(base=args.base, head=args.head)
    if warning := workspace.no_base_warning(snapshots.choice):
        print(f"versionbot: {warning}", file=sys.stderr)
    level = getattr(args, "level", None)  # `bump --level`: the semver step to take
    return workspace.judge(snapshots.base, snapshots.head, snapshots.choice, level=level), snapshots.head


def run_check(workspace: Workspace, args: argparse.Namespace) -> int:
    plan, _ = _judge(workspace, args)
    renderer = {"text": render.check_text, "json": render.check_json, "markdown": render.check_markdown}
    sys.stdout.write(renderer[args.format](plan))
    return EXIT_OK if plan.ok else EXIT_FINDINGS


def run_bump(workspace: Workspace, args: argparse.Namespace) -> int:
    if not args.dry_run:  # what an interrupted run left must not be judged as an input
        version_files = workspace.config.version_files
        writer.remove_stale(workspace.root, version_files, workspace.repo.tracked)
    plan, judged = _judge(workspace, args)
    if args.dry_run:
        left = [path for path in moved_away(workspace, plan) if (workspace.root / path).is_file()]
        sys.stdout.write(render.bump_text(plan.due, is_dry_run=True, removed=left))
        return EXIT_FINDINGS if plan.due or left else EXIT_OK
    removed = apply_bump(workspace, plan, judged)
    sys.stdout.write(render.bump_text(plan.due, is_dry_run=False, removed=removed))
    return EXIT_OK


def run_rehash(workspace: Workspace, args: argparse.Namespace) -> int:
    """Rewrite the records made under other rules than today's, keeping their versions; units whose
    inputs changed since the base are refused (exit 1): `bump` those."""
    plan, judged = _judge(workspace, args)
    made_before = [f for f in plan.findings if any(c.kind is ChangeKind.REHASHED for c in f.changes)]
    due = [f for f in made_before if f.status in (Status.UNCHANGED, Status.STALE_HASH)]
    refused = [f for f in made_before if not f.is_fine and f not in due]
    if not args.dry_run and due:
        apply_bump(workspace, dataclasses.replace(plan, findings=tuple(due)), judged, rewrite=True)
    verb = "would rewrite" if args.dry_run else "rewrote"
    for finding in due:
        what = f"{finding.unit} {finding.expected_version}"
        print(visible(f"{verb} {finding.version_file}: {what}, under today's rules"))
    for finding in refused:
        print(
            visible(f"versionbot: not rehashing {finding.unit} ({finding.status.value}): {finding.message}"),
            file=sys.stderr,
        )
    if not due and not refused:
        print("versionbot: every record is made under today's rules")
    return EXIT_FINDINGS if refused or (args.dry_run and due) else EXIT_OK


def run_status(workspace: Workspace, args: argparse.Namespace) -> int:
    snapshot: Snapshot
    if args.rev is None:
        config, snapshot = workspace.config, workspace.repo.worktree_snapshot()
    else:
        snapshot = workspace.repo.commit_snapshot(workspace.repo.resolve(args.rev))
        config = _config_at(workspace, args, snapshot)
    with workspace.repo.memory() as memory:
        states = survey(config, snapshot, Digests(), memory)
    renderer = {"text": render.status_text, "json": render.status_json, "markdown": render.status_markdown}
    sys.stdout.write(renderer[args.format](states))
    return EXIT_OK if all(state.is_current for state in states) else EXIT_FINDINGS


def run_log(workspace: Workspace, args: argparse.Namespace) -> int:
    """Every version of each unit along REV's first-parent history; `UNIT@VERSION` shows that one
    version and exits 1 when no commit introduced it."""
    timeline = Timeline(workspace.repo, args.rev, workspace.config if args.config else None)
    wanted = args.units or [unit.name for unit in timeline.config.units]
    shown: list[tuple[str, list[UnitVersion]]] = []
    missing = []
    known = {unit.name for unit in timeline.config.units}
    for target in wanted:
        at_version = parse_at_version(target)
        if at_version is None or at_version[0] not in known:
            shown.append((target, timeline.versions(target)))
            continue
        found = timeline.version(*at_version)
        if found is None:
            missing.append(target)
        shown.append((at_version[0], [found] if found else []))
    if args.format == "json":
        sys.stdout.write(render.log_json(timeline.commit, shown))
    else:
        sys.stdout.write(render.log_text([found for _, versions in shown for found in versions]))
    for target in missing:
        print(
            visible(f"versionbot: no commit on {args.rev}'s first-parent history introduced {target}"),
            file=sys.stderr,
        )
    return EXIT_FINDINGS if missing else EXIT_OK


def run_diff(workspace: Workspace, args: argparse.Namespace) -> int:
    """The record delta per unit from A to B; A and B are revisions or `UNIT@VERSION`."""
    wanted = set(args.units)
    ends = []
    known = {name for unit in workspace.config.units for name in unit_names(unit)}
    for end in (args.a, args.b):
        at_version = parse_at_version(end)
        if at_version is None or at_version[0] not in known:  # a revision (a tag such as `rel@1`)
            ends.append(workspace.repo.resolve(end))
            continue
        found = Timeline(workspace.repo, "HEAD").version(*at_version)
        if found is None:
            raise VersionbotError(
                f"no commit on HEAD's first-parent history introduced {end}; see `versionbot log`"
            )
        ends.append(found.commit)
        wanted.add(at_version[0])
    before_commit, after_commit = ends
    after, before = Timeline(workspace.repo, after_commit), Timeline(workspace.repo, before_commit)
    # a unit asked for by today's name also goes by the name it had (renamed-from)
    wanted |= {
        unit.renamed_from for unit in workspace.config.units if unit.name in wanted and unit.renamed_from
    }
    between = set(workspace.repo.first_parents_between(before_commit, after_commit))
    deltas = []
    seen: set[str] = set()
    for unit in after.config.units:
        names = unit_names(unit)
        if wanted and not wanted & set(names):
            continue
        seen.update(names)
        found_after, found_before = (
            after.record_at(after_commit, names),
            before.record_at(before_commit, names),
        )
        new = found_after[1] if found_after else None
        old = found_before[1] if found_before else None
        if new is None or (old is not None and old == new):
            continue
        versions = [found for found in after.versions(unit.name) if found.commit in between]
        changes = since(versions, old, new)
        deltas.append(render.UnitDelta(unit.name, old.version if old else None, new.version, changes))
    for unit in before.config.units:  # units removed between A and B
        if unit.name in seen or (wanted and unit.name not in wanted):
            continue
        found_before = before.record_at(before_commit, (unit.name,))
        if found_before and found_before[1] is not None:
            deltas.append(render.UnitDelta(unit.name, found_before[1].version, None, ()))
    if args.format == "json":
        sys.stdout.write(render.diff_json(before_commit, after_commit, deltas))
    else:
        sys.stdout.write(render.diff_text(deltas))
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    """Every version file checked against a plain directory, without git: exit 0 when every record
    matches, 1 naming each unit and file that does not."""
    root = (args.dir or Path.cwd()).absolute()
    if not root.is_dir():
        what = "is not a directory" if root.exists() else "does not exist"
        raise VersionbotError(f"{root} {what}; pass --dir with the tree to verify")
    config = load_config(find_config(root, args.config), __version__)
    states = survey(config, DirectorySnapshot(root), Digests(map_batch=map_halves), is_deployed=True)
    renderer = {"text": render.status_text, "json": render.status_json, "markdown": render.status_markdown}
    sys.stdout.write(renderer[args.format](states))
    return EXIT_OK if all(state.is_current for state in states) else EXIT_FINDINGS


def _config_at(workspace: Workspace, args: argparse.Namespace, snapshot: Snapshot) -> Config:
    """A revision's own configuration (units added or renamed since do not break it), unless
    `--config` names one."""
    return workspace.config if args.config else config_at(snapshot, __version__)


def run_export(workspace: Workspace, args: argparse.Namespace) -> int:
    commit = workspace.repo.resolve(args.rev)
    snapshot = workspace.repo.commit_snapshot(commit)
    states = survey(_config_at(workspace, args, snapshot), snapshot, None)
    broken = [state for state in states if state.problem]
    for state in broken:
        print(visible(f"versionbot: {state.unit}: {state.problem}"), file=sys.stderr)
    if broken:
        return EXIT_FINDINGS
    sys.stdout.write(render.export_json(commit, states))
    return EXIT_OK


def run_init(args: argparse.Namespace) -> int:
    from versionbot import discovery, onboarding  # tomlkit is only needed here

    repo = Repository(args.repo or Path.cwd())
    if repo.root is None:
        raise VersionbotError("a bare repository has no working tree to set up; run in a checkout")
    if args.merge_driver and _has_config(repo.root, args.config):  # set up already: the driver only
        config = Workspace.open(args.repo, args.config).config
        return _install_driver(repo, repo.root, [unit.version_file for unit in config.units], args)
    snapshot = repo.worktree_snapshot()
    remote = repo.upstream_remote() or "origin"
    proposal = discovery.propose(
        sorted(snapshot.paths_under("")),
        snapshot.read_file,
        where=str(repo.root),
        fallback_name=discovery.repository_name(repo.config_value(f"remote.{remote}.url")),
        include_tests=args.include_tests,
    )
    units = proposal.units
    base = repo.remote_default(remote)  # `origin/main`, when known
    target, text = onboarding.render_config(repo.root, units, args.config, base)
    if args.merge_driver:  # refused before anything is written, not half-way (a linked .gitattributes)
        install_merge_driver(repo, repo.root, [unit.version_file for unit in units], is_dry_run=True)
    if args.dry_run:  # only what init adds: the rest of the file is the repository's own text
        addition = onboarding.render_addition(units, target, base)
        sys.stdout.write(f"# would add to {visible(target.name)}:\n{escape.lines(addition.splitlines())}")
    else:
        relative = Path(os.path.relpath(target.absolute(), repo.root.absolute())).as_posix()
        data = text.encode("utf-8")
        writer.write(repo.root, relative, data, forbidden=[repo.git_dir], what="configuration")
        names = ", ".join(unit.name for unit in units)
        print(
            visible(
                f"wrote {target.name} with {len(units)} unit{'' if len(units) == 1 else 's'} ({names}); "
                "next: review it, then `versionbot bump`"
            )
        )
    for reason, paths in proposal.left_out.items():
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        print(visible(f"left out, as {reason}: {shown}"), file=sys.stderr)
    if args.merge_driver:
        return _install_driver(repo, repo.root, [unit.version_file for unit in units], args)
    return EXIT_OK


def _has_config(root: Path, explicit: Path | None) -> bool:
    try:
        find_config(root, explicit)
    except ConfigError:
        return False
    return True


def _install_driver(repo: Repository, root: Path, version_files: list[str], args: argparse.Namespace) -> int:
    changes = install_merge_driver(repo, root, version_files, is_dry_run=args.dry_run)
    verb = "would write" if args.dry_run else "wrote"
    for change in changes:
        print(visible(f"merge driver: {verb} {change}"))
    if not changes:
        print("merge driver: already installed, nothing changed")
    return EXIT_OK


def run_doctor(args: argparse.Namespace) -> int:
    """What versionbot sees, topic by topic; exit 1 with the first thing to fix, else 0."""
    from versionbot.doctor import diagnose

    diagnosis = diagnose(args.repo, args.config)
    shown = []
    for topic in diagnosis.topics:
        if len(topic.lines) == 1 and not topic.is_list:
            shown.append(f"{topic.name}: {topic.lines[0]}")
        else:
            shown += [f"{topic.name}:", *(f"  {line}" for line in topic.lines)]
    fix = diagnosis.first_fix
    shown += ["", f"first thing to fix: {fix}" if fix else "nothing to fix"]
    sys.stdout.write(escape.lines(shown))
    return EXIT_FINDINGS if fix else EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    """The JSON Schema of the configuration or of a version file, as the package ships it."""
    from versionbot.schemas import schema_text

    sys.stdout.write(schema_text(args.name))
    return EXIT_OK


def run_merge_driver(args: argparse.Namespace) -> int:
    """git's merge driver for version files: the merged record into OURS, exit 0. A side that is no
    version file is merged as text instead, conflict markers and all, exit 1 (a conflict, as git
    reports it)."""
    ancestor, ours, theirs = (read_regular(path) for path in (args.ancestor, args.ours, args.theirs))
    scheme, base = _merge_context(args, args.path)
    try:
        if ours is None or theirs is None:
            raise merging.NotMergeable("a side is not a regular file")
        merged = merging.merge_version_files(ancestor, ours, theirs, scheme, base)
    except merging.NotMergeable as error:
        print(visible(f"versionbot merge-driver: {args.path}: {error}; merged as text"), file=sys.stderr)
        _merge_as_text(args.ancestor, args.ours, args.theirs)
        return EXIT_FINDINGS
    target = Path(args.ours).absolute()
    writer.write(target.parent, target.name, merged, may_replace=is_replaceable, what="merge result")
    return EXIT_OK


def _merge_context(args: argparse.Namespace, path: str) -> tuple[Scheme, VersionFile | None]:
    """The scheme of the unit whose version file is `path` (the integer scheme where the working
    tree's configuration cannot tell: it may be in conflict itself), and its record at the base the
    merge will have, where that is known."""
    try:
        workspace = Workspace.open(args.repo, args.config)
    except VersionbotError:
        return INTEGER, None
    unit = next((unit for unit in workspace.config.units if unit.version_file == path), None)
    if unit is None:
        return INTEGER, None
    return unit.versions, workspace.record_at_merge_base(unit)


def _merge_as_text(ancestor: str, ours: str, theirs: str) -> None:
    """What git would have done without the driver: a line merge into OURS, with conflict markers."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            ["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", ours, ancestor, theirs],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
            timeout=60,
        )


def run_hook(workspace: Workspace, args: argparse.Namespace) -> int:
    passed = hook.run(
        workspace,
        action=args.action,
        git_pre_push=args.git_pre_push is not None,
        stdin=sys.stdin,
        environ=os.environ,
        out=sys.stdout,
        err=sys.stderr,
    )
    return EXIT_OK if passed else EXIT_FINDINGS


def run_ci(args: argparse.Namespace) -> int:
    from versionbot import ci  # the Actions side: imported by the one command that needs it

    def open_workspace() -> Workspace:
        return Workspace.open(args.repo, args.config)

    passed = ci.run(open_workspace, config_path=args.config, is_commenting=args.comment, fix=args.fix)
    return EXIT_OK if passed else EXIT_FINDINGS


def revision(text: str) -> str:
    """An argparse type: a revision is a non-empty word without control characters."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a revision (a branch, a tag or a commit id), not ''")
    if not visible(text) == text:
        raise argparse.ArgumentTypeError(f"{visible(text)!r} holds a control character; no revision does")
    return text


def _add_bump(commands: Any) -> None:
    """`bump`: write what the findings call for."""
    bump = commands.add_parser("bump", help="write every version file that is not up to date")
    bump.add_argument(
        "--base", type=revision, metavar="REV", help="judge the changes since the branch left REV"
    )
    bump.add_argument("--head", choices=("index", "worktree"), default="worktree")
    bump.add_argument(
        "--level", choices=LEVELS, help="semver units: the step a change takes (default: each unit's `level`)"
    )
    bump.add_argument(
        "--dry-run", action="store_true", help="print what would change; exit 1 if anything would"
    )
    bump.set_defaults(handler=run_bump)


def _add_setup_commands(commands: Any) -> None:
    """`doctor` and `schema`: what versionbot sees, and the formats for editors."""
    doctor = commands.add_parser(
        "doctor", help="what versionbot sees (config, base, units, hooks, merge driver, cache); what to fix"
    )
    doctor.set_defaults(handler=run_doctor)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema (draft 2020-12) of the configuration or of a version file"
    )
    schema.add_argument("name", choices=("config", "version-file"), help="which file's schema")
    schema.set_defaults(handler=run_schema)


def _add_history_commands(commands: Any) -> None:
    """`log` and `diff`: a unit's versions through history."""
    log = commands.add_parser("log", help="every version of each unit along the first-parent history")
    log.add_argument("units", nargs="*", metavar="UNIT|UNIT@VERSION", help="default: every unit")
    log.add_argument("--rev", type=revision, default="HEAD", help="whose history (default: HEAD)")
    log.add_argument("--format", choices=("text", "json"), default="text")
    log.set_defaults(handler=run_log)

    diff = commands.add_parser(
        "diff", help="the record delta per unit between two revisions or UNIT@VERSIONs"
    )
    diff.add_argument("a", type=revision, metavar="A", help="a revision, or UNIT@VERSION")
    diff.add_argument("b", type=revision, metavar="B", help="a revision, or UNIT@VERSION")
    diff.add_argument("units", nargs="*", metavar="UNIT", help="default: every unit of B")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(handler=run_diff)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="versionbot",
        description="One version per deployable unit, bumped exactly when its inputs change.",
    )
    parser.add_argument("--version", action="version", version=f"versionbot {__version__}")
    parser.add_argument(
        "--config", type=Path, help="config file (default: versionbot.toml, else pyproject.toml)"
    )
    parser.add_argument("--repo", type=Path, help="repository to work in (default: the current directory)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    formats = ("text", "json", "markdown")

    check = commands.add_parser("check", help="report every unit's finding; change nothing")
    check.add_argument(
        "--base", type=revision, metavar="REV", help="judge the changes since the branch left REV"
    )
    check.add_argument(
        "--head", type=revision, default="worktree", metavar="REV|index|worktree", help="default: worktree"
    )
    check.add_argument("--format", choices=formats, default="text")
    check.set_defaults(handler=run_check)

    _add_bump(commands)

    rehash = commands.add_parser("rehash", help="rewrite records made under older rules, keeping versions")
    rehash.add_argument(
        "--base", type=revision, metavar="REV", help="judge the changes since the branch left REV"
    )
    rehash.add_argument(
        "--dry-run", action="store_true", help="print what would change; exit 1 if anything would"
    )
    rehash.set_defaults(handler=run_rehash, head="worktree")

    status = commands.add_parser("status", help="every unit's recorded version and whether it is current")
    status.add_argument("--rev", type=revision, help="a revision, read with its own configuration")
    status.add_argument("--format", choices=formats, default="text")
    status.set_defaults(handler=run_status)

    _add_history_commands(commands)

    verify = commands.add_parser("verify", help="check the version files against a plain directory, no git")
    verify.add_argument("--dir", type=Path, help="the tree to verify (default: the current directory)")
    verify.add_argument("--format", choices=formats, default="text")
    verify.set_defaults(handler=run_verify)

    export = commands.add_parser("export", help="JSON for deployers: each unit's version at a revision")
    export.add_argument("--rev", type=revision, default="HEAD", help="default: HEAD")
    export.set_defaults(handler=run_export)

    init = commands.add_parser(
        "init", help="propose units (lock files, workspaces, venvstacks layers) and write the config"
    )
    init.add_argument("--dry-run", action="store_true", help="print only what init would add; write nothing")
    init.add_argument(
        "--include-tests",
        action="store_true",
        help="also propose units for lock files under tests/, test/, fixtures/ and testdata/",
    )
    init.add_argument(
        "--merge-driver",
        action="store_true",
        help="also install the merge driver for the version files (alone, where a configuration exists)",
    )
    init.set_defaults(handler=run_init)

    hook = commands.add_parser(
        "hook", help="the pre-commit and git hook entry point (README: pre-commit hooks)"
    )
    hook.add_argument("action", choices=("bump", "check"), help="bump: write due version files and fail")
    hook.add_argument(
        "--git-pre-push", nargs=2, metavar=("REMOTE", "URL"), help="read the refs git gives a pre-push hook"
    )
    hook.set_defaults(handler=run_hook)

    ci = commands.add_parser(
        "ci", help="the GitHub Actions check: comment, summary, annotations (README: GitHub Action)"
    )
    ci.add_argument(
        "--no-comment", dest="comment", action="store_false", help="never write the pull-request comment"
    )
    ci.add_argument(
        "--fix",
        choices=("false", "commit"),
        default="false",
        help="commit: push the commit `bump` would make to the branch (README: The bot fixes)",
    )
    ci.set_defaults(handler=run_ci)

    _add_setup_commands(commands)

    driver = commands.add_parser(
        "merge-driver", help="git's merge driver for version files (set up by `init --merge-driver`)"
    )
    driver.add_argument("ancestor", help="%%O: the common ancestor's version")
    driver.add_argument("ours", help="%%A: ours; the merged record is written here")
    driver.add_argument("theirs", help="%%B: theirs")
    driver.add_argument("path", help="%%P: the version file's path in the repository")
    driver.set_defaults(handler=run_merge_driver)
    return parser


def run() -> NoReturn:
    """The console script: `main`, then an exit without the interpreter's teardown.

    Freeing every object one by one at exit costs tens of milliseconds after a large repository
    was read, a tenth of a no-op run. By then every file is written and closed, every child
    process reaped, and the output is flushed here.
    """
    code = main()
    with contextlib.suppress(OSError):  # a reader that went away (`| head`) reads nothing more
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with _terminate_as_interrupt():
        return _handle(args)


def _handle(args: argparse.Namespace) -> int:
    """Run the command; the one place that turns what went wrong into a message and an exit code.
    Every message passes through `visible`: it may quote the repository (a key, a path) and goes
    to a log where a line break would start a workflow command."""
    try:
        if args.command in OPENS_ITSELF:
            return int(args.handler(args))
        workspace = Workspace.open(args.repo, args.config)
        return int(args.handler(workspace, args))
    except VersionbotError as error:
        return _fail(args, EXIT_ERROR, f"error: {error}")
    except KeyboardInterrupt:
        print("versionbot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:  # a file that cannot be read or written: the user can fix it
        return _fail(args, EXIT_ERROR, f"error: {error}")
    except Exception as error:  # the last line of defence: exit 3, and a traceback only on request
        message = f"internal error: {type(error).__name__}: {error}; rerun with --debug and report it"
        return _fail(args, EXIT_INTERNAL, message)


def _fail(args: argparse.Namespace, code: int, message: str) -> int:
    if args.debug:
        traceback.print_exc()
    print(f"versionbot: {visible(message)}", file=sys.stderr)
    return code


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, `timeout`) and SIGHUP end a run as Ctrl-C does: every `finally`
    runs, so no temporary file outlives it, and the exit code is 130."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    handled = (signal.SIGTERM, signal.SIGHUP)
    try:
        previous = [signal.signal(signum, interrupt) for signum in handled]
    except ValueError:  # not the main thread: signals stay as they are
        yield
        return
    try:
        yield
    finally:
        for signum, handler in zip(handled, previous, strict=True):
            signal.signal(signum, handler)
