"""C3VOC `schedule.json` (also pretalx's and frab's export), read leniently."""

from __future__ import annotations

import json
from typing import Any

from bot.programme.schedules.frab import NotASchedule
from bot.programme.schedules.raw import (
    MAX_DIGITS,
    Multilingual,
    RawDay,
    RawEvent,
    RawPerson,
    RawSchedule,
)


def _number(text: str) -> int | str:
    """An integer; one of more than MAX_DIGITS digits stays text (and is refused as an id)."""
    return int(text) if len(text) <= MAX_DIGITS else text


def _list(value: Any, name: str) -> list[Any]:
    """A list field (none: empty); anything else is an error in that field."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"{name}: {type(value).__name__} where a list is expected")
    return value


def _string(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _multilingual(value: Any, lang: str) -> Multilingual:
    """A plain string in the event's language, or pretalx's {"en": …, "de": …}."""
    if isinstance(value, dict):
        return {str(k).strip().lower(): v.strip() for k, v in value.items()
                if isinstance(v, str) and v.strip()}
    text = _string(value)
    return {lang: text} if text else {}


def parse(content: bytes) -> RawSchedule:
    """Read a schedule.json; raise NotASchedule when it is not one."""
    try:
        document = json.loads(content.decode("utf-8-sig"), parse_int=_number)
    except RecursionError:
        raise NotASchedule("the JSON is nested too deeply (a schedule needs a few levels)"
                           ) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise NotASchedule(f"not valid JSON ({str(error)[:200]})") from None
    schedule = document.get("schedule") if isinstance(document, dict) else None
    if not isinstance(schedule, dict):
        raise NotASchedule("the JSON has no 'schedule' with a 'conference' in it")
    conference = schedule.get("conference")
    if not isinstance(conference, dict):
        raise NotASchedule("the JSON has no 'schedule' with a 'conference' in it")
    skipped: list[tuple[str, str]] = []
    days: list[RawDay] = []
    events: list[RawEvent] = []
    raw_days = conference.get("days")
    for day_position, day in enumerate(raw_days if isinstance(raw_days, list) else [], start=1):
        if not isinstance(day, dict):
            skipped.append((f"day #{day_position}", "is not an object"))
            continue
        given = day.get("index")
        index = given if isinstance(given, int) and not isinstance(given, bool) else day_position
        days.append(RawDay(index, _string(day.get("date")), _string(day.get("day_start")),
                           _string(day.get("day_end"))))
        rooms = day.get("rooms")
        for room_name, room_events in (rooms.items() if isinstance(rooms, dict) else []):
            for position, event in enumerate(room_events if isinstance(room_events, list) else [],
                                             start=1):
                where = f"event #{position} in room {room_name} on day {index}"
                if not isinstance(event, dict):
                    skipped.append((where, "is not an object"))
                    continue
                try:
                    events.append(_event(event, index, str(room_name).strip()[:200], where))
                except (TypeError, ValueError, AttributeError, RecursionError) as error:
                    skipped.append((_where(event, where), f"{str(error)[:200]}; skipped"))
    return RawSchedule(
        format="C3VOC JSON",
        title=_multilingual(conference.get("title"), ""),
        acronym=_string(conference.get("acronym")),
        time_zone_name=_string(conference.get("time_zone_name")),
        url=_string(conference.get("url")) or _string(schedule.get("base_url")),
        days=days, events=events, skipped=skipped)


def _where(event: dict[str, Any], where: str) -> str:
    """How a report names an event: by its id (cut short), else by its place."""
    named = _string(event.get("id")) or _string(event.get("guid"))
    return where if not named else f"event {named[:60]}{'…' if len(named) > 60 else ''}"


def _event(event: dict[str, Any], day_index: int, room_name: str, where: str) -> RawEvent:
    identifier, guid = _string(event.get("id")), _string(event.get("guid"))
    if identifier or guid:
        where = f"event {identifier or guid}"
    language = event.get("language")
    lang_text = ", ".join(x for x in language if isinstance(x, str)) if isinstance(
        language, list) else (_string(language) or "")
    main = lang_text.replace(";", ",").split(",")[0].strip()
    persons = []
    for person in _list(event.get("persons"), "persons"):
        if isinstance(person, dict):
            name = _string(person.get("public_name")) or _string(person.get("name")) or _string(
                person.get("full_public_name"))
            if name:
                persons.append(RawPerson(name=name, id=_string(person.get("id")) or _string(
                    person.get("code")), biography=_multilingual(person.get("biography"), main)))
        elif _string(person):
            persons.append(RawPerson(name=str(_string(person))))
    links = []
    for link in _list(event.get("links"), "links"):
        url = _string(link.get("url")) or _string(link.get("href")) if isinstance(
            link, dict) else None
        if url:
            links.append((_string(link.get("title")) or url, url))
    return RawEvent(
        where=where, id=identifier, guid=guid,
        title=_multilingual(event.get("title"), main),
        subtitle=_multilingual(event.get("subtitle"), main),
        abstract=_multilingual(event.get("abstract"), main),
        description=_multilingual(event.get("description"), main),
        room=_string(event.get("room")) or room_name, day_index=day_index,
        date=_string(event.get("date")), start=_string(event.get("start")),
        duration=_string(event.get("duration")), end=_string(event.get("end")),
        track=_string(event.get("track")) if not isinstance(event.get("track"), dict)
        else _string(next(iter(event["track"].values()), None)),
        type=_string(event.get("type")), language=lang_text or None,
        url=_string(event.get("url")), persons=persons, links=links)
