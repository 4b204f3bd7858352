"""What the bot's own recent writes say about readiness (the pipeline's half of ``/readyz``).

A database can take the readiness probe's small write and still fail the bot's real work: a
corrupt ``articles`` page fails every ingest, a full disk fails the batches that need new pages.
:class:`StoreHealth` keeps, per kind of write, the latest failure not yet followed by a
success of the same kind, so ``/readyz`` turns not-ready while they fail and ready again once
they succeed.
"""

from __future__ import annotations

from datetime import datetime


class StoreHealth:
    """Failing kinds of writes (``"ingest"``: storing new articles; ``"state"``: sources'
    fetch state), each with when it started failing and the latest error."""

    def __init__(self) -> None:
        self._failing: dict[str, tuple[datetime, str]] = {}

    def succeeded(self, kind: str) -> None:
        self._failing.pop(kind, None)

    def failed(self, kind: str, error: str, now: datetime) -> None:
        since = self._failing.get(kind, (now, ""))[0]
        self._failing[kind] = (since, error)

    def problem(self) -> str | None:
        """None when no kind of write is failing, else one line naming the first."""
        if not self._failing:
            return None
        kind, (since, error) = sorted(self._failing.items())[0]
        return f"storing {kind} failing since {since:%Y-%m-%d %H:%M:%S}Z: {error}"
