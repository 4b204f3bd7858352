"""Ingest: from due sources to stored articles and queued alerts.

:mod:`~bot.ingest.poller` fetches due sources; :mod:`~bot.ingest.writer` batches changed
fetches into transactions; :mod:`~bot.ingest.pipeline` stores new articles, has them analysed
(:mod:`~bot.ingest.analysis`, in the processes of :mod:`~bot.ingest.workers`), places them in
stories and routes their alerts. :mod:`~bot.ingest.backfill` fetches a company's past reports
on request; :mod:`~bot.ingest.poll_marks` is the per-source record of recent poll outcomes.
"""
