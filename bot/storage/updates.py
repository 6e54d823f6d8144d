"""Platform updates already taken in: Telegram retries a webhook delivery it thinks failed,
and with webhooks any process may receive one; the second delivery is ignored."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import SeenUpdate

KEEP = timedelta(days=1)
"""Telegram keeps retrying an update for at most a day."""
PRUNE_EVERY = 1000


class SeenUpdateStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._since_prune = 0

    def first_time(self, platform: str, update_id: int, now: datetime) -> bool:
        """Record an update; False when some process already took it in."""
        try:
            with self._sessions() as db, db.begin():
                db.add(SeenUpdate(platform=platform, update_id=update_id, seen_at=now))
        except IntegrityError:
            return False
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._since_prune = 0
            with self._sessions() as db, db.begin():
                db.execute(delete(SeenUpdate).where(SeenUpdate.seen_at < now - KEEP))
        return True
