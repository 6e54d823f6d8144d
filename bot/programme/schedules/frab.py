"""frab / Pentabarf `schedule.xml` (the C3VOC XSD), read leniently and without entity expansion."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from bot.programme.schedules.raw import Multilingual, RawDay, RawEvent, RawPerson, RawSchedule


class NotASchedule(ValueError):
    """The content is not a schedule this reader understands."""


def _text(element: Element | None, name: str) -> str | None:
    child = element.find(name) if element is not None else None
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _lang_text(value: str | None, lang: str) -> Multilingual:
    return {lang: value} if value else {}


def _int(value: str | None, fallback: int) -> int:
    try:
        return int(value) if value is not None else fallback
    except ValueError:
        return fallback


def parse(content: bytes) -> RawSchedule:
    """Read a schedule.xml; raise NotASchedule when it is not one."""
    try:
        root = SafeET.fromstring(content)
    except DefusedXmlException as error:
        raise NotASchedule(f"refused: the XML uses {type(error).__name__} "
                           "(entities are not expanded)") from None
    except SafeET.ParseError as error:
        raise NotASchedule(f"not well-formed XML ({error})") from None
    if root.tag != "schedule":
        raise NotASchedule(f"the XML root is <{root.tag}>, not <schedule>")
    conference = root.find("conference")
    skipped: list[tuple[str, str]] = []
    days: list[RawDay] = []
    events: list[RawEvent] = []
    for day_position, day in enumerate(root.findall("day"), start=1):
        index = _int(day.get("index"), day_position)
        days.append(RawDay(index, day.get("date"), day.get("start"), day.get("end")))
        for room in day.findall("room"):
            room_name = (room.get("name") or "").strip()
            for position, event in enumerate(room.findall("event"), start=1):
                events.append(_event(event, index, room_name, position))
    return RawSchedule(
        format="frab XML",
        title=_lang_text(_text(conference, "title"), ""),
        acronym=_text(conference, "acronym"),
        time_zone_name=_text(conference, "time_zone_name"),
        url=_text(conference, "url") or _text(root, "url"),
        days=days, events=events, skipped=skipped)


def _event(event: Element, day_index: int, room_name: str, position: int) -> RawEvent:
    identifier = (event.get("id") or "").strip() or None
    guid = (event.get("guid") or "").strip() or None
    where = (f"event {identifier}" if identifier else f"event {guid}" if guid
             else f"event #{position} in room {room_name} on day {day_index}")
    lang = (_text(event, "language") or "").strip()
    main = lang.replace(";", ",").split(",")[0].strip()
    persons = [RawPerson(name=(p.text or "").strip(), id=p.get("id"))
               for p in event.iterfind("persons/person") if (p.text or "").strip()]
    links = [((link.text or "").strip() or href, href)
             for link in event.iterfind("links/link") if (href := (link.get("href") or "").strip())]
    return RawEvent(
        where=where, id=identifier, guid=guid,
        title=_lang_text(_text(event, "title"), main),
        subtitle=_lang_text(_text(event, "subtitle"), main),
        abstract=_lang_text(_text(event, "abstract"), main),
        description=_lang_text(_text(event, "description"), main),
        room=_text(event, "room") or room_name, day_index=day_index,
        date=_text(event, "date"), start=_text(event, "start"),
        duration=_text(event, "duration"), track=_text(event, "track"),
        type=_text(event, "type"), language=lang or None, url=_text(event, "url"),
        persons=persons, links=links)
