"""The organisers' web console: one-time sign-in links and browser sessions (only hashes of
their tokens are kept), and the information topics organisers add from the console."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.database import rows_affected
from bot.storage.edits import bump_version
from bot.storage.models import ConsoleTopic, WebLogin, WebSession

LOGIN_VALID = timedelta(minutes=10)
LOGIN_PATH = "/console/login#"
"""Where a sign-in link points, under the public URL: LOGIN_PATH + token. The token is in
the fragment, which browsers never send: no server or proxy log can hold it."""


def token_hash(token: str) -> str:
    """What is stored of a secret token: its SHA-256 (a leaked table lets nobody in)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class WebSessionRecord:
    person: str
    """platform:id"""
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class TopicRecord:
    topic_id: str
    title: dict[str, str]
    body: dict[str, str]
    keywords: dict[str, list[str]]
    author: str
    made_at: datetime


class ConsoleStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # --- sign-in --------------------------------------------------------------------------

    def create_login(self, person: str, now: datetime) -> str:
        """A new one-time token for `person` (returned once; only its hash is kept)."""
        token = secrets.token_urlsafe(32)
        with self._sessions() as db, db.begin():
            db.execute(delete(WebLogin).where(WebLogin.expires_at < now))
            db.add(WebLogin(token_hash=token_hash(token), person=person, created_at=now,
                            expires_at=now + LOGIN_VALID))
        return token

    def use_login(self, token: str, now: datetime) -> str | None:
        """Spend a one-time token: whom it was made for, or None when unknown, used or
        expired. Two browsers racing for one link: exactly one wins (a conditional UPDATE)."""
        digest = token_hash(token)
        with self._sessions() as db, db.begin():
            used = rows_affected(db.execute(
                update(WebLogin).where(WebLogin.token_hash == digest, WebLogin.used_at.is_(None),
                                       WebLogin.expires_at > now).values(used_at=now)))
            if not used:
                return None
            return db.scalar(select(WebLogin.person).where(WebLogin.token_hash == digest))

    def start_session(self, person: str, now: datetime, until: datetime) -> tuple[str, str]:
        """A browser session for `person` until `until`: (cookie token, CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with self._sessions() as db, db.begin():
            db.execute(delete(WebSession).where(WebSession.expires_at < now))
            db.add(WebSession(token_hash=token_hash(token), person=person, csrf=csrf,
                              created_at=now, expires_at=until))
        return token, csrf

    def session(self, token: str, now: datetime) -> WebSessionRecord | None:
        """The live session of a cookie token, or None (unknown, ended or expired)."""
        with self._sessions() as db:
            row = db.scalars(select(WebSession).where(
                WebSession.token_hash == token_hash(token), WebSession.ended_at.is_(None),
                WebSession.expires_at > now)).first()
            return WebSessionRecord(row.person, row.csrf, row.expires_at) if row else None

    def end_session(self, token: str, now: datetime) -> bool:
        with self._sessions() as db, db.begin():
            return rows_affected(db.execute(
                update(WebSession).where(WebSession.token_hash == token_hash(token),
                                         WebSession.ended_at.is_(None))
                .values(ended_at=now))) > 0

    # --- topics ---------------------------------------------------------------------------

    def topics(self) -> list[TopicRecord]:
        with self._sessions() as db:
            rows = db.scalars(select(ConsoleTopic).order_by(ConsoleTopic.id)).all()
        return [TopicRecord(r.topic_id, json.loads(r.title), json.loads(r.body),
                            json.loads(r.keywords), r.author, r.made_at) for r in rows]

    def put_topic(self, topic: TopicRecord) -> None:
        """Add or replace a topic; every process serves it at its next look at the version."""
        values = {"title": _json(topic.title), "body": _json(topic.body),
                  "keywords": _json(topic.keywords), "author": topic.author,
                  "made_at": topic.made_at}
        with self._sessions() as db, db.begin():
            row = db.scalars(select(ConsoleTopic).where(
                ConsoleTopic.topic_id == topic.topic_id)).first()
            if row is None:
                db.add(ConsoleTopic(topic_id=topic.topic_id, **values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
            bump_version(db)

    def remove_topic(self, topic_id: str) -> bool:
        with self._sessions() as db, db.begin():
            removed = rows_affected(db.execute(
                delete(ConsoleTopic).where(ConsoleTopic.topic_id == topic_id)))
            if removed:
                bump_version(db)
            return removed > 0


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
