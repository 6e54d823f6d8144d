"""Telegram end to end: python-telegram-bot talks HTTP to a Bot API stand-in on loopback."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from bot.app import Application
from bot.delivery.pacing import Pacer
from bot.transports.telegram import TelegramTransport
from tests.conftest import warsaw
from tests.harness import RunningBot
from tests.helpers import free_port, wait_until
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.slow  # the Bot API stand-in (an HTTP server), the bot running on it

UKRAINIAN, POLISH, ENGLISH = 1001, 1002, 1003


@pytest.fixture
def api() -> Iterator[BotApiStandIn]:
    stand_in = BotApiStandIn().start()
    yield stand_in
    stand_in.stop()


def transport_for(app: Application, api: BotApiStandIn, **kwargs) -> TelegramTransport:  # type: ignore[no-untyped-def]
    return TelegramTransport(app, api.token, base_url=api.base_url, poll_timeout=1,
                             pacer=Pacer(chat_interval=0.05, group_interval=0.1), **kwargs)


@pytest.fixture
def bot(app: Application, api: BotApiStandIn) -> Iterator[RunningBot]:
    with RunningBot(app, transport_for(app, api), on_stop=api.release_pollers) as running:
        yield running


def buttons(call) -> list[str]:  # type: ignore[no-untyped-def]
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


# --- the stories of the issue ---------------------------------------------------------------

def test_a_ukrainian_user_starts_chooses_and_asks(bot: RunningBot, api: BotApiStandIn):
    api.send_text(UKRAINIAN, "/start", language_code="uk")
    (welcome,) = api.wait_for(1, chat_id=UKRAINIAN)
    assert "Вітаю" in welcome.params["text"] or "Привіт" in welcome.params["text"]
    assert welcome.params["parse_mode"] == "HTML"
    assert {"/lang pl", "/lang uk", "/lang en"} <= set(buttons(welcome))
    api.press(UKRAINIAN, "/lang uk", language_code="uk")
    api.wait_for(1, method="answerCallbackQuery")
    api.wait_for(2, chat_id=UKRAINIAN, method="sendMessage")
    api.send_text(UKRAINIAN, "що зараз?", language_code="uk")
    answer = api.wait_for(3, chat_id=UKRAINIAN, method="sendMessage")[-1]
    assert "Зараз (10:05)" in answer.params["text"]
    assert bot.app.conference.sessions["s16"].title["uk"] in answer.params["text"]


def test_a_polish_user_gets_directions_to_skawina_with_a_venue(bot: RunningBot, api: BotApiStandIn):
    api.send_text(POLISH, "jak dojechać do Skawiny?", language_code="pl")
    (venue,) = api.wait_for(1, chat_id=POLISH, method="sendVenue")
    skawina = bot.app.conference.venues["skawina-library"]
    assert float(venue.params["latitude"]) == skawina.coordinates.lat
    assert float(venue.params["longitude"]) == skawina.coordinates.lon
    assert venue.params["title"] == skawina.name["pl"]
    assert venue.params["address"] == skawina.address
    text = api.sent(POLISH, "sendMessage")[0].params["text"]
    assert "Czerwone Maki" in text


def test_subscribing_with_the_button_brings_the_reminder(bot: RunningBot, api: BotApiStandIn,
                                                         clock):
    api.send_text(ENGLISH, "/s20")
    (details,) = api.wait_for(1, chat_id=ENGLISH)
    assert "/remind s20" in buttons(details)
    api.press(ENGLISH, "/remind s20")
    confirmation = api.wait_for(2, chat_id=ENGLISH, method="sendMessage")[-1]
    assert "Added to your agenda" in confirmation.params["text"]
    clock.set(warsaw("2023-11-30T11:00"))
    bot.call(bot.app.reminders.tick)
    reminder = api.wait_for(3, chat_id=ENGLISH, method="sendMessage")[-1]
    assert "starts in 15 minutes" in reminder.params["text"]
    assert "/where zablocie" in buttons(reminder)


def test_a_blocked_user_receives_nothing_more(bot: RunningBot, api: BotApiStandIn, clock):
    api.send_text(ENGLISH, "/remind s20")
    api.send_text(ENGLISH, "/remind s26")
    api.wait_for(2, chat_id=ENGLISH)
    api.blocked_chats.add(str(ENGLISH))
    clock.set(warsaw("2023-11-30T11:00"))
    bot.call(bot.app.reminders.tick)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(
            m.status == "blocked" for m in bot.app.store.outbox.messages()):
        time.sleep(0.02)
    assert [m.status for m in bot.app.store.outbox.messages()] == ["blocked"]
    attempts = len(api.sent(ENGLISH))
    clock.set(warsaw("2023-11-30T14:05"))           # lunch's reminder would be due now
    bot.call(bot.app.reminders.tick)                # returns once the tick has queued
    assert len(bot.app.store.outbox.messages()) == 1  # nothing queued: nothing to send
    assert len(api.sent(ENGLISH)) == attempts


# --- delivery -------------------------------------------------------------------------------

def test_retry_after_is_honoured(bot: RunningBot, api: BotApiStandIn):
    api.fail_next("sendMessage", 429, retry_after=1)
    api.send_text(ENGLISH, "/now")
    first, second = api.wait_for(2, chat_id=ENGLISH, method="sendMessage", timeout=10)
    assert second.at - first.at >= 0.95
    assert "Now (10:05)" in second.params["text"]


def test_a_server_error_is_retried(bot: RunningBot, api: BotApiStandIn):
    api.fail_next("sendMessage", 502, times=2)
    api.send_text(ENGLISH, "/next")
    calls = api.wait_for(3, chat_id=ENGLISH, method="sendMessage", timeout=10)
    assert "Next, at 10:20" in calls[-1].params["text"]


def test_user_text_is_escaped_in_html(bot: RunningBot, api: BotApiStandIn):
    api.send_text(ENGLISH, "/search <b>x</b> & y")
    (reply,) = api.wait_for(1, chat_id=ENGLISH)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in reply.params["text"]


def test_a_shared_location_gets_the_nearest_venues(bot: RunningBot, api: BotApiStandIn):
    skawina = bot.app.conference.venues["skawina-library"]
    api.send_location(ENGLISH, skawina.coordinates.lat, skawina.coordinates.lon + 0.001)
    (reply,) = api.wait_for(1, chat_id=ENGLISH)
    assert "Nearest venues" in reply.params["text"]
    assert skawina.name["en"] in reply.params["text"]


def test_an_unsupported_language_gets_the_choice(bot: RunningBot, api: BotApiStandIn):
    api.send_text(2002, "/start", language_code="ru")
    (welcome,) = api.wait_for(1, chat_id=2002)
    assert {"/lang pl", "/lang uk", "/lang en"} <= set(buttons(welcome))


def test_a_calendar_file_is_a_document(bot: RunningBot, api: BotApiStandIn):
    api.send_text(ENGLISH, "/ics s20")
    (document,) = api.wait_for(1, chat_id=ENGLISH, method="sendDocument")
    (content,) = document.files.values()
    assert b"BEGIN:VCALENDAR" in content and b"UID:s20@" in content


# --- groups and menus -----------------------------------------------------------------------

def test_in_a_group_only_commands_and_mentions_are_answered(bot: RunningBot, api: BotApiStandIn):
    group = -500
    api.send_text(ENGLISH, "co teraz?", chat_id=group, chat_type="supergroup")
    api.send_text(ENGLISH, "/now@some_other_bot", chat_id=group, chat_type="supergroup")
    api.send_text(ENGLISH, "/now@confbot_test_bot", chat_id=group, chat_type="supergroup")
    api.send_text(ENGLISH, "@confbot_test_bot when is lunch?", chat_id=group,
                  chat_type="supergroup")
    # a chat's updates are answered in order: whatever of the above gets an answer, gets it
    # before this last one
    api.send_text(ENGLISH, "/help@confbot_test_bot", chat_id=group, chat_type="supergroup")
    wait_until(lambda: any("What I can do" in str(c.params.get("text"))
                           for c in api.sent(group)), 10, "the answer to /help")
    replies = api.sent(group)
    assert len(replies) == 3
    assert "Now (10:05)" in replies[0].params["text"]
    assert "14:20–15:00" in replies[1].params["text"]


def test_menus_and_descriptions_in_every_language(bot: RunningBot, api: BotApiStandIn):
    menus = {c.params.get("language_code"): c.params["commands"]
             for c in api.calls_of("setMyCommands")}
    assert set(menus) == {None, "pl", "uk", "en"}
    uk = {c["command"]: c["description"] for c in menus["uk"]}
    assert uk["now"] == bot.app.catalogue["uk"].gettext("What is on now") != "What is on now"
    descriptions = {c.params.get("language_code"): c.params["description"]
                    for c in api.calls_of("setMyDescription")}
    assert bot.app.conference.short_name["uk"] in descriptions["uk"]
    assert len(api.calls_of("setMyShortDescription")) == 4


# --- webhook --------------------------------------------------------------------------------


def test_webhook_checks_the_secret(app: Application, api: BotApiStandIn):
    port = free_port()
    transport = transport_for(app, api, webhook_url=f"http://127.0.0.1:{port}/hook/tg",
                              webhook_secret="s3cret", webhook_listen="127.0.0.1",
                              webhook_port=port)
    update = {"update_id": 1, "message": {
        "message_id": 1, "date": 0, "chat": {"id": ENGLISH, "type": "private"},
        "from": api.user(ENGLISH), "text": "/now",
        "entities": [{"type": "bot_command", "offset": 0, "length": 4}]}}

    def post(secret: str, update: dict = update) -> int:  # type: ignore[type-arg]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/hook/tg", data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json",
                     "X-Telegram-Bot-Api-Secret-Token": secret})
        try:
            return urllib.request.urlopen(request, timeout=5).status
        except urllib.error.HTTPError as error:
            return error.code

    with RunningBot(app, transport):
        (hook,) = api.calls_of("setWebhook")
        assert hook.params["secret_token"] == "s3cret"
        assert post("wrong") == 403
        assert post("s3cret") == 200
        (reply,) = api.wait_for(1, chat_id=ENGLISH)
        assert "Now (10:05)" in reply.params["text"]
        assert post("s3cret") == 200  # Telegram retries: the same update_id is ignored
        help_update = {"update_id": 2, "message": {
            **update["message"], "message_id": 2, "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
        assert post("s3cret", help_update) == 200     # answered after the retry, if that were
        wait_until(lambda: any("What I can do" in str(c.params.get("text"))
                               for c in api.sent(chat_id=ENGLISH)), 10, "the answer to /help")
        assert len(api.sent(chat_id=ENGLISH)) == 2


def test_a_second_poller_backs_off_on_409(app: Application, api: BotApiStandIn, loaded,
                                          tmp_path, clock, caplog):  # type: ignore[no-untyped-def]
    from bot.storage import Store
    from tests.helpers import start_app

    other = start_app(loaded[0], loaded[1], Store(f"sqlite:///{tmp_path / 'other.sqlite3'}"),
                      clock)
    try:
        with RunningBot(app, transport_for(app, api)):
            wait_until(lambda: api.polling, 10, "the first poller waiting in getUpdates")
            with caplog.at_level("WARNING", logger="bot.transports.telegram"), \
                    RunningBot(other, transport_for(other, api)):
                time.sleep(4.0)  # not a wait for something: the window the conflicts are counted in
        conflicts = [r for r in caplog.records if "409 Conflict" in r.getMessage()]
        # whichever poller asks second gets the 409: one line per instance, not per attempt
        assert 1 <= len(conflicts) <= 2, [r.getMessage() for r in conflicts]
        assert "another instance is running with this token" in conflicts[0].getMessage()
        assert 1 <= api.conflicts <= 8, f"{api.conflicts} conflicts in 4 s: it spins"
    finally:
        other.store.close()
