"""A read schedule becomes the Conference the bot serves; what cannot be used is reported."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from bot.language.i18n import Catalogue
from bot.language.textmatch import fold
from bot.programme.model import NOT_ANNOUNCED, Conference, Day, Person, Session, Venue, Written
from bot.programme.schedules.raw import Multilingual, RawEvent, RawSchedule
from bot.programme.validation import Problem

BOT_LANGUAGES = ("pl", "uk", "en")
"""The languages of the bot's own words (its catalogues)."""

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


_LANGUAGE_NAMES: dict[str, str] = {}


def language_codes(value: str | None) -> tuple[str, ...]:
    """'de, en' / 'German' / 'de-DE' -> ('de', 'en'); what is not a language is left out."""
    if not _LANGUAGE_NAMES:
        for lang in ("en", "de", "fr", "pl"):
            for code, name in Locale.parse(lang).languages.items():
                _LANGUAGE_NAMES.setdefault(name.lower(), code)
    codes: list[str] = []
    for part in re.split(r"[,;/|+&]|\s+and\s+|\s+und\s+", value or ""):
        part = part.strip().lower()
        if not part:
            continue
        code = _LANGUAGE_NAMES.get(part) or re.split(r"[-_]", part)[0]
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def conference_languages(content_language: str) -> tuple[str, ...]:
    """The bot's languages, the schedule's own first when the bot speaks it (else English)."""
    first = content_language if content_language in BOT_LANGUAGES else "en"
    return (first, *(lang for lang in BOT_LANGUAGES if lang != first))


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return None


def _minutes(value: str | None) -> int | None:
    """'00:30', '1:30', '01:30:00', '0:01:30:00' (days) or '90' -> minutes."""
    if value is None:
        return None
    parts = value.strip().split(":")
    if not all(p.isdigit() for p in parts) or not 1 <= len(parts) <= 4:
        return None
    numbers = [int(p) for p in parts]
    hours_at = 1 if len(parts) == 4 else 0
    if any(n >= 60 for n in numbers[hours_at + 1:]):
        return None  # '00:90' is a typo, not an hour and a half
    if len(parts) == 1:
        return numbers[0]
    if len(parts) == 4:
        return numbers[0] * 1440 + numbers[1] * 60 + numbers[2]
    return numbers[0] * 60 + numbers[1]


def _clock(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


def _zone(raw: RawSchedule, report: list[Problem], origin: str) -> tzinfo:
    if raw.time_zone_name:
        try:
            return ZoneInfo(raw.time_zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            report.append(Problem(origin, "conference", f"field 'time_zone_name': "
                                  f"'{raw.time_zone_name}' is not a known time zone; "
                                  "using the offsets in the dates"))
    for value in [d.start for d in raw.days] + [e.date for e in raw.events]:
        moment = _moment(value)
        if moment is not None and moment.tzinfo is not None:
            offset = moment.utcoffset() or timedelta(0)
            return timezone(offset)
    report.append(Problem(origin, "conference", "no time zone and no offsets in the dates; "
                                                "times are read as UTC"))
    return UTC


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
    report = [Problem(origin, item, problem) for item, problem in raw.skipped]
    event_languages = {id(e): language_codes(e.language) for e in raw.events}
    counted = Counter(codes[0] for codes in event_languages.values() if codes)
    content = counted.most_common(1)[0][0] if counted else "en"
    languages = languages or conference_languages(content)
    zone = _zone(raw, report, origin)
    catalogue = Catalogue(languages, zone)

    def written(text: Multilingual, fallback: str = "") -> Written | None:
        versions: dict[str, str] = {}
        for lang, value in text.items():
            code = (language_codes(lang) or (content,))[0]
            versions.setdefault(code, value)
        if not versions:
            return Written({content: fallback}, languages, content) if fallback else None
        return Written(versions, languages, content if content in versions else next(
            iter(versions)))

    days: dict[int, tuple[Day, datetime | None]] = {}
    for raw_day in sorted(raw.days, key=lambda d: d.index):
        start = _moment(raw_day.start)
        day_date = _day_date(raw_day.date) or (start.date() if start else None)
        if day_date is None:
            report.append(Problem(origin, f"day {raw_day.index}", "has no date; left out"))
            continue
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=zone)
        days[raw_day.index] = (Day(f"d{raw_day.index}", 0, day_date, {}, {}), start)

    venues: dict[str, Venue] = {}
    by_room: dict[str, Venue] = {}
    people: dict[str, Person] = {}
    sessions: dict[str, Session] = {}
    ids = _Ids(known_ids)
    for event in raw.events:
        def skip(problem: str, event: RawEvent = event) -> None:
            report.append(Problem(origin, event.where, problem + "; skipped"))

        title = written(event.title)
        if title is None:
            skip("has no title")
            continue
        entry = days.get(event.day_index)
        if entry is None:
            skip(f"its day {event.day_index} is not in the schedule")
            continue
        day, day_start = entry
        start = _start(event, day.date, day_start, zone)
        if start is None:
            skip(f"has no usable date or start ({event.date or event.start or 'empty'})")
            continue
        end = _end(event, start, zone)
        if end is None:
            skip(f"has no usable duration ({event.duration or 'empty'})")
            continue
        session_id = ids.claim(event)
        if session_id is None:
            skip("has neither id nor guid" if not (event.id or event.guid)
                 else f"its id {event.id or event.guid} is used twice")
            continue
        venue = _venue(event.room, venues, by_room, languages) if event.room else NOT_ANNOUNCED
        persons = tuple(_person(p.name, p.id, p.biography, people, written)
                        for p in event.persons)
        description = written(_joined(event.subtitle, event.abstract, event.description))
        links = tuple(([(event.url, event.url)] if event.url else []) + event.links)
        sessions[session_id] = Session(
            id=session_id, day=day, kind=_kind(event.type), title=title,
            description=description or NOT_ANNOUNCED, audience=NOT_ANNOUNCED, venue=venue,
            start=start, end=end, speakers=persons, languages=event_languages[id(event)],
            track=event.track, links=links, guid=event.guid)

    used_days = sorted({s.day.id for s in sessions.values()},
                       key=lambda d: next(day.date for day, _ in days.values() if day.id == d))
    final_days: list[Day] = []
    for number, day_id in enumerate(used_days, start=1):
        day = next(day for day, _ in days.values() if day.id == day_id)
        day_title = {lang: catalogue[lang].gettext("Day %(number)d") % {"number": number}
                     for lang in languages}
        final = Day(day.id, number, day.date, day_title, day_title)
        final_days.append(final)
        for session in sessions.values():
            if session.day is day:
                session.day = final
    for day, _ in days.values():
        if day.id not in used_days:
            report.append(Problem(origin, f"day {day.id[1:]}", "has no events; left out"))
    _report_overlaps(sessions, origin, report)

    name = written(raw.title, fallback=raw.acronym or "") or Written(
        {content: origin}, languages, content)
    conference = Conference(
        id=raw.acronym or slug(name[languages[0]]) or "schedule",
        name=name, short_name=(written({content: raw.acronym}) or name) if raw.acronym else name,
        edition=0, theme=NOT_ANNOUNCED, description=NOT_ANNOUNCED, city=NOT_ANNOUNCED,
        timezone=zone,
        languages=languages, days=tuple(final_days), venues=venues, people=people,
        sessions=sessions, info=(), website=raw.url)
    return Built(conference, report)


def _day_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


def _start(event: RawEvent, day_date: date, day_start: datetime | None,
           zone: tzinfo) -> datetime | None:
    moment = _moment(event.date)
    if moment is not None and (len(event.date or "") > 10 or moment.time() != time(0)):
        return (moment.replace(tzinfo=zone) if moment.tzinfo is None else moment).astimezone(zone)
    clock = _clock(event.start)
    if clock is None:
        return None
    start = datetime.combine(day_date, clock, tzinfo=zone)
    if day_start is not None and start < day_start:  # after midnight, in a day that began before
        start = datetime.combine(day_date + timedelta(days=1), clock, tzinfo=zone)
    return start


def _end(event: RawEvent, start: datetime, zone: tzinfo) -> datetime | None:
    minutes = _minutes(event.duration)
    if minutes is not None:
        return start + timedelta(minutes=minutes)
    end = _moment(event.end)
    if end is not None:
        end = (end.replace(tzinfo=zone) if end.tzinfo is None else end).astimezone(zone)
        return end if end >= start else None
    return None


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
