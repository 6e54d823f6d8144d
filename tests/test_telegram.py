"""Telegram end to end: python-telegram-bot talks HTTP to a Bot API stand-in on loopback."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from bot.app import Application
from tests.conftest import warsaw
from tests.harness import RunningBot
from tests.helpers import free_port, wait_until
from tests.telegram_fixtures import buttons, transport_for
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.slow  # the Bot API stand-in (an HTTP server), the bot running on it

UKRAINIAN, POLISH, ENGLISH = 1001, 1002, 1003


@pytest.fixture
def bot(app: Application, api: BotApiStandIn) -> Iterator[RunningBot]:
    with RunningBot(app, transport_for(app, api), on_stop=api.release_pollers) as running:
        yield running


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
        # the leader sets the webhook once it leads, a moment after the transport is ready
        wait_until(lambda: api.calls_of("setWebhook"), 30, "setWebhook")
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


# --- native Telegram: groups, topics, deep links, buttons -----------------------------------

GROUP = -1001500


def test_in_a_group_the_answer_replies_to_the_question(bot: RunningBot, api: BotApiStandIn):
    asked = api.send_text(ENGLISH, "/now", chat_id=GROUP, chat_type="supergroup")
    (answer,) = api.wait_for(1, chat_id=GROUP, method="sendMessage")
    assert answer.status == 200, answer.refusal
    assert answer.params["reply_parameters"]["message_id"] == asked
    assert "message_thread_id" not in answer.params
    api.send_text(ENGLISH, "/now")                      # in the private chat: no reply quote
    (private,) = api.wait_for(1, chat_id=ENGLISH, method="sendMessage")
    assert "reply_parameters" not in private.params


def test_in_a_forum_topic_the_answer_stays_in_the_topic(bot: RunningBot, api: BotApiStandIn):
    asked = api.send_text(ENGLISH, "/where skawina", chat_id=GROUP, chat_type="supergroup",
                          topic=77)
    calls = api.wait_for(2, chat_id=GROUP)
    assert [c.status for c in calls] == [200, 200], [c.refusal for c in calls]
    assert {int(c.params["message_thread_id"]) for c in calls} == {77}  # text and venue
    assert calls[0].params["reply_parameters"]["message_id"] == asked
    assert "reply_parameters" not in calls[1].params          # only the first part quotes


def test_the_stand_in_refuses_an_unknown_topic_as_telegram_does(api: BotApiStandIn):
    api.send_text(ENGLISH, "hello", chat_id=GROUP, chat_type="supergroup", topic=77)
    request = urllib.request.Request(
        f"{api.base_url}{api.token}/sendMessage",
        data=json.dumps({"chat_id": GROUP, "text": "x", "message_thread_id": 78}).encode(),
        headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400
    assert "message thread not found" in json.loads(refused.value.read())["description"]


def url_buttons(call) -> list[str]:  # type: ignore[no-untyped-def]
    markup = call.params.get("reply_markup") or {}
    return [b["url"] for row in markup.get("inline_keyboard", []) for b in row if "url" in b]


def test_a_reminder_asked_in_a_group_is_completed_in_the_private_chat(bot: RunningBot,
                                                                     api: BotApiStandIn):
    api.send_text(ENGLISH, "/remind s20", chat_id=GROUP, chat_type="supergroup")
    (answer,) = api.wait_for(1, chat_id=GROUP, method="sendMessage")
    assert "private chat" in answer.params["text"]
    assert url_buttons(answer) == ["https://t.me/confbot_test_bot?start=remind_s20"]
    person = bot.app.store.users.known("telegram", str(ENGLISH))
    assert person is not None and bot.app.store.subscriptions.of(person.id) == []
    # the button opens the private chat, where Telegram sends /start with the payload
    api.send_text(ENGLISH, "/start remind_s20")
    (done,) = api.wait_for(1, chat_id=ENGLISH, method="sendMessage")
    assert "Added to your agenda" in done.params["text"]
    assert bot.app.store.subscriptions.of(person.id) == ["s20"]
    for private_only in ("/my", "/ics", "/privacy"):
        api.send_text(ENGLISH, private_only, chat_id=GROUP, chat_type="supergroup")
    answers = api.wait_for(4, chat_id=GROUP)[1:]
    assert [url_buttons(a) for a in answers] == [
        ["https://t.me/confbot_test_bot?start=my"], ["https://t.me/confbot_test_bot?start=ics"],
        ["https://t.me/confbot_test_bot?start=privacy"]]
    assert not any(c.method == "sendDocument" for c in api.sent(GROUP))


def test_a_403_on_a_group_reply_deactivates_nobody(bot: RunningBot, api: BotApiStandIn):
    api.send_text(ENGLISH, "/now")
    api.wait_for(1, chat_id=ENGLISH)
    api.blocked_chats.add(str(GROUP))                 # the bot was removed from the group
    api.send_text(ENGLISH, "/now", chat_id=GROUP, chat_type="supergroup")
    (refused,) = api.wait_for(1, chat_id=GROUP)
    assert refused.status == 403
    api.send_text(ENGLISH, "/next")                  # the private chat goes on
    api.wait_for(2, chat_id=ENGLISH)
    person = bot.app.store.users.known("telegram", str(ENGLISH))
    assert person is not None and person.active


def test_deep_links_open_a_session_or_the_welcome(bot: RunningBot, api: BotApiStandIn):
    api.send_text(ENGLISH, "/start s12")
    (session,) = api.wait_for(1, chat_id=ENGLISH)
    assert bot.app.conference.sessions["s12"].title["en"] in session.params["text"]
    api.send_text(ENGLISH, "/start nonsense_payload")
    welcome = api.wait_for(2, chat_id=ENGLISH)[-1]
    assert "Hello" in welcome.params["text"]
    person = bot.app.store.users.known("telegram", str(ENGLISH))
    assert person is not None and bot.app.store.subscriptions.of(person.id) == []


def test_a_tap_gets_a_toast_and_flips_the_button_in_place(bot: RunningBot, api: BotApiStandIn):
    api.send_text(ENGLISH, "/s20")
    (details,) = api.wait_for(1, chat_id=ENGLISH)
    assert "/remind s20" in buttons(details)
    api.press(ENGLISH, "/remind s20", on=details)
    (toast,) = api.wait_for(1, method="answerCallbackQuery")
    assert toast.params["text"] == "Reminder set: 15 minutes before."
    (edit,) = api.wait_for(1, method="editMessageReplyMarkup")
    assert edit.status == 200 and int(edit.params["message_id"]) == details.result["message_id"]
    now = [b["callback_data"] for row in api.keyboard(details) for b in row
           if "callback_data" in b]
    assert "/unremind s20" in now and "/remind s20" not in now
    api.press(ENGLISH, "/unremind s20", on=details)
    toasts = api.wait_for(2, method="answerCallbackQuery")
    assert toasts[-1].params["text"] == "Removed"
    api.wait_for(2, method="editMessageReplyMarkup")
    again = [b["callback_data"] for row in api.keyboard(details) for b in row
             if "callback_data" in b]
    assert "/remind s20" in again and "/unremind s20" not in again
    assert len(api.sent(ENGLISH, "sendMessage")) == 1        # no new message per tap
    person = bot.app.store.users.known("telegram", str(ENGLISH))
    assert person is not None and bot.app.store.subscriptions.of(person.id) == []


def test_organisers_get_the_links_for_posters(app: Application, api: BotApiStandIn):
    app.organisers = frozenset({f"telegram:{POLISH}"})
    with RunningBot(app, transport_for(app, api)):
        api.send_text(POLISH, "/link s12", language_code="en")
        (links,) = api.wait_for(1, chat_id=POLISH)
        assert "https://t.me/confbot_test_bot?start=s12" in links.params["text"]
        assert "https://t.me/confbot_test_bot?start=remind_s12" in links.params["text"]
        api.send_text(ENGLISH, "/link s12")
        (refused,) = api.wait_for(1, chat_id=ENGLISH)
        assert "t.me" not in refused.params["text"]


def test_an_edited_question_is_answered_again_only_when_its_meaning_changed(
        bot: RunningBot, api: BotApiStandIn):
    asked = api.send_text(ENGLISH, "when is lunch?")
    api.wait_for(1, chat_id=ENGLISH, method="sendMessage")
    api.send_text(ENGLISH, "when is  lunch ?", message_id=asked, edited=True)   # a typo fixed
    api.send_text(ENGLISH, "/next", message_id=asked, edited=True)              # a new question
    answers = api.wait_for(2, chat_id=ENGLISH, method="sendMessage")
    assert "Next, at 10:20" in answers[1].params["text"]
    assert answers[1].params["reply_parameters"]["message_id"] == asked
    time.sleep(0.5)
    assert len(api.sent(ENGLISH, "sendMessage")) == 2


def test_an_edit_that_addresses_the_bot_in_a_group_is_answered_once(bot: RunningBot,
                                                                     api: BotApiStandIn):
    said = api.send_text(ENGLISH, "when is lunch?", chat_id=GROUP, chat_type="supergroup")
    api.send_text(ENGLISH, "@confbot_test_bot when is lunch?", chat_id=GROUP,
                  chat_type="supergroup", message_id=said, edited=True)
    (answer,) = api.wait_for(1, chat_id=GROUP)
    assert "14:20–15:00" in answer.params["text"]
    assert answer.params["reply_parameters"]["message_id"] == said


def test_inline_mode_offers_session_cards_in_the_persons_language(bot: RunningBot,
                                                                  api: BotApiStandIn):
    api.inline(UKRAINIAN, "s12", language_code="uk")
    (answer,) = api.wait_for(1, method="answerInlineQuery")
    (card,) = answer.params["results"]
    s12 = bot.app.conference.sessions["s12"]
    assert card["title"] == s12.title["uk"]
    assert card["description"].startswith(bot.app.catalogue["uk"].day(s12.day.date))
    assert card["input_message_content"]["parse_mode"] == "HTML"
    links = [b["url"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert links == ["https://t.me/confbot_test_bot?start=s12",
                     "https://t.me/confbot_test_bot?start=remind_s12"]
    api.inline(ENGLISH, "lunch")
    answer = api.wait_for(2, method="answerInlineQuery")[-1]
    lunch = next(r for r in answer.params["results"] if r["id"] == "s26")
    assert lunch["description"] == ("Thursday, 30 November, 14:20–15:00 · Klaster Innowacji "
                                    "Społeczno-Gospodarczych Zabłocie 20.22 (Zabłocie 20.22 "
                                    "Social and Economic Innovation Cluster), ul. Zabłocie 22, "
                                    "Kraków")
    assert all("t.me/confbot_test_bot?start=" in r["reply_markup"]["inline_keyboard"][0][0]["url"]
               for r in answer.params["results"])
    assert bot.app.store.users.known("telegram", str(ENGLISH)) is None   # nothing kept


def test_every_listed_place_and_topic_has_its_own_tappable_command(bot: RunningBot,
                                                                   api: BotApiStandIn):
    def ask(text: str, parts: int = 1) -> str:
        before = len(api.sent(ENGLISH, "sendMessage"))
        api.send_text(ENGLISH, text)
        calls = api.wait_for(before + parts, chat_id=ENGLISH, method="sendMessage")
        return "\n".join(c.params["text"] for c in calls[before:])

    listing = ask("/venues")
    assert "/where_mam_kozlowka" in listing and "/where_zablocie" in listing
    details = ask("/where_mam_kozlowka")                     # what a tap on it sends
    mam = bot.app.conference.venues["mam-kozlowka"]
    assert details.startswith(f"<b>{mam.name['en']}")
    assert "/where_zablocie" not in details                  # not every venue again
    assert "/info_venue_day2" in ask("/info")
    day2 = next(t for t in bot.app.conference.info if t.id == "venue-day2")
    assert day2.title["en"] in ask("/info_venue_day2")


def test_a_long_reply_is_split_on_line_boundaries_below_the_limit(app: Application,
                                                                 api: BotApiStandIn):
    from bot.core.messages import Incoming, TextReply

    app.organisers = frozenset({f"telegram:{POLISH}", "telegram:999"})
    with RunningBot(app, transport_for(app, api)):
        api.send_text(POLISH, "/link", language_code="en")   # every session's links
        api.wait_for(2, chat_id=POLISH, method="sendMessage")
        time.sleep(0.5)
        parts = [c.params["text"] for c in api.sent(POLISH, "sendMessage")]
        (whole,) = [r for r in app.handle(Incoming("telegram", "999", "999", "/link",
                                                   client_language="en"))
                    if isinstance(r, TextReply)]
    assert len(whole.html) > 4096 and len(parts) == 2
    assert all(len(part) <= 4096 for part in parts)
    assert "\n".join(parts) == str(whole.html)               # cut only between lines


def test_every_tap_that_changes_a_setting_gets_a_toast(bot: RunningBot, api: BotApiStandIn):
    api.press(ENGLISH, "/lang uk")
    api.wait_for(1, method="answerCallbackQuery")
    api.press(ENGLISH, "/reminders 30")
    toasts = [c.params.get("text") for c in api.wait_for(2, method="answerCallbackQuery")]
    assert toasts[0] == "✓ Українська"
    expected = bot.app.catalogue["uk"].ngettext(
        "I will remind you %(num)d minute before each session.",
        "I will remind you %(num)d minutes before each session.", 30) % {"num": 30}
    assert toasts[1] == expected and "30" in expected


def test_a_tap_that_opens_something_new_shows_its_heading_as_the_toast(bot: RunningBot,
                                                                      api: BotApiStandIn):
    api.press(ENGLISH, "/programme 2")
    (toast,) = api.wait_for(1, method="answerCallbackQuery")
    (listing,) = api.wait_for(1, chat_id=ENGLISH, method="sendMessage")
    heading = listing.params["text"].split("\n")[0].replace("<b>", "").replace("</b>", "")
    assert toast.params["text"] == heading and "30 November" in heading
