"""Waking the outbox senders when another process queued something (`confbot announce`, a
standby answering an organiser's /send, `confbot reload`): PostgreSQL LISTEN/NOTIFY; on SQLite
a cheap look at the newest outbox id four times a second. Without it the senders would notice
only at their next idle poll."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sqlalchemy import Engine, func, select, text

from bot.storage.models import OutboxMessage

log = logging.getLogger(__name__)

CHANNEL = "confbot_outbox"
POLL_SECONDS = 0.25


def publish(engine: Engine) -> None:
    """Tell every process listening that outbox rows were queued (PostgreSQL; on SQLite the
    watchers see the new rows by themselves)."""
    if engine.dialect.name != "postgresql":
        return
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
            connection.commit()
    except Exception as error:  # the senders' idle poll still finds the rows
        log.warning("outbox: could not notify the other processes (%s)",
                    error.__class__.__name__)


async def watch_queue(engine: Engine, stop: asyncio.Event, wake: Callable[[], None],
                      ready: asyncio.Event | None = None) -> None:
    """Call `wake` whenever another process queued outbox rows, until `stop`; `ready` is set
    once it watches."""
    ready = ready or asyncio.Event()
    if engine.dialect.name == "postgresql":
        await _listen(engine, stop, wake, ready)
    elif engine.url.database not in (None, "", ":memory:"):
        await _poll(engine, stop, wake, ready)
    # an in-memory database lives in one process: nobody else queues


async def _listen(engine: Engine, stop: asyncio.Event, wake: Callable[[], None],
                  ready: asyncio.Event) -> None:
    import psycopg

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        await connection.execute(f"LISTEN {CHANNEL}")
        log.debug("outbox: listening for %s", CHANNEL)
        ready.set()
        while not stop.is_set():
            async for _ in connection.notifies(timeout=1.0, stop_after=1):
                wake()


async def _poll(engine: Engine, stop: asyncio.Event, wake: Callable[[], None],
                ready: asyncio.Event) -> None:
    def newest() -> int:
        with engine.connect() as connection:
            return int(connection.execute(select(func.max(OutboxMessage.id))).scalar() or 0)

    seen = await asyncio.to_thread(newest)
    ready.set()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=POLL_SECONDS)
        current = await asyncio.to_thread(newest)
        if current > seen:
            wake()
        seen = current
