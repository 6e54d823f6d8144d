"""The engine, its connection settings, and the Alembic migrations that shape the schema."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x636F6E666D6967  # "confmig": one migrating process per database


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
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


@contextlib.contextmanager
def _sqlite_lock(engine: Engine) -> Iterator[None]:
    """An exclusive `flock` on a file beside the database file (none for an in-memory one)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    with open(f"{database}.migrate.lock", "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine) -> None:
    """Bring the database schema to the newest migration, under a lock, so that any number of
    processes may start at the same instant: on PostgreSQL a transaction-scoped advisory lock
    (the others wait, then find the schema current), on SQLite a file lock."""
    config = alembic_config(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": MIGRATION_LOCK_KEY})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return
    with _sqlite_lock(engine), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def head_revision() -> str | None:
    """The newest migration this program knows."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None: an empty database); reads, never writes."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def rows_affected(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed."""
    return result.rowcount if isinstance(result, CursorResult) else 0


def unreachable(error: BaseException) -> bool:
    """Is this the database being away (a lost or refused connection), rather than a bug?"""
    if not isinstance(error, DBAPIError):
        return False
    return bool(error.connection_invalidated) or type(error.orig).__name__ in (
        "OperationalError", "InterfaceError", "AdminShutdown", "ConnectionFailure",
        "ConnectionException", "CannotConnectNow")
