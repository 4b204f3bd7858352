"""``/deal help``: the short usage card, with one example per command."""

from __future__ import annotations

from handlers.api import Reply

USAGE: tuple[str, ...] = (
    "/deal nissan [30d] (stories about a company, newest first; aliases like 'hon hai' work)",
    "/deal latest [closures|partnerships] [7d] (the most-reported recent stories)",
    "/deal watch nissan [closures|partnerships|all] (alerts in this channel; 'everything' = all)",
    "filters on a watch: /deal watch nissan closures country:JP status:confirmed,planned "
    'min-jobs:500 +"EV" -recall',
    "  country:JP|Japan (any of a list) · status:-talks (all but) · min-confidence:0.8 · "
    "+phrase must appear, -phrase must not; watching again replaces the filters",
    "/deal unwatch nissan · /deal list (what this channel watches and mutes)",
    "/deal mute nissan 7d · /deal unmute nissan",
    "/deal digest daily 08:30 [Europe/Paris] · /deal digest off",
    "/deal quiet 22:00-07:00 [America/New_York] · /deal quiet off",
    "/deal sources (source health) · admins: /deal sources add <url> [name], sources remove <name>",
)


def help_reply() -> Reply:
    return Reply(title="dealradar: plant closures and partnerships in the news", lines=USAGE)
