"""Asking people how a session on their agenda was, once, after it ends, in their language.

Like the reminders, the prompts are derived from the database: `tick()` queues a prompt for
every session that ended lately, for each person who has it on their agenda, has not rated it
and has not switched prompts off; the outbox dedupe key makes it once per person and session,
whichever process ticks. Between 21:00 and 08:00 (the conference's time) a prompt waits.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, tzinfo

from bot.chat.services import Services
from bot.chat.speaker import Speaker
from bot.chat.views import NL, tr
from bot.core.messages import Button, Reply, TextReply
from bot.delivery.sender import encode
from bot.programme.model import Session
from bot.storage import MessageKind

log = logging.getLogger(__name__)

NOT_RATED = frozenset({"registration", "break", "lunch"})
"""Kinds of session nobody is asked about (nor asks questions to)."""
QUIET = (time(21, 0), time(8, 0))
"""No prompt from 21:00 to 08:00 local time; it waits for the morning."""
LOOKBACK = timedelta(hours=12)
"""A session that ended longer ago than this is not asked about any more (after a restart)."""
KEPT = timedelta(hours=12)
"""A prompt not delivered within this after it may be sent is dropped."""
TICK_SECONDS = 60


def prompt_key(user_id: int, session_id: str) -> str:
    return f"feedback:{user_id}:{session_id}"


def rated_kind(session: Session) -> bool:
    return session.kind not in NOT_RATED and session.times_announced and not session.cancelled


def after_quiet(moment: datetime, zone: tzinfo) -> datetime:
    """The moment itself, or 08:00 local when it falls in the quiet hours."""
    local = moment.astimezone(zone)
    start, end = QUIET
    if start <= local.time():
        return datetime.combine(local.date() + timedelta(days=1), end, tzinfo=local.tzinfo)
    if local.time() < end:
        return datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    return moment


def prompt(ctx: Speaker, session: Session) -> list[Reply]:
    """The question, with buttons 1–5 and a way to stop them."""
    text = NL.join([ctx._("How was <b>%(title)s</b> /%(id)s? Tap 1 (poor) to 5 (excellent).",
                          title=tr(ctx, session.title), id=session.id),
                    ctx._("A comment may follow. /feedback off stops these questions.")])
    scores = tuple(Button(str(n), f"/rate {session.id} {n}") for n in range(1, 6))
    return [TextReply(text, (scores, (Button(ctx.t.gettext("Don't ask me"), "/feedback off"),)))]


class FeedbackPrompts:
    def __init__(self, services: Services) -> None:
        self.services = services

    def tick(self) -> int:
        """Queue every prompt that is due now; return how many were queued."""
        services = self.services
        store, conference = services.store, services.conference
        now = services.clock.now()
        ended = [s.id for s in conference.sessions.values()
                 if rated_kind(s) and now - LOOKBACK <= s.span[1] <= now]
        if not ended:
            return 0
        off = store.ratings.prompts_off()
        queued = 0
        for user, session_id in store.subscriptions.subscribers(session_ids=ended):
            if user.id in off or not user.chat_id:
                continue
            key = prompt_key(user.id, session_id)
            if store.outbox.has(key) or store.ratings.rated(user.id, session_id):
                continue
            session = conference.sessions[session_id]
            send_at = after_quiet(now, conference.timezone)
            replies = prompt(services.speaker_for(user), session)
            if store.outbox.enqueue(dedupe_key=key, kind=MessageKind.FEEDBACK,
                                    platform=user.platform, chat_id=user.chat_id,
                                    user_id=user.id, payload=encode(replies), now=now,
                                    not_before=send_at, expires_at=send_at + KEPT):
                queued += 1
        if queued:
            log.info("%d rating prompt(s) queued", queued)
            services.notify_queued()
        return queued
