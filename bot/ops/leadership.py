"""Which process is the leader: the one that runs the scheduler, the outbox senders, the data
watcher and (on Telegram with long polling) the poller. Any number of others stand by.

On PostgreSQL the leader holds a session advisory lock on a connection of its own, kept open;
when the process dies its connection closes and the server frees the lock at once (a dead
host: TCP keepalives, within about 11 seconds). On SQLite, which lives on one host, the
leader holds an `fcntl.flock` on a file beside the database. A standby tries every second.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

LOCK_KEY = 0x636F6E66626F74  # "confbot": one leader per database
PROCESS_PREFIX = "process:"
"""State keys of the running processes' heartbeats (`confbot status`)."""


class Leadership(Protocol):
    description: str

    def try_acquire(self) -> bool:
        """Become the leader if nobody is; True while this process is the leader."""

    def held(self) -> bool:
        """Is the leadership still ours? (False: the lock's connection was lost.)"""

    def release(self) -> None:
        """Stop leading (a standby takes over within about a second)."""


class AlwaysLeader:
    """One process by construction (the console, tests, an in-memory database)."""

    description = "single process"

    def try_acquire(self) -> bool:
        return True

    def held(self) -> bool:
        return True

    def release(self) -> None:
        """Nothing to release."""


class PostgresLeadership:
    """A session advisory lock (`pg_try_advisory_lock`) on a dedicated connection."""

    def __init__(self, url: str, key: int = LOCK_KEY) -> None:
        self.key = key
        self.description = f"PostgreSQL advisory lock {key}"
        self._engine: Engine = create_engine(url, poolclass=NullPool, connect_args={
            "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
            "keepalives_count": 3, "application_name": "confbot-leadership"})
        self._connection: Connection | None = None
        self._leader = False

    def _connect(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect().execution_options(
                isolation_level="AUTOCOMMIT")
        return self._connection

    def try_acquire(self) -> bool:
        if self._leader:
            return self.held()
        try:
            acquired = bool(self._connect().execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except Exception as error:
            log.warning("leadership: the database cannot be reached (%s)", error)
            self._drop()
            return False
        self._leader = acquired
        return acquired

    def held(self) -> bool:
        if not self._leader or self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            return True
        except Exception as error:
            log.error("leadership: the connection holding the lock was lost (%s)", error)
            self._drop()
            return False

    def _drop(self) -> None:
        self._leader = False
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except Exception:  # the connection is gone already
                log.debug("leadership: closing a lost connection failed", exc_info=True)
            self._connection = None

    def release(self) -> None:
        if self._connection is not None and self._leader:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                         {"key": self.key})
            except Exception:
                log.debug("leadership: unlock failed; closing frees it", exc_info=True)
        self._leader = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._engine.dispose()


class FileLeadership:
    """`fcntl.flock` on a file beside the SQLite database (one host by nature)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"lock file {path}"
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (kept open)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def leadership_for(url: str) -> Leadership:
    """The right kind of leadership for a database URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return PostgresLeadership(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return FileLeadership(Path(f"{parsed.database}.leader"))
    return AlwaysLeader()


def process_name() -> str:
    """This process, as `confbot status` names it: host and pid."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def heartbeat(role: str, now: datetime, **extra: object) -> str:
    return json.dumps({"role": role, "seen": now.isoformat(), **extra})
