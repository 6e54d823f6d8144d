"""People: who they are on their platform, their languages, where to reach them, their
reminder setting. Cached per process so that an ordinary message costs no database write."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import CLIENT_LANGUAGE_LENGTH, DEFAULT_REMINDER_MINUTES, User

LAST_SEEN_GRANULARITY = timedelta(minutes=10)


@dataclass(frozen=True)
class UserRecord:
    """A snapshot of a user row, safe to pass around outside a database session."""

    id: int
    platform: str
    external_id: str
    chosen_language: str | None
    detected_language: str | None
    client_language: str | None
    chat_id: str | None = None
    reminder_minutes: int = DEFAULT_REMINDER_MINUTES
    active: bool = True


def _row_record(row: Mapping[Any, Any]) -> UserRecord:
    return UserRecord(row["id"], row["platform"], row["external_id"], row["chosen_language"],
                      row["detected_language"], row["client_language"], row["chat_id"],
                      row["reminder_minutes"], row["active"])


def user_record(user: User) -> UserRecord:
    return UserRecord(user.id, user.platform, user.external_id, user.chosen_language,
                      user.detected_language, user.client_language, user.chat_id,
                      user.reminder_minutes, user.active)


def _fit(text: str | None, limit: int | None) -> str | None:
    """What a client says, as the column can hold it: PostgreSQL refuses a string longer
    than the column or holding a NUL (SQLite would keep either)."""
    if not text:
        return text
    return text.replace("\x00", "")[:limit]


@dataclass(frozen=True)
class _Known:
    """What `touch` last wrote for a person, so an unchanged message needs no write."""

    record: UserRecord
    written: datetime


class UserStore:
    """Every change to a user goes through this class, which keeps its cache true.

    A message that changes nothing about the person (the usual case) costs no database
    write; `last_seen_at` is kept to the nearest ten minutes, and the language a person
    wrote in is written behind, with others, once a second (`flush_soft_changes`).
    """

    def __init__(self, engine: Engine, sessions: sessionmaker[Session],
                 on_change: Callable[[int], None] = lambda user_id: None) -> None:
        self._engine = engine
        self._sessions = sessions
        self._on_change = on_change
        """Told when a person's row changed (their cached subscriptions may be stale)."""
        self._known: dict[tuple[str, str], _Known] = {}
        self._key_of: dict[int, tuple[str, str]] = {}
        self._soft: dict[int, dict[str, object]] = {}
        """Last-seen times and message languages waiting for flush_soft_changes()."""

    def _forget(self, user_id: int) -> None:
        self.flush_soft_changes()
        key = self._key_of.pop(user_id, None)
        if key is not None:
            self._known.pop(key, None)

    def evict(self, user_id: int | None = None) -> None:
        """Forget cached people (one, or everyone): their rows were erased behind the cache."""
        self.flush_soft_changes()
        if user_id is None:
            self._known.clear()
            self._key_of.clear()
        else:
            self._forget(user_id)
            self._on_change(user_id)

    def _remember(self, record: UserRecord, written: datetime) -> None:
        self._known[(record.platform, record.external_id)] = _Known(record, written)
        self._key_of[record.id] = (record.platform, record.external_id)

    def preload(self) -> list[int]:
        """Know every user from the start: a first message after a restart needs no lookup.
        Returns their ids."""
        users = User.__table__
        with self._engine.connect() as connection:
            rows = connection.execute(select(users)).mappings().all()
        for row in rows:
            self._remember(_row_record(row), row["last_seen_at"])
        return [row["id"] for row in rows]

    def flush_soft_changes(self) -> int:
        """Write the waiting last-seen times and languages, all in one transaction."""
        if not self._soft:
            return 0
        pending, self._soft = self._soft, {}
        with self._engine.begin() as connection:
            for user_id, changes in pending.items():
                connection.execute(update(User).where(User.id == user_id).values(**changes))
        return len(pending)

    def touch(self, platform: str, external_id: str, *, now: datetime,
              client_language: str | None = None,
              chat_id: str | None = None) -> UserRecord:
        """Find or create a user, refreshing what their client tells us.

        Writes only when the person is new or something about them changed; their last-seen
        time and the language of this message wait for `after_message` (one write at most).
        """
        client_language = _fit(client_language, CLIENT_LANGUAGE_LENGTH)
        known = self._known.get((platform, external_id))
        if known is not None and self._unchanged(known.record, client_language, chat_id):
            return known.record
        users = User.__table__
        where = (users.c.platform == platform) & (users.c.external_id == external_id)
        with self._engine.begin() as connection:
            row = connection.execute(select(users).where(where)).mappings().first()
            if row is not None:
                record = _row_record(row)
                if self._unchanged(record, client_language, chat_id):
                    self._remember(record, row["last_seen_at"])
                    return record
            changes: dict[str, Any] = {"last_seen_at": now, "active": True}
            for column, value in (("client_language", client_language),
                                  ("chat_id", chat_id)):
                if value:
                    changes[column] = value
            fields: dict[str, Any]
            if row is None:
                fields = {"platform": platform, "external_id": external_id, "created_at": now,
                          "reminder_minutes": DEFAULT_REMINDER_MINUTES,
                          "chosen_language": None, "detected_language": None,
                          "client_language": None, "chat_id": None, **changes}
                result = connection.execute(insert(User).values(**fields))
                key = result.inserted_primary_key
                assert key is not None  # an insert of one row has its key
                fields["id"] = key[0]
            else:
                connection.execute(update(User).where(where).values(**changes))
                fields = {**row, **changes}
        record = _row_record(fields)
        self._remember(record, now)
        return record

    @staticmethod
    def _unchanged(record: UserRecord, client_language: str | None, chat_id: str | None
                   ) -> bool:
        """Nothing that needs writing now (the last-seen time waits for after_message)."""
        return (record.active and client_language in (None, record.client_language)
                and chat_id in (None, record.chat_id))

    def after_message(self, user: UserRecord, now: datetime, detected: str | None) -> None:
        """Note the language a person wrote in and when they were last seen (to ten minutes).

        This is soft information: it is written with others once a second
        (flush_soft_changes), not in a transaction of its own per message.
        """
        key = (user.platform, user.external_id)
        known = self._known.get(key)
        record = known.record if known else user
        changes: dict[str, object] = {}
        if detected and detected != record.detected_language:
            changes["detected_language"] = detected
        if known is None or abs(now - known.written) >= LAST_SEEN_GRANULARITY:
            changes["last_seen_at"] = now
        if not changes:
            return
        self._soft.setdefault(user.id, {}).update(changes)
        if known is not None:
            if "detected_language" in changes:
                record = replace(record, detected_language=detected)
            self._known[key] = _Known(record,
                                      now if "last_seen_at" in changes else known.written)

    def set_language(self, user_id: int, chosen: str | None) -> None:
        """The language the person chose (/lang), or None when they cleared the choice."""
        self._update(user_id, chosen_language=chosen)

    def set_reminder_minutes(self, user_id: int, minutes: int) -> None:
        self._update(user_id, reminder_minutes=minutes)

    def set_active(self, user_id: int, active: bool) -> None:
        self._update(user_id, active=active)

    def _update(self, user_id: int, **values: object) -> None:
        self._forget(user_id)
        with self._sessions() as db, db.begin():
            db.execute(update(User).where(User.id == user_id).values(**values))
        self._on_change(user_id)

    def deactivate(self, platform: str, external_id: str) -> None:
        """The person blocked the bot (or left): send them nothing more."""
        self._known.pop((platform, external_id), None)
        with self._sessions() as db, db.begin():
            db.execute(update(User).where(User.platform == platform,
                                          User.external_id == external_id).values(active=False))

    def count(self) -> int:
        with self._sessions() as db:
            return db.scalar(select(func.count(User.id))) or 0

    def known(self, platform: str, external_id: str) -> UserRecord | None:
        """The person if the bot has met them, without recording anything."""
        known = self._known.get((platform, external_id))
        if known is not None:
            return known.record
        with self._sessions() as db:
            user = db.scalar(select(User).where(User.platform == platform,
                                                User.external_id == external_id))
            return user_record(user) if user else None

    def get(self, user_id: int) -> UserRecord | None:
        self.flush_soft_changes()
        with self._sessions() as db:
            user = db.get(User, user_id)
            return user_record(user) if user else None

    def active(self, platform: str | None = None) -> list[UserRecord]:
        """Everyone the bot may write to: active, with a private chat."""
        self.flush_soft_changes()
        query = select(User).where(User.active.is_(True), User.chat_id.is_not(None))
        if platform is not None:
            query = query.where(User.platform == platform)
        with self._sessions() as db:
            return [user_record(user) for user in db.scalars(query.order_by(User.id))]
