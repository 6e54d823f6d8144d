"""The values of a read schedule as the bot needs them: moments, durations, clock times,
days, time zones, language codes (each None, or reported, when it cannot be read)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from bot.programme.schedules.raw import RawEvent, RawSchedule
from bot.programme.validation import Problem

BOT_LANGUAGES = ("pl", "uk", "en")
"""The languages of the bot's own words (its catalogues)."""

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


def read_moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return None


def read_minutes(value: str | None) -> int | None:
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


def read_clock(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


def time_zone(raw: RawSchedule, report: list[Problem], origin: str) -> tzinfo:
    if raw.time_zone_name:
        try:
            return ZoneInfo(raw.time_zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            report.append(Problem(origin, "conference", f"field 'time_zone_name': "
                                  f"'{raw.time_zone_name}' is not a known time zone; "
                                  "using the offsets in the dates"))
    for value in [d.start for d in raw.days] + [e.date for e in raw.events]:
        moment = read_moment(value)
        if moment is not None and moment.tzinfo is not None:
            offset = moment.utcoffset() or timedelta(0)
            return timezone(offset)
    report.append(Problem(origin, "conference", "no time zone and no offsets in the dates; "
                                                "times are read as UTC"))
    return UTC


def read_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


def start_of(event: RawEvent, day_date: date, day_start: datetime | None,
           zone: tzinfo) -> datetime | None:
    moment = read_moment(event.date)
    if moment is not None and (len(event.date or "") > 10 or moment.time() != time(0)):
        return (moment.replace(tzinfo=zone) if moment.tzinfo is None else moment).astimezone(zone)
    clock = read_clock(event.start)
    if clock is None:
        return None
    start = datetime.combine(day_date, clock, tzinfo=zone)
    if day_start is not None and start < day_start:  # after midnight, in a day that began before
        start = datetime.combine(day_date + timedelta(days=1), clock, tzinfo=zone)
    return start


def end_of(event: RawEvent, start: datetime, zone: tzinfo) -> datetime | None:
    minutes = read_minutes(event.duration)
    if minutes is not None:
        return start + timedelta(minutes=minutes)
    end = read_moment(event.end)
    if end is not None:
        end = (end.replace(tzinfo=zone) if end.tzinfo is None else end).astimezone(zone)
        return end if end >= start else None
    return None
