"""Schedules from elsewhere are read defensively: a field of the wrong type or an impossible
value skips that event (reported with its id and the field), and a document too large or too
deeply nested is refused with a clear message, never a traceback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.programme.schedules.load import load_content
from bot.programme.schedules.raw import MAX_BYTES
from bot.programme.yaml_data import DataError


def event(number: int | str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": number, "guid": f"guid-{str(number)[:12]}",
        "date": "2024-09-07T10:00:00+05:30", "start": "10:00", "duration": "00:45",
        "room": "Ada", "title": f"Talk {number}", "type": "Talk", "language": "en",
        "persons": [{"id": 1, "public_name": "Ana"}]}
    base.update(changes)
    return base


def schedule(events: list[dict[str, Any]]) -> bytes:
    return json.dumps({"schedule": {"version": "1", "conference": {
        "acronym": "probe", "title": "Probe", "time_zone_name": "Asia/Kolkata",
        "days": [{"index": 1, "date": "2024-09-07", "day_start": "2024-09-07T09:00:00+05:30",
                  "day_end": "2024-09-07T20:00:00+05:30", "rooms": {"Ada": events}}]}}}
    ).encode()


BAD = {
    "101": {"persons": 5},                                   # a number where a list is expected
    "102": {"duration": "0²:30"},                            # superscript digits
    "103": {"duration": "99999:00"},                         # a huge duration
    "104": {"date": "9999-12-31T23:59:59-12:00"},            # a year at the edge of time
    "105": {"start": "１０:００", "date": None},              # full-width digits in a time
    "106": {"links": 7},
    "107": {"title": {"en": 5}},                             # a number where text is expected
}


def test_bad_fields_skip_their_event_and_name_the_field():
    events = [event(1), *(event(int(n), **change) for n, change in BAD.items()),
              event("HUGE") | {"guid": None}]
    content = schedule(events).replace(b'"HUGE"', b"9" * 5000)  # a 5,000-digit number
    loaded = load_content(content, "probe.json")
    assert set(loaded.conference.sessions) != set()
    kept = {s.title["en"] for s in loaded.conference.sessions.values()}
    assert "Talk 1" in kept
    warnings = [str(w) for w in loaded.warnings]
    for number, change in BAD.items():
        field = next(iter(change))
        named = [w for w in warnings if f"event {number}" in w]
        assert named, f"event {number} ({change}) not reported: {warnings}"
        assert field in named[0] or "cannot be read" in named[0], named[0]
        assert f"Talk {number}" not in kept or number in ("106", "107")
    long_id = [w for w in warnings if "id: 5000 characters long" in w]
    assert len(long_id) == 1 and len(long_id[0]) < 300


def test_a_deeply_nested_document_is_refused_clearly():
    deep = b'{"schedule": {"conference": {"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}}"
    with pytest.raises(DataError) as refused:
        load_content(deep, "deep.json")
    assert "nested too deeply" in str(refused.value)


def test_a_document_over_the_size_limit_is_refused_clearly():
    with pytest.raises(DataError) as refused:
        load_content(b"{" + b" " * MAX_BYTES + b"}", "huge.json")
    assert "at most 20 MB" in str(refused.value)


def test_an_xml_schedule_with_wrong_values_is_read_without_a_traceback():
    xml = ('<schedule><conference><title>P</title><time_zone_name>Europe/Warsaw'
           '</time_zone_name></conference><day index="¹" date="2024-09-07"><room name="A">'
           '<event id="1"><title>Good</title><date>2024-09-07T10:00:00+02:00</date>'
           '<start>10:00</start><duration>00:45</duration></event>'
           f'<event id="{"7" * 5000}"><title>Bad id</title><start>11:00</start>'
           '<duration>00:45</duration></event>'
           '<event id="3"><title>Bad duration</title><start>12:00</start>'
           '<duration>1²:00</duration></event>'
           '</room></day></schedule>').encode()
    loaded = load_content(xml, "probe.xml")
    titles = {s.title[next(iter(s.title.languages))] if hasattr(s.title, "languages")
              else str(s.title) for s in loaded.conference.sessions.values()}
    assert len(loaded.conference.sessions) == 1, titles
    warnings = " ".join(str(w) for w in loaded.warnings)
    assert "event 3" in warnings and "duration" in warnings
    assert "id: 5000 characters long" in warnings
