"""The running process: the composition root (:mod:`~bot.runtime.app`) and what it sets up.

Ticks (:mod:`~bot.runtime.scheduling`), garbage-collector settings
(:mod:`~bot.runtime.gc_tuning`), worker-process signal handling
(:mod:`~bot.runtime.worker_signals`) and the first start's announcement
(:mod:`~bot.runtime.first_run`).
"""
