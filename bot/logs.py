"""Structured logs: one ``logfmt`` line per event, secrets scrubbed on the way out.

Call sites pass fields with ``extra={"kv": {...}}``; the formatter renders
``ts=… level=info logger=dealradar.poll msg="poll cycle" polled=12 failed=1``. A filter on the
root handler replaces every configured secret value (tokens, signing secrets, and any URL
password) with ``***`` in the message, its fields and tracebacks, so a library that logs a
request with the token in it still cannot leak it. A record whose exception is (or was caused
by) a :class:`bot.errors.CorruptDatabaseError` keeps one ``error=`` field, the operator's
report, instead of a traceback: whichever call site logged it, the line says what to do.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.errors import CorruptDatabaseError
from bot.redaction import redact_url

_BARE = re.compile(r"^[A-Za-z0-9_./:@+-]+$")
_URL_PASSWORD = re.compile(r"(?<=://)([^/@:\s]+):([^/@\s]+)@")


def _quote(value: Any) -> str:
    text = str(value)
    if text and _BARE.match(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        parts = [
            f"ts={ts[:-4]}Z",
            f"level={record.levelname.lower()}",
            f"logger={record.name}",
            f"msg={_quote(record.getMessage())}",
        ]
        fields = getattr(record, "kv", None)
        if isinstance(fields, dict):
            parts += [f"{k}={_quote(v)}" for k, v in fields.items()]
        if record.exc_info:
            parts.append(f"exc={_quote(self.formatException(record.exc_info))}")
        return " ".join(parts)


class SecretScrubber(logging.Filter):
    """Replaces known secret strings and URL passwords in every record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return redact_url(_URL_PASSWORD.sub(r"\1:***@", text))

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.scrub(record.getMessage())
        record.args = None
        corrupt = _corrupt_database(record.exc_info[1] if record.exc_info else None)
        if corrupt is not None:
            kv = getattr(record, "kv", None)
            record.kv = {**(kv if isinstance(kv, dict) else {}), "error": str(corrupt)}
            record.exc_info = None
            record.exc_text = None
        fields = getattr(record, "kv", None)
        if isinstance(fields, dict):
            record.kv = {k: self.scrub(str(v)) for k, v in fields.items()}
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


def _corrupt_database(exc: BaseException | None) -> CorruptDatabaseError | None:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, CorruptDatabaseError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


class _ExcTextFormatter(LogfmtFormatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if record.exc_text and not record.exc_info:
            line += f" exc={_quote(record.exc_text)}"
        return line


def setup_logging(level: str = "info", secrets: Iterable[str] = (), stream: Any = None) -> None:
    """Route all logging to one logfmt handler on stderr with the secret scrubber."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_ExcTextFormatter())
    handler.addFilter(SecretScrubber(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # chatty libraries: keep their warnings, drop their per-request info lines
    for noisy in ("httpx", "httpcore", "aiosqlite", "apscheduler", "discord", "slack_bolt"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
