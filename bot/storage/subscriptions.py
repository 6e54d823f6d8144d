"""The sessions people chose: their agendas, and who is reminded of what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.database import rows_affected
from bot.storage.models import Subscription, User
from bot.storage.users import UserRecord, user_record


class SubscriptionStore:
    """Each person's choices, cached per process once read."""

    def __init__(self, sessions: sessionmaker[Session],
                 before_read: Callable[[], object] = lambda: None) -> None:
        self._sessions = sessions
        self._before_read = before_read
        """Write what waits to be written about people (their languages) before reading them."""
        self._chosen: dict[int, list[str]] = {}

    def preload(self, user_ids: list[int]) -> None:
        """Read everyone's choices at once (with the users, at start)."""
        chosen: dict[int, list[str]] = {user_id: [] for user_id in user_ids}
        with self._sessions() as db:
            for user_id, session_id in db.execute(select(
                    Subscription.user_id, Subscription.session_id).order_by(Subscription.id)):
                chosen.setdefault(user_id, []).append(session_id)
        self._chosen.update(chosen)

    def forget_cached(self, user_id: int | None = None) -> None:
        """Drop one person's cached choices, or everyone's (None)."""
        if user_id is None:
            self._chosen.clear()
        else:
            self._chosen.pop(user_id, None)

    def add(self, user_id: int, session_id: str, now: datetime) -> bool:
        """Remember a choice; False when it was already there."""
        self._chosen.pop(user_id, None)
        try:
            with self._sessions() as db, db.begin():
                db.add(Subscription(user_id=user_id, session_id=session_id, created_at=now))
            return True
        except IntegrityError:
            return False

    def remove(self, user_id: int, session_id: str) -> bool:
        self._chosen.pop(user_id, None)
        with self._sessions() as db, db.begin():
            result = db.execute(delete(Subscription).where(Subscription.user_id == user_id,
                                                           Subscription.session_id == session_id))
            return rows_affected(result) > 0

    def of(self, user_id: int) -> list[str]:
        """The session ids a person chose, in the order they chose them."""
        chosen = self._chosen.get(user_id)
        if chosen is None:
            with self._sessions() as db:
                chosen = self._chosen[user_id] = list(db.scalars(
                    select(Subscription.session_id).where(Subscription.user_id == user_id)
                    .order_by(Subscription.id)))
        return list(chosen)

    def subscribers(self, session_id: str | None = None,
                    user_id: int | None = None) -> list[tuple[UserRecord, str]]:
        """(user, session id) for every active subscriber, optionally of one session or one
        person."""
        self._before_read()
        query = select(User, Subscription.session_id).join(
            Subscription, Subscription.user_id == User.id).where(User.active.is_(True))
        if session_id is not None:
            query = query.where(Subscription.session_id == session_id)
        if user_id is not None:
            query = query.where(Subscription.user_id == user_id)
        with self._sessions() as db:
            return [(user_record(user), sid) for user, sid in db.execute(query.order_by(
                Subscription.id))]

    def drop_session(self, session_id: str) -> int:
        """A session was cancelled: nobody has it on their agenda any more."""
        self._chosen.clear()
        with self._sessions() as db, db.begin():
            result = db.execute(delete(Subscription).where(Subscription.session_id == session_id))
            return rows_affected(result)
