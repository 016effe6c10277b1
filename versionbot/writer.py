"""The one way versionbot writes a file: inside a folder it owns, never through a link, atomically.

A pull request chooses the paths versionbot writes (`version-file`) and the folders on the way
(a committed symbolic link `home -> /some/dir`). So every write walks its path one folder at a time
with descriptors that refuse to follow a link (`O_NOFOLLOW`), never enters the git directory, and
replaces an existing file only when the caller's `may_replace` accepts its bytes. The new content
goes to a temporary file in the same folder, renamed over the target: a reader, or a run that dies,
never sees half a file. SIGINT and SIGTERM are held back while a file is written, so a signal ends
the run after the rename or before the temporary file exists; one that cannot be held back (SIGKILL)
leaves a temporary file that the next run removes (`remove_stale`), knowing it by its name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from versionbot.errors import VersionbotError
from versionbot.escape import visible

_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
# What `_replace` and `scratch` name their files: the target's name, the process id, 8 hex digits.
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.versionbot-(?P<pid>[1-9][0-9]{0,6})-[0-9a-f]{8}\.tmp")
PID_MAX = 1 << 22  # Linux never gives a process a higher id
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}
MAX_EXISTING = 64 << 20  # bytes of an existing file read to decide whether it may be replaced


class WriteRefused(VersionbotError):
    """A write that would leave the allowed folder, follow a link or replace a file not ours."""


class _Missing(VersionbotError):
    """A folder on the way does not exist (when nothing may be made)."""


def write(
    root: Path,
    path: str,
    data: bytes | None,
    *,
    forbidden: Iterable[Path] = (),
    may_replace: Callable[[bytes], bool] = lambda _: True,
    what: str = "file",
) -> None:
    """Write `data` to `path` (`/`-separated, relative to `root`), creating missing folders.

    Refused: a path that leaves `root`, a folder or file on the way that is a symbolic link, a folder
    that is one of `forbidden` (the git directory), an existing target that is not a regular file or
    whose bytes `may_replace` rejects. `what` names the file in messages ("version file"). With
    `data` None nothing is written or made: the same checks only, so that a caller writing several
    files can refuse them all before writing any.
    """
    parts = path.split("/")
    where = f"{what} {visible(path)}"
    if any(part in ("", ".", "..") for part in parts) or "\0" in path:
        raise WriteRefused(f"{where}: not a plain path inside {root}; versionbot writes nowhere else")
    try:
        with _walk(root, parts[:-1], forbidden, where, create=data is not None) as folder:
            name = parts[-1]
            mode = _existing_mode(folder, name, may_replace, where)
            if data is not None:
                _replace(folder, name, data, mode, where)
    except _Missing:  # checking only: a folder still to be made holds nothing to refuse
        return


def remove(
    root: Path,
    path: str,
    *,
    forbidden: Iterable[Path] = (),
    may_replace: Callable[[bytes], bool] = lambda _: True,
    what: str = "file",
) -> bool:
    """Remove the file at `path` under the same rules as `write` replaces one; False when there is
    nothing there."""
    parts = path.split("/")
    where = f"{what} {visible(path)}"
    if any(part in ("", ".", "..") for part in parts) or "\0" in path:
        raise WriteRefused(f"{where}: not a plain path inside {root}; versionbot writes nowhere else")
    try:
        with _walk(root, parts[:-1], forbidden, where, create=False) as folder:
            if _existing_mode(folder, parts[-1], may_replace, where) is None:
                return False
            with _signals_held():
                os.unlink(parts[-1], dir_fd=folder)
            return True
    except _Missing:
        return False
    except OSError as error:
        raise _failed(error, where) from None


@contextlib.contextmanager
def _walk(
    root: Path, folders: list[str], forbidden: Iterable[Path], where: str, *, create: bool = True
) -> Iterator[int]:
    """A descriptor of the folder `root/folders…`, made where missing, never through a link.
    (`root` itself is the caller's and may be reached through one.)"""
    refused = set()
    for path in forbidden:
        with contextlib.suppress(OSError):
            info = os.stat(path)
            refused.add((info.st_dev, info.st_ino))
    try:
        descriptor = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as error:
        raise _failed(error, where, str(root)) from None
    try:
        for depth, name in enumerate(folders):
            if _identity(descriptor) in refused:
                raise WriteRefused(f"{where}: lies in the git directory; versionbot never writes there")
            try:
                if create:
                    os.mkdir(name, 0o777, dir_fd=descriptor)
            except FileExistsError:
                pass
            except OSError as error:
                raise _failed(error, where, "/".join(folders[: depth + 1])) from None
            inner = _open_folder(name, descriptor, where, "/".join(folders[: depth + 1]))
            # Swap before closing: an interruption in between must not leave `finally` closing a
            # descriptor twice (which could be another file's by then).
            outer, descriptor = descriptor, inner
            os.close(outer)
            if _holds_git(descriptor):  # a submodule's (or a nested repository's) work tree
                shown = "/".join(folders[: depth + 1])
                raise WriteRefused(
                    f"{where}: {shown} is another repository's work tree (a submodule?), where this "
                    "repository can never commit the file"
                )
        if _identity(descriptor) in refused:
            raise WriteRefused(f"{where}: lies in the git directory; versionbot never writes there")
        yield descriptor
    finally:
        os.close(descriptor)


def _holds_git(descriptor: int) -> bool:
    try:
        os.stat(".git", dir_fd=descriptor, follow_symlinks=False)
    except OSError:
        return False
    return True


def _identity(descriptor: int) -> tuple[int, int]:
    info = os.fstat(descriptor)
    return info.st_dev, info.st_ino


def _open_folder(name: str, parent: int, where: str, shown: str) -> int:
    try:
        return os.open(name, _DIRECTORY, dir_fd=parent)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            is_link = stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
            kind = "a symbolic link" if is_link else "a file, not a folder"
            raise WriteRefused(f"{where}: {shown} is {kind}; versionbot never writes through one") from None
        if error.errno == errno.ENOENT:
            raise _Missing(where) from None
        raise _failed(error, where, shown) from None


def _existing_mode(folder: int, name: str, may_replace: Callable[[bytes], bool], where: str) -> int | None:
    """The permission bits of the file being replaced, or None when there is none."""
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _failed(error, where) from None
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused(f"{where}: is {_kind(info.st_mode)}, not a file; versionbot never replaces it")
    try:
        descriptor = os.open(name, _READ, dir_fd=folder)
    except OSError as error:
        raise _failed(error, where) from None
    try:
        chunks = []
        size = 0
        while size <= MAX_EXISTING and (chunk := os.read(descriptor, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        existing = b"".join(chunks)
    except OSError as error:
        raise _failed(error, where) from None
    finally:
        os.close(descriptor)
    if len(existing) > MAX_EXISTING or not may_replace(existing):
        raise WriteRefused(
            f"{where}: already exists and is not a version file; versionbot never overwrites other "
            "files: point the unit's version-file at a path of its own"
        )
    return stat.S_IMODE(info.st_mode)


def _replace(folder: int, name: str, data: bytes, mode: int | None, where: str) -> None:
    temporary = f".{name}.versionbot-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    with _signals_held():
        try:
            descriptor = os.open(temporary, _CREATE, 0o666 if mode is None else mode, dir_fd=folder)
        except OSError as error:
            raise _failed(error, where) from None
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
            if mode is not None:  # the umask applied at creation: keep the replaced file's bits
                os.chmod(temporary, mode, dir_fd=folder)
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            if isinstance(error, OSError):
                raise _failed(error, where) from None
            raise


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM until the block ends (only the main thread receives them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def scratch(root: Path, folder: str) -> Iterator[Path]:
    """A path for a private temporary file in `root/folder` (made if missing), removed afterwards;
    what runs that were killed left there goes first."""
    with _walk(root, folder.split("/"), (), "a temporary file") as descriptor:
        for name in os.listdir(descriptor):
            if _is_stale(name, "scratch"):
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=descriptor)
    path = root / folder / f".scratch.versionbot-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def remove_stale(root: Path, version_files: Iterable[str], tracked: Callable[[list[str]], set[str]]) -> None:
    """Remove the temporary files that runs no longer alive left beside `version_files`: only names
    `_replace` gives (the version file's own name, a dead process's id), never a file that
    `tracked` (given the candidates' paths) says the repository holds."""
    found: dict[str, tuple[str, str]] = {}  # path -> (folder, name)
    for path in sorted(set(version_files)):
        folder, _, target = path.rpartition("/")
        with (
            contextlib.suppress(OSError, VersionbotError),
            _walk(
                root, folder.split("/") if folder else [], (), "temporary files", create=False
            ) as descriptor,
        ):
            for name in os.listdir(descriptor):
                if _is_stale(name, target):
                    found[f"{folder}/{name}" if folder else name] = (folder, name)
    if not found:
        return
    keep = tracked(sorted(found))
    for path, (folder, name) in found.items():
        if path not in keep:
            with (
                contextlib.suppress(OSError, VersionbotError),
                _walk(
                    root, folder.split("/") if folder else [], (), "temporary files", create=False
                ) as descriptor,
            ):
                os.unlink(name, dir_fd=descriptor)


def _is_stale(name: str, target: str) -> bool:
    """Whether `name` is a temporary file for `target` that a process no longer alive left."""
    match = _TEMPORARY.fullmatch(name)
    return match is not None and match["name"] == target and not _is_alive(int(match["pid"]))


def _is_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this run has no write in progress while it cleans up
    if pid > PID_MAX:
        return True  # no process has that id: not a name this versionbot gave, so not touched
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def _failed(error: OSError, where: str, part: str = "") -> VersionbotError:
    at = f" ({part})" if part else ""
    return VersionbotError(f"cannot write {where}{at}: {error.strerror or error}")
