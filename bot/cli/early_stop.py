"""A stop that arrives while ``dealradar run`` is still importing its libraries.

Importing SQLAlchemy, the chat SDKs and the classifier takes most of a second. Python's default
SIGINT handler would turn a Ctrl-C (or a supervisor's SIGINT/SIGTERM) in that window into a
``KeyboardInterrupt`` traceback or a kill by signal. :func:`catch` is called as soon as the
``run`` command is looked up, before its module is imported; it only records the signal, and
the running loop's own handlers (installed in ``bot.cli.run``) honour it as a clean stop.
Standard library only, so that it costs nothing to import.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_received: list[int] = []


def _record(signum: int, _frame: FrameType | None) -> None:
    _received.append(signum)


def catch() -> None:
    """Record SIGINT and SIGTERM from now on instead of dying of them (main thread only: Python
    runs signal handlers there and nowhere else)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in STOP_SIGNALS:
        signal.signal(sig, _record)


def restore() -> None:
    """Python's default handlers again; what was recorded is forgotten."""
    if signal.getsignal(signal.SIGINT) is _record:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGTERM) is _record:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _received.clear()


def release() -> None:
    """Back to Python's defaults, acting now on a stop recorded so far (one-shot runs, where
    Ctrl-C should interrupt)."""
    pending = list(_received)
    restore()
    if signal.SIGINT in pending:
        raise KeyboardInterrupt
    if pending:
        signal.raise_signal(signal.SIGTERM)


def requested() -> bool:
    """Whether a stop signal arrived since :func:`catch`."""
    return bool(_received)
