"""A schedule as read from a file, before it becomes a Conference: the same for every format."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

MAX_BYTES = 20 * 2**20
"""A schedule larger than this is refused (the biggest real ones are a few MB)."""
MAX_DIGITS = 30
"""A number with more digits is read as text (and an id that long is refused)."""
MAX_ID = 64
MAX_TEXT = 100_000
MAX_DURATION_MINUTES = 14 * 1440
"""A session longer than two weeks is a mistake in the schedule."""
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200

Multilingual = dict[str, str]
"""A text with its language: {"de": "…"}, or pretalx's {"en": "…", "de": "…"}; "" = unknown."""


@dataclass
class RawPerson:
    name: str
    id: str | None = None
    biography: Multilingual = field(default_factory=dict)


@dataclass
class RawEvent:
    where: str
    """How a report names the event: 'event 123' or 'event #4 in room Ada on day 1'."""
    id: str | None
    guid: str | None
    title: Multilingual
    room: str
    day_index: int
    date: str | None
    """ISO date and time, maybe with an offset; None when the file leaves it out."""
    start: str | None
    duration: str | None
    end: str | None = None
    subtitle: Multilingual = field(default_factory=dict)
    abstract: Multilingual = field(default_factory=dict)
    description: Multilingual = field(default_factory=dict)
    track: str | None = None
    type: str | None = None
    language: str | None = None
    url: str | None = None
    persons: list[RawPerson] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RawDay:
    index: int
    date: str | None
    start: str | None = None
    end: str | None = None


@dataclass
class RawSchedule:
    format: str
    """'frab XML' or 'C3VOC JSON'."""
    title: Multilingual
    acronym: str | None
    time_zone_name: str | None
    url: str | None
    days: list[RawDay]
    events: list[RawEvent]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(item, problem) for what the reader could not use."""


def _too_long(name: str, value: str | None, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        return f"{name}: {len(value)} characters long (at most {limit})"
    return None


def _duration_problem(value: str) -> str | None:
    parts = value.strip().split(":")
    if not 1 <= len(parts) <= 4 or not all(p.isascii() and p.isdecimal() and len(p) <= 5
                                           for p in parts):
        return f"duration: '{value[:40]}' is not a duration such as 00:45"
    numbers = [int(p) for p in parts]
    days = numbers[0] if len(parts) == 4 else 0
    hours_at = 1 if len(parts) == 4 else 0
    minutes = (days * 1440 + numbers[hours_at] * 60 + sum(numbers[hours_at + 1:hours_at + 2])
               if len(parts) > 1 else numbers[0])
    if minutes > MAX_DURATION_MINUTES:
        return f"duration: '{value[:40]}' is longer than {MAX_DURATION_MINUTES // 1440} days"
    return None


def _moment_problem(name: str, value: str) -> str | None:
    text = value.strip()
    if not text.isascii():
        return f"{name}: '{text[:40]}' is not a date and time (digits 0-9 only)"
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None  # not a moment at all: reported where the event is placed
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return f"{name}: the year {moment.year} is out of range"
    return None


def event_problem(event: RawEvent) -> str | None:
    """The first field of an event that cannot be used safely ('field: why'), or None."""
    for name, value, limit in (("id", event.id, MAX_ID), ("guid", event.guid, MAX_ID),
                               ("room", event.room, 200), ("date", event.date, 40),
                               ("start", event.start, 40), ("end", event.end, 40),
                               ("duration", event.duration, 40), ("track", event.track, 200),
                               ("type", event.type, 200), ("language", event.language, 200),
                               ("url", event.url, 2000)):
        problem = _too_long(name, value, limit)
        if problem:
            return problem
    for item in fields(event):
        value = getattr(event, item.name)
        if isinstance(value, dict):
            for text in value.values():
                if not isinstance(text, str):
                    return f"{item.name}: not text"
                problem = _too_long(item.name, text, MAX_TEXT)
                if problem:
                    return problem
    if not -10_000 <= event.day_index <= 10_000:
        return f"day: index {event.day_index} is out of range"
    for name, moment in (("date", event.date), ("end", event.end)):
        if moment and (problem := _moment_problem(name, moment)):
            return problem
    if event.start and not event.start.strip().isascii():
        return f"start: '{event.start[:40]}' is not a time of day (digits 0-9 only)"
    if event.duration and (problem := _duration_problem(event.duration)):
        return problem
    for person in event.persons:
        if (problem := _too_long("persons", person.name, 300)
                or _too_long("persons", person.id, MAX_ID)):
            return problem
    return None


def screened(raw: RawSchedule) -> RawSchedule:
    """The schedule without the events a field of which cannot be used; each is reported
    with its id and the field."""
    kept: list[RawEvent] = []
    for event in raw.events:
        problem = event_problem(event)
        if problem is None:
            kept.append(event)
        else:
            where = event.where if len(event.where) <= 100 else f"{event.where[:60]}…"
            raw.skipped.append((where, f"{problem}; skipped"))
    raw.events = kept
    raw.days = [day for day in raw.days if -10_000 <= day.index <= 10_000]
    return raw
