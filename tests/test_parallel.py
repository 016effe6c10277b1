"""parallel.map_halves with real forks: the same answers however the work is split or fails."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from versionbot.parallel import can_fork, map_halves

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks only on Linux")

ITEMS = list(range(10))


def tagged(item: int) -> str:
    """The item with the process that computed it."""
    return f"{item}@{os.getpid()}"


def never(item: object) -> str:
    raise AssertionError(f"retry called for {item}")


def test_the_second_half_is_computed_in_a_child_and_the_order_is_kept() -> None:
    results = map_halves(tagged, ITEMS, never, min_items=2)
    assert [result.split("@")[0] for result in results] == [str(item) for item in ITEMS]
    processes = [result.split("@")[1] for result in results]
    assert processes[:5] == [str(os.getpid())] * 5
    assert len(set(processes[5:])) == 1
    assert processes[5] != str(os.getpid())


def test_small_batches_stay_in_this_process() -> None:
    results = map_halves(tagged, ITEMS, never, min_items=11)
    assert results == [f"{item}@{os.getpid()}" for item in ITEMS]


def test_items_the_function_declines_are_retried_here() -> None:
    def odd_only(item: int) -> str | None:
        return tagged(item) if item % 2 else None

    results = map_halves(odd_only, ITEMS, lambda item: f"retried {item}", min_items=2)
    assert results[0::2] == [f"retried {item}" for item in ITEMS[0::2]]
    assert [result.split("@")[0] for result in results[1::2]] == [str(item) for item in ITEMS[1::2]]


def test_a_failing_child_leaves_its_half_to_this_process() -> None:
    parent = os.getpid()

    def fails_in_a_child(item: int) -> str:
        if os.getpid() != parent:
            raise RuntimeError("lost")
        return tagged(item)

    results = map_halves(fails_in_a_child, ITEMS, lambda item: f"retried {item}", min_items=2)
    assert results[:5] == [f"{item}@{parent}" for item in ITEMS[:5]]
    assert results[5:] == [f"retried {item}" for item in ITEMS[5:]]


def test_answers_keep_any_text_but_newlines() -> None:
    strange = ["", "tab\there", "snow \N{SNOWMAN}", "surrogate \udcff"]
    results = map_halves(lambda text: f"<{text}>", strange, never, min_items=2)
    assert results == [f"<{text}>" for text in strange]


def test_no_fork_beside_a_thread() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not can_fork()
        assert map_halves(tagged, ITEMS, never, min_items=2) == [f"{item}@{os.getpid()}" for item in ITEMS]
    finally:
        release.set()
        thread.join()


def test_an_interrupt_here_stops_and_reaps_the_child() -> None:
    parent = os.getpid()

    def interrupted_here(item: int) -> str:
        if os.getpid() == parent:
            raise KeyboardInterrupt
        time.sleep(60)  # the child would take a minute: it must be stopped, not waited for
        return tagged(item)

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        map_halves(interrupted_here, ITEMS, never, min_items=2)
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind, not even a zombie
