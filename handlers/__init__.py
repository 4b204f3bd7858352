"""Platform-neutral use cases behind ``/deal``: parse a command, run it over small interfaces."""
