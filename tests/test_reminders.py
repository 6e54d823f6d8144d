"""Reminders, the agenda, programme changes and calendar files, driven by the fake clock."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.app import Application
from bot.core.messages import Address, FileReply, Reply, TextReply
from bot.core.plaintext import plain_text
from bot.delivery.sender import DeliveryError, OutboxSender, RecipientGone
from bot.programme.yaml_data import DataError, load_conference
from bot.storage import Store
from bot.transports.console import ConsoleSession
from tests.conftest import DATA_DIR, warsaw
from tests.helpers import start_app
from tests.test_validation import edit, session


class Phone:
    """Collects what the outbox delivers, per chat, as the console would print it."""

    def __init__(self) -> None:
        self.received: dict[str, list[str]] = {}
        self.fail_with: list[Exception] = []

    async def deliver(self, address: Address, replies: list[Reply],
                      message_id: int | None = None) -> None:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.received.setdefault(address.chat_id, []).append(
            "\n\n".join(plain_text(r) for r in replies))

    def of(self, chat: str) -> list[str]:
        return self.received.get(chat, [])


@pytest.fixture
def phone() -> Phone:
    return Phone()


def deliver(app: Application, phone: Phone) -> int:
    """Run the reminder tick and the console outbox, as the running bot does."""
    app.reminders.tick()
    dispatcher = OutboxSender(app.store, app.clock, "console", phone.deliver)
    return asyncio.run(dispatcher.drain_once())


def person(app: Application, name: str, lang: str | None = None) -> ConsoleSession:
    return ConsoleSession(app, user=name, client_language=lang)


# --- choosing sessions --------------------------------------------------------------------

@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("przypomnij mi o panelu o centrach społecznościowych", "pl", "s20"),
    ("remind me about the community centers panel", "en", "s20"),
    ("нагадай про сесію про волонтерство", "uk", "s25"),
    ("/remind s22", "en", "s22"),
])
def test_choosing_a_session(app, text: str, lang: str, expected: str):
    answer = person(app, "ala", lang).ask(text)
    assert f"/{expected}" in answer
    assert app.store.subscriptions.of(app.store.users.touch(
        "console", "ala", now=app.clock.now()).id) == [expected]


def test_the_same_ways_remove_it(app):
    ala = person(app, "ala", "en")
    ala.ask("/remind s20")
    assert "Removed from your agenda" in ala.ask("don't remind me about the community centers "
                                                 "panel")
    ala.ask("/remind s20")
    assert "Usunięto z Twojego planu" in ala.ask("nie przypominaj o panelu o centrach "
                                                 "społecznościowych")
    ala.ask("/remind s25")
    assert "Видалено з вашого плану" in ala.ask("не нагадуй про волонтерство")
    assert "Ваш план порожній" in ala.ask("/my")  # a bare command follows the last language


def test_session_details_offer_remind_and_then_remove(app):
    ala = person(app, "ala", "en")
    assert "[Remind me → /remind s20]" in ala.ask("/s20")
    ala.ask("/remind s20")
    assert "[Remove reminder → /unremind s20]" in ala.ask("/s20")


def test_an_unclear_request_offers_the_candidates(app):
    answer = person(app, "ala", "en").ask("/remind community")
    assert "Which one do you mean?" in answer
    assert "→ /remind s20]" in answer and answer.count("→ /remind s") >= 2
    assert app.store.subscriptions.of(1) == []


def test_agenda_by_day_with_overlaps(app, conference):
    ala = person(app, "ala", "en")
    for session_id in ("s3", "s20", "s21", "s26"):
        ala.ask(f"/remind {session_id}")
    agenda = ala.ask("/my")
    assert agenda.index("Wednesday, 29 November") < agenda.index("/s3") < agenda.index(
        "Thursday, 30 November") < agenda.index("/s20")
    line_20 = next(line for line in agenda.splitlines() if "/s20" in line)
    line_26 = next(line for line in agenda.splitlines() if "/s26" in line)
    assert "overlaps" in line_20 and "overlaps" not in line_26
    assert "It overlaps with" in ala.ask("/remind s22")


# --- reminders ------------------------------------------------------------------------------

def test_exactly_one_reminder_arrives(app, clock, phone):
    person(app, "ala", "en").ask("/remind s20")  # 11:15; it is 10:05
    clock.set(warsaw("2023-11-30T10:59"))
    assert deliver(app, phone) == 0
    clock.set(warsaw("2023-11-30T11:00"))
    assert deliver(app, phone) == 1
    clock.set(warsaw("2023-11-30T11:05"))
    assert deliver(app, phone) == 0
    (reminder,) = phone.of("ala")
    assert "starts in 15 minutes" in reminder and "/s20" in reminder
    assert "ul. Zabłocie 22" in reminder and "[Directions → /where zablocie]" in reminder


def test_the_reminder_is_in_the_persons_language(app, clock, phone):
    person(app, "olena").ask("нагадай про сесію про волонтерство")  # s25, 12:50
    clock.set(warsaw("2023-11-30T12:36"))
    deliver(app, phone)
    (reminder,) = phone.of("olena")
    assert "через 14 хвилин" in reminder and "Мешканці – мешканцям" in reminder


def test_lead_time_and_turning_reminders_off(app, clock, phone):
    ala = person(app, "ala", "en")
    ala.ask("/reminders 5")
    ala.ask("/remind s20")
    clock.set(warsaw("2023-11-30T11:05"))
    assert deliver(app, phone) == 0
    clock.set(warsaw("2023-11-30T11:10"))
    assert deliver(app, phone) == 1
    bob = person(app, "bob", "en")
    assert "Reminders are off" in bob.ask("/reminders off")
    bob.ask("/remind s23")
    clock.set(warsaw("2023-11-30T12:45"))
    deliver(app, phone)
    assert phone.of("bob") == []


def test_a_session_elsewhere_comes_with_the_way_there(app, clock, phone, conference):
    ala = person(app, "ala", "en")
    ala.ask("/remind s3")   # Skawina, 15:00–16:00
    ala.ask("/remind s6")   # MAM Na Kozłówce, 17:00–18:00
    clock.set(warsaw("2023-11-29T16:45"))
    deliver(app, phone)
    reminder = phone.of("ala")[-1]
    assert "/s6" in reminder
    assert "You are coming from" in reminder
    assert conference.venues["skawina-library"].name["en"] in reminder


def test_no_way_there_when_the_place_is_the_same(app, clock, phone):
    ala = person(app, "ala", "en")
    ala.ask("/remind s2")   # MAM, 15:00
    ala.ask("/remind s6")   # MAM, 17:00
    clock.set(warsaw("2023-11-29T16:45"))
    deliver(app, phone)
    assert "You are coming from" not in phone.of("ala")[-1]


def test_restart_neither_loses_nor_repeats(app, loaded, database_url, clock, phone):
    person(app, "ala", "en").ask("/remind s20")
    person(app, "bob", "en").ask("/remind s21")
    clock.set(warsaw("2023-11-30T11:00"))
    app.reminders.tick()          # both queued …
    app.store.close()             # … and the bot dies before sending anything
    again = start_app(loaded[0], loaded[1], Store(database_url), clock)
    try:
        assert deliver(again, phone) == 2
        third = start_app(loaded[0], loaded[1], Store(database_url), clock)
        try:
            assert deliver(third, phone) == 0
        finally:
            third.store.close()
    finally:
        again.store.close()
    assert len(phone.of("ala")) == 1 and len(phone.of("bob")) == 1


def test_a_reminder_missed_while_down_is_sent_only_before_the_start(app, clock, phone):
    person(app, "ala", "en").ask("/remind s20")   # due 11:00, starts 11:15
    person(app, "bob", "en").ask("/remind s19")   # coffee: due 10:40, started 10:55
    clock.set(warsaw("2023-11-30T11:10"))           # the bot was down from 10:05 to 11:10
    deliver(app, phone)
    assert len(phone.of("ala")) == 1 and "starts in 5 minutes" in phone.of("ala")[0]
    assert phone.of("bob") == []


def test_a_queued_reminder_that_became_late_expires(app, clock, phone):
    person(app, "ala", "en").ask("/remind s20")
    clock.set(warsaw("2023-11-30T11:00"))
    app.reminders.tick()
    clock.set(warsaw("2023-11-30T11:16"))
    asyncio.run(OutboxSender(app.store, clock, "console", phone.deliver).drain_once())
    assert phone.of("ala") == []
    assert [m.status for m in app.store.outbox.messages()] == ["expired"]


def test_failed_delivery_is_retried_and_a_blocked_person_gets_nothing_more(app, clock, phone):
    person(app, "ala", "en").ask("/remind s20")
    person(app, "bob", "en").ask("/remind s20")
    clock.set(warsaw("2023-11-30T11:00"))
    phone.fail_with = [DeliveryError("502 Bad Gateway"), RecipientGone("403: bot blocked")]
    deliver(app, phone)
    statuses = {m.chat_id: (m.status, m.last_error) for m in app.store.outbox.messages()}
    assert statuses["ala"] == ("queued", "DeliveryError: 502 Bad Gateway")
    assert statuses["bob"][0] == "blocked"
    clock.set(warsaw("2023-11-30T11:01"))
    deliver(app, phone)
    assert len(phone.of("ala")) == 1 and phone.of("bob") == []
    person(app, "bob2", "en").ask("/remind s23")
    assert [u.external_id for u, _ in app.store.subscriptions.subscribers("s20")] == ["ala"]


# --- programme changes ----------------------------------------------------------------------

@pytest.fixture
def data(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def test_a_moved_session_is_announced_and_the_reminder_follows(app, clock, phone, data):
    person(app, "ala", "pl").ask("/remind s20")
    person(app, "olena", "uk").ask("/remind s20")
    edit(data / "programme" / "day2.yaml",
         lambda d: session(d, "s20").update(start="11:30", end="13:00"))
    app.replace_programme(*load_conference(data))
    deliver(app, phone)
    (notice,) = phone.of("ala")
    assert "Zmiana w Twoim planie" in notice
    assert "11:30–13:00" in notice and "11:15–12:45" in notice
    assert "Зміна у вашому плані" in phone.of("olena")[0]
    clock.set(warsaw("2023-11-30T11:00"))
    assert deliver(app, phone) == 0                # the old reminder time passes quietly
    clock.set(warsaw("2023-11-30T11:15"))
    assert deliver(app, phone) == 2                # the new one comes 15 minutes before 11:30
    assert "11:30–13:00" in phone.of("ala")[-1]


def test_a_new_place_and_a_cancellation(app, phone, data, conference):
    person(app, "ala", "en").ask("/remind s4")
    person(app, "bob", "en").ask("/remind s5")

    def changes(document: dict) -> None:
        session(document, "s4")["venue"] = "miejsce-otwarte-cim"
        document["sessions"].remove(session(document, "s5"))

    edit(data / "programme" / "day1.yaml", changes)
    app.replace_programme(*load_conference(data))
    deliver(app, phone)
    assert "New place:" in phone.of("ala")[0]
    assert conference.venues["miejsce-otwarte-cim"].name["en"] in phone.of("ala")[0]
    assert "has been cancelled" in phone.of("bob")[0]
    assert app.store.subscriptions.subscribers("s5") == []


def test_an_unchanged_reload_tells_nobody(app, phone):
    person(app, "ala", "en").ask("/remind s20")
    app.replace_programme(*load_conference(DATA_DIR))
    assert deliver(app, phone) == 0


def test_invalid_data_is_refused_and_the_programme_stays(app, data, conference):
    edit(data / "programme" / "day2.yaml", lambda d: session(d, "s20").update(venue="nowhere"))
    with pytest.raises(DataError):
        load_conference(data)
    assert app.conference.sessions["s20"].venue.id == "zablocie"


def test_the_running_bot_notices_edited_data(app, phone, data):
    from bot.ops.watcher import watch_data

    person(app, "ala", "en").ask("/remind s20")

    async def scenario() -> None:
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_data(app, data, stop, lambda: None, every=0.05))
        await asyncio.sleep(0.1)
        edit(data / "programme" / "day2.yaml", lambda d: session(d, "s20").update(
            venue="nowhere"))                                   # a bad edit: refused
        await asyncio.sleep(0.3)
        assert app.conference.sessions["s20"].venue.id == "zablocie"
        edit(data / "programme" / "day2.yaml", lambda d: session(d, "s20").update(
            venue="zablocie", start="11:20"))                   # fixed, and moved
        await asyncio.sleep(0.3)
        stop.set()
        await watcher

    asyncio.run(scenario())
    assert app.conference.sessions["s20"].span[0] == warsaw("2023-11-30T11:20")
    deliver(app, phone)
    assert "New time" in phone.of("ala")[0]


# --- calendar files -------------------------------------------------------------------------

def test_one_session_as_a_calendar_file(app, conference):
    (reply,) = person(app, "ala", "en").send("/ics s20")
    assert isinstance(reply, FileReply) and reply.mime_type == "text/calendar"
    calendar = Calendar.from_ical(reply.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"s20@{conference.id}"
    start = event.decoded("DTSTART")
    assert start == warsaw("2023-11-30T11:15") and str(start.tzinfo) == "Europe/Warsaw"
    assert event.decoded("DTEND") == warsaw("2023-11-30T12:45")
    assert "ul. Zabłocie 22" in str(event["LOCATION"])
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Warsaw"


def test_the_agenda_as_a_calendar_file_with_geo(app, conference):
    ala = person(app, "ala", "pl")
    ala.ask("/remind s3")
    ala.ask("/remind s26")
    (reply,) = ala.send("/ics")
    events = {str(e["UID"]): e for e in Calendar.from_ical(reply.content).walk("VEVENT")}
    assert set(events) == {f"s3@{conference.id}", f"s26@{conference.id}"}
    skawina = conference.venues["skawina-library"].coordinates
    geo = events[f"s3@{conference.id}"]["GEO"]
    assert (geo.latitude, geo.longitude) == pytest.approx((skawina.lat, skawina.lon))
    assert str(events[f"s26@{conference.id}"]["SUMMARY"]) == conference.sessions[
        "s26"].title["pl"]


def test_an_empty_agenda_has_no_calendar(app):
    reply = person(app, "ala", "en").send("/ics")[0]
    assert isinstance(reply, TextReply) and "Your agenda is empty" in str(reply.html)


def test_no_reminder_choice_is_longer_than_tick_looks_ahead():
    from bot.delivery.reminders import MAX_REMINDER_AHEAD
    from handlers.reminders import LEAD_CHOICES

    assert max(LEAD_CHOICES) * 60 <= MAX_REMINDER_AHEAD.total_seconds()
