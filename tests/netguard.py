"""pytest plugin: fail any test that tries to connect anywhere but loopback.

Loaded with ``-p tests.netguard`` (see pyproject). It wraps ``socket.socket.connect`` and
``connect_ex`` and ``socket.getaddrinfo``: a name that is not local or an address outside
127.0.0.0/8 and ::1 raises at once, so nothing in the suite can reach slack.com, discord.com
or a real feed even by accident. Subprocesses started by tests get the same guard through
``DEALRADAR_NETGUARD=1`` (see ``bot/_netguard.py``).
"""

from __future__ import annotations

import os

from bot import _netguard


def pytest_configure() -> None:
    os.environ["DEALRADAR_NETGUARD"] = "1"
    _netguard.install()
