"""The engine, its connection settings, and the Alembic migrations that shape the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


def upgrade(engine: Engine) -> None:
    """Bring the database schema to the newest migration."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


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
