"""Discord adapter: embed renderer, REST sink and discord.py app-command client."""
