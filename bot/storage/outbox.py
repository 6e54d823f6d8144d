"""The outbox table (one row per pushed message and recipient) and the announcements whose
messages it carries."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.database import rows_affected
from bot.storage.models import Announcement, OutboxMessage

DEFAULT_LEASE = timedelta(seconds=15)
"""How long a claim lasts unless renewed: a message claimed by a process that died is sent
again after this (the leader's takeover takes about as long)."""


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    EXPIRED = "expired"

    @property
    def final(self) -> bool:
        return self not in (OutboxStatus.QUEUED, OutboxStatus.SENDING)


class MessageKind(StrEnum):
    REMINDER = "reminder"
    CHANGE = "change"
    BROADCAST = "broadcast"
    REPORT = "report"
    ANNOUNCE_ROOM = "announce-room"
    FEEDBACK = "feedback"
    """A prompt to rate a session that ended."""
    FULL = "full"
    """A session on the person's agenda is full."""
    QUESTION = "question"
    """A question waiting for a moderator's decision."""


class AnnouncementStatus(StrEnum):
    QUEUED = "queued"
    DONE = "done"


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
    status: OutboxStatus
    attempts: int
    last_error: str | None
    not_before: datetime
    expires_at: datetime | None
    lang: str | None = None
    announcement_id: int | None = None
    claim_token: str | None = None
    claimed_until: datetime | None = None


def _outbox_record(row: OutboxMessage) -> OutboxRecord:
    return OutboxRecord(row.id, row.dedupe_key, row.kind, row.platform, row.chat_id, row.user_id,
                        row.payload, OutboxStatus(row.status), row.attempts, row.last_error,
                        row.not_before, row.expires_at, row.lang, row.announcement_id,
                        row.claim_token, row.claimed_until)


@dataclass(frozen=True)
class Claim:
    """Messages one sender took, under one token, until a lease ends."""

    token: str
    messages: list[OutboxRecord]
    reclaimed: int
    """How many of them had been claimed by a process that stopped (their lease ran out)."""


@dataclass(frozen=True)
class AnnouncementRecord:
    id: int
    author_platform: str
    author_chat: str | None
    author_user_id: int | None
    texts: str
    source_language: str
    audience: str
    status: AnnouncementStatus
    created_at: datetime
    queued_at: datetime | None
    finished_at: datetime | None


def _announcement(row: Announcement) -> AnnouncementRecord:
    return AnnouncementRecord(row.id, row.author_platform, row.author_chat, row.author_user_id,
                              row.texts, row.source_language, row.audience,
                              AnnouncementStatus(row.status), row.created_at, row.queued_at,
                              row.finished_at)


AT_ONCE = datetime(2000, 1, 1, tzinfo=UTC)
"""The `not_before` of a message due at once on any clock."""


class OutboxStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # --- messages -------------------------------------------------------------------------

    def enqueue(self, *, dedupe_key: str, kind: MessageKind, platform: str, chat_id: str,
                user_id: int | None, payload: str, now: datetime,
                not_before: datetime | None = None, expires_at: datetime | None = None,
                lang: str | None = None, announcement_id: int | None = None) -> bool:
        """Queue a message once: False when the same dedupe key is already there."""
        try:
            with self._sessions() as db, db.begin():
                db.add(OutboxMessage(
                    dedupe_key=dedupe_key, kind=kind, platform=platform, chat_id=chat_id,
                    user_id=user_id, payload=payload, status=OutboxStatus.QUEUED, attempts=0,
                    created_at=now, not_before=not_before or now, expires_at=expires_at,
                    lang=lang, announcement_id=announcement_id))
            return True
        except IntegrityError:
            return False

    def enqueue_many(self, rows: list[dict[str, Any]], now: datetime) -> int:
        """Queue many messages in one transaction (a broadcast); skip dedupe keys already there.
        They are due at once, whatever clock the sender runs on (`confbot announce` on the real
        clock, the bot on the demo clock of `--now`)."""
        if not rows:
            return 0
        keys = [row["dedupe_key"] for row in rows]
        with self._sessions() as db, db.begin():
            present = set(db.scalars(select(OutboxMessage.dedupe_key)
                                     .where(OutboxMessage.dedupe_key.in_(keys))))
            fresh = [{"status": OutboxStatus.QUEUED, "attempts": 0, "created_at": now,
                      "not_before": AT_ONCE, "expires_at": None, **row}
                     for row in rows if row["dedupe_key"] not in present]
            if fresh:
                db.execute(insert(OutboxMessage), fresh)
            return len(fresh)

    def has(self, dedupe_key: str) -> bool:
        with self._sessions() as db:
            return db.scalar(select(OutboxMessage.id).where(
                OutboxMessage.dedupe_key == dedupe_key)) is not None

    def claim(self, platform: str, now: datetime, limit: int = 50,
              chat_id: str | None = None, lease: timedelta = DEFAULT_LEASE) -> Claim:
        """Take queued messages that are due, marking them as being sent until `now + lease`.

        A message left `sending` by a process that stopped is taken again once its lease ran
        out. Two senders never take one row: on PostgreSQL the rows are locked with
        `FOR UPDATE SKIP LOCKED` (a concurrent sender skips them); on SQLite the claim is one
        UPDATE, and SQLite runs one writer at a time.
        """
        token = secrets.token_hex(16)
        due = or_(and_(OutboxMessage.status == OutboxStatus.QUEUED,
                       OutboxMessage.not_before <= now),
                  and_(OutboxMessage.status == OutboxStatus.SENDING,
                       or_(OutboxMessage.claimed_until.is_(None),
                           OutboxMessage.claimed_until < now)))
        query = (select(OutboxMessage.id)
                 .where(OutboxMessage.platform == platform, due)
                 .order_by(OutboxMessage.not_before, OutboxMessage.id).limit(limit))
        if chat_id is not None:
            query = query.where(OutboxMessage.chat_id == chat_id)
        with self._sessions() as db, db.begin():
            postgres = db.get_bind().dialect.name == "postgresql"
            target: ColumnElement[bool]
            if postgres:
                ids = list(db.scalars(query.with_for_update(skip_locked=True)))
                target = OutboxMessage.id.in_(ids)
            else:
                target = and_(OutboxMessage.id.in_(query.scalar_subquery()), due)
            if postgres and not ids:
                return Claim(token, [], 0)
            reclaimed = db.scalar(select(func.count()).select_from(OutboxMessage).where(
                target, OutboxMessage.status == OutboxStatus.SENDING)) or 0
            db.execute(update(OutboxMessage).where(target).values(
                status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1,
                claim_token=token, claimed_until=now + lease)
                .execution_options(synchronize_session=False))
            rows = db.scalars(select(OutboxMessage).where(OutboxMessage.claim_token == token)
                              .order_by(OutboxMessage.not_before, OutboxMessage.id))
            return Claim(token, [_outbox_record(row) for row in rows], reclaimed)

    def extend(self, token: str, until: datetime) -> int:
        """Keep the lease of what one claim still holds (a long batch, a slow platform)."""
        with self._sessions() as db, db.begin():
            return rows_affected(db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.claim_token == token,
                       OutboxMessage.status == OutboxStatus.SENDING)
                .values(claimed_until=until)))

    def finish(self, message_id: int, status: OutboxStatus, *, now: datetime,
               error: str | None = None, retry_at: datetime | None = None,
               token: str | None = None) -> bool:
        """Record the outcome: sent, failed, blocked, expired — or queued again for later.

        With a claim token, only while the claim is still this sender's: False when another
        sender took the row meanwhile (this one's lease ran out)."""
        values: dict[str, Any] = {"status": status, "last_error": error,
                                  "claim_token": None, "claimed_until": None}
        if status == OutboxStatus.SENT:
            values["sent_at"] = now
        if retry_at is not None:
            values["not_before"] = retry_at
        where = [OutboxMessage.id == message_id]
        if token is not None:
            where.append(OutboxMessage.claim_token == token)
        with self._sessions() as db, db.begin():
            return rows_affected(db.execute(update(OutboxMessage).where(*where)
                                            .values(**values))) > 0

    def last_sent(self) -> dict[str, datetime]:
        """platform -> when its last message was sent."""
        query = (select(OutboxMessage.platform, func.max(OutboxMessage.sent_at))
                 .where(OutboxMessage.sent_at.is_not(None)).group_by(OutboxMessage.platform))
        with self._sessions() as db:
            return {platform: when for platform, when in db.execute(query) if when}

    def backlog(self) -> dict[str, int]:
        """platform -> how many messages wait to be sent (queued or being sent)."""
        query = (select(OutboxMessage.platform, func.count())
                 .where(OutboxMessage.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING)))
                 .group_by(OutboxMessage.platform))
        with self._sessions() as db:
            return {platform: count for platform, count in db.execute(query)}

    def messages(self, status: OutboxStatus | None = None) -> list[OutboxRecord]:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        with self._sessions() as db:
            return [_outbox_record(row) for row in db.scalars(query)]

    # --- announcements --------------------------------------------------------------------

    def create_announcement(self, *, author_platform: str, author_chat: str | None,
                            author_user_id: int | None, texts: str, source_language: str,
                            audience: str, now: datetime) -> int:
        with self._sessions() as db, db.begin():
            row = Announcement(author_platform=author_platform, author_chat=author_chat,
                               author_user_id=author_user_id, texts=texts,
                               source_language=source_language, audience=audience,
                               status=AnnouncementStatus.QUEUED, created_at=now, queued_at=now)
            db.add(row)
            db.flush()
            return row.id

    def announcement(self, announcement_id: int) -> AnnouncementRecord | None:
        with self._sessions() as db:
            row = db.get(Announcement, announcement_id)
            return _announcement(row) if row else None

    def announcements(self, status: AnnouncementStatus | None = None
                      ) -> list[AnnouncementRecord]:
        query = select(Announcement).order_by(Announcement.id)
        if status is not None:
            query = query.where(Announcement.status == status)
        with self._sessions() as db:
            return [_announcement(row) for row in db.scalars(query)]

    def finish_announcement(self, announcement_id: int, now: datetime) -> bool:
        """Mark a broadcast done once (False if it already was)."""
        with self._sessions() as db, db.begin():
            result = db.execute(update(Announcement)
                                .where(Announcement.id == announcement_id,
                                       Announcement.status == AnnouncementStatus.QUEUED)
                                .values(status=AnnouncementStatus.DONE, finished_at=now))
            return rows_affected(result) > 0

    def pending(self, announcement_id: int) -> bool:
        """Is anything of a broadcast still waiting to be sent? (An indexed lookup.)"""
        query = (select(OutboxMessage.id)
                 .where(OutboxMessage.announcement_id == announcement_id,
                        OutboxMessage.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING)))
                 .limit(1))
        with self._sessions() as db:
            return db.scalar(query) is not None

    def delivery_counts(self, announcement_id: int) -> dict[tuple[str, str, str], int]:
        """(platform, language, status) -> how many messages of a broadcast."""
        query = (select(OutboxMessage.platform, OutboxMessage.lang, OutboxMessage.status,
                        func.count())
                 .where(OutboxMessage.announcement_id == announcement_id,
                        OutboxMessage.kind == MessageKind.BROADCAST)
                 .group_by(OutboxMessage.platform, OutboxMessage.lang, OutboxMessage.status))
        with self._sessions() as db:
            return {(p, lang or "?", s): n for p, lang, s, n in db.execute(query)}
