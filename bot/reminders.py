"""Reminders derived from stored subscriptions, fired by APScheduler, queued in the outbox.

The database is the source of truth: a reminder is due when `start - lead <= now < start`
and no outbox row has its dedupe key yet. `tick()` queues every due reminder, so running it
at any moment (after a restart, twice, from two processes) neither loses nor repeats one;
APScheduler only decides *when* to run it. A reminder missed while the bot was down is still
sent if the session has not started, and dropped once it has.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.outbox import encode
from bot.programme import Session

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.app import Application

log = logging.getLogger(__name__)

JOB_PREFIX = "reminders@"
LEAD_CHOICES = (5, 10, 15, 30, 60)


def reminder_key(user_id: int, session: Session) -> str:
    """One reminder per person, session and start time: a moved session gets a new one."""
    return f"reminder:{user_id}:{session.id}:{session.span[0].astimezone(UTC).isoformat()}"


class Reminders:
    def __init__(self, app: Application) -> None:
        self.app = app
        self.scheduler: AsyncIOScheduler | None = None

    def attach(self, scheduler: AsyncIOScheduler) -> None:
        """Run inside an event loop: fire ticks at the due moments."""
        self.scheduler = scheduler

    def tick(self) -> int:
        """Queue every reminder that is due now; return how many were queued."""
        app = self.app
        now = app.clock.now()
        queued = 0
        for user, session_id in app.store.subscribers():
            session = app.conference.sessions.get(session_id)
            if (session is None or not session.times_announced or user.reminder_minutes <= 0
                    or not user.chat_id):
                continue
            start = session.span[0]
            if not start - timedelta(minutes=user.reminder_minutes) <= now < start:
                continue
            key = reminder_key(user.id, session)
            if app.store.has_message(key):
                continue
            ctx = app.context_for(user)
            previous = self._previous(user.id, session)
            replies = app.messages.reminder(ctx, session, previous)
            if app.store.enqueue(dedupe_key=key, kind="reminder", platform=user.platform,
                                 chat_id=user.chat_id, user_id=user.id, payload=encode(replies),
                                 now=now, expires_at=start):
                queued += 1
                log.info("platform=%s user=%s: reminder for %s queued (starts %s)",
                         user.platform, user.external_id, session.id, start.isoformat())
        if queued:
            app.notify_queued()
        return queued

    def _previous(self, user_id: int, session: Session) -> Session | None:
        """The person's chosen session that ends last before this one starts, that day."""
        sessions = self.app.conference.sessions
        earlier = [sessions[sid] for sid in self.app.store.subscriptions_of(user_id)
                   if sid in sessions and sessions[sid] is not session
                   and sessions[sid].day is session.day
                   and sessions[sid].span[1] <= session.span[0]]
        return max(earlier, key=lambda s: s.span[1], default=None)

    def due_moments(self) -> set[datetime]:
        """Every future moment at which some reminder becomes due."""
        app = self.app
        now = app.clock.now()
        moments = set()
        for user, session_id in app.store.subscribers():
            session = app.conference.sessions.get(session_id)
            if session is None or not session.times_announced or user.reminder_minutes <= 0:
                continue
            due = session.span[0] - timedelta(minutes=user.reminder_minutes)
            if due > now:
                moments.add(due)
        return moments

    def refresh(self) -> None:
        """Re-derive the scheduled jobs from the database, then queue what is due already."""
        if self.scheduler is not None:
            for job in self.scheduler.get_jobs():
                if job.id.startswith(JOB_PREFIX):
                    job.remove()
            offset = datetime.now(UTC) - self.app.clock.now()  # the demo clock runs shifted
            for due in self.due_moments():
                self.scheduler.add_job(self.tick, "date", run_date=due + offset,
                                       id=f"{JOB_PREFIX}{due.isoformat()}",
                                       misfire_grace_time=None, coalesce=True,
                                       replace_existing=True)
        self.tick()
