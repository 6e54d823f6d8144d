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

from apscheduler.schedulers.base import BaseScheduler

from bot.chat.services import Services
from bot.core.logids import who
from bot.delivery.sender import encode
from bot.programme.model import Session
from bot.storage import MessageKind, UserRecord

log = logging.getLogger(__name__)

JOB_PREFIX = "reminders@"
LEAD_CHOICES = (5, 10, 15, 30, 60)


def reminder_key(user_id: int, session: Session) -> str:
    """One reminder per person, session and start time: a moved session gets a new one."""
    return f"reminder:{user_id}:{session.id}:{session.span[0].astimezone(UTC).isoformat()}"


MAX_REMINDER_AHEAD = timedelta(minutes=60)
"""No reminder setting is longer (handlers.reminders.LEAD_CHOICES; a test holds this)."""


def due_moment(session: Session, minutes: int) -> datetime | None:
    """When a reminder `minutes` before the session becomes due (None: no reminder)."""
    if not session.times_announced or session.cancelled or minutes <= 0:
        return None
    return session.span[0] - timedelta(minutes=minutes)


class Reminders:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.scheduler: BaseScheduler | None = None

    def attach(self, scheduler: BaseScheduler) -> None:
        """Run inside an event loop: fire ticks at the due moments."""
        self.scheduler = scheduler

    def tick(self, user_id: int | None = None) -> int:
        """Queue every reminder that is due now (of one person, or of everyone); return how
        many were queued."""
        services = self.services
        store, sessions = services.store, services.conference.sessions
        now = services.clock.now()
        queued = 0
        # only sessions some reminder can be due for now: not begun, beginning within the
        # longest reminder setting (the others' reminders are not due)
        soon = [sid for sid, session in sessions.items() if session.times_announced
                and now < session.span[0] <= now + MAX_REMINDER_AHEAD]
        if not soon:
            return 0
        for user, session_id in store.subscriptions.subscribers(user_id=user_id,
                                                                session_ids=soon):
            session = sessions.get(session_id)
            due = (due_moment(session, user.reminder_minutes) if session is not None
                   else None)
            if session is None or due is None or not user.chat_id:
                continue
            start = session.span[0]
            if not due <= now < start:
                continue
            key = reminder_key(user.id, session)
            if store.outbox.has(key):
                continue
            replies = services.messages.reminder(services.speaker_for(user), session,
                                                 self._previous(user.id, session))
            if store.outbox.enqueue(dedupe_key=key, kind=MessageKind.REMINDER,
                                    platform=user.platform, chat_id=user.chat_id,
                                    user_id=user.id, payload=encode(replies), now=now,
                                    expires_at=start):
                queued += 1
                log.info("platform=%s user=%s: reminder for %s queued (starts %s)",
                         user.platform, who(user.platform, user.external_id), session.id,
                         start.isoformat())
        if queued:
            services.notify_queued()
        return queued

    def _previous(self, user_id: int, session: Session) -> Session | None:
        """The person's chosen session that ends last before this one starts, that day."""
        sessions = self.services.conference.sessions
        earlier = [sessions[sid] for sid in self.services.store.subscriptions.of(user_id)
                   if sid in sessions and sessions[sid] is not session
                   and sessions[sid].day is session.day
                   and sessions[sid].span[1] <= session.span[0]]
        return max(earlier, key=lambda s: s.span[1], default=None)

    def plan(self, user: UserRecord, session: Session) -> None:
        """Schedule one person's reminder of one session (queue it at once when due)."""
        due = due_moment(session, user.reminder_minutes)
        if due is None:
            return
        if due <= self.services.clock.now():
            self.tick(user.id)
        else:
            self._schedule(due)

    def _schedule(self, due: datetime) -> None:
        if self.scheduler is None:
            return
        offset = datetime.now(UTC) - self.services.clock.now()  # the demo clock runs shifted
        self.scheduler.add_job(self.tick, "date", run_date=due + offset,
                               id=f"{JOB_PREFIX}{due.isoformat()}", misfire_grace_time=None,
                               coalesce=True, replace_existing=True)

    def due_moments(self) -> set[datetime]:
        """Every future moment at which some reminder becomes due."""
        now = self.services.clock.now()
        sessions = self.services.conference.sessions
        moments = set()
        for session_id, minutes in self.services.store.subscriptions.reminder_settings():
            session = sessions.get(session_id)
            due = due_moment(session, minutes) if session is not None else None
            if due is not None and due > now:
                moments.add(due)
        return moments

    def refresh(self) -> None:
        """Re-derive every scheduled job from the database (at start, after a programme
        change), then queue what is due already."""
        if self.scheduler is not None:
            for job in self.scheduler.get_jobs():
                if job.id.startswith(JOB_PREFIX):
                    job.remove()
            for due in self.due_moments():
                self._schedule(due)
        self.tick()
