"""iCalendar files for a personal agenda or one session (RFC 5545, via the icalendar library)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from bot.programme.model import Conference, Coordinates, NotAnnounced, Session, Venue


def session_uid(conference: Conference, session: Session) -> str:
    """Stable across exports and programme changes, so calendars update instead of doubling."""
    return f"{session.id}@{conference.id}"


def _location(session: Session, lang: str) -> str | None:
    venue = session.venue
    if not isinstance(venue, Venue):
        return None
    parts = [venue.name[lang]]
    if isinstance(session.room, str):
        parts.append(session.room)
    if isinstance(venue.address, str):
        parts.append(venue.address)
    return ", ".join(parts)


def calendar_file(conference: Conference, sessions: Iterable[Session], lang: str,
                  now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//confbot//{conference.id}//{lang.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", conference.short_name[lang])
    calendar.add("x-wr-timezone", str(conference.timezone))
    for session in sessions:
        start, end = session.span
        event = Event()
        event.add("uid", session_uid(conference, session))
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", start.astimezone(conference.timezone))
        event.add("dtend", end.astimezone(conference.timezone))
        event.add("summary", session.title[lang])
        description = ([] if isinstance(session.description, NotAnnounced)
                       else [session.description[lang]])
        if session.note:  # the organisers' live note, in the reader's language when written
            description.insert(0, session.note.get(lang) or next(iter(session.note.values())))
        if description:
            event.add("description", "\n\n".join(description))
        if session.cancelled:
            event.add("status", "CANCELLED")
        location = _location(session, lang)
        if location:
            event.add("location", location)
        venue = session.venue
        if isinstance(venue, Venue) and isinstance(venue.coordinates, Coordinates):
            event.add("geo", (venue.coordinates.lat, venue.coordinates.lon))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
