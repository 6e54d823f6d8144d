"""The sessions people chose: their agendas, and who is reminded of what."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.database import rows_affected
from bot.storage.models import Subscription, User
from bot.storage.users import UserRecord, user_record

CHOSEN_BY = (select(Subscription.session_id)
             .where(Subscription.user_id == bindparam("user_id")).order_by(Subscription.id))
"""Built once, as it is read for many messages."""


class SubscriptionStore:
    """Each person's choices, read from the database each time (another process may have
    changed them; one indexed lookup)."""

    def __init__(self, sessions: sessionmaker[Session],
                 before_read: Callable[[], object] = lambda: None) -> None:
        self._sessions = sessions
        self._before_read = before_read
        """Write what waits to be written about people (their languages) before reading them."""

    def add(self, user_id: int, session_id: str, now: datetime) -> bool:
        """Remember a choice; False when it was already there."""
        try:
            with self._sessions() as db, db.begin():
                db.add(Subscription(user_id=user_id, session_id=session_id, created_at=now))
            return True
        except IntegrityError:
            return False

    def remove(self, user_id: int, session_id: str) -> bool:
        with self._sessions() as db, db.begin():
            result = db.execute(delete(Subscription).where(Subscription.user_id == user_id,
                                                           Subscription.session_id == session_id))
            return rows_affected(result) > 0

    def of(self, user_id: int) -> list[str]:
        """The session ids a person chose, in the order they chose them."""
        with self._sessions() as db:
            return list(db.scalars(CHOSEN_BY, {"user_id": user_id}))

    def reminder_settings(self) -> set[tuple[str, int]]:
        """(session id, minutes before) for every reminder some active person will get: the
        moments the scheduler needs, without reading everyone."""
        self._before_read()
        query = (select(Subscription.session_id, User.reminder_minutes).distinct()
                 .join(User, Subscription.user_id == User.id).where(User.active.is_(True)))
        with self._sessions() as db:
            return {(sid, minutes) for sid, minutes in db.execute(query)}

    def subscribers(self, session_id: str | None = None,
                    user_id: int | None = None,
                    session_ids: Collection[str] | None = None) -> list[tuple[UserRecord, str]]:
        """(user, session id) for every active subscriber, optionally of one session (or of
        some) or one person."""
        self._before_read()
        query = select(User, Subscription.session_id).join(
            Subscription, Subscription.user_id == User.id).where(User.active.is_(True))
        if session_id is not None:
            query = query.where(Subscription.session_id == session_id)
        if user_id is not None:
            query = query.where(Subscription.user_id == user_id)
        if session_ids is not None:
            query = query.where(Subscription.session_id.in_(list(session_ids)))
        with self._sessions() as db:
            return [(user_record(user), sid) for user, sid in db.execute(query.order_by(
                Subscription.id))]

    def drop_session(self, session_id: str) -> int:
        """A session was cancelled: nobody has it on their agenda any more."""
        with self._sessions() as db, db.begin():
            result = db.execute(delete(Subscription).where(Subscription.session_id == session_id))
            return rows_affected(result)
