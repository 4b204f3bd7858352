"""The bolt listeners: ``/deal`` and the alert and reply buttons.

Each listener acknowledges first (Slack wants an answer within 3 seconds), then does the work
and answers through ``respond`` (the request's response_url). Commands go to the neutral
:class:`handlers.api.CommandRunner`; 👍/👎 go to :class:`handlers.api.FeedbackRecorder`.
A failing handler becomes a short ephemeral apology; details go to the log only.
"""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.errors import CommandError
from bot.slackapp import actions
from bot.slackapp.admins import AdminDirectory
from bot.slackapp.replies import render_reply
from handlers.api import Caller, CommandRunner, FeedbackRecorder, Reply

log = logging.getLogger("dealradar.slack")

COMMAND = "/deal"
SHARES_KEPT = 500


class ShareShelf:
    """Rendered answers waiting for their "Share to channel" click, newest ``capacity`` kept."""

    def __init__(self, capacity: int = SHARES_KEPT) -> None:
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._capacity = capacity

    def put(self, body: dict[str, Any]) -> str:
        token = secrets.token_urlsafe(12)
        self._items[token] = body
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return token

    def take(self, token: str) -> dict[str, Any] | None:
        return self._items.pop(token, None)


class Listeners:
    """Registers dealradar's listeners on an :class:`AsyncApp`."""

    def __init__(
        self, runner: CommandRunner, feedback: FeedbackRecorder, admins: AdminDirectory
    ) -> None:
        self._runner = runner
        self._feedback = feedback
        self._admins = admins
        self.shares = ShareShelf()

    def register(self, app: AsyncApp) -> None:
        app.command(COMMAND)(self.on_command)
        app.action(actions.MUTE_COMPANY)(self.on_mute)
        app.action(actions.FEEDBACK_USEFUL)(self.on_feedback)
        app.action(actions.FEEDBACK_NOT_USEFUL)(self.on_feedback)
        app.action(actions.SHARE_REPLY)(self.on_share)
        app.action(actions.OPEN_ARTICLE)(self.on_open)

    async def _caller(self, user: str, channel: str) -> Caller:
        admin = await self._admins.is_admin(user) if user else False
        return Caller(platform="slack", channel=channel, user=user, is_admin=admin)

    async def _run(self, text: str, caller: Caller) -> Reply:
        try:
            return await self._runner.run(text, caller)
        except CommandError as error:
            return Reply(title=str(error), error=True)
        except Exception:
            log.exception("slack: /deal %r failed", text[:100])
            return Reply(title="Sorry, that failed on our side; it was logged.", error=True)

    async def on_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        caller = await self._caller(str(body.get("user_id", "")), str(body.get("channel_id", "")))
        reply = await self._run(str(body.get("text", "")), caller)
        token = None
        if reply.ephemeral and not reply.error:
            shared = render_reply(Reply(reply.title, reply.stories, reply.lines, ephemeral=False))
            token = self.shares.put(shared)
        await respond(**render_reply(reply, share_token=token))

    def _action_caller_ids(self, body: dict[str, Any]) -> tuple[str, str]:
        user = str((body.get("user") or {}).get("id", ""))
        channel = str((body.get("channel") or {}).get("id", ""))
        return user, channel

    @staticmethod
    def _value(body: dict[str, Any]) -> tuple[str, str]:
        acts = body.get("actions") or [{}]
        return str(acts[0].get("action_id", "")), str(acts[0].get("value", ""))

    async def on_mute(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        caller = await self._caller(*self._action_caller_ids(body))
        _, company = self._value(body)
        reply = await self._run(f"mute {company} {actions.MUTE_DURATION}", caller)
        answer = render_reply(Reply(reply.title, reply.stories, reply.lines, error=reply.error))
        await respond(**answer, replace_original=False)

    async def on_feedback(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        action_id, value = self._value(body)
        user, channel = self._action_caller_ids(body)
        caller = Caller(platform="slack", channel=channel, user=user)
        useful = action_id == actions.FEEDBACK_USEFUL
        try:
            await self._feedback.record_feedback(int(value), caller, useful)
            text = "Thanks, noted as useful." if useful else "Thanks, noted as not useful."
        except ValueError:
            text = "That button is out of date."
        except Exception:
            log.exception("slack: recording feedback failed")
            text = "Sorry, your feedback could not be saved."
        await respond(text=text, response_type="ephemeral", replace_original=False)

    async def on_share(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        _, token = self._value(body)
        shared = self.shares.take(token)
        if shared is None:
            await respond(
                text="This answer has expired; run the command again to share it.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        await respond(**shared, replace_original=False)

    async def on_open(self, ack: AsyncAck) -> None:
        await ack()  # a URL button still notifies the app; nothing else to do
