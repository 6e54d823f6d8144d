"""Participation on Telegram through the Bot API stand-in: the buttons carry the commands
(callback data within 64 bytes), two people vote on one question with the 👍 button, the
organiser approves with a button, and a rating prompt's buttons record the rating."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import Application
from tests.conftest import warsaw
from tests.harness import RunningBot
from tests.telegram_fixtures import ORGANISER, buttons, transport_for
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.slow
UKRAINIAN, POLISH = 1001, 1002


@pytest.fixture
def app(organiser_app: Application) -> Application:
    return organiser_app


@pytest.fixture
def bot(app: Application, api: BotApiStandIn) -> Iterator[RunningBot]:
    with RunningBot(app, transport_for(app, api)) as running:
        yield running


def test_questions_votes_and_ratings_with_buttons(bot: RunningBot, api: BotApiStandIn, clock):
    api.send_text(POLISH, "/s20", language_code="pl")
    (details,) = api.wait_for(1, chat_id=POLISH)
    assert "/ask s20" in buttons(details)
    api.press(POLISH, "/ask s20", language_code="pl")
    api.wait_for(2, chat_id=POLISH, method="sendMessage")
    api.send_text(POLISH, "Jak pozyskać wolontariuszy?", language_code="pl")
    asked = api.wait_for(3, chat_id=POLISH, method="sendMessage")[-1]
    assert "q1" in asked.params["text"] and "moderacji" in asked.params["text"]

    api.send_text(ORGANISER, "/questions s20")
    pending = api.wait_for(3, chat_id=ORGANISER, method="sendMessage")[-1]
    assert buttons(pending) == ["/approve q1", "/reject q1"]
    api.press(ORGANISER, "/approve q1")
    api.wait_for(4, chat_id=ORGANISER, method="sendMessage")

    api.send_text(UKRAINIAN, "/questions s20", language_code="uk")
    header, question = api.wait_for(2, chat_id=UKRAINIAN, method="sendMessage")
    assert "Питання до" in header.params["text"]
    assert buttons(question) == ["/vote q1"]
    api.press(UKRAINIAN, "/vote q1", language_code="uk")
    api.press(POLISH, "/vote q1", language_code="pl")
    api.press(UKRAINIAN, "/vote q1", language_code="uk")  # a second tap counts nothing
    api.wait_for(4, chat_id=UKRAINIAN, method="sendMessage")
    api.wait_for(4, chat_id=POLISH, method="sendMessage")
    assert bot.app.store.questions.get(1).votes == 2  # type: ignore[union-attr]
    last = api.sent(UKRAINIAN, "sendMessage")[-1]
    assert "Ви вже голосували" in last.params["text"] and buttons(last) == ["/unvote q1"]

    api.send_text(POLISH, "/remind s20", language_code="pl")
    api.wait_for(5, chat_id=POLISH, method="sendMessage")
    clock.set(warsaw("2023-11-30T12:46"))
    bot.call(bot.app.feedback_prompts.tick)
    prompt = api.wait_for(6, chat_id=POLISH, method="sendMessage")[-1]
    assert "Jak było" in prompt.params["text"]
    assert [f"/rate s20 {n}" for n in range(1, 6)] == buttons(prompt)[:5]
    every = [data for call in api.sent(method="sendMessage") for data in buttons(call)]
    assert all(len(data.encode()) <= 64 for data in every)
    api.press(POLISH, "/rate s20 5", language_code="pl")
    thanks = api.wait_for(7, chat_id=POLISH, method="sendMessage")[-1]
    assert "5/5" in thanks.params["text"]
    assert bot.app.store.ratings.summary("s20").average == 5
