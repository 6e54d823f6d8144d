"""What the last answers of each conversation were about: the ground follow-ups stand on.

Kept in the database, so that two processes answering the same person share it; a row older
than the quiet while (`expires`) is ignored and later replaced or purged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.database import rows_affected
from bot.storage.models import DialogueState

DEFAULT_QUIET_MINUTES = 30
"""After this long without a message, a conversation starts afresh."""


@dataclass(frozen=True)
class Focus:
    """The sessions, people and places (by id) and the moment the last answers were about."""

    sessions: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    moment: datetime | None = None
    asked: str = ""
    """What the last question asked ("start", "where", …): "and that one?" asks it again."""

    def __bool__(self) -> bool:
        return bool(self.sessions or self.people or self.places or self.moment)


def _ids(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def _joined(ids: tuple[str, ...]) -> str:
    return ",".join(ids)[:255].rpartition(",")[0] if len(",".join(ids)) > 255 else ",".join(ids)


class DialogueStore:
    """One row per (person, chat): read before a free-text message, written after it."""

    def __init__(self, sessions: sessionmaker[Session],
                 quiet: timedelta = timedelta(minutes=DEFAULT_QUIET_MINUTES)) -> None:
        self._sessions = sessions
        self.quiet = quiet

    def recall(self, user_id: int, chat_id: str, now: datetime) -> Focus | None:
        """The focus of this conversation, unless it has been quiet for too long."""
        with self._sessions() as db:
            row = db.scalars(select(DialogueState).where(
                DialogueState.user_id == user_id, DialogueState.chat_id == chat_id)).first()
        if row is None or now - row.updated_at > self.quiet:
            return None
        return Focus(_ids(row.sessions), _ids(row.people), _ids(row.places), row.moment,
                     row.asked)

    def remember(self, user_id: int, chat_id: str, focus: Focus, now: datetime) -> None:
        """Keep what the answer just given was about (an empty focus keeps the old one)."""
        if not focus:
            return
        values = {"sessions": _joined(focus.sessions), "people": _joined(focus.people),
                  "places": _joined(focus.places), "moment": focus.moment,
                  "asked": focus.asked[:32],
                  "updated_at": now}
        with self._sessions() as db, db.begin():
            row = db.scalars(select(DialogueState).where(
                DialogueState.user_id == user_id, DialogueState.chat_id == chat_id)).first()
            if row is None:
                db.add(DialogueState(user_id=user_id, chat_id=chat_id, **values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)

    def forget(self, user_id: int) -> int:
        with self._sessions() as db, db.begin():
            return rows_affected(db.execute(
                delete(DialogueState).where(DialogueState.user_id == user_id)))

    def purge(self, now: datetime) -> int:
        """Drop the conversations that have gone quiet."""
        with self._sessions() as db, db.begin():
            return rows_affected(db.execute(
                delete(DialogueState).where(DialogueState.updated_at < now - self.quiet)))
