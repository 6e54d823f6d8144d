"""A schedule as read from a file, before it becomes a Conference: the same for every format."""

from __future__ import annotations

from dataclasses import dataclass, field

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
