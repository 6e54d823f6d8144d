"""Matrix through the inbox. Against the real Synapse: a real `confbot run` killed (SIGKILL)
during a burst and started again answers every message, at most one twice; one person
flooding a shared room does not delay another person's answer there beyond 3 s. Without it:
events the inbox cannot record are not acknowledged, and come again once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import Application
from bot.storage import Store
from bot.transports.matrix import MatrixTransport
from bot.transports.matrix.receiving import event_key, undoing
from bot.transports.matrix.sending import Answering
from tests.conftest import warsaw
from tests.harness import RunningBot
from tests.helpers import bot_environment, start_app, start_bot, stop, wait_until
from tests.matrix_person import Person
from tests.synapse_server import Synapse

PASSWORD = "bot-password"
PEOPLE, EACH = 15, 4
"""15 people send 4 messages each at once, after a first one (5 in all: within the rate of 5
in 5 s, so nothing is dropped)."""


def answers(person: Person, room: str, bot: str) -> int:
    return len(person.events_from(room, bot))


@pytest.mark.slow
def test_sigkill_during_a_burst_loses_nothing(synapse: Synapse, tmp_path: Path):
    bot = synapse.register(f"inboxbot-{uuid.uuid4().hex[:6]}", PASSWORD)["user_id"]
    database = tmp_path / "bot.sqlite3"
    env = bot_environment(DATABASE_URL=f"sqlite:///{database}",
                          MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=bot,
                          MATRIX_PASSWORD=PASSWORD, CONFBOT_LOG_LEVEL="INFO",
                          CONFBOT_RETENTION_DAYS="36500")
    with ThreadPoolExecutor(8) as pool:
        people = list(pool.map(lambda n: Person(synapse, f"burst{n}"), range(PEOPLE)))
    log = tmp_path / "bot.log"
    process: subprocess.Popen[bytes] = start_bot(env, log)
    try:
        wait_until(lambda: "platform=matrix: running as" in log.read_text(), 60,
                   "the bot to sync")
        rooms = [person.room(bot) for person in people]
        for person, room in zip(people, rooms, strict=True):
            person.wait_joined(room, bot)
        with ThreadPoolExecutor(8) as pool:  # a first word: the answer and the language offer
            list(pool.map(lambda p, r: p.say(r, "!now"), people, rooms))
        for person, room in zip(people, rooms, strict=True):
            person.wait_for(room, bot, 2)

        def burst(person: Person, room: str) -> None:
            for _ in range(EACH):
                person.say(room, "!next")

        sending = ThreadPoolExecutor(PEOPLE)
        sent = list(sending.map(lambda p, r: sending.submit(burst, p, r), people, rooms))

        def total() -> int:
            return sum(answers(p, r, bot) for p, r in zip(people, rooms, strict=True))

        def handled() -> int:
            with contextlib.closing(sqlite3.connect(database)) as db:
                return int(db.execute("SELECT count(*) FROM inbox WHERE status != 'received'"
                                      ).fetchone()[0])

        wait_until(lambda: handled() >= PEOPLE + 12, 60, "the burst to be under way")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        for sending_one in sent:
            sending_one.result()
        sending.shutdown()
        at_kill = total() - 2 * PEOPLE
        print(f"burst: {at_kill} of {EACH * PEOPLE} answered at the kill")
        assert at_kill < EACH * PEOPLE, "the burst was over before the kill"
        process = start_bot(env, log)
        wait_until(lambda: total() >= (2 + EACH) * PEOPLE, 90, "every message answered")
        last = -1
        while (now := total()) != last:  # anything more would be a repeat
            last = now
            time.sleep(1.5)
    finally:
        stop(process)
    counts = [answers(p, r, bot) - 2 for p, r in zip(people, rooms, strict=True)]
    assert all(count >= EACH for count in counts), counts
    assert sum(count - EACH for count in counts) <= 1, counts  # the reply in flight, at most
    assert "taken from the inbox" in log.read_text()


@pytest.fixture
def matrix_app(loaded, database_url: str, clock) -> Iterator[Application]:  # type: ignore[no-untyped-def]
    clock.set(warsaw("2023-11-29T10:05"))
    application = start_app(loaded[0], loaded[1], Store(database_url), clock)
    yield application
    application.store.close()


@pytest.mark.slow
def test_a_flooder_does_not_delay_another_person(matrix_app: Application, synapse: Synapse):
    bot = synapse.register(f"fairbot-{uuid.uuid4().hex[:6]}", PASSWORD)["user_id"]
    transport = MatrixTransport(matrix_app, synapse.url, bot, password=PASSWORD,
                                sync_timeout_ms=500)
    flooder, other = Person(synapse, "flooder"), Person(synapse, "patient")
    with RunningBot(matrix_app, transport):
        room = flooder.room(bot, other.user_id, direct=False)
        other.join(room)
        flooder.wait_joined(room, bot)
        for _ in range(10):
            flooder.say(room, "!programme")
        asked = other.say(room, "!now")
        for _ in range(20):
            flooder.say(room, "!programme")

        def answer_to_other() -> dict | None:  # type: ignore[type-arg]
            for event in other.events_from(room, bot):
                relation = event["content"].get("m.relates_to") or {}
                if (relation.get("m.in_reply_to") or {}).get("event_id") == asked:
                    return event
            return None

        wait_until(answer_to_other, 30, "the other person's answer")
        question = other.call("GET", f"/rooms/{room}/event/{asked}")
        answer = answer_to_other()
        assert answer is not None
        waited = (answer["origin_server_ts"] - question["origin_server_ts"]) / 1000
        print(f"fairness: the other person waited {waited:.2f} s behind a flood of 30")
        assert waited < 3.0, f"the other person waited {waited:.1f} s"

        def slow_downs() -> int:
            return sum("szybciej, niż mogę" in e["content"]["body"]
                       for e in flooder.events_from(room, bot))

        wait_until(slow_downs, 30, "the flooder told to slow down")
    assert slow_downs() == 1  # once, and the rest dropped


def test_events_are_keyed_stably_and_a_reaction_is_undone_by_the_un_command():
    key = event_key("!room:localhost", "$abc")
    assert key == event_key("!room:localhost", "$abc") and 0 < key < 2**63
    assert key != event_key("!other:localhost", "$abc")
    assert undoing("/vote q7", {"vote", "unvote"}) == "/unvote q7"
    assert undoing("/remind s20", {"remind", "unremind"}) == "/unremind s20"
    assert undoing("/approve q7", {"approve", "reject"}) is None  # no undo: nothing sent


def test_events_the_inbox_cannot_record_are_not_acknowledged(matrix_app: Application):
    transport = MatrixTransport(matrix_app, "http://127.0.0.1:9", "@confbot:localhost",
                                password="x")
    answering = Answering("$q1", "@alice:localhost")

    async def scenario() -> tuple[bool, bool]:
        transport._arrive("!dm:localhost", "!now", answering, key="$q1")
        with matrix_app.store.engine.begin() as connection:  # the database refuses
            connection.execute(text("ALTER TABLE inbox RENAME TO inbox_away"))
        refused = transport._take_in_arrived()
        with matrix_app.store.engine.begin() as connection:
            connection.execute(text("ALTER TABLE inbox_away RENAME TO inbox"))
        transport._arrive("!dm:localhost", "!now", answering, key="$q1")  # the sync again
        recorded = transport._take_in_arrived()
        await transport.inbox.close()
        await transport.client.close()
        return refused, recorded

    refused, recorded = asyncio.run(scenario())
    assert (refused, recorded) == (False, True)
    assert matrix_app.store.inbox.open_count("matrix") == 1  # once, though it came twice
