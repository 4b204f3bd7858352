"""The one call path below both Discord command modes (gateway and HTTP interactions).

Each mode only translates: a slash command becomes ``(text, Caller)`` and goes through
:func:`run_command`; a button click goes through :func:`handle_click`. Neither raises to the
adapter: a :class:`bot.errors.CommandError` becomes an error :class:`Reply` with its one-line
usage message, and an unexpected exception becomes a generic apology (logged, never shown).
"""

from __future__ import annotations

import logging

from bot.discordapp import buttons
from bot.errors import CommandError
from handlers.api import Caller, CommandRunner, FeedbackRecorder, Reply

log = logging.getLogger(__name__)
MUTE_DURATION = "7d"


async def run_command(runner: CommandRunner, text: str, caller: Caller) -> Reply:
    """``runner.run(text, caller)`` with every failure turned into an error reply."""
    try:
        return await runner.run(text, caller)
    except CommandError as exc:
        return Reply(title=str(exc), error=True)
    except Exception:
        log.exception("discord: command failed (channel %s)", caller.channel)
        return Reply(
            title="Something went wrong running that command; try again later.", error=True
        )


async def handle_click(
    custom_id: str, caller: Caller, runner: CommandRunner, feedback: FeedbackRecorder | None
) -> Reply:
    """Run one alert-button click (mute 7 days, useful / not useful)."""
    click = buttons.parse(custom_id)
    if click is None:
        return Reply(title="This button is not recognised.", error=True)
    if click.action == "mute":
        return await run_command(runner, f"mute {click.company} {MUTE_DURATION}", caller)
    if feedback is None:
        return Reply(title="Feedback is not enabled here.", error=True)
    try:
        await feedback.record_feedback(click.story_id, caller, click.useful)
    except Exception:
        log.exception("discord: recording feedback failed")
        return Reply(title="Could not record that; try again later.", error=True)
    return Reply(title="Thanks, noted: " + ("useful." if click.useful else "not useful."))
