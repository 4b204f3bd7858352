"""Progress bars for long command-line work (``classify --jsonl``, ``eval``, ``cluster``,
``backfill``).

A bar is drawn on stderr, and only when stdout and stderr are both terminals
(:func:`interactive`): output piped to a file or another program, a cron job's log, or a test
runner's capture get exactly what they got before, byte for byte. Input read from a file is
measured in bytes (so a bar needs no first pass to count lines); stdin has no known size and
gets no bar.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

import click

Advance = Callable[[int], None]


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # closed or not a real stream
        return False


def interactive(stdout: TextIO | None = None, stderr: TextIO | None = None) -> bool:
    """Whether a progress bar may be drawn: stdout and stderr are both terminals."""
    return _is_terminal(stdout or sys.stdout) and _is_terminal(stderr or sys.stderr)


def _nothing(_: int) -> None:
    return None


@contextmanager
def progress_bar(length: int | None, label: str) -> Iterator[Advance]:
    """A function advancing a bar of ``length`` steps on stderr; a function that does nothing
    when :func:`interactive` is false or the length is unknown."""
    if length is None or not interactive():
        yield _nothing
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def file_size(stream: TextIO) -> int | None:
    """The size in bytes of the regular file behind ``stream``; None for stdin, pipes, ttys."""
    try:
        info = os.fstat(stream.fileno())
    except (AttributeError, ValueError, OSError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def counted_lines(stream: TextIO, advance: Advance) -> Iterator[str]:
    """The lines of ``stream``, advancing the bar by each line's size in bytes."""
    for line in stream:
        advance(len(line.encode("utf-8", errors="replace")))
        yield line
