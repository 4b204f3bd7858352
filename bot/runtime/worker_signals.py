"""Signal dispositions of the worker processes, set on import.

The workers' forkserver imports this module first (:data:`bot.ingest.workers.PRELOAD`) and nothing
else imports it. From then on the forkserver ignores SIGINT, and so does every worker it forks
(a forked child keeps its parent's dispositions): a terminal's Ctrl-C, which reaches the whole
process group, leaves the workers alone at every moment of their lives, and the main process
shuts them down.
"""

from __future__ import annotations

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
