"""Running the bot: transports, the reminder scheduler, outbox senders, the data watcher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC
from pathlib import Path
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import Application
from bot.broadcasts import finish
from bot.dataload import DataError, load_conference
from bot.messages import Address, Reply
from bot.outbox import OutboxSender
from bot.storage import MessageKind, OutboxRecord
from bot.storage.erasure import purge

log = logging.getLogger(__name__)


class Transport(Protocol):
    platform: str
    outbox_chat: str | None
    """Restrict delivery to one chat (the console), or None for every chat of the platform."""

    async def run(self) -> None:
        """Receive messages until the transport ends (end of input, or cancellation)."""

    async def deliver(self, address: Address, replies: list[Reply],
                      message_id: int | None = None) -> None:
        """Send pushed replies; raise outbox.DeliveryError or outbox.RecipientGone."""


def data_fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the data files: cheap to compare."""
    return tuple(sorted((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
                        for p in folder.rglob("*.yaml")))


async def watch_data(app: Application, folder: Path, stop: asyncio.Event,
                     on_reload: Callable[[], None], every: float = 2.0) -> None:
    """Reload the programme when the data files change; keep the old one if the new is bad.
    Also serve the organisers' live edits when another process changed them."""
    seen = data_fingerprint(folder)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
        current = data_fingerprint(folder)
        if current == seen:
            if app.store.edits.version() != app.overlay_version:
                app.refresh_overlay()
                log.info("live edits changed: %d session(s) edited",
                         len({e.session_id for e in app.store.edits.all()}))
                on_reload()
            continue
        seen = current
        try:
            conference, lexicon = load_conference(folder)
        except DataError as error:
            log.error("data changed but the reload was refused; still serving the previous "
                      "programme. %s", error)
            continue
        app.replace_programme(conference, lexicon)
        log.info("data reloaded from %s: %d sessions", folder, len(conference.sessions))
        on_reload()


def after_delivery(app: Application) -> Callable[[OutboxRecord], None]:
    """What follows a message reaching its final status: a broadcast may be complete."""

    def delivered(message: OutboxRecord) -> None:
        if message.kind == MessageKind.BROADCAST and message.announcement_id is not None:
            finish(app, message.announcement_id)

    return delivered


async def flush_soft_changes(app: Application, stop: asyncio.Event,
                             every: float = 1.0) -> None:
    """Write last-seen times and message languages once a second, and once more at the end."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
        app.store.users.flush_soft_changes()


Watcher = Callable[[Application, asyncio.Event, Callable[[], None]], Coroutine[Any, Any, None]]
"""A background check for a new programme (e.g. a schedule URL): (app, stop, on_reload)."""


def run_retention(app: Application) -> dict[str, int]:
    """Apply the retention rule now (at start and daily): see bot.storage.erasure.purge."""
    counts = purge(app.store, now=app.clock.now(),
                   deletion_due=app.privacy.deletion_due(app.conference.ends))
    if any(counts.values()):
        log.info("retention: %s", ", ".join(f"{what} {n}" for what, n in counts.items() if n))
    return counts


async def _retention_job(app: Application) -> None:
    try:
        run_retention(app)
    except Exception:
        log.exception("retention: failed; trying again tomorrow")


async def serve(app: Application, transports: list[Transport], *,
                data_dir: Path | None = None, watchers: Sequence[Watcher] = ()) -> None:
    """Run until every transport ends: deliver pushed messages and fire reminders meanwhile."""
    stop = asyncio.Event()
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start()
    senders = [OutboxSender(app.store, app.clock, t.platform, t.deliver, chat_id=t.outbox_chat,
                            on_done=after_delivery(app))
               for t in transports]

    def wake_all() -> None:
        for sender in senders:
            sender.wake()

    requeued = app.store.outbox.requeue_interrupted()
    if requeued:
        log.warning("%d message(s) were being sent when the bot stopped; queued again", requeued)
    await _retention_job(app)
    scheduler.add_job(_retention_job, "interval", days=1, args=[app], id="retention",
                      misfire_grace_time=3600, coalesce=True)
    loaded = app.store.preload()
    log.info("%d known user(s) loaded", loaded)
    app.on_queued = wake_all
    app.reminders.attach(scheduler)
    app.reminders.refresh()
    background = [asyncio.create_task(sender.run(stop)) for sender in senders]
    if data_dir is not None:
        background.append(asyncio.create_task(watch_data(app, data_dir, stop, wake_all)))
    background.extend(asyncio.create_task(watch(app, stop, wake_all)) for watch in watchers)
    background.append(asyncio.create_task(flush_soft_changes(app, stop)))
    try:
        await asyncio.gather(*(transport.run() for transport in transports))
        for sender in senders:  # deliver what is due before leaving
            await sender.drain_once()
    finally:
        stop.set()
        scheduler.shutdown(wait=False)
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
