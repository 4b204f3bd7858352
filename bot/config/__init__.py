"""Validated settings: TOML file plus environment, read once at start."""
