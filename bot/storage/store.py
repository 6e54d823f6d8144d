"""The Store: the only way the core reads and writes the database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import (
    DEFAULT_REMINDER_MINUTES,
    Announcement,
    OutboxMessage,
    State,
    Subscription,
    User,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
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
    reminder_minutes: int = 15
    active: bool = True


def _row_record(row) -> UserRecord:  # type: ignore[no-untyped-def]
    return UserRecord(row["id"], row["platform"], row["external_id"], row["chosen_language"],
                      row["detected_language"], row["client_language"], row["chat_id"],
                      row["reminder_minutes"], row["active"])


def _record(user: User) -> UserRecord:
    return UserRecord(user.id, user.platform, user.external_id, user.chosen_language,
                      user.detected_language, user.client_language, user.chat_id,
                      user.reminder_minutes, user.active)


def _fit(text: str | None, column) -> str | None:  # type: ignore[no-untyped-def]
    """What a client says about a person, as the column can hold it: PostgreSQL refuses a
    string longer than the column or holding a NUL (SQLite would keep either)."""
    if not text:
        return text
    return text.replace("\x00", "")[:column.type.length]


@dataclass(frozen=True)
class OutboxRecord:
    """A queued pushed message as the dispatcher sees it."""

    id: int
    dedupe_key: str
    kind: str
    platform: str
    chat_id: str
    user_id: int | None
    payload: str
    status: str
    attempts: int
    last_error: str | None
    not_before: datetime
    expires_at: datetime | None
    lang: str | None = None
    announcement_id: int | None = None


def _outbox_record(row: OutboxMessage) -> OutboxRecord:
    return OutboxRecord(row.id, row.dedupe_key, row.kind, row.platform, row.chat_id, row.user_id,
                        row.payload, row.status, row.attempts, row.last_error,
                        row.not_before, row.expires_at, row.lang, row.announcement_id)


@dataclass(frozen=True)
class AnnouncementRecord:
    id: int
    author_platform: str
    author_chat: str | None
    author_user_id: int | None
    texts: str
    source_language: str
    audience: str
    status: str
    created_at: datetime
    queued_at: datetime | None
    finished_at: datetime | None


def _announcement(row: Announcement) -> AnnouncementRecord:
    return AnnouncementRecord(row.id, row.author_platform, row.author_chat, row.author_user_id,
                              row.texts, row.source_language, row.audience, row.status,
                              row.created_at, row.queued_at, row.finished_at)


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            # WAL lets readers and one writer work together; NORMAL sync is safe with WAL.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database schema to the newest migration."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass(frozen=True)
class _Known:
    """What touch_user last wrote for a person, so an unchanged message needs no write."""

    record: UserRecord
    display_name: str | None
    written: datetime


class Store:
    """The database, for one bot process.

    Users are cached after their first message: a message that changes nothing about the
    person (the usual case) costs no database write; `last_seen_at` is kept to the nearest
    ten minutes. Every change to a user goes through this class, which keeps the cache true.
    """

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._known: dict[tuple[str, str], _Known] = {}
        self._key_of: dict[int, tuple[str, str]] = {}
        self._soft: dict[int, dict[str, object]] = {}
        self._chosen: dict[int, list[str]] = {}
        """Each person's subscriptions, as read or written through this store."""
        """Last-seen times and message languages waiting for flush_soft_changes()."""

    def _forget(self, user_id: int) -> None:
        self.flush_soft_changes()
        key = self._key_of.pop(user_id, None)
        if key is not None:
            self._known.pop(key, None)

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        self.flush_soft_changes()
        self.engine.dispose()

    def preload_users(self) -> int:
        """Know every user from the start: a first message after a restart needs no lookup.
        (A conference has thousands of people, a few megabytes.)"""
        users = User.__table__
        with self.engine.connect() as connection:
            rows = connection.execute(select(users)).mappings().all()
        chosen: dict[int, list[str]] = {row["id"]: [] for row in rows}
        with self.session() as db:
            for user_id, session_id in db.execute(select(
                    Subscription.user_id, Subscription.session_id).order_by(Subscription.id)):
                chosen.setdefault(user_id, []).append(session_id)
        for row in rows:
            self._remember(_row_record(row), row["display_name"], row["last_seen_at"])
        self._chosen.update(chosen)
        return len(rows)

    def flush_soft_changes(self) -> int:
        """Write the waiting last-seen times and languages, all in one transaction."""
        if not self._soft:
            return 0
        pending, self._soft = self._soft, {}
        users = User.__table__
        with self.engine.begin() as connection:
            for user_id, changes in pending.items():
                connection.execute(users.update().where(users.c.id == user_id).values(**changes))
        return len(pending)

    def touch_user(self, platform: str, external_id: str, *, now: datetime,
                   display_name: str | None = None, client_language: str | None = None,
                   chat_id: str | None = None) -> UserRecord:
        """Find or create a user, refreshing what their client tells us.

        Writes only when the person is new or something about them changed; their last-seen
        time and the language of this message wait for `after_message` (one write at most).
        """
        display_name = _fit(display_name, User.display_name)
        client_language = _fit(client_language, User.client_language)
        known = self._known.get((platform, external_id))
        if known is not None and self._unchanged(known.record, known.display_name, display_name,
                                                 client_language, chat_id):
            return known.record
        users = User.__table__
        where = (users.c.platform == platform) & (users.c.external_id == external_id)
        with self.engine.begin() as connection:
            row = connection.execute(select(users).where(where)).mappings().first()
            if row is not None:
                record = _row_record(row)
                if self._unchanged(record, row["display_name"], display_name,
                                   client_language, chat_id):
                    self._remember(record, row["display_name"], row["last_seen_at"])
                    return record
            changes = {"last_seen_at": now, "active": True}
            for column, value in (("display_name", display_name),
                                  ("client_language", client_language),
                                  ("chat_id", chat_id)):
                if value:
                    changes[column] = value
            if row is None:
                fields = {"platform": platform, "external_id": external_id, "created_at": now,
                          "reminder_minutes": DEFAULT_REMINDER_MINUTES,
                          "chosen_language": None, "detected_language": None,
                          "client_language": None, "chat_id": None, "display_name": None,
                          **changes}
                result = connection.execute(users.insert().values(**fields))
                fields["id"] = result.inserted_primary_key[0]
            else:
                connection.execute(users.update().where(where).values(**changes))
                fields = {**row, **changes}
        record = _row_record(fields)
        self._remember(record, fields["display_name"], now)
        return record

    @staticmethod
    def _unchanged(record: UserRecord, known_name: str | None, display_name: str | None,
                   client_language: str | None, chat_id: str | None) -> bool:
        """Nothing that needs writing now (the last-seen time waits for after_message)."""
        return (record.active and display_name in (None, known_name)
                and client_language in (None, record.client_language)
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
            self._known[key] = _Known(record, known.display_name,
                                      now if "last_seen_at" in changes else known.written)

    def _remember(self, record: UserRecord, display_name: str | None,
                  written: datetime) -> None:
        self._known[(record.platform, record.external_id)] = _Known(record, display_name,
                                                                    written)
        self._key_of[record.id] = (record.platform, record.external_id)

    def set_language(self, user_id: int, *, chosen: str | None = None,
                     clear_choice: bool = False) -> None:
        """A language the person chose (/lang), or the choice cleared (/lang auto)."""
        self._forget(user_id)
        with self.session() as db, db.begin():
            user = db.get(User, user_id)
            if user is None:
                return
            if chosen:
                user.chosen_language = chosen
            if clear_choice:
                user.chosen_language = None

    def count_users(self) -> int:
        with self.session() as db:
            return db.scalar(select(func.count(User.id))) or 0

    def known_user(self, platform: str, external_id: str) -> UserRecord | None:
        """The person if the bot has met them, without recording anything."""
        known = self._known.get((platform, external_id))
        if known is not None:
            return known.record
        with self.session() as db:
            user = db.scalar(select(User).where(User.platform == platform,
                                                User.external_id == external_id))
            return _record(user) if user else None

    def user(self, user_id: int) -> UserRecord | None:
        self.flush_soft_changes()
        with self.session() as db:
            user = db.get(User, user_id)
            return _record(user) if user else None

    def set_reminder_minutes(self, user_id: int, minutes: int) -> None:
        self._forget(user_id)
        with self.session() as db, db.begin():
            db.execute(update(User).where(User.id == user_id).values(reminder_minutes=minutes))

    def deactivate(self, platform: str, external_id: str) -> None:
        """The person blocked the bot (or left): send them nothing more."""
        self._known.pop((platform, external_id), None)
        with self.session() as db, db.begin():
            db.execute(update(User).where(User.platform == platform,
                                          User.external_id == external_id).values(active=False))

    def set_active(self, user_id: int, active: bool) -> None:
        self._forget(user_id)
        with self.session() as db, db.begin():
            db.execute(update(User).where(User.id == user_id).values(active=active))

    # --- subscriptions -----------------------------------------------------------------

    def subscribe(self, user_id: int, session_id: str, now: datetime) -> bool:
        """Remember a choice; False when it was already there."""
        self._chosen.pop(user_id, None)
        try:
            with self.session() as db, db.begin():
                db.add(Subscription(user_id=user_id, session_id=session_id, created_at=now))
            return True
        except IntegrityError:
            return False

    def unsubscribe(self, user_id: int, session_id: str) -> bool:
        self._chosen.pop(user_id, None)
        with self.session() as db, db.begin():
            result = db.execute(delete(Subscription).where(Subscription.user_id == user_id,
                                                           Subscription.session_id == session_id))
            return bool(result.rowcount)

    def subscriptions_of(self, user_id: int) -> list[str]:
        chosen = self._chosen.get(user_id)
        if chosen is None:
            with self.session() as db:
                chosen = self._chosen[user_id] = list(db.scalars(
                    select(Subscription.session_id).where(Subscription.user_id == user_id)
                    .order_by(Subscription.id)))
        return list(chosen)

    def subscribers(self, session_id: str | None = None) -> list[tuple[UserRecord, str]]:
        """(user, session id) for every active subscriber, optionally of one session."""
        self.flush_soft_changes()  # their languages, for the messages about to be written
        query = select(User, Subscription.session_id).join(
            Subscription, Subscription.user_id == User.id).where(User.active.is_(True))
        if session_id is not None:
            query = query.where(Subscription.session_id == session_id)
        with self.session() as db:
            return [(_record(user), sid) for user, sid in db.execute(query.order_by(
                Subscription.id))]

    def drop_subscriptions(self, session_id: str) -> int:
        self._chosen.clear()
        with self.session() as db, db.begin():
            result = db.execute(delete(Subscription).where(Subscription.session_id == session_id))
            return result.rowcount

    # --- the outbox ---------------------------------------------------------------------

    def enqueue(self, *, dedupe_key: str, kind: str, platform: str, chat_id: str,
                user_id: int | None, payload: str, now: datetime,
                not_before: datetime | None = None, expires_at: datetime | None = None,
                lang: str | None = None, announcement_id: int | None = None) -> bool:
        """Queue a message once: False when the same dedupe key is already there."""
        try:
            with self.session() as db, db.begin():
                db.add(OutboxMessage(
                    dedupe_key=dedupe_key, kind=kind, platform=platform, chat_id=chat_id,
                    user_id=user_id, payload=payload, status="queued", attempts=0,
                    created_at=now, not_before=not_before or now, expires_at=expires_at,
                    lang=lang, announcement_id=announcement_id))
            return True
        except IntegrityError:
            return False

    def enqueue_many(self, rows: list[dict[str, object]], now: datetime) -> int:
        """Queue many messages in one transaction (a broadcast); skip dedupe keys already there."""
        if not rows:
            return 0
        keys = [row["dedupe_key"] for row in rows]
        with self.session() as db, db.begin():
            present = set(db.scalars(select(OutboxMessage.dedupe_key)
                                     .where(OutboxMessage.dedupe_key.in_(keys))))
            fresh = [{"status": "queued", "attempts": 0, "created_at": now, "not_before": now,
                      "expires_at": None, **row}
                     for row in rows if row["dedupe_key"] not in present]
            if fresh:
                db.execute(OutboxMessage.__table__.insert(), fresh)
            return len(fresh)

    # --- announcements ------------------------------------------------------------------

    def create_announcement(self, *, author_platform: str, author_chat: str | None,
                            author_user_id: int | None, texts: str, source_language: str,
                            audience: str, now: datetime) -> int:
        with self.session() as db, db.begin():
            row = Announcement(author_platform=author_platform, author_chat=author_chat,
                               author_user_id=author_user_id, texts=texts,
                               source_language=source_language, audience=audience,
                               status="queued", created_at=now, queued_at=now)
            db.add(row)
            db.flush()
            return row.id

    def announcement(self, announcement_id: int) -> AnnouncementRecord | None:
        with self.session() as db:
            row = db.get(Announcement, announcement_id)
            return _announcement(row) if row else None

    def announcements(self, status: str | None = None) -> list[AnnouncementRecord]:
        query = select(Announcement).order_by(Announcement.id)
        if status is not None:
            query = query.where(Announcement.status == status)
        with self.session() as db:
            return [_announcement(row) for row in db.scalars(query)]

    def finish_announcement(self, announcement_id: int, now: datetime) -> bool:
        """Mark a broadcast done once (False if it already was)."""
        with self.session() as db, db.begin():
            result = db.execute(update(Announcement)
                                .where(Announcement.id == announcement_id,
                                       Announcement.status == "queued")
                                .values(status="done", finished_at=now))
            return bool(result.rowcount)

    def pending(self, announcement_id: int) -> bool:
        """Is anything of a broadcast still waiting to be sent? (An indexed lookup.)"""
        query = (select(OutboxMessage.id)
                 .where(OutboxMessage.announcement_id == announcement_id,
                        OutboxMessage.status.in_(("queued", "sending"))).limit(1))
        with self.session() as db:
            return db.scalar(query) is not None

    def delivery_counts(self, announcement_id: int) -> dict[tuple[str, str, str], int]:
        """(platform, language, status) -> how many messages of a broadcast."""
        query = (select(OutboxMessage.platform, OutboxMessage.lang, OutboxMessage.status,
                        func.count())
                 .where(OutboxMessage.announcement_id == announcement_id,
                        OutboxMessage.kind == "broadcast")
                 .group_by(OutboxMessage.platform, OutboxMessage.lang, OutboxMessage.status))
        with self.session() as db:
            return {(p, lang or "?", s): n for p, lang, s, n in db.execute(query)}

    def active_users(self, platform: str | None = None) -> list[UserRecord]:
        """Everyone the bot may write to: active, with a private chat."""
        self.flush_soft_changes()
        query = select(User).where(User.active.is_(True), User.chat_id.is_not(None))
        if platform is not None:
            query = query.where(User.platform == platform)
        with self.session() as db:
            return [_record(user) for user in db.scalars(query.order_by(User.id))]

    def has_message(self, dedupe_key: str) -> bool:
        with self.session() as db:
            return db.scalar(select(OutboxMessage.id).where(
                OutboxMessage.dedupe_key == dedupe_key)) is not None

    def claim(self, platform: str, now: datetime, limit: int = 50,
              chat_id: str | None = None) -> list[OutboxRecord]:
        """Take queued messages that are due, marking them as being sent."""
        query = (select(OutboxMessage)
                 .where(OutboxMessage.platform == platform, OutboxMessage.status == "queued",
                        OutboxMessage.not_before <= now)
                 .order_by(OutboxMessage.not_before, OutboxMessage.id).limit(limit))
        if chat_id is not None:
            query = query.where(OutboxMessage.chat_id == chat_id)
        with self.session() as db, db.begin():
            rows = list(db.scalars(query))
            for row in rows:
                row.status = "sending"
                row.attempts += 1
            return [_outbox_record(row) for row in rows]

    def finish(self, message_id: int, status: str, *, now: datetime,
               error: str | None = None, retry_at: datetime | None = None) -> None:
        """Record the outcome: sent, failed, blocked, expired — or queued again for later."""
        with self.session() as db, db.begin():
            row = db.get(OutboxMessage, message_id)
            if row is None:
                return
            row.status = status
            row.last_error = error
            if status == "sent":
                row.sent_at = now
            if retry_at is not None:
                row.not_before = retry_at

    def requeue_interrupted(self) -> int:
        """After a crash, messages left 'sending' go back to the queue."""
        with self.session() as db, db.begin():
            result = db.execute(update(OutboxMessage).where(OutboxMessage.status == "sending")
                                .values(status="queued"))
            return result.rowcount

    def outbox(self, status: str | None = None) -> list[OutboxRecord]:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        with self.session() as db:
            return [_outbox_record(row) for row in db.scalars(query)]

    # --- small state ----------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        with self.session() as db:
            row = db.get(State, key)
            return row.value if row else None

    def delete_state(self, key: str) -> None:
        with self.session() as db, db.begin():
            db.execute(delete(State).where(State.key == key))

    def set_state(self, key: str, value: str) -> None:
        with self.session() as db, db.begin():
            row = db.get(State, key)
            if row is None:
                db.add(State(key=key, value=value))
            else:
                row.value = value
