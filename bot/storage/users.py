"""People: who they are on their platform, their languages, where to reach them, their
reminder setting.

Another process (a second bot process, `confbot announce`, `confbot reload`) may change a
person at any moment, so nothing another process can change is cached here: every message
reads the person's row (one lookup by a unique key). What is kept per process is bounded
(an LRU of the people active lately): when their last-seen time was written, so that an
ordinary message costs no database write."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import CLIENT_LANGUAGE_LENGTH, DEFAULT_REMINDER_MINUTES, User

LAST_SEEN_GRANULARITY = timedelta(minutes=10)
RECENT_PEOPLE = 5_000
"""How many people's last-seen times a process remembers (least recently seen leave)."""


FIND_USER = select(User.__table__).where(
    User.__table__.c.platform == bindparam("platform"),
    User.__table__.c.external_id == bindparam("external_id"))
"""Built once: a message's one read costs no statement construction (it did, measurably)."""


def _fit(text: str | None, limit: int | None) -> str | None:
    """What a client says, as the column can hold it: PostgreSQL refuses a string longer
    than the column or holding a NUL (SQLite would keep either)."""
    if not text:
        return text
    return text.replace("\x00", "")[:limit]


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


class UserStore:
    """Every change to a user goes through this class.

    A message that changes nothing about the person (the usual case) costs one read and no
    write; `last_seen_at` is kept to the nearest ten minutes, and the language a person
    wrote in is written behind, with others, once a second (`flush_soft_changes`).
    """

    def __init__(self, engine: Engine, sessions: sessionmaker[Session],
                 on_change: Callable[[int], None] = lambda user_id: None,
                 recent: int = RECENT_PEOPLE) -> None:
        self._engine = engine
        self._sessions = sessions
        self._on_change = on_change
        """Told when a person's row changed."""
        self._written: OrderedDict[int, datetime] = OrderedDict()
        """person -> the last-seen time last written, for the people seen lately (an LRU)."""
        self._recent = recent
        self._soft: dict[int, dict[str, object]] = {}
        """Last-seen times and message languages waiting for flush_soft_changes()."""

    def _remember(self, user_id: int, written: datetime) -> None:
        self._written[user_id] = written
        self._written.move_to_end(user_id)
        while len(self._written) > self._recent:
            self._written.popitem(last=False)

    def evict(self, user_id: int | None = None) -> None:
        """Forget what this process remembers of people (one, or everyone): their rows were
        erased."""
        if user_id is None:
            self._written.clear()
            self._soft.clear()
        else:
            self._written.pop(user_id, None)
            self._soft.pop(user_id, None)

    def _overlay(self, record: UserRecord) -> UserRecord:
        """The record with what this process still has to write about the person."""
        soft = self._soft.get(record.id)
        if soft and "detected_language" in soft:
            return replace(record, detected_language=str(soft["detected_language"]))
        return record

    def flush_soft_changes(self) -> int:
        """Write the waiting last-seen times and languages, all in one transaction."""
        if not self._soft:
            return 0
        pending, self._soft = self._soft, {}
        try:
            with self._engine.begin() as connection:
                for user_id, changes in pending.items():
                    connection.execute(update(User).where(User.id == user_id).values(**changes))
        except BaseException:
            for user_id, changes in pending.items():  # kept for the next try; newer ones win
                self._soft[user_id] = {**changes, **self._soft.get(user_id, {})}
            raise
        return len(pending)

    def touch(self, platform: str, external_id: str, *, now: datetime,
              client_language: str | None = None, chat_id: str | None = None) -> UserRecord:
        """Find or create a user, refreshing what their client tells us.

        Reads the person's row (another process may have changed it); writes only when the
        person is new or something about them changed. Their last-seen time and the language
        of this message wait for `after_message` (one write at most).
        """
        client_language = _fit(client_language, CLIENT_LANGUAGE_LENGTH)
        with self._engine.connect() as connection:
            row = connection.execute(FIND_USER, {"platform": platform, "external_id": external_id}
                                     ).mappings().first()
        if row is not None:
            record = _row_record(row)
            if self._unchanged(record, client_language, chat_id):
                if record.id not in self._written:
                    self._remember(record.id, row["last_seen_at"])
                return self._overlay(record)
        with self._engine.begin() as connection:
            changes: dict[str, Any] = {"last_seen_at": now, "active": True}
            for column, value in (("client_language", client_language), ("chat_id", chat_id)):
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
                connection.execute(update(User).where(User.id == row["id"]).values(**changes))
                fields = {**row, **changes}
        record = _row_record(fields)
        self._remember(record.id, now)
        return self._overlay(record)

    @staticmethod
    def _unchanged(record: UserRecord, client_language: str | None,
                   chat_id: str | None) -> bool:
        """Nothing that needs writing now (the last-seen time waits for after_message)."""
        return (record.active and client_language in (None, record.client_language)
                and chat_id in (None, record.chat_id))

    def after_message(self, user: UserRecord, now: datetime, detected: str | None) -> None:
        """Note the language a person wrote in and when they were last seen (to ten minutes).

        This is soft information: it is written with others once a second
        (flush_soft_changes), not in a transaction of its own per message.
        """
        changes: dict[str, object] = {}
        if detected and detected != user.detected_language:
            changes["detected_language"] = detected
        written = self._written.get(user.id)
        if written is None or abs(now - written) >= LAST_SEEN_GRANULARITY:
            changes["last_seen_at"] = now
            self._remember(user.id, now)
        if changes:
            self._soft.setdefault(user.id, {}).update(changes)

    def set_language(self, user_id: int, chosen: str | None) -> None:
        """The language the person chose (/lang), or None when they cleared the choice."""
        self._update(user_id, chosen_language=chosen)

    def set_reminder_minutes(self, user_id: int, minutes: int) -> None:
        self._update(user_id, reminder_minutes=minutes)

    def set_active(self, user_id: int, active: bool) -> None:
        self._update(user_id, active=active)

    def _update(self, user_id: int, **values: object) -> None:
        self.flush_soft_changes()
        with self._sessions() as db, db.begin():
            db.execute(update(User).where(User.id == user_id).values(**values))
        self._on_change(user_id)

    def deactivate(self, platform: str, external_id: str) -> None:
        """The person blocked the bot (or left): send them nothing more."""
        with self._sessions() as db, db.begin():
            db.execute(update(User).where(User.platform == platform,
                                          User.external_id == external_id).values(active=False))

    def count(self) -> int:
        with self._sessions() as db:
            return db.scalar(select(func.count(User.id))) or 0

    def known(self, platform: str, external_id: str) -> UserRecord | None:
        """The person if the bot has met them, without recording anything."""
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
