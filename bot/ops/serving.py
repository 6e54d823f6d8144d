"""Running the bot: transports, the reminder scheduler, outbox senders, the data watcher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import Application
from bot.core.messages import Address, Reply
from bot.delivery.broadcasts import finish
from bot.delivery.feedback_prompts import TICK_SECONDS
from bot.delivery.sender import OutboxSender
from bot.ops import metrics, wakeup
from bot.ops.leadership import (
    PROCESS_PREFIX,
    AlwaysLeader,
    Leadership,
    heartbeat,
    process_name,
)
from bot.ops.startup import StartupError
from bot.ops.watcher import watch_data, watch_edits
from bot.storage import MessageKind, OutboxRecord
from bot.storage.erasure import purge

if TYPE_CHECKING:
    from bot.web.server import HttpServer

log = logging.getLogger(__name__)

RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Seconds before a failed background task is started again (then every 30 s)."""


async def supervised(name: str, start: Callable[[], Coroutine[Any, Any, None]],
                     stop: asyncio.Event,
                     delays: Sequence[float] = RESTART_DELAYS) -> None:
    """Run a background task; when it fails, log it and start it again after a pause, until
    `stop`. A task that returns is done."""
    failures = 0
    while not stop.is_set():
        try:
            await start()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            delay = delays[min(failures, len(delays) - 1)]
            failures += 1
            log.exception("%s failed (%d time(s)); restarting it in %g s", name, failures,
                          delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)


class Transport(Protocol):
    platform: str
    outbox_chat: str | None
    """Restrict delivery to one chat (the console), or None for every chat of the platform."""

    async def run(self) -> None:
        """Receive messages until the transport ends (end of input, or cancellation)."""

    async def deliver(self, address: Address, replies: list[Reply],
                      message_id: int | None = None) -> None:
        """Send pushed replies; raise outbox.DeliveryError or outbox.RecipientGone."""


def after_delivery(app: Application) -> Callable[[OutboxRecord], None]:
    """What follows a message reaching its final status: a broadcast may be complete."""

    def delivered(message: OutboxRecord) -> None:
        if message.kind == MessageKind.BROADCAST and message.announcement_id is not None:
            finish(app, message.announcement_id)

    return delivered


async def flush_soft_changes(app: Application, stop: asyncio.Event,
                             every: float = 1.0) -> None:
    """Write last-seen times and message languages once a second, and once more at the end;
    a failed write is logged and tried again (the changes wait), never the end of the task."""
    failing = False
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
        try:
            app.store.users.flush_soft_changes()
        except Exception as error:
            if not failing:
                log.warning("last-seen times and languages not written (%s); trying again "
                            "every %g s", str(error).splitlines()[0], every)
            failing = True
        else:
            if failing:
                log.info("last-seen times and languages written again")
            failing = False


class LeadershipLost(Exception):
    """Kept for bot.cli: serve no longer raises it (a leader that loses its lock stands by)."""


async def start_transport(transport: Transport) -> None:
    """Run a transport; a failure before it is ready (its `ready` event unset) is a start-up
    failure: one line naming the platform, exit status 2 (see bot.cli)."""
    try:
        await transport.run()
    except (StartupError, asyncio.CancelledError):
        raise
    except Exception as error:
        ready = getattr(transport, "ready", None)
        if isinstance(ready, asyncio.Event) and not ready.is_set():
            raise StartupError(transport.platform,
                               f"{error.__class__.__name__}: {error}") from error
        raise


def needs_leader(transport: Transport) -> bool:
    """Does this transport receive only in the leader? (Telegram long polling, Matrix sync:
    two receivers would answer everything twice. Telegram webhooks: any process receives.)"""
    return bool(getattr(transport, "needs_leader", True))


HEARTBEAT_SECONDS = 5.0


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
                data_dir: Path | None = None, watchers: Sequence[Watcher] = (),
                leadership: Leadership | None = None, elect_every: float = 1.0,
                http: HttpServer | None = None) -> None:
    """Run until every transport ends: deliver pushed messages and fire reminders meanwhile.

    Only the leader (see bot.ops.leadership) runs the scheduler (reminders, retention), the outbox
    senders and the transports that must not run twice; a standby receives webhook updates
    and answers them, and takes over when the leader stops. A leader that loses its lock (the
    database went away) stops all that at once, becomes a standby, and leads again when it
    can. Every process watches the data and the live edits, so each answers from the current
    programme. Every background task is supervised (logged and restarted when it fails).
    `http`, when given, gets the health and metrics routes and runs from before the
    transports start until they end.
    """
    leadership = leadership or AlwaysLeader()
    stop = asyncio.Event()
    leading = asyncio.Event()
    demoted = asyncio.Event()
    leader_tasks: list[asyncio.Task[None]] = []
    scheduler = AsyncIOScheduler(timezone=UTC)
    senders = [OutboxSender(app.store, app.clock, t.platform, t.deliver, chat_id=t.outbox_chat,
                            on_done=after_delivery(app))
               for t in transports]
    gated = [t for t in transports if needs_leader(t)]
    anywhere = [t for t in transports if not needs_leader(t)]
    background: list[asyncio.Task[None]] = []
    name = process_name()
    # every transport answers through app.handle: count and time it there (/metrics)
    if not hasattr(app.handle, "__wrapped__"):
        setattr(app, "handle", metrics.timed(app.handle))  # noqa: B010
    for transport in transports:  # e.g. Telegram webhooks: only the leader calls setWebhook
        if hasattr(transport, "leading"):
            transport.leading = leading

    def keep(what: str, start: Callable[[], Coroutine[Any, Any, None]]) -> None:
        background.append(asyncio.create_task(supervised(what, start, stop)))

    def wake_all() -> None:
        for sender in senders:
            sender.wake()

    def become_leader() -> None:
        demoted.clear()
        leading.set()
        metrics.LEADER.set(1)
        if scheduler.running:
            scheduler.resume()
        else:
            scheduler.start()
            app.reminders.attach(scheduler)
            scheduler.add_job(_retention_job, "interval", days=1, args=[app], id="retention",
                              misfire_grace_time=3600, coalesce=True)
            scheduler.add_job(app.feedback_prompts.tick, "interval", seconds=TICK_SECONDS,
                              id="feedback-prompts", misfire_grace_time=None, coalesce=True)
        app.reminders.refresh()
        leader_tasks.append(asyncio.create_task(_retention_job(app)))
        leader_tasks.extend(
            asyncio.create_task(supervised(f"the {sender.platform} outbox sender",
                                           lambda sender=sender: sender.run(stop),  # type: ignore[misc]
                                           stop))
            for sender in senders)

    async def step_down() -> None:
        """The lock is gone (another process may lead now): stop what only a leader does."""
        leading.clear()
        demoted.set()
        metrics.LEADER.set(0)
        if scheduler.running:
            scheduler.pause()
        for task in leader_tasks:
            task.cancel()
        await asyncio.gather(*leader_tasks, return_exceptions=True)
        leader_tasks.clear()

    def beat(role: str) -> None:
        try:
            app.store.state.set(f"{PROCESS_PREFIX}{name}", heartbeat(role, datetime.now(UTC)))
        except Exception:
            log.warning("could not record this process's heartbeat", exc_info=True)

    async def elect() -> None:
        last_beat = 0.0
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=elect_every)
            if stop.is_set():
                return
            if leading.is_set():
                if not await asyncio.to_thread(leadership.held):
                    log.error("leadership: LOST by %s; standing by (nothing a leader does runs "
                              "here until it leads again)", name)
                    await step_down()
            elif await asyncio.to_thread(leadership.try_acquire):
                log.warning("leadership: %s is now the LEADER (took over; %s)", name,
                            leadership.description)
                become_leader()
                last_beat = 0.0
            loop_time = asyncio.get_running_loop().time()
            if loop_time - last_beat >= HEARTBEAT_SECONDS:
                last_beat = loop_time
                await asyncio.to_thread(beat, "leader" if leading.is_set() else "standby")

    async def lead() -> None:
        """Run the leader's transports while leading; stop them when leadership is lost."""
        while True:
            await leading.wait()
            running_gated: asyncio.Future[list[None]] = asyncio.ensure_future(
                asyncio.gather(*(start_transport(transport) for transport in gated)))
            lost: asyncio.Future[Any] = asyncio.ensure_future(demoted.wait())
            await asyncio.wait([running_gated, lost], return_when=asyncio.FIRST_COMPLETED)
            lost.cancel()
            if running_gated.done():
                running_gated.result()
                return
            running_gated.cancel()
            await asyncio.gather(running_gated, return_exceptions=True)

    if http is not None:
        http.add_health(app.store, lambda: "leader" if leading.is_set() else "standby")
        await http.start()

    def queued() -> None:
        wake_all()
        if not leading.is_set():  # the leader's senders are in another process: wake them
            wakeup.publish(app.store.engine)

    app.on_queued = queued
    keep("the outbox wake-up", lambda: wakeup.watch_queue(app.store.engine, stop, wake_all))
    keep("the live-edits watcher", lambda: watch_edits(app, stop, wake_all))
    if data_dir is not None:
        folder = data_dir
        keep("the data watcher", lambda: watch_data(app, folder, stop, wake_all))
    for watch in watchers:
        keep("the schedule watcher",
             lambda watch=watch: watch(app, stop, wake_all))  # type: ignore[misc]
    if leadership.try_acquire():
        log.info("leadership: %s is the leader (%s)", name, leadership.description)
        become_leader()
    else:
        log.warning("leadership: %s is a STANDBY; another process leads (%s)", name,
                    leadership.description)
    beat("leader" if leading.is_set() else "standby")
    keep("the last-seen writer", lambda: flush_soft_changes(app, stop))
    electing = asyncio.create_task(elect())
    running: list[Coroutine[Any, Any, None]] = [start_transport(t) for t in anywhere]
    if gated:
        running.append(lead())
    main: asyncio.Future[list[None]] = asyncio.ensure_future(asyncio.gather(*running))
    try:
        waiting: set[asyncio.Future[Any]] = {main, electing}
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if electing in done and electing.exception() is not None:
            main.cancel()
            await asyncio.gather(main, return_exceptions=True)
            electing.result()
        await main
        if leading.is_set():
            for sender in senders:  # deliver what is due before leaving
                await sender.drain_once()
    finally:
        stop.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)
        tasks: list[asyncio.Future[Any]] = [*background, *leader_tasks, electing, main]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if leading.is_set():
            log.info("leadership: %s stops leading", name)
        metrics.LEADER.set(0)
        leadership.release()
        if http is not None:
            await http.stop()
        with contextlib.suppress(Exception):
            app.store.state.delete(f"{PROCESS_PREFIX}{name}")
