"""What the console's pages show, computed from the application and its database (any
process can serve them): the conference now, broadcasts' progress, the bot's replies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from bot.app import Application
from bot.core.clock import SystemClock
from bot.core.messages import Incoming, Reply, TextReply
from bot.programme.model import Session, Venue
from bot.storage import AnnouncementRecord, OutboxStatus

BAR = ("sent", "failed", "blocked", "queued")


@dataclass(frozen=True)
class VenueNow:
    venue: Venue
    now: list[Session]
    next: Session | None


def venues_now(app: Application, now: datetime) -> list[VenueNow]:
    """Per venue, what runs now and what comes next (top-level sessions, not cancelled)."""
    conference = app.conference
    by_venue: dict[str, list[Session]] = defaultdict(list)
    for session in conference.sessions.values():
        venue_id = getattr(session.venue, "id", None)
        if (session.parent is None and not session.cancelled and venue_id
                and session.start is not None and session.end is not None):
            by_venue[venue_id].append(session)
    rows = []
    for venue_id, venue in conference.venues.items():
        sessions = sorted(by_venue.get(venue_id, ()), key=lambda s: s.start or now)
        running = [s for s in sessions if s.start and s.end and s.start <= now < s.end]
        upcoming = next((s for s in sessions if s.start and s.start > now), None)
        if running or upcoming:
            rows.append(VenueNow(venue, running, upcoming))
    return rows


def is_demo(app: Application) -> bool:
    return not isinstance(app.clock, SystemClock)


@dataclass(frozen=True)
class Progress:
    announcement: AnnouncementRecord
    counts: dict[str, int]
    total: int
    failures: list[str]

    @property
    def percent(self) -> int:
        """How much of it reached a final outcome."""
        if not self.total:
            return 100
        return round(100 * (self.total - self.counts["queued"]) / self.total)

    def share(self, status: str) -> float:
        return 100 * self.counts[status] / self.total if self.total else 0.0


def progress(app: Application, announcement: AnnouncementRecord) -> Progress:
    counts = dict.fromkeys(BAR, 0)
    for (_, _, status), n in app.store.outbox.delivery_counts(announcement.id).items():
        state = OutboxStatus(status)
        key = ("queued" if not state.final else "failed" if state == OutboxStatus.EXPIRED
               else state.value)
        counts[key] += n
    failures = []
    if counts["failed"]:
        failures = [f"{m.platform} {m.lang or '?'}: {m.last_error or m.status}"
                    for m in app.store.outbox.messages(OutboxStatus.FAILED)
                    if m.announcement_id == announcement.id][:20]
    return Progress(announcement, counts, sum(counts.values()), failures)


def ask(app: Application, platform: str, user_id: str, text: str,
        client_language: str | None = None) -> list[Markup]:
    """What the bot answers the organiser, as in their private chat (the same code as
    /edit, /send or any question): the replies' HTML."""
    user = app.store.users.known(platform, user_id)
    chat_id = (user.chat_id if user and user.chat_id else user_id)
    replies = app.handle(Incoming(platform, user_id, chat_id, text,
                                  client_language=client_language))
    return [reply_html(reply) for reply in replies]


def reply_html(reply: Reply) -> Markup:
    """A reply as the chat shows it: its HTML, line breaks kept, buttons as labels."""
    if isinstance(reply, TextReply):
        html = Markup(reply.html).replace("\n", Markup("<br>"))
        for row in reply.buttons:
            html += Markup("<br>") + Markup(" ").join(
                Markup('<span class="chip">%s</span>') % b.label for b in row)
        return Markup(html)
    return escape(getattr(reply, "title", "") or getattr(reply, "filename", ""))
