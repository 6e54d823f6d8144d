"""Participation on Matrix against the real Synapse: two people vote on one question with
`!vote`, a second vote counts nothing, and the listing shows the vote count; two people vote
with a 👍 reaction on the question's message (the command in `TextReply.reactions`), and taking
the reaction back (a redaction) takes the vote back."""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.parse
import uuid

import pytest

from bot.app import Application
from bot.storage import Store
from bot.transports.matrix import MatrixTransport
from tests.conftest import warsaw
from tests.harness import RunningBot
from tests.helpers import start_app
from tests.matrix_person import Person
from tests.synapse_server import Synapse

pytestmark = pytest.mark.slow
BOT = "confbot-qa"
"""An account of its own, so this module does not depend on another registering the bot's."""


@pytest.fixture(scope="session")
def qa_synapse(synapse: Synapse) -> Synapse:
    with contextlib.suppress(urllib.error.HTTPError):  # 400 M_USER_IN_USE: made already
        synapse.register(BOT, "bot-password")
    return synapse


def bot_id() -> str:
    return f"@{BOT}:localhost"


def texts(events: list[dict]) -> str:  # type: ignore[type-arg]
    return "\n".join(event["content"]["body"] for event in events)


@pytest.fixture
def matrix_app(loaded, database_url: str, clock):  # type: ignore[no-untyped-def]
    clock.set(warsaw("2023-11-30T11:30"))
    application = start_app(loaded[0], loaded[1], Store(database_url), clock)
    yield application
    application.store.close()


def test_two_people_vote_on_one_question_on_matrix(matrix_app: Application,
                                                    qa_synapse: Synapse, clock):
    synapse = qa_synapse
    question = matrix_app.store.questions.ask("s20", None, "Czy będzie nagranie?", "pl",
                                              clock.now(), approved=True)
    transport = MatrixTransport(matrix_app, synapse.url, bot_id(), password="bot-password",
                                sync_timeout_ms=500)
    with RunningBot(matrix_app, transport):
        people = [Person(synapse, "qa-vera"), Person(synapse, "qa-taras")]
        rooms = []
        for person in people:
            room = person.room(bot_id())
            person.wait_joined(room, bot_id())
            rooms.append(room)
        vera, taras = people
        vera.say(rooms[0], f"!vote q{question.id}")
        taras.say(rooms[1], f"!vote q{question.id}")
        taras.say(rooms[1], f"!vote q{question.id}")
        # a bare command tells no language: Polish, the conference's first (+ the language offer)
        assert "się liczy" in texts(vera.wait_for(rooms[0], bot_id(), 2))
        replies = texts(taras.wait_for(rooms[1], bot_id(), 3))
        assert "się liczy" in replies and "Już głosowałeś" in replies
        assert f"!unvote q{question.id}" in replies
        vera.say(rooms[0], "!questions s20")
        listing = vera.wait_for(rooms[0], bot_id(), 4)[-1]["content"]
        assert "Czy będzie nagranie?" in listing["body"] and "2 głosy" in listing["body"]
    assert matrix_app.store.questions.get(question.id).votes == 2  # type: ignore[union-attr]


def test_two_people_vote_with_a_thumbs_up_and_one_takes_it_back(matrix_app: Application,
                                                                 qa_synapse: Synapse, clock):
    synapse = qa_synapse
    question = matrix_app.store.questions.ask("s20", None, "Czy będą slajdy?", "pl",
                                              clock.now(), approved=True)
    transport = MatrixTransport(matrix_app, synapse.url, bot_id(), password="bot-password",
                                sync_timeout_ms=500)
    with RunningBot(matrix_app, transport):
        people = [Person(synapse, "qa-olena"), Person(synapse, "qa-jan")]
        rooms, reactions = [], []
        for person in people:
            room = person.room(bot_id())
            person.wait_joined(room, bot_id())
            rooms.append(room)
            person.say(room, "!questions s20")
            listing = person.wait_for(room, bot_id(), 3)  # heading, question, language offer
            message = next(e for e in listing if "Czy będą slajdy?" in e["content"]["body"])
            reactions.append(person.react(room, message["event_id"], "👍"))
        olena, jan = people
        assert "się liczy" in texts(olena.wait_for(rooms[0], bot_id(), 4)[-1:])
        assert "się liczy" in texts(jan.wait_for(rooms[1], bot_id(), 4)[-1:])
        assert matrix_app.store.questions.get(question.id).votes == 2  # type: ignore[union-attr]
        olena.call("PUT", f"/rooms/{urllib.parse.quote(rooms[0])}/redact/"
                          f"{urllib.parse.quote(reactions[0])}/{uuid.uuid4().hex}", {})
        assert "cofnięty" in texts(olena.wait_for(rooms[0], bot_id(), 5)[-1:])
    assert matrix_app.store.questions.get(question.id).votes == 1  # type: ignore[union-attr]
