"""A source's recent poll outcomes, kept as a short string in its row.

One letter per poll, oldest first, at most :data:`KEPT` (the console draws them as a
sparkline): ``c`` the document changed, ``n`` not modified (304 or the same body), ``e`` the
poll failed. A string in the row the poller already updates costs no extra write per poll,
where a table of poll events would add one.
"""

from __future__ import annotations

from typing import Final

CHANGED: Final = "c"
NOT_MODIFIED: Final = "n"
ERROR: Final = "e"
POLL_MARKS: Final = {CHANGED: "changed", NOT_MODIFIED: "not modified", ERROR: "error"}
KEPT: Final = 30


def after(recent: str, outcome: str) -> str:
    """``recent`` with one more poll's outcome, cut to the newest :data:`KEPT`."""
    return (recent + outcome)[-KEPT:]
