"""Persistence: SQLAlchemy 2 models, the stores per concern, and Alembic migrations."""

from bot.storage.outbox import (
    AnnouncementRecord,
    AnnouncementStatus,
    MessageKind,
    OutboxRecord,
    OutboxStatus,
)
from bot.storage.store import Store
from bot.storage.users import UserRecord

__all__ = ["AnnouncementRecord", "AnnouncementStatus", "MessageKind", "OutboxRecord",
           "OutboxStatus", "Store", "UserRecord"]
