"""Persistence: SQLAlchemy 2 async models, Alembic migrations and repositories."""
