"""The way in, for any platform: the inbox, per-person order, fair turns, a rate limit, and
patience while the database is away.

`InboxIntake` records updates in the inbox before the platform is told they arrived, queues
them, marks them done, renews this process's claims and takes over a dead process's.

Each person's updates are handled one after another, in order. Answering (the core, the
database) takes one of a few slots; sending the answer (which waits on the platform's pace
for that chat) happens outside the slots, so a person whose chat is being paced never holds
a slot someone else needs. Slots are granted first come, first served, so a person with many
updates takes a turn per update, between everyone else's.

A person sending more than `rate` updates in `per` seconds gets one "please slow down" and the
rest are dropped (and logged) until the rate falls again. An answer that fails because the
database cannot be reached is tried again, with growing pauses, for up to `patience` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Generic, TypeVar

from bot.app import Application
from bot.core.logids import who
from bot.core.messages import Incoming, Reply, TextReply
from bot.delivery.sender import decode, encode
from bot.language.i18n import N_, negotiate
from bot.storage.database import unreachable

log = logging.getLogger(__name__)

SLOTS = 4
RATE, PER = 5, 5.0
"""More than 5 updates in 5 seconds from one person is a flood."""
PRUNE_EVERY = 1000
PATIENCE = 120.0
"""How long an update waits for the database to come back before an apology."""
SLOW_DOWN = N_("You are sending messages faster than I can answer. Please wait a few seconds; "
               "I skipped the last ones.")
UNAVAILABLE = N_("Sorry, I cannot reach my records right now. Please ask again in a few "
                 "minutes.")

T = TypeVar("T")


class TryLater(Exception):
    """The answer could not be made for a passing reason (the database is away)."""


class Admission(Enum):
    ACCEPT = "accept"
    WARN = "warn"
    """Over the rate for the first time in this flood: answer with one "please slow down"."""
    DROP = "drop"


@dataclass
class _Person(Generic[T]):
    queue: deque[T] = field(default_factory=deque)
    recent: deque[float] = field(default_factory=deque)
    warned: bool = False
    task: asyncio.Task[None] | None = None


Answer = Callable[[T], Awaitable[Callable[[], Awaitable[None]]]]
"""Make the answer to an item (in a slot); returns how to send it (outside the slot)."""


class Intake(Generic[T]):
    def __init__(self, answer: Answer[T], give_up: Answer[T], *, slots: int = SLOTS,
                 rate: int = RATE, per: float = PER, patience: float = PATIENCE,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._answer, self._give_up = answer, give_up
        self._slots = asyncio.Semaphore(slots)
        self.rate, self.per, self.patience = rate, per, patience
        self._monotonic = monotonic
        self._people: dict[str, _Person[T]] = {}
        self._admitted = 0
        self.dropped = 0

    def admit(self, person: str) -> Admission:
        """Count an update from `person` against their rate."""
        now = self._monotonic()
        self._admitted += 1
        if self._admitted % PRUNE_EVERY == 0:
            self._forget_idle(now)
        state = self._people.setdefault(person, _Person())
        while state.recent and state.recent[0] <= now - self.per:
            state.recent.popleft()
        if len(state.recent) < self.rate:
            state.recent.append(now)
            state.warned = False
            return Admission.ACCEPT
        if state.warned:
            self.dropped += 1
            return Admission.DROP
        state.warned = True
        return Admission.WARN

    def _forget_idle(self, now: float) -> None:
        """Drop what is kept about people with nothing queued and no recent update."""
        for person, state in list(self._people.items()):
            if (state.task is None and not state.queue
                    and (not state.recent or state.recent[-1] <= now - self.per)):
                del self._people[person]

    def submit(self, person: str, item: T) -> None:
        """Queue an item behind the person's earlier ones."""
        state = self._people.setdefault(person, _Person())
        state.queue.append(item)
        if state.task is None:
            state.task = asyncio.create_task(self._serve(person, state))

    async def close(self) -> None:
        """Stop handling (what is left stays open in the inbox, for the next start)."""
        tasks = [p.task for p in self._people.values() if p.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._people.clear()

    @property
    def busy(self) -> int:
        """Items queued or in progress."""
        return sum(len(p.queue) for p in self._people.values())

    async def _serve(self, person: str, state: _Person[T]) -> None:
        try:
            while state.queue:
                item = state.queue[0]
                try:
                    send = await self._answer_patiently(item)
                    await send()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("intake: an update could not be handled; skipped")
                state.queue.popleft()
        finally:
            state.task = None
            if not state.queue and not state.recent:
                self._people.pop(person, None)

    async def _answer_patiently(self, item: T) -> Callable[[], Awaitable[None]]:
        deadline = self._monotonic() + self.patience
        pause = 0.25
        while True:
            async with self._slots:
                try:
                    return await self._answer(item)
                except TryLater as error:
                    reason = error
            if self._monotonic() + pause > deadline:
                log.error("intake: gave up after %g s (%s); apologising", self.patience, reason)
                async with self._slots:
                    return await self._give_up(item)
            log.warning("intake: cannot answer yet (%s); trying again in %g s", reason, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)


def fallback_text(app: Application, incoming: Incoming, message: str) -> TextReply:
    """A fixed message in the person's language, from what is known without failing: the
    language they chose (if the database answers), else their app's."""
    chosen = remembered = None
    try:
        user = app.store.users.known(incoming.platform, incoming.user_id)
        if user is not None:
            chosen, remembered = user.chosen_language, user.detected_language
    except Exception:  # the database is away: the app's language will do
        log.debug("intake: the person's language is not available", exc_info=True)
    lang = negotiate(app.conference.languages, chosen=chosen, remembered=remembered,
                     client=incoming.client_language)
    return TextReply(app.catalogue[lang].gettext(message))


KEEP_EVERY = 5.0
"""Seconds between renewing this process's inbox claims and taking over a dead one's."""


def utcnow() -> datetime:
    """Leases run on the real clock, whatever clock the programme is shown on (`--now`)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Pending:
    """An update taken from the inbox, to be answered (or, over the rate, told to slow down)."""

    update_id: int
    payload: str
    replies: str | None = None
    """Answered before a restart: these are sent, the update is not answered again."""
    slow_down: bool = False


class InboxIntake:
    """One platform's updates through the inbox into the intake."""

    def __init__(self, app: Application, platform: str, answer: Answer[Pending],
                 give_up: Answer[Pending], *, owner: str) -> None:
        self.app, self.platform, self.owner = app, platform, owner
        self.intake: Intake[Pending] = Intake(answer, give_up)
        self._open: set[int] = set()
        """Update ids queued in this process (never queued twice)."""

    def replies(self, item: Pending, incoming: Incoming,
                answer: Callable[[], list[Reply]] | None = None) -> list[Reply]:
        """What to send for an inbox item: the replies stored before a restart (never answered
        twice), the one "please slow down", or a fresh answer (`answer`, by default the
        application's), stored before it is sent. A database that cannot be reached raises
        TryLater: the intake waits and tries again."""
        if item.replies is not None:
            return decode(item.replies)
        if item.slow_down:
            return [fallback_text(self.app, incoming, SLOW_DOWN)]
        try:
            replies = (answer or (lambda: self.app.handle(incoming, patient=True)))()
            self.app.store.inbox.answered(self.platform, item.update_id, encode(replies))
        except Exception as error:
            if unreachable(error):
                raise TryLater(str(error).splitlines()[0]) from error
            raise
        return replies

    def take_in(self, rows: list[tuple[int, str, str]],
                uncounted: frozenset[int] = frozenset()) -> bool:
        """Record (update_id, person, payload) and queue the new ones; False when the database
        refused (then nothing may be acknowledged). Updates in `uncounted` (button taps: a
        finger's pace, and each wants its answer) are not counted against the person's rate."""
        inbox = self.app.store.inbox
        try:
            fresh = set(inbox.record(self.platform, rows, owner=self.owner, now=utcnow()))
        except Exception as error:
            log.warning("platform=%s: %d update(s) could not be recorded (%s); they are not "
                        "acknowledged and come again", self.platform, len(rows), error)
            return False
        dropped: list[int] = []
        flooders: set[str] = set()
        for update_id, person, payload in rows:
            if update_id not in fresh:
                log.info("platform=%s: update %d was delivered before; ignored",
                         self.platform, update_id)
                continue
            verdict = (Admission.ACCEPT if update_id in uncounted
                       else self.intake.admit(person))
            if verdict is Admission.DROP:
                dropped.append(update_id)
                flooders.add(person)
                continue
            self._submit(person, Pending(update_id, payload,
                                         slow_down=verdict is Admission.WARN))
        if dropped:
            log.warning("platform=%s: %d update(s) dropped from %s, over %d messages in %g s",
                        self.platform, len(dropped),
                        ", ".join(who(self.platform, p) for p in flooders),
                        self.intake.rate, self.intake.per)
        try:
            inbox.done_many(self.platform, dropped, dropped=True)
        except Exception as error:  # they stay open: handled after a restart, at worst
            log.warning("platform=%s: dropped updates not marked (%s)", self.platform, error)
        return True

    def _submit(self, person: str, item: Pending) -> None:
        if item.update_id in self._open:
            return
        self._open.add(item.update_id)
        self.intake.submit(person, item)

    def take_over(self, *, everything: bool = False) -> int:
        """Queue the open updates of the inbox nobody handles (a process died); with
        `everything`, all open ones (the single poller starting)."""
        try:
            items = self.app.store.inbox.take_over(self.platform, self.owner, utcnow(),
                                                   everything=everything)
        except Exception as error:
            log.warning("platform=%s: the inbox cannot be read (%s)", self.platform, error)
            return 0
        for item in items:
            self._submit(item.person, Pending(item.update_id, item.payload, item.replies))
        if items:
            log.warning("platform=%s: %d update(s) taken from the inbox, left open by a "
                        "stopped process", self.platform, len(items))
        return len(items)

    async def keep(self) -> None:
        """Renew this process's claims on its open updates; take over a dead process's."""
        while True:
            await asyncio.sleep(KEEP_EVERY)
            try:
                self.app.store.inbox.renew(self.platform, self.owner, utcnow())
            except Exception as error:
                log.warning("platform=%s: inbox claims not renewed (%s)", self.platform, error)
                continue
            self.take_over()

    async def finish(self, update_id: int, *, dropped: bool = False) -> None:
        """Mark an update done, waiting for the database if it is away."""
        deadline = time.monotonic() + PATIENCE
        pause = 0.25
        while not self._finish_now(update_id, dropped=dropped):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)
        self._open.discard(update_id)

    def _finish_now(self, update_id: int, *, dropped: bool = False) -> bool:
        try:
            self.app.store.inbox.done(self.platform, update_id, dropped=dropped)
            return True
        except Exception as error:
            log.warning("platform=%s: update %d not marked done (%s)", self.platform,
                        update_id, error)
            return False

    async def close(self) -> None:
        """Stop handling; what is left stays open in the inbox, for the next start."""
        await self.intake.close()
        self._open.clear()
