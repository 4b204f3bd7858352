"""Slack adapter: Block Kit renderer, Web API sink and slack-bolt command app."""
