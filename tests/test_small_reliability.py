"""Small things a bad day finds: digits of other scripts in commands, impossible clock times,
an announcement queued on the real clock for a bot on the demo clock, and a client hammering
the webhook with a wrong secret."""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest

from bot.app import Application
from bot.core.clock import SystemClock
from bot.delivery.broadcasts import Draft, queue
from bot.delivery.pacing import Pacer
from bot.transports.telegram import TelegramTransport
from tests.conftest import Chat
from tests.harness import RunningBot
from tests.helpers import free_port, start_app
from tests.telegram_standin import BotApiStandIn


@pytest.mark.parametrize("command", ["/s１６", "/s١٦", "!s１６"])
def test_a_session_named_with_other_digits(chat: Chat, app: Application, command: str):
    answer = chat("en").ask(command)
    assert app.conference.sessions["s16"].title["en"] in answer
    assert "There is no session" not in answer


def test_reminding_with_full_width_digits(chat: Chat):
    answer = chat("en").ask("/remind s２０")
    assert "s20" in answer or "remind" in answer.lower()
    assert "There is no session" not in answer


@pytest.mark.parametrize("question", ["what's on at 99:99?", "co jest o 25:10?",
                                      "what's on at 12:75"])
def test_an_impossible_clock_time_gets_an_honest_answer(chat: Chat, question: str):
    answer = chat("en").ask(question)
    impossible = re.search(r"\d\d:\d\d", question)
    assert impossible and impossible.group(0) in answer  # it names the time it cannot be
    assert "15:30" in answer  # and shows a time that can
    assert "–" not in answer  # no session listed (their lines read 11:15–12:45)


def test_a_possible_time_is_still_answered(chat: Chat):
    answer = chat("en").ask("what's on at 13:00?")
    assert "no such time" not in answer and "13:00" in answer


def test_an_announcement_from_the_real_clock_is_due_on_the_demo_clock(app: Application,
                                                                         loaded):  # type: ignore[no-untyped-def]
    ChatPeople = ["ala", "olena"]
    for person in ChatPeople:
        app.store.users.touch("console", person, now=app.clock.now(), chat_id=person)
    cli = start_app(loaded[0], loaded[1], app.store, SystemClock())  # `confbot announce`
    _, count = queue(cli, Draft({"en": "Lunch at 14:30."}, "en", "all"), author_platform="cli",
                     author_chat=None, author_user_id=None)
    assert count == 2
    assert app.clock.now() < datetime.now(UTC)  # the bot runs on the demo clock (2023)
    claim = app.store.outbox.claim("console", app.clock.now())
    assert sorted(m.chat_id for m in claim.messages) == ChatPeople


def test_wrong_secret_calls_are_counted_and_logged_once_a_minute(app: Application,
                                                                 caplog):  # type: ignore[no-untyped-def]
    api = BotApiStandIn().start()
    port = free_port()
    transport = TelegramTransport(app, api.token, base_url=api.base_url, poll_timeout=1,
                                  pacer=Pacer(chat_interval=0.05),
                                  webhook_url=f"http://127.0.0.1:{port}/hook",
                                  webhook_secret="s3cret", webhook_listen="127.0.0.1",
                                  webhook_port=port)

    def post(secret: str) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/hook", data=json.dumps({"update_id": 1}).encode(),
            headers={"Content-Type": "application/json",
                     "X-Telegram-Bot-Api-Secret-Token": secret})
        try:
            return urllib.request.urlopen(request, timeout=5).status
        except urllib.error.HTTPError as error:
            return error.code

    try:
        with caplog.at_level(logging.WARNING, logger="bot.transports.telegram"), \
                RunningBot(app, transport):
            statuses = [post("wrong") for _ in range(200)]
    finally:
        api.stop()
    assert set(statuses) == {403}
    assert transport.wrong_secret == 200
    lines = [r.getMessage() for r in caplog.records if "wrong secret" in r.getMessage()]
    assert len(lines) == 1, lines
