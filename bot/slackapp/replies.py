"""Block Kit for ``/deal`` answers: a neutral :class:`handlers.api.Reply` to a response_url body.

Command output can quote feed text (headlines, company names) and user input, so every line is
escaped here exactly like alerts are. An ephemeral answer gets a "Share to channel" button whose
value is a short token; :mod:`bot.slackapp.app` keeps the rendered answer under that token.
"""

from __future__ import annotations

from typing import Any

from bot.slackapp import actions, escape
from bot.slackapp import limits as lim
from bot.slackapp.render import Block, mrkdwn_text, plain_text, story_line
from handlers.api import Reply

REPLY_STORIES_MAX = 20


def _line_sections(lines: tuple[str, ...], budget: int) -> list[Block]:
    """Lines packed into as few sections as fit ``SECTION_TEXT_MAX``, at most ``budget``."""
    sections: list[str] = []
    current = ""
    for raw in lines:
        line = lim.fit(raw.rstrip(), lim.SECTION_TEXT_MAX, escape.mrkdwn) or " "
        if current and len(current) + 1 + len(line) > lim.SECTION_TEXT_MAX:
            sections.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        sections.append(current)
    if len(sections) > budget:
        sections = [*sections[: budget - 1], f"{lim.ELLIPSIS} ({len(lines)} lines in all)"]
    return [{"type": "section", "text": mrkdwn_text(text)} for text in sections]


def render_reply(reply: Reply, *, share_token: str | None = None) -> dict[str, Any]:
    """The response_url body for ``reply``: ephemeral (with a share button) or in channel."""
    title = lim.fit(escape.one_line(reply.title) or "Done", 500, escape.mrkdwn)
    prefix = ":warning: " if reply.error else ""
    blocks: list[Block] = [{"type": "section", "text": mrkdwn_text(f"{prefix}*{title}*")}]
    stories = reply.stories[:REPLY_STORIES_MAX]
    blocks += [{"type": "section", "text": mrkdwn_text(story_line(s))} for s in stories]
    if len(reply.stories) > len(stories):
        more = f"{lim.ELLIPSIS} and {len(reply.stories) - len(stories)} more"
        blocks.append({"type": "context", "elements": [plain_text(more, 200)]})
    budget = lim.MESSAGE_BLOCKS_MAX - len(blocks) - 1
    blocks += _line_sections(reply.lines, budget)
    if share_token and reply.ephemeral and not reply.error:
        button = {
            "type": "button",
            "action_id": actions.SHARE_REPLY,
            "text": plain_text("Share to channel", lim.BUTTON_TEXT_MAX),
            "value": share_token,
        }
        blocks.append({"type": "actions", "elements": [button]})
    fallback_raw = "\n".join([reply.title, *(s.headline for s in stories), *reply.lines])
    return {
        "response_type": "ephemeral" if reply.ephemeral else "in_channel",
        "text": lim.fit(fallback_raw, lim.FALLBACK_TEXT_MAX, escape.plain),
        "blocks": blocks,
    }
