"""The Store: the only way the core reads and writes the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import User

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class UserRecord:
    """A snapshot of a user row, safe to pass around outside a database session."""

    id: int
    platform: str
    external_id: str
    chosen_language: str | None
    detected_language: str | None
    client_language: str | None


def _record(user: User) -> UserRecord:
    return UserRecord(user.id, user.platform, user.external_id, user.chosen_language,
                      user.detected_language, user.client_language)


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


class Store:
    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()

    def touch_user(self, platform: str, external_id: str, *, now: datetime,
                   display_name: str | None = None, client_language: str | None = None
                   ) -> UserRecord:
        """Find or create a user, refreshing what their client tells us."""
        with self.session() as db, db.begin():
            user = db.scalar(select(User).where(User.platform == platform,
                                                User.external_id == external_id))
            if user is None:
                user = User(platform=platform, external_id=external_id, created_at=now)
                db.add(user)
            user.last_seen_at = now.astimezone(UTC)
            if display_name:
                user.display_name = display_name
            if client_language:
                user.client_language = client_language
            db.flush()
            return _record(user)

    def set_language(self, user_id: int, *, chosen: str | None = None,
                     detected: str | None = None, clear_choice: bool = False) -> None:
        with self.session() as db, db.begin():
            user = db.get(User, user_id)
            if user is None:
                return
            if chosen:
                user.chosen_language = chosen
            if clear_choice:
                user.chosen_language = None
            if detected:
                user.detected_language = detected

    def count_users(self) -> int:
        with self.session() as db:
            return len(db.scalars(select(User.id)).all())
