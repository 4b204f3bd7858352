"""Alerts: who hears about a story, when, and how it is sent.

:mod:`~bot.alerts.routing` turns an event into per-channel deliveries (filters, digest and quiet
hours from :mod:`~bot.alerts.schedule`); :mod:`~bot.alerts.delivery` sends due deliveries from
the outbox, grouping them into digests and flood summaries with :mod:`~bot.alerts.grouping`.
"""
