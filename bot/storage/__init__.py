"""Persistence: SQLAlchemy 2 models, the Store facade, and Alembic migrations."""

from bot.storage.store import Store, UserRecord

__all__ = ["Store", "UserRecord"]
