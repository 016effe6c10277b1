"""Files read from the checkout: only regular files, never through a link, never blocking (no
git library here, so a forked process may use it)."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from versionbot.errors import GitError
from versionbot.escape import visible

CHUNK = 1 << 20
_FIRST_READ = 1 << 16  # most files are read whole in one call
LARGE = 32 << 20  # bytes: a blob this large is streamed, never held whole in memory
# Never follow a link or wait on a pipe that replaced a checked-out file.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def checked_out(path: str, oid: str) -> bytes | None:
    """The file at `path` if its bytes are the blob `oid`, else None.

    Most blobs also lie unchanged in the checkout, and reading a file costs less than inflating a
    packed object (often a delta of another). Comparing git's own id of the bytes makes this safe
    whatever changed the file: an edit, a checkout filter, line-ending conversion. Only a regular
    file of at most LARGE bytes is read (a large one is streamed from the object store instead).
    """
    data = read_regular(path, LARGE)
    if data is None:
        return None
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return data if digest.hexdigest() == oid else None


def streamed_checked_out(path: str, oid: str) -> Iterator[bytes] | None:
    """A large file's bytes in chunks, where they are the blob `oid` (else None): checked by one
    streamed pass of git's id, then read again chunk by chunk, never held whole. The second pass
    checks the id once more and fails at its end if the file changed between the two."""
    if _blob_id(path) != oid:
        return None

    def chunks() -> Iterator[bytes]:
        digest = hashlib.sha1(b"blob %d\0" % os.lstat(path).st_size, usedforsecurity=False)
        for chunk in stream_file(Path(path)):
            digest.update(chunk)
            yield chunk
        if digest.hexdigest() != oid:
            raise GitError(f"{visible(path)} changed while it was read; run versionbot again")

    return chunks()


def _blob_id(path: str) -> str | None:
    """git's id of a regular file's bytes, streamed; None for anything else."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return None
        digest = hashlib.sha1(b"blob %d\0" % info.st_size, usedforsecurity=False)
        size = 0
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest() if size == info.st_size else None


def read_regular(path: str, limit: int = LARGE) -> bytes | None:
    """A regular file's bytes, or None for anything else: nothing there, a link, a folder, a pipe,
    a device, an unreadable file, or more than `limit` bytes. Never blocks, never follows a link."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        data = os.read(descriptor, _FIRST_READ)
        if len(data) == _FIRST_READ:  # a large file: read the rest
            chunks = [data]
            while chunk := os.read(descriptor, CHUNK):
                chunks.append(chunk)
            data = b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    return data if len(data) <= limit else None


def stream_file(path: Path) -> Iterator[bytes]:
    """A regular file's content in chunks (a changed working-tree file may be large)."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise GitError(f"cannot read {visible(str(path))}: {error.strerror}") from None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise GitError(f"{visible(str(path))} is no longer a file (changed while read?)")
        while chunk := stream.read(CHUNK):
            yield chunk
