"""Worker processes and child programs that end when the build ends, however it ends.

A build killed with SIGKILL runs no cleanup code, and its render workers used
to go on for minutes (Pagefind too). So:
- every worker and child program asks the kernel to kill it when its parent
  dies (Linux `PR_SET_PDEATHSIG`); where that does not exist (macOS, Windows),
  a worker watches its parent's process id and exits when it changes;
- a pool left by an exception (Ctrl-C, a failed page) is shut down without
  waiting and its processes terminated, instead of finishing queued work.

The start method is `fork` on Linux (workers share the loaded archive and the
plan with the parent, copy-on-write) and `spawn` elsewhere (macOS and Windows
have no safe fork); `DATELINE_START_METHOD=spawn` forces spawn on Linux, which
is how the tests prove both give the same bytes. Work sent to a pool is
top-level functions and picklable values, so both methods run it.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from .errors import DatelineError

_PR_SET_PDEATHSIG = 1
START_METHOD_VARIABLE = "DATELINE_START_METHOD"


def default_jobs() -> int:
    """Worker processes when --jobs is not given: the cores this process may run on."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def start_method(requested: str | None = None) -> str:
    """The start method to use: `requested` (from the environment at the CLI edge)
    when this system has it, else fork where it is safe (Linux), else spawn."""
    available = multiprocessing.get_all_start_methods()
    if requested in available:
        return requested
    return "fork" if sys.platform.startswith("linux") and "fork" in available else "spawn"


def _set_parent_death_signal() -> bool:
    """Linux: have the kernel SIGKILL this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    """Where there is no parent-death signal: exit when the parent is gone."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="dateline-parent-watch", daemon=True).start()


def die_with_parent(parent_pid: int) -> None:
    """Make this (worker) process end when `parent_pid` does."""
    if not _set_parent_death_signal():
        _watch_parent(parent_pid)
    if os.getppid() != parent_pid:     # the parent died before the signal was set
        os._exit(1)


def _start_worker(parent_pid: int, initializer: Callable | None, initargs: tuple) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the workers, which
    # must not each print a KeyboardInterrupt traceback. SIGTERM (from the parent's
    # `terminate`) ends a worker at once, not through a handler forked from the CLI.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent_pid)
    if initializer is not None:
        initializer(*initargs)


def child_preexec() -> None:
    """`preexec_fn` for child programs (Pagefind): killed when the build dies.
    Runs between fork and exec, so it does only the one system call."""
    _set_parent_death_signal()


def preexec_for_children() -> Callable[[], None] | None:
    return child_preexec if sys.platform.startswith("linux") else None


@contextmanager
def worker_pool(workers: int, method: str, initializer: Callable | None = None,
                initargs: tuple = ()) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers end with the build: normally after their
    work, at once when the block is left by an exception."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                               initializer=_start_worker, initargs=(os.getpid(), initializer, initargs))
    try:
        yield pool
    except BaseException as error:
        pool.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():
            child.terminate()
        for child in multiprocessing.active_children():
            child.join(timeout=5)
        if isinstance(error, BrokenProcessPool):
            # A worker killed from outside: the out-of-memory killer, most often.
            raise WorkerDied() from None
        raise
    else:
        pool.shutdown(wait=True)


class WorkerDied(DatelineError):
    def __init__(self):
        super().__init__("a worker process of the build was killed (out of memory?); the published site "
                         "was left as it was; build again, or with a lower --jobs to use less memory")
