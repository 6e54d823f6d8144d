"""A read schedule becomes the Conference the bot serves; what cannot be used is reported."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.language.i18n import Catalogue
from bot.language.textmatch import fold
from bot.programme.model import NOT_ANNOUNCED, Conference, Day, Person, Session, Venue, Written
from bot.programme.schedules.raw import Multilingual, RawEvent, RawSchedule
from bot.programme.schedules.values import (
    conference_languages,
    end_of,
    language_codes,
    read_date,
    read_moment,
    start_of,
    time_zone,
)
from bot.programme.validation import Problem

KINDS = {
    "workshop": "workshop", "panel": "panel", "podium": "panel", "discussion": "discussion",
    "break": "break", "pause": "break", "coffee": "break", "lunch": "lunch",
    "opening": "opening", "welcome": "opening", "registration": "registration",
    "meetup": "networking", "party": "networking", "social": "networking",
}


@dataclass
class Built:
    conference: Conference
    warnings: list[Problem] = field(default_factory=list)
    """What was skipped or looks wrong, each naming the source, the item and the problem."""


def slug(text: str) -> str:
    """'Saal Grün 1' -> 'saal-grun-1'; ASCII where the letters allow, else empty."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


class _Ids:
    """Stable session ids: s<event id>, else from the guid; a known guid keeps its earlier id."""

    def __init__(self, known: dict[str, str] | None) -> None:
        self.known = known or {}
        self.taken: set[str] = set()

    def claim(self, event: RawEvent) -> str | None:
        if event.guid and event.guid in self.known and self.known[event.guid] not in self.taken:
            chosen = self.known[event.guid]
        elif event.id and event.id.isdigit() and int(event.id) > 0:
            chosen = f"s{int(event.id)}"
        else:
            seed = event.guid or event.id
            if not seed:
                return None
            number = 100000 + int(hashlib.sha1(seed.encode()).hexdigest(), 16) % 900000
            while f"s{number}" in self.taken:
                number += 1
            chosen = f"s{number}"
        if chosen in self.taken:
            return None
        self.taken.add(chosen)
        return chosen


def build(raw: RawSchedule, origin: str, *, languages: tuple[str, ...] | None = None,
          known_ids: dict[str, str] | None = None) -> Built:
    """Turn a read schedule into a Conference; skip (and report) what cannot be placed."""
    builder = _Builder(raw, origin, languages, known_ids)
    days = builder.read_days()
    sessions = builder.place_events(days)
    final_days = builder.number_days(days, sessions)
    _report_overlaps(sessions, origin, builder.report)
    return Built(builder.conference(final_days, sessions), builder.report)


_DayEntry = tuple[Day, datetime | None]
"""A day of the schedule and when it starts, if the schedule says."""


class _Builder:
    """The steps of `build`, sharing what they learn: the languages, the zone, the report."""

    def __init__(self, raw: RawSchedule, origin: str, languages: tuple[str, ...] | None,
                 known_ids: dict[str, str] | None) -> None:
        self.raw, self.origin = raw, origin
        self.report = [Problem(origin, item, problem) for item, problem in raw.skipped]
        self.event_languages = {id(e): language_codes(e.language) for e in raw.events}
        counted = Counter(codes[0] for codes in self.event_languages.values() if codes)
        self.content = counted.most_common(1)[0][0] if counted else "en"
        self.languages = languages or conference_languages(self.content)
        self.zone = time_zone(raw, self.report, origin)
        self.ids = _Ids(known_ids)
        self.venues: dict[str, Venue] = {}
        self.by_room: dict[str, Venue] = {}
        self.people: dict[str, Person] = {}

    def written(self, text: Multilingual, fallback: str = "") -> Written | None:
        """A text in the schedule's languages, by their codes."""
        content, languages = self.content, self.languages
        versions: dict[str, str] = {}
        for lang, value in text.items():
            code = (language_codes(lang) or (content,))[0]
            versions.setdefault(code, value)
        if not versions:
            return Written({content: fallback}, languages, content) if fallback else None
        return Written(versions, languages, content if content in versions else next(
            iter(versions)))

    def read_days(self) -> dict[int, _DayEntry]:
        days: dict[int, _DayEntry] = {}
        for raw_day in sorted(self.raw.days, key=lambda d: d.index):
            start = read_moment(raw_day.start)
            day_date = read_date(raw_day.date) or (start.date() if start else None)
            if day_date is None:
                self.report.append(Problem(self.origin, f"day {raw_day.index}",
                                           "has no date; left out"))
                continue
            if start is not None and start.tzinfo is None:
                start = start.replace(tzinfo=self.zone)
            days[raw_day.index] = (Day(f"d{raw_day.index}", 0, day_date, {}, {}), start)
        return days

    def place_events(self, days: dict[int, _DayEntry]) -> dict[str, Session]:
        sessions: dict[str, Session] = {}
        for event in self.raw.events:
            session = self.session(event, days)
            if isinstance(session, str):
                self.report.append(Problem(self.origin, event.where, session + "; skipped"))
            else:
                sessions[session.id] = session
        return sessions

    def session(self, event: RawEvent, days: dict[int, _DayEntry]) -> Session | str:
        """The event as a session, or why it is skipped."""
        title = self.written(event.title)
        if title is None:
            return "has no title"
        entry = days.get(event.day_index)
        if entry is None:
            return f"its day {event.day_index} is not in the schedule"
        day, day_start = entry
        start = start_of(event, day.date, day_start, self.zone)
        if start is None:
            return f"has no usable date or start ({event.date or event.start or 'empty'})"
        end = end_of(event, start, self.zone)
        if end is None:
            return f"has no usable duration ({event.duration or 'empty'})"
        session_id = self.ids.claim(event)
        if session_id is None:
            return ("has neither id nor guid" if not (event.id or event.guid)
                    else f"its id {event.id or event.guid} is used twice")
        venue = (_venue(event.room, self.venues, self.by_room, self.languages) if event.room
                 else NOT_ANNOUNCED)
        persons = tuple(_person(p.name, p.id, p.biography, self.people, self.written)
                        for p in event.persons)
        description = self.written(_joined(event.subtitle, event.abstract, event.description))
        links = tuple(([(event.url, event.url)] if event.url else []) + event.links)
        return Session(
            id=session_id, day=day, kind=_kind(event.type), title=title,
            description=description or NOT_ANNOUNCED, audience=NOT_ANNOUNCED, venue=venue,
            start=start, end=end, speakers=persons,
            languages=self.event_languages[id(event)], track=event.track, links=links,
            guid=event.guid)

    def number_days(self, days: dict[int, _DayEntry],
                    sessions: dict[str, Session]) -> list[Day]:
        """The days that have sessions, numbered and titled in date order; the rest reported."""
        catalogue = Catalogue(self.languages, self.zone)
        by_id = {day.id: day for day, _ in days.values()}
        used_days = sorted({s.day.id for s in sessions.values()}, key=lambda d: by_id[d].date)
        final_days: list[Day] = []
        for number, day_id in enumerate(used_days, start=1):
            day = by_id[day_id]
            day_title = {lang: catalogue[lang].gettext("Day %(number)d") % {"number": number}
                         for lang in self.languages}
            final = Day(day.id, number, day.date, day_title, day_title)
            final_days.append(final)
            for session in sessions.values():
                if session.day is day:
                    session.day = final
        for day, _ in days.values():
            if day.id not in used_days:
                self.report.append(Problem(self.origin, f"day {day.id[1:]}",
                                           "has no events; left out"))
        return final_days

    def conference(self, days: list[Day], sessions: dict[str, Session]) -> Conference:
        raw, content, languages = self.raw, self.content, self.languages
        name = self.written(raw.title, fallback=raw.acronym or "") or Written(
            {content: self.origin}, languages, content)
        short_name = (self.written({content: raw.acronym}) or name) if raw.acronym else name
        return Conference(
            id=raw.acronym or slug(name[languages[0]]) or "schedule", name=name,
            short_name=short_name, edition=0, theme=NOT_ANNOUNCED, description=NOT_ANNOUNCED,
            city=NOT_ANNOUNCED, timezone=self.zone, languages=languages, days=tuple(days),
            venues=self.venues, people=self.people, sessions=sessions, info=(),
            website=raw.url)


def _joined(*parts: Multilingual) -> Multilingual:
    joined: dict[str, list[str]] = {}
    for part in parts:
        for lang, text in part.items():
            if text not in joined.setdefault(lang, []):
                joined[lang].append(text)
    return {lang: "\n\n".join(texts) for lang, texts in joined.items() if texts}


def _kind(event_type: str | None) -> str:
    folded = fold(event_type or "")
    return next((kind for word, kind in KINDS.items() if word in folded), "talk")


def _venue(room: str, venues: dict[str, Venue], by_room: dict[str, Venue],
           languages: tuple[str, ...]) -> Venue:
    if room in by_room:
        return by_room[room]
    base = slug(room) or "room"
    identifier, n = base, 1
    while identifier in venues:
        n += 1
        identifier = f"{base}-{n}"
    venue = Venue(id=identifier, name={lang: room for lang in languages},
                  address=NOT_ANNOUNCED, aliases=(room,))
    venues[identifier] = by_room[room] = venue
    return venue


def _person(name: str, person_id: str | None, biography: Multilingual,
            people: dict[str, Person],
            written: Callable[[Multilingual], Written | None]) -> Person:
    identifier = f"p{person_id}" if person_id else (slug(name) or f"p-{len(people) + 1}")
    known = people.get(identifier)
    if known is not None and known.name == name:
        return known
    while identifier in people:
        identifier += "-2"
    person = Person(id=identifier, name=name, affiliation=NOT_ANNOUNCED,
                    bio=written(biography) if biography else None)
    people[identifier] = person
    return person


def _report_overlaps(sessions: dict[str, Session], origin: str, report: list[Problem]) -> None:
    by_room: dict[str, list[Session]] = {}
    for session in sessions.values():
        if isinstance(session.venue, Venue):
            by_room.setdefault(session.venue.id, []).append(session)
    for room_sessions in by_room.values():
        room_sessions.sort(key=lambda s: s.span)
        latest: Session | None = None
        for session in room_sessions:
            if latest is not None and session.overlaps(latest):
                room = session.venue.aliases[0] if isinstance(session.venue, Venue) else "?"
                report.append(Problem(origin, f"session {session.id}",
                                      f"overlaps session {latest.id} in room '{room}'"))
            if latest is None or session.span[1] > latest.span[1]:
                latest = session
