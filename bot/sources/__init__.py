"""News sources: fetching (httpx), feed parsing (feedparser) and the source-kind registry."""
