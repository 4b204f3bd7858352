"""The platform-independent sink: the terminal (:mod:`bot.sinks.console`).

Slack's and Discord's sinks live in their adapters (``bot.slackapp.sink``,
``bot.discordapp.sink``); the composition root (:mod:`bot.runtime.app`) picks the sinks the
settings enable.
"""
