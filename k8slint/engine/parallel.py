"""The per-file half of a run on every core.

Parsing a file, building its objects and running the per-object checks touch
nothing outside that file, so worker processes do it and send back objects and
findings; cross-object checks then run once, in the parent, over everything.
Workers are forked so they inherit the engine as it is (rules, configured
workload kinds) instead of rebuilding it; where fork is unavailable the run
stays in one process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

MIN_FILES_PER_WORKER = 32
"""Below this, starting a worker costs more than it saves (pre-commit's few files)."""

CHUNKS_PER_WORKER = 32
"""Small chunks even out big and small files across workers."""

Item = TypeVar("Item")
Part = TypeVar("Part")

_STATE: Any = None
"""The engine, in a worker: set by the parent before forking."""


def worker_count(requested: int | None, files: int) -> int:
    """Workers for `files` files: `requested` (None: one per core), fewer for small runs.

    multiprocessing is imported only for a run that may use it: its import is a
    tenth of a one-file lint (pre-commit's usual run)."""
    if files < 2 * MIN_FILES_PER_WORKER or requested == 1:
        return 1
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = requested if requested is not None else cores or 1
    return max(1, min(wanted, files // MIN_FILES_PER_WORKER))


def map_chunks(
    state: Any, work: Callable[[Any, list[Item]], Part], items: list[Item], workers: int
) -> Iterator[Part]:
    """`work(state, chunk)` for consecutive chunks of `items`, in order, on `workers`
    forked processes that share `state` as it was when they started."""
    import multiprocessing

    global _STATE
    size = max(1, -(-len(items) // (workers * CHUNKS_PER_WORKER)))
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    _STATE = state
    try:
        with (
            _terminated_quietly(),
            multiprocessing.get_context("fork").Pool(workers, initializer=_worker_signals) as pool,
        ):
            yield from pool.imap(_Call(work), chunks)
    finally:
        _STATE = None


@contextmanager
def _terminated_quietly() -> Iterator[None]:
    """SIGTERM to the parent ends the run as SystemExit, so leaving the pool's
    `with` terminates the workers first; killed outright, the parent would leave
    them writing to a closed pipe, each printing a BrokenPipe traceback.

    `signal` is imported here, by a run that forks: its import makes enums of
    every signal and handler, for nothing in a one-file lint."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _exit_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_terminated(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # the exit status shells report for a signal


def _worker_signals() -> None:
    """Workers die quietly when the parent terminates them, and leave Ctrl-C to the
    parent, which stops them all (each would otherwise print a traceback)."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Call:
    """A picklable `work(_STATE, chunk)`: the function travels by name, the state by fork."""

    def __init__(self, work: Callable[[Any, list[Any]], Any]) -> None:
        self.work = work

    def __call__(self, chunk: list[Any]) -> Any:
        return self.work(_STATE, chunk)
