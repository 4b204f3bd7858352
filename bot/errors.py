"""dealradar's error tree. Every error raised across a module boundary is one of these::

    DealradarError
    ├── ConfigError          settings invalid; lists every problem, each naming its key
    ├── SourceError          one source could not be fetched or parsed (retryable or not)
    │   └── BlockedAddressError   the URL resolves to an address we refuse to connect to (SSRF)
    ├── StoreError           the database failed (locked, unavailable, full); retryable
    │   └── CorruptDatabaseError  the SQLite file is damaged; not retryable, the message
    │                        names the file and how to restore or recover it
    ├── DeliveryError        one message could not be sent to one channel (retryable or not,
    │                        with an optional ``retry_after`` from the platform; a rate limit
    │                        is a postponement, not a failed try)
    ├── CommandError         a chat command was malformed or not allowed; the message is
    │                        the one-line usage reply shown to the user
    └── OpmlError            an OPML file was refused (hostile, malformed, too large, a
                             non-http feed URL); nothing was imported

Messages never contain a secret: tokens are :class:`pydantic.SecretStr` in settings and adapters
redact them before raising.
"""

from __future__ import annotations


class DealradarError(Exception):
    """Base of every error dealradar raises on purpose."""

    retryable: bool = False


class ConfigError(DealradarError):
    """Settings are invalid. ``problems`` holds one ``"key: what is wrong"`` line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


class SourceError(DealradarError):
    """A source failed. ``reason`` is a short machine-friendly tag used in metrics and health."""

    def __init__(
        self,
        message: str,
        *,
        reason: str = "error",
        retryable: bool = True,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class BlockedAddressError(SourceError):
    """The URL points at (or resolves to) a non-public address while that is not allowed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="blocked_address", retryable=False)


class StoreError(DealradarError):
    """The database failed in a way that may pass (locked, unavailable, disk full)."""

    retryable = True


class CorruptDatabaseError(StoreError):
    """The SQLite file is damaged ("database disk image is malformed", "file is not a
    database"). Waiting does not help and a traceback tells an operator nothing more, so the
    message is the whole report: what SQLite said, the file, and what to do about it."""

    retryable = False


class DeliveryError(DealradarError):
    """Sending one message to one channel failed.

    ``retryable`` says whether the outbox should try again; ``retry_after`` (seconds) is the
    platform's own back-off hint when it gave one; ``reason`` is a short tag for logs/metrics.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        reason: str = "error",
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.reason = reason

    @property
    def rate_limited(self) -> bool:
        """The platform said "later", not "no" (a 429, or a rate-limit bucket known to be
        empty): waiting it out must not use up the delivery's tries."""
        return self.retryable and self.reason in RATE_LIMIT_REASONS


RATE_LIMIT_REASONS = frozenset({"rate_limited", "rate_limited_global"})
"""The ``DeliveryError.reason`` tags the sinks give a rate limit."""


class CommandError(DealradarError):
    """A command could not be run; ``str(error)`` is the one-line reply for the user."""


class OpmlError(DealradarError):
    """An OPML file was refused as a whole; the message says why, naming the outline."""
