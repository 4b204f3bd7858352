"""The HTTP server the chat endpoints, metrics, health checks and console share.

:mod:`~bot.web.server` runs it; :mod:`~bot.web.routes` is the route type and its read deadline;
:mod:`~bot.web.guard` limits connections and request reads.
"""
