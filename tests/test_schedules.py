"""Schedules from elsewhere: frab XML and C3VOC/pretalx JSON, a data/ overlay, import, live URL."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.app import Application
from bot.cli import main
from bot.core.clock import FakeClock
from bot.core.config import ScheduleSettings
from bot.core.plaintext import plain_text
from bot.delivery.sender import OutboxSender
from bot.ops.watcher import LiveSchedule
from bot.programme.schedules.load import load_content
from bot.programme.yaml_data import DataError, load_conference
from bot.storage import Store
from bot.transports.console import ConsoleSession
from tests.helpers import start_app

HERE = Path(__file__).parent / "schedules"
KOLKATA_XML = HERE / "kolkata.xml"
MUMBAI_JSON = HERE / "pretalx.json"
KOLKATA = ZoneInfo("Asia/Kolkata")


def kolkata(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=KOLKATA)


@pytest.fixture
def schedule_app(database_url: str) -> Iterator[Application]:
    loaded = load_content(KOLKATA_XML.read_bytes(), str(KOLKATA_XML))
    app = start_app(loaded.conference, loaded.lexicon, Store(database_url),
                      FakeClock(kolkata("2024-09-07T11:30")))
    yield app
    app.store.close()


# --- reading the formats ------------------------------------------------------------------

def test_a_frab_schedule_in_kolkata_time():
    loaded = load_content(KOLKATA_XML.read_bytes(), "kolkata.xml")
    conference = loaded.conference
    assert str(conference.timezone) == "Asia/Kolkata"
    assert [d.date.isoformat() for d in conference.days] == ["2024-09-07", "2024-09-08"]
    assert set(conference.sessions) == {"s101", "s102", "s103", "s104", "s107", "s201", "s202",
                                        "s203"}
    s102 = conference.sessions["s102"]               # no <date>: from the day and <start>
    assert s102.span == (kolkata("2024-09-07T11:00"), kolkata("2024-09-07T12:00"))
    assert s102.languages == ("de", "en") and s102.title.language_for("pl") == "de"
    s103 = conference.sessions["s103"]               # across midnight
    assert s103.span[1] == kolkata("2024-09-08T01:00") and s103.day.number == 1
    s104 = conference.sessions["s104"]               # after midnight, no <date>: the next date
    assert s104.span[0] == kolkata("2024-09-08T01:15") and s104.day.number == 1
    assert conference.venues["sala-krakow"].name["en"] == "Sala Kraków"
    assert conference.sessions["s203"].languages == ("en",)   # "English"
    reported = [str(w) for w in loaded.warnings]
    assert "kolkata.xml: event 105: has no title; skipped" in reported
    assert "kolkata.xml: event 106: has no usable duration (00:90); skipped" in reported
    assert "kolkata.xml: event 107: its id 107 is used twice; skipped" in reported


def test_a_pretalx_json_with_offsets_only_and_multilingual_fields():
    loaded = load_content(MUMBAI_JSON.read_bytes(), "pretalx.json")
    conference = loaded.conference
    assert conference.at(conference.days[0], datetime.min.time()).utcoffset().total_seconds() \
        == 5.5 * 3600                                 # no time_zone_name: the dates' offset
    welcome = conference.sessions["s501"]
    assert welcome.title.versions == {"en": "Welcome to the harbour", "de": "Willkommen am Hafen"}
    assert welcome.track == "Main" and welcome.speakers[0].name == "Meera Nair"
    night = conference.sessions["s502"]               # a guid that is not a UUID, no date
    assert night.span[0].isoformat() == "2024-11-15T23:45:00+05:30"
    assert night.span[1].isoformat() == "2024-11-16T00:45:00+05:30"
    reported = [str(w) for w in loaded.warnings]
    assert "pretalx.json: event #2 in room Łazienki Room on day 1: is not an object" in reported
    assert "pretalx.json: event 504: has no usable date or start (sometime); skipped" in reported
    assert "pretalx.json: day 3: has no events; left out" in reported


@pytest.mark.parametrize("content", [
    b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<schedule><conference><title>&b;</title></conference></schedule>",
    b"<schedule><day index='1'",
    b'{"schedule": {"version": "1"}}',
    b"title,start\nHello,10:00\n",
    b"<schedule><conference><title>Empty</title></conference></schedule>",
])
def test_what_is_not_a_usable_schedule_is_refused_with_the_file_named(content: bytes):
    with pytest.raises(DataError) as error:
        load_content(content, "broken.xml")
    assert "broken.xml" in str(error.value)


def test_a_thousand_events_load(tmp_path: Path):
    from bench.schedule_load import generate

    loaded = load_content(generate(1000), "generated.json")
    assert len(loaded.conference.sessions) == 1000 and not loaded.warnings


# --- talking to it ------------------------------------------------------------------------

def test_answers_in_local_time_with_the_content_language_marked_once(schedule_app):
    polish = ConsoleSession(schedule_app, user="ala", client_language="pl")
    now = polish.ask("/now")
    assert "11:00–12:00 Freie Software in Kommunen" in now
    assert now.count("(język tekstu: niemiecki)") == 1
    day = polish.ask("/programme 1")
    assert "23:30–01:00 Night hacking across midnight" in day
    assert day.count("(język tekstu: angielski)") == 1 and "Dzień 1" in day
    assert "(język tekstu" not in polish.ask("/s107")      # written in Polish
    details = ConsoleSession(schedule_app, user="bob", client_language="en").ask("/s102")
    assert "Language: German, English" in details and "Track: Government" in details
    assert "(text language: German)" in details


def test_console_serves_a_schedule_alone(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONFBOT_SCHEDULE", str(KOLKATA_XML))
    monkeypatch.delenv("CONFBOT_DATA_DIR", raising=False)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "8 sessions" in out and "event 105: has no title; skipped" in out


# --- data/ on top of a schedule -------------------------------------------------------------

def test_data_adds_addresses_info_and_translations_and_conflicts_are_reported(
        tmp_path: Path, monkeypatch, capsys):
    overlay = tmp_path / "data"
    overlay.mkdir()
    (overlay / "venues.yaml").write_text(yaml.safe_dump({"venues": [{
        "id": "tagore", "name": {"en": "Tagore Hall", "pl": "Sala Tagore", "uk": "Зала Тагора"},
        "address": "1 Park Street, Kolkata", "coordinates": "not_announced",
        "directions": {"en": "Metro to Park Street", "pl": "Metro do Park Street",
                       "uk": "Метро до Park Street"},
        "accessibility": "not_announced", "aliases": ["Tagore"]}]}, allow_unicode=True))
    (overlay / "info.yaml").write_text(yaml.safe_dump({"topics": [{
        "id": "food", "title": {"en": "Food", "pl": "Jedzenie", "uk": "Їжа"},
        "body": {"en": "Chai all day.", "pl": "Chai cały dzień.", "uk": "Чай увесь день."},
        "keywords": {"en": ["food"], "pl": ["jedzenie"], "uk": ["їжа"]}}]}, allow_unicode=True))
    (overlay / "translations.yaml").write_text(yaml.safe_dump({"sessions": [
        {"id": "s102", "title": {"pl": "Wolne oprogramowanie w gminach"}},
        {"id": "s999", "title": {"pl": "Nie ma takiej"}},
        {"guid": "6d1c1a0e-7f5b-4f5a-9e0e-2b7f0c7d1001", "title": {"en": "Another opening"}},
    ]}, allow_unicode=True))
    loaded = load_content(KOLKATA_XML.read_bytes(), "kolkata.xml", overlay)
    conference = loaded.conference
    s102 = conference.sessions["s102"]
    assert s102.venue.address == "1 Park Street, Kolkata" and s102.venue.id == "tagore"
    assert s102.title["pl"] == "Wolne oprogramowanie w gminach"
    assert s102.title["en"] == "Freie Software in Kommunen"
    assert [t.id for t in conference.info] == ["food"]
    conflicts = [str(c) for c in loaded.conflicts]
    assert any("session s999: the schedule has no such session" in c for c in conflicts)
    assert any("field 'title': the 'en' text differs from the schedule's" in c
               for c in conflicts)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONFBOT_SCHEDULE", str(KOLKATA_XML))
    monkeypatch.setenv("CONFBOT_DATA_DIR", str(overlay))
    assert main(["check"]) == 1
    assert "2 conflicts between data/ and the schedule" in capsys.readouterr().out


def test_bad_overlay_data_stops_with_file_item_and_field(tmp_path: Path):
    overlay = tmp_path / "data"
    overlay.mkdir()
    (overlay / "venues.yaml").write_text("venues:\n  - id: tagore\n    name: {en: Tagore}\n")
    with pytest.raises(DataError) as error:
        load_content(KOLKATA_XML.read_bytes(), "kolkata.xml", overlay)
    assert "data/venues.yaml: venue tagore: field 'name': the 'pl' version is missing" in str(
        error.value)


# --- import -------------------------------------------------------------------------------

@pytest.mark.parametrize("schedule", [KOLKATA_XML, MUMBAI_JSON])
def test_import_writes_data_that_passes_the_check(schedule: Path, tmp_path: Path, capsys):
    out = tmp_path / "imported"
    assert main(["import", str(schedule), "--out", str(out)]) == 0
    assert "OK:" in capsys.readouterr().out
    conference, _ = load_conference(out)
    original = load_content(schedule.read_bytes(), str(schedule)).conference
    assert set(conference.sessions) == set(original.sessions)
    for session in original.sessions.values():
        assert conference.sessions[session.id].span == session.span


# --- live from a URL ----------------------------------------------------------------------

class _Schedule:
    """What the loopback server serves, and what it was asked."""

    def __init__(self, body: bytes) -> None:
        self.body, self.version, self.status = body, 1, 200
        self.conditional: list[str | None] = []


def _serve(state: _Schedule) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked = self.headers.get("If-None-Match")
            state.conditional.append(asked)
            etag = f'"v{state.version}"'
            if state.status != 200:
                self.send_error(state.status)
            elif asked == etag:
                self.send_response(304)
                self.end_headers()
            else:
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Type", "application/xml")
                self.end_headers()
                self.wfile.write(state.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _Phone:
    def __init__(self) -> None:
        self.received: list[str] = []

    async def deliver(self, address, replies, message_id=None) -> None:  # type: ignore[no-untyped-def]
        self.received.append("\n\n".join(plain_text(r) for r in replies))


def test_a_live_schedule_url_is_polled_and_subscribers_hear_of_changes(database_url: str):
    original = KOLKATA_XML.read_bytes()
    state = _Schedule(original)
    server = _serve(state)
    url = f"http://127.0.0.1:{server.server_port}/schedule.xml"
    try:
        live = LiveSchedule(ScheduleSettings(url, poll_seconds=0.05))
        loaded = live.load()
        app = start_app(loaded.conference, loaded.lexicon, Store(database_url),
                          FakeClock(kolkata("2024-09-07T09:00")))
        ConsoleSession(app, user="ala", client_language="en").ask("/remind s102")
        ConsoleSession(app, user="ola", client_language="pl").ask("/remind s107")

        async def check() -> bool:
            return await live.check(app, poll_url=True)

        assert asyncio.run(check()) is False             # unchanged: a 304
        assert state.conditional[-1] == '"v1"'

        state.body = original.replace(b"<start>11:00</start>", b"<start>13:00</start>").replace(
            b"<room>Sala Krak\xc3\xb3w</room>\n        <title>Spo",
            b"<room>Tagore Hall</room>\n        <title>Spo")
        state.version = 2

        async def watch_until_changed() -> None:
            stop = asyncio.Event()
            task = asyncio.create_task(live.watch(app, stop, lambda: stop.set()))
            await asyncio.wait_for(stop.wait(), timeout=10)
            await task

        asyncio.run(watch_until_changed())
        assert app.conference.sessions["s102"].span[0] == kolkata("2024-09-07T13:00")
        phone = _Phone()
        asyncio.run(OutboxSender(app.store, app.clock, "console", phone.deliver).drain_once())
        notices = "\n".join(phone.received)
        assert "13:00–14:00" in notices and "11:00–12:00" in notices
        assert "Tagore Hall" in notices                  # s107 moved to another room

        state.body, state.version = b"<schedule><oops", 3  # broken: the last good one stays
        assert asyncio.run(check()) is False
        state.status = 503                               # unreachable: the same
        assert asyncio.run(check()) is False
        assert app.conference.sessions["s102"].span[0] == kolkata("2024-09-07T13:00")
        app.store.close()
    finally:
        server.shutdown()


@pytest.mark.slow
def test_a_schedule_file_alone_needs_no_data_folder(tmp_path: Path):
    from tests.test_cli import confbot

    schedule = tmp_path / "schedule.json"
    shutil.copyfile(MUMBAI_JSON, schedule)
    result = confbot("console", "--now", "2024-11-15T09:40", stdin="/now\n/info\n", env={
        "CONFBOT_SCHEDULE": str(schedule), "CONFBOT_DATA_DIR": str(tmp_path / "missing"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert result.returncode == 0, result.stderr
    assert "09:30–10:00 Welcome to the harbour" in result.stdout
    assert "No practical information has been announced." in result.stdout
