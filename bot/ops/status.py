"""`confbot status`: which processes run (the leader, the standbys), what waits in the
outbox, when the last message went out. A health check: exit status 1 without a live leader.
It reads only: it never creates a database nor changes a schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bot.ops.leadership import PROCESS_PREFIX
from bot.ops.logs import safe_url
from bot.storage import Store
from bot.storage.database import current_revision, head_revision

STALE = timedelta(seconds=20)
"""A process whose heartbeat (every 5 s) is older than this is taken for dead."""


@dataclass(frozen=True)
class DatabaseState:
    problem: str | None
    """Why the database cannot be used as it is (None: it can)."""
    revision: str | None = None
    head: str | None = None


def inspect_database(url: str) -> DatabaseState:
    """Is the database there, reachable, and at the newest migration? Never creates it (a
    missing SQLite file stays missing) and never migrates it."""
    parsed = make_url(url)
    head = head_revision()
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database or "")
        if not path.is_file():
            return DatabaseState(f"no database file at {path.resolve()} (DATABASE_URL; start "
                                 "the bot or run `confbot migrate` from the folder it runs in)",
                                 head=head)
    engine = create_engine(url, poolclass=NullPool)
    try:
        revision = current_revision(engine)
    except Exception as error:
        first = str(error).splitlines()[0] if str(error) else ""
        return DatabaseState(f"{safe_url(url)} cannot be reached ({error.__class__.__name__}: "
                             f"{first})", head=head)
    finally:
        engine.dispose()
    if revision is None:
        return DatabaseState(f"{safe_url(url)} is empty: run `confbot migrate`", head=head)
    return DatabaseState(None, revision, head)


def print_status(database_url: str, zone: tzinfo = UTC, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    state = inspect_database(database_url)
    if state.problem is not None:
        print(f"Database: {state.problem}")
        print("Leader: NONE")
        return 1
    if state.revision != state.head:
        print(f"Database: schema at {state.revision}, this program expects {state.head} "
              "(run `confbot migrate`)")
    store = Store(database_url, migrate=False)
    try:
        processes = store.state.items(PROCESS_PREFIX)
        backlog = store.outbox.backlog()
        last_sent = store.outbox.last_sent()
    finally:
        store.engine.dispose()
    leaders = 0
    if not processes:
        print("No confbot process is running.")
    else:
        print(f"{'process':50} {'role':8} state, last heartbeat ({zone})")
    for key, value in sorted(processes.items()):
        beat = json.loads(value)
        seen = datetime.fromisoformat(beat["seen"])
        alive = now - seen <= STALE
        leaders += alive and beat["role"] == "leader"
        print(f"{key.removeprefix(PROCESS_PREFIX):50} {beat['role']:8} "
              f"{'alive' if alive else 'silent'}, {seen.astimezone(zone):%Y-%m-%d %H:%M:%S}")
    if not backlog:
        print("Outbox: nothing waiting.")
    for platform, count in sorted(backlog.items()):
        print(f"Outbox {platform}: {count} message(s) waiting")
    for platform, when in sorted(last_sent.items()):
        print(f"Last delivery {platform}: {when.astimezone(zone):%Y-%m-%d %H:%M:%S %Z}")
    print(f"Leader: {'yes' if leaders else 'NONE'}")
    return 0 if leaders else 1
