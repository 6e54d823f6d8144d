"""Database tables. Times are stored in UTC.

One job, the schema, so one module above ~350 lines: every table (22) beside the others on
one declarative base, which the Alembic migrations, /privacy's column list and /forget are
checked against; each concern's behaviour lives in its own store (bot/storage/*).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, UTC in the column on every database
    (SQLite would otherwise drop the offset and keep the local clock time)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: every stored time must be aware")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

DEFAULT_REMINDER_MINUTES = 15
CLIENT_LANGUAGE_LENGTH = 16


class Base(DeclarativeBase):
    pass


class User(Base):
    """A person on one platform, what the bot remembers about their language, and where to
    reach them with pushed messages."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_users_platform_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    chosen_language: Mapped[str | None] = mapped_column(String(8))
    detected_language: Mapped[str | None] = mapped_column(String(8))
    client_language: Mapped[str | None] = mapped_column(String(CLIENT_LANGUAGE_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    chat_id: Mapped[str | None] = mapped_column(String(255))
    """The private chat where pushed messages go (a Telegram chat, a Matrix DM room)."""
    reminder_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_REMINDER_MINUTES,
                                                  server_default=str(DEFAULT_REMINDER_MINUTES))
    """How long before a session to remind; 0 means reminders are off."""
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    """False once the platform says the person blocked the bot: nothing more is sent."""


class Subscription(Base):
    """A person asked to be reminded of a session (by its stable id)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "session_id", name="uq_subscription"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """One pushed message to one recipient: a reminder, a change notice, a broadcast.

    The dedupe key makes enqueueing idempotent, so a restart or a second process never
    queues the same message twice; the status and attempts tell what happened to it.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_announcement_status", "announcement_id", "status"),
                      Index("ix_outbox_due", "platform", "status", "not_before"))

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(16), index=True)
    chat_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    payload: Mapped[str] = mapped_column(Text)
    """The replies, rendered in the recipient's language when queued (JSON)."""
    status: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    """queued, sending, sent, failed, blocked, expired."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """After this moment the message is pointless (a reminder for a session that began)."""
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lang: Mapped[str | None] = mapped_column(String(8))
    """The language the message was rendered in (for delivery reports)."""
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcements.id", ondelete="SET NULL"), index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """While `sending`: the claim's lease. A row still `sending` after it was claimed by a
    process that died, and is taken again."""
    claim_token: Mapped[str | None] = mapped_column(String(32))
    """Who claimed the row: only that sender may record its outcome."""


class SeenUpdate(Base):
    """A platform update already taken in (Telegram retries webhook deliveries, and with
    webhooks any process may receive one): the second delivery is ignored."""

    __tablename__ = "seen_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class InboxUpdate(Base):
    """A platform update recorded before it is acknowledged, handled from here and kept (its
    text blanked) for a day once done, so a repeated delivery is answered at most once."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_open", "platform", "status", "claimed_until"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person: Mapped[str] = mapped_column(String(255), index=True)
    """Who sent it (the platform user id): their updates are handled in order."""
    payload: Mapped[str] = mapped_column(Text)
    """The update as the platform sent it (JSON); blanked once done."""
    status: Mapped[str] = mapped_column(String(16))
    """received, answered (the replies are kept, not yet all sent), done, dropped."""
    replies: Mapped[str | None] = mapped_column(Text)
    """The replies (JSON) between handling and sending: a crash in between sends them, never
    handles the update twice."""
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    """The process handling it."""
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """The owner's lease, renewed while it runs; after it another process takes the update."""


class State(Base):
    """Small named values the bot keeps between runs (the programme snapshot, sync tokens)."""

    __tablename__ = "state"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    """Up to 512: a Matrix key holds the bot's user id, which may be 255 bytes long."""
    value: Mapped[str] = mapped_column(Text)


class Announcement(Base):
    """An organiser's broadcast: its language versions, audience, author and outcome."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_platform: Mapped[str] = mapped_column(String(16))
    author_chat: Mapped[str | None] = mapped_column(String(255))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    texts: Mapped[str] = mapped_column(Text)
    """JSON {language: text}; languages without a version fall back to `source_language`."""
    source_language: Mapped[str] = mapped_column(String(8))
    audience: Mapped[str] = mapped_column(String(64))
    """all | lang:uk | session:s12 | platform:telegram"""
    status: Mapped[str] = mapped_column(String(16))
    """draft, queued, done, cancelled."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UnansweredQuestion(Base):
    """A question the bot could not place, kept for organisers without who asked it."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(8))
    """The language it was written in (ru for Russian, though answered in Ukrainian)."""
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ShownNotice(Base):
    """A one-time note a person has already been shown (e.g. 'I answer in Ukrainian')."""

    __tablename__ = "shown_notices"
    __table_args__ = (UniqueConstraint("user_id", "notice", name="uq_shown_notice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    notice: Mapped[str] = mapped_column(String(32))


class MatrixKey(Base):
    """One item of the Matrix end-to-end key store (olm account, olm and megolm sessions,
    devices, trust), per bot account and device, so the keys live where the data lives."""

    __tablename__ = "matrix_keys"

    owner: Mapped[str] = mapped_column(String(255), primary_key=True)
    """The bot's user id and device id: `@confbot:example.org/ABCDEFGH`."""
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    """account, olm, megolm, device, room, key_request, trust."""
    name: Mapped[str] = mapped_column(String(512), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    """JSON; pickles are encrypted with the pickle key."""


class LiveEdit(Base):
    """An organiser's change to one aspect of one session, laid over `data/` (one row per
    session and aspect: time, place, cancelled, note)."""

    __tablename__ = "live_edits"
    __table_args__ = (UniqueConstraint("session_id", "aspect", name="uq_live_edits_aspect"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(32), index=True)
    aspect: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    """JSON."""
    author: Mapped[str] = mapped_column(String(255))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Question(Base):
    """A question put to a session (Q&A): anonymous to all but organisers and moderators."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_session_status", "session_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    """Who asked (None once they were forgotten: the question stays)."""
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    """pending, approved, rejected, answered."""
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class QuestionVote(Base):
    """One person's vote for one question (at most one: the unique constraint counts it once,
    whichever process takes it)."""

    __tablename__ = "question_votes"
    __table_args__ = (UniqueConstraint("question_id", "user_id", name="uq_question_vote"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"),
                                             index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Rating(Base):
    """How a person found a session (1–5), with an optional comment; one per person and
    session (a later rating replaces it)."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("user_id", "session_id", name="uq_rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    """None once the retention rule anonymised it."""
    session_id: Mapped[str] = mapped_column(String(32), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(8))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedbackOff(Base):
    """A person who switched the rating prompts off (/feedback off)."""

    __tablename__ = "feedback_off"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
class WebLogin(Base):
    """A one-time sign-in link of the organisers' web console, kept only as a hash of its
    token; valid ten minutes, used once."""

    __tablename__ = "web_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person: Mapped[str] = mapped_column(String(255), index=True)
    """platform:id of the organiser it was made for."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in organiser's browser: the hash of its cookie, its CSRF token, the day it
    lasts."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person: Mapped[str] = mapped_column(String(255), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConsoleTopic(Base):
    """Practical information an organiser added in the web console to answer what people
    asked in vain; laid over `data/info.yaml` like a live edit."""

    __tablename__ = "console_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    """JSON {language: text}."""
    body: Mapped[str] = mapped_column(Text)
    """JSON {language: text}."""
    keywords: Mapped[str] = mapped_column(Text)
    """JSON {language: [phrase, …]}: the questions it answers."""
    author: Mapped[str] = mapped_column(String(255))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LiveEditChange(Base):
    """The history of the live edits: every edit made or taken back, in order (the console's
    Programme page shows it)."""

    __tablename__ = "live_edit_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(32), index=True)
    aspect: Mapped[str] = mapped_column(String(16))
    """time | place | cancelled | note, or `all` when every edit of the session was undone."""
    value: Mapped[str | None] = mapped_column(Text)
    """JSON of the new value; None when the edit was taken back."""
    author: Mapped[str] = mapped_column(String(255))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
class DialogueState(Base):
    """What the last answers in one conversation were about, so a follow-up ("and where?")
    can lean on them; it expires after a quiet while."""

    __tablename__ = "dialogue_state"
    __table_args__ = (UniqueConstraint("user_id", "chat_id", name="uq_dialogue_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[str] = mapped_column(String(255))
    sessions: Mapped[str] = mapped_column(String(255), default="")
    people: Mapped[str] = mapped_column(String(255), default="")
    places: Mapped[str] = mapped_column(String(255), default="")
    moment: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    asked: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
