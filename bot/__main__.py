"""``python -m bot`` is the ``dealradar`` command."""

from bot.cli import main

main()
