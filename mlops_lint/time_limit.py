"""A time limit for the analysis of one file, so that one pathological file cannot stall a run.

libcst's parser and the rules are Python (the parser calls back into Python for every node), so a
POSIX interval timer (`SIGALRM`) can interrupt them: the handler raises `AnalysisTimeout`, which
unwinds the file's analysis, and the engine reports the file (MLX001) and moves on. Signals only
reach the main thread, which is where the engine runs files (and each pool worker is the main
thread of its process); elsewhere (a caller running `api.lint` in a thread, or Windows) the limit
is not enforced. `AnalysisTimeout` derives from `BaseException`, like `KeyboardInterrupt`, so the
`except Exception` that isolates a failing rule does not swallow it.
"""

from __future__ import annotations

import gc
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class AnalysisTimeout(BaseException):
    """The file's analysis ran past its time limit."""


# After the limit, the timer fires again every RETRY seconds until the block is left: a handler
# that runs while a garbage-collector callback or a `__del__` executes has its exception swallowed
# ("Exception ignored in ..."), and the next firing interrupts the analysis itself.
RETRY = 0.05
_state = {"expired": False}


def expired() -> bool:
    """Whether the last time limit ran out: an exception that C code made of the interruption
    (a SystemError, say) still means the file took too long."""
    return _state["expired"]


def _in_gc_callback(frame: FrameType) -> bool:
    """Whether the signal arrived inside a garbage-collector callback (a profiler's, a test tool's)."""
    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    return frame.f_code in codes


def _enforceable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `AnalysisTimeout` in the block once `seconds` have passed (no limit for None or 0).

    Keep C code that calls back into Python and cannot be interrupted cleanly out of the block
    (`ast.parse` turns the exception into a SystemError). Limits do not nest: an inner one would
    cancel the outer timer, so the engine uses one per file."""
    _state["expired"] = False
    if not seconds or not _enforceable():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        _state["expired"] = True
        if frame is not None and _in_gc_callback(frame):
            return  # raised there, it would only be printed as "Exception ignored"; the retry lands later
        raise AnalysisTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:  # restored even if the timer fires as it is being cancelled
            signal.signal(signal.SIGALRM, previous)
