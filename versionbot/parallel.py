"""Running one function over many items on two cores: half of them in a forked child.

Hashing a cold repository is mostly per-file work in Python, which one process cannot spread over
cores (the GIL). A forked child shares everything already loaded, so it starts in milliseconds and
needs no arguments sent to it; it sends back only strings. Whatever goes wrong in the child, the
parent does that half itself: the answers never depend on the fork.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

MIN_ITEMS = 4000  # below this, forking costs about what it saves


def can_fork() -> bool:
    # Linux only, where it is measured and tested; never beside threads, which a fork would cut
    # off mid-way (holding a lock, say) in the child.
    return sys.platform.startswith("linux") and threading.active_count() == 1


def map_halves(
    function: Callable[[T], str | None],
    items: Sequence[T],
    retry: Callable[[T], str],
    *,
    min_items: int = MIN_ITEMS,
) -> list[str]:
    """`[function(item) or retry(item) for item in items]`, with `function` run on the second half
    in a forked child when there are at least `min_items` items.

    `function` must not need what a fork may break (libgit2's open files, threads); it returns None
    for an item it cannot do that way, and `retry` does that item in this process. Results must not
    contain a newline.
    """
    if len(items) < min_items or not can_fork():
        return [function(item) or retry(item) for item in items]
    half = len(items) // 2
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child leaves only through os._exit, unseen by coverage
        status = 1
        try:
            os.close(reader)
            text = "\n".join(function(item) or "" for item in items[half:])
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(text.encode("utf-8", "surrogateescape"))
            status = 0
        finally:
            os._exit(status)  # never return into the parent's code, never flush its buffers
    os.close(writer)
    stream = os.fdopen(reader, "rb")
    answers: list[str] = []
    try:
        mine = [function(item) or retry(item) for item in items[:half]]
        answers = stream.read().decode("utf-8", "surrogateescape").split("\n")
    finally:
        stream.close()
        if not answers:  # interrupted here: stop the child too (after its answers it is exiting)
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        _, status = os.waitpid(child, 0)
    theirs = items[half:]
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and len(answers) == len(theirs)):
        answers = [""] * len(theirs)  # the child failed: do its half here
    return mine + [answer or retry(item) for answer, item in zip(answers, theirs, strict=True)]
