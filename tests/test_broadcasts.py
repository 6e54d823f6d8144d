"""Organiser broadcasts: who may send, the conversation, audiences, languages, delivery,
the report, the CLI, and a SIGKILL in the middle of a broadcast."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import Application
from bot.core.logids import who
from bot.core.messages import Incoming
from bot.delivery.sender import DeliveryError, OutboxSender, RecipientGone
from bot.ops.serving import after_delivery
from bot.storage import Store
from bot.transports.console import ConsoleSession
from tests.helpers import start_app
from tests.test_reminders import Phone

ORGANISER = "org"


@pytest.fixture
def app(loaded, database_url, clock):  # type: ignore[no-untyped-def]
    application = start_app(loaded[0], loaded[1], Store(database_url), clock,
                              organisers=frozenset({f"console:{ORGANISER}",
                                                    "telegram:777"}))
    yield application
    application.store.close()


def person(app: Application, name: str, lang: str | None = None) -> ConsoleSession:
    return ConsoleSession(app, user=name, client_language=lang)


def audience_of(app: Application) -> dict[str, ConsoleSession]:
    people = {"ala": ("pl", "co teraz?"), "bob": ("en", "what's on now?"),
              "olena": ("uk", "що зараз?"), "ivan": ("uk", "що далі?")}
    sessions = {}
    for name, (lang, question) in people.items():
        sessions[name] = person(app, name, lang)
        sessions[name].ask(question)
    return sessions


def deliver(app: Application, phone: Phone, platform: str = "console") -> int:
    dispatcher = OutboxSender(app.store, app.clock, platform, phone.deliver,
                            on_done=after_delivery(app))
    return asyncio.run(dispatcher.drain_once())


def compose(organiser: ConsoleSession, *steps: str) -> str:
    return "\n".join(organiser.ask(step) for step in steps)


# --- who may broadcast ----------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "expected"), [
    ("pl", "tylko organizatorzy"), ("uk", "лише організатори"), ("en", "only the organisers")])
def test_others_are_refused_politely_and_logged(app, caplog, lang: str, expected: str):
    someone = person(app, f"guest-{lang}", lang)
    someone.ask(f"/lang {lang}")
    with caplog.at_level(logging.WARNING):
        assert expected in someone.ask("/announce")
    assert any("not an organiser" in r.message and who("console", f"guest-{lang}") in r.message
               for r in caplog.records)
    assert expected in someone.ask("/status")


def test_organisers_are_recognised_by_platform_and_id(app):
    telegram_organiser = app.handle(Incoming("telegram", "777", "777", "/announce", "en"))
    assert "Write the announcement" in str(telegram_organiser[0].html)
    same_id_elsewhere = app.handle(Incoming("matrix", "777", "777", "/announce", "en"))
    assert "only the organisers" in str(same_id_elsewhere[0].html)


# --- the conversation -----------------------------------------------------------------------

def test_compose_preview_and_send_in_three_languages(app, clock):
    audience_of(app)
    organiser = person(app, ORGANISER, "en")
    text = compose(organiser, "/announce", "Obiad przesunięty na 14:30.",
                   "Обід перенесено на 14:30.", "/skip")
    assert "Add the Українська version?" in text and "Add the English version?" in text
    preview = organiser.ask("/to all")
    assert "Preview for Polski (1 person)" in preview
    assert "Preview for Українська (2 people)" in preview
    assert "Preview for English (2 people)" in preview      # bob, and the organiser
    assert "(Only available in Polski.)" in preview
    assert "Send it to 5 people?" in preview
    sent = organiser.ask("/send")
    assert "is on its way to 5 people" in sent
    rows = {m.chat_id: m for m in app.store.outbox.messages() if m.kind == "broadcast"}
    assert set(rows) == {"ala", "bob", "olena", "ivan", ORGANISER}
    assert {rows["olena"].lang, rows["ala"].lang, rows["bob"].lang} == {"uk", "pl", "en"}
    assert "Обід перенесено" in rows["olena"].payload
    assert "Obiad przesunięty" in rows["bob"].payload and "Only available" in rows["bob"].payload


def test_cancel_sends_nothing(app):
    audience_of(app)
    organiser = person(app, ORGANISER, "en")
    compose(organiser, "/announce", "Test", "/skip", "/skip", "/to all")
    assert "Nothing was sent" in organiser.ask("/cancel")
    assert app.store.outbox.messages() == []
    assert "Start with /announce" in organiser.ask("/send")


@pytest.mark.parametrize(("audience", "expected"), [
    ("lang:uk", {"olena", "ivan"}),
    ("session:s20", {"ala", "ivan"}),
    ("platform:telegram", {"555"}),
])
def test_audiences(app, audience: str, expected: set[str]):
    sessions = audience_of(app)
    sessions["ala"].ask("/remind s20")
    sessions["ivan"].ask("/remind s20")
    app.handle(Incoming("telegram", "555", "555", "/now", "pl"))
    organiser = person(app, ORGANISER, "en")
    compose(organiser, "/announce", "Hello", "/skip", "/skip", f"/to {audience}", "/send")
    assert {m.chat_id for m in app.store.outbox.messages() if m.kind == "broadcast"} == expected


def test_an_unknown_audience_is_asked_again(app):
    organiser = person(app, ORGANISER, "en")
    answer = compose(organiser, "/announce", "Hello", "/skip", "/skip", "/to lang:de")
    assert "I do not know the audience “lang:de”" in answer and "/to all" in answer


def test_normal_questions_still_work_outside_a_conversation(app):
    organiser = person(app, ORGANISER, "en")
    assert "Now (10:05)" in organiser.ask("what's on now?")


# --- delivery and the report ----------------------------------------------------------------

def test_retries_blocked_people_and_the_report(app, clock):
    audience_of(app)
    organiser = person(app, ORGANISER, "en")
    compose(organiser, "/announce", "Lunch moved to 14:30.", "/skip", "/skip", "/to lang:uk",
            "/send")
    phone = Phone()
    phone.fail_with = [DeliveryError("429 Too Many Requests", retry_after=1),
                       RecipientGone("403: blocked")]
    deliver(app, phone)
    statuses = sorted(m.status for m in app.store.outbox.messages() if m.kind == "broadcast")
    assert statuses == ["blocked", "queued"]
    assert "Announcement #1: 0 sent, 1 waiting, 0 failed, 1 blocked." in organiser.ask("/status")
    clock.advance(seconds=2)
    deliver(app, phone)
    report = phone.of(ORGANISER)[-1]
    assert "Announcement #1 has been delivered" in report
    assert "Console, Українська: 1 delivered, 0 failed, 1 blocked" in report
    assert "No announcement is being sent right now." in organiser.ask("/status")
    deliver(app, phone)
    assert len(phone.of(ORGANISER)) == 1              # the report comes once


def test_a_server_error_is_retried_until_delivered(app, clock):
    audience_of(app)
    organiser = person(app, ORGANISER, "en")
    compose(organiser, "/announce", "Hi", "/skip", "/skip", "/to lang:pl", "/send")
    phone = Phone()
    phone.fail_with = [DeliveryError("502 Bad Gateway")] * 3
    for _ in range(4):
        deliver(app, phone)
        clock.advance(seconds=20)
    assert len(phone.of("ala")) == 1
    (row,) = [m for m in app.store.outbox.messages() if m.kind == "broadcast"]
    assert (row.status, row.attempts) == ("sent", 4)


def test_the_matrix_announce_room_gets_one_post_with_every_version(app):
    audience_of(app)
    app.announce_rooms["matrix"] = "!announcements:localhost"
    organiser = person(app, ORGANISER, "en")
    compose(organiser, "/announce", "Obiad o 14:30.", "Обід о 14:30.", "Lunch at 14:30.",
            "/to all", "/send")
    (post,) = [m for m in app.store.outbox.messages() if m.kind == "announce-room"]
    assert (post.platform, post.chat_id) == ("matrix", "!announcements:localhost")
    for text in ("Obiad o 14:30.", "Обід о 14:30.", "Lunch at 14:30."):
        assert text in post.payload
