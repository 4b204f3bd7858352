"""JSON-lines input for the corpus commands (``classify --jsonl``, ``eval``, ``cluster``…).

A bad line stops the command with exit status 2 and names ``FILE:LINE``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import click


class InputError(click.ClickException):
    """A JSON-lines input could not be read; exits with status 2."""

    exit_code = 2


def open_input(path: str) -> TextIO:
    """``path`` opened for reading (``-`` is stdin). Raises :class:`InputError`."""
    if path == "-":
        return sys.stdin
    try:
        return Path(path).open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from exc


def read_jsonl(stream: TextIO | Iterable[str], name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)`` for each non-blank line of ``stream`` (a file, or any
    iterable of lines: :func:`bot.cli.progress.counted_lines` measures progress).

    Raises:
        InputError: a line is not a JSON object.
    """
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(item, dict):
            raise InputError(f"{name}:{number}: expected a JSON object")
        yield number, item


def read_all(path: str) -> list[dict[str, Any]]:
    """Every object of a JSON-lines file (``-`` for stdin). Raises :class:`InputError`."""
    stream = open_input(path)
    try:
        return [item for _, item in read_jsonl(stream, path)]
    finally:
        if stream is not sys.stdin:
            stream.close()
