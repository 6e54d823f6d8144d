"""The way in is fair: one person flooding the bot neither delays the others nor holds up
pushed messages, and is told once, in their language, to slow down."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator

import pytest

from bot.app import Application
from bot.delivery.pacing import Pacer
from bot.transports.intake import Admission, Intake
from bot.transports.telegram import TelegramTransport
from tests.harness import RunningBot
from tests.telegram_standin import BotApiStandIn

FLOODER = 7000
OTHERS = range(7001, 7031)


@pytest.fixture
def api() -> Iterator[BotApiStandIn]:
    stand_in = BotApiStandIn(latency=0.005).start()
    yield stand_in
    stand_in.stop()


@pytest.mark.slow
def test_a_flood_does_not_delay_the_others(app: Application, api: BotApiStandIn):
    transport = TelegramTransport(app, api.token, base_url=api.base_url, poll_timeout=1)
    with RunningBot(app, transport):
        for _ in range(300):
            api.send_text(FLOODER, "/now", language_code="pl")
        asked = {}
        for person in OTHERS:
            asked[person] = time.monotonic()
            api.send_text(person, "/now")
        waits = []
        for person in OTHERS:
            (answer,) = api.wait_for(1, chat_id=person, timeout=10)
            waits.append(answer.at - asked[person])
        time.sleep(1.5)  # whatever more the flooder would get comes now
        flooder = [c.params.get("text", "") for c in api.sent(chat_id=FLOODER)]
    assert statistics.median(waits) < 1.0 and max(waits) <= 3.0, waits
    slow_down = [text for text in flooder if "szybciej" in text]
    assert len(slow_down) == 1, flooder
    assert len(flooder) == 6  # five answers and one "please slow down", in Polish
    assert transport.intake.dropped == 294
    assert app.store.inbox.open_count() == 0


def test_the_rate_is_counted_per_person_and_forgiven():
    clock = [0.0]
    intake: Intake[int] = Intake(None, None, monotonic=lambda: clock[0])  # type: ignore[arg-type]
    verdicts = [intake.admit("ala") for _ in range(8)]
    assert verdicts == [Admission.ACCEPT] * 5 + [Admission.WARN] + [Admission.DROP] * 2
    assert intake.admit("bob") is Admission.ACCEPT
    clock[0] = 5.5
    assert intake.admit("ala") is Admission.ACCEPT


@pytest.mark.slow
def test_pushed_messages_get_a_share_while_replies_flow():
    async def run() -> tuple[int, int]:
        pacer = Pacer(chat_interval=0.0)
        sent = {"reply": 0, "push": 0}
        stop = time.monotonic() + 3.0

        async def replies(chat: int) -> None:
            while time.monotonic() < stop:
                async with pacer.reply(str(chat)):
                    sent["reply"] += 1

        async def pushes() -> None:
            chat = 0
            while time.monotonic() < stop:
                chat += 1
                async with pacer.push(f"p{chat}"):
                    sent["push"] += 1

        await asyncio.gather(*(replies(n) for n in range(20)), pushes())
        return sent["reply"], sent["push"]

    replies, pushes = asyncio.run(run())
    assert pushes >= 15, (replies, pushes)  # a third of 29 a second (after the first)
    assert replies + pushes <= 29 * 4


def test_an_answer_waits_for_the_database_then_apologises_in_time():
    """TryLater is tried again with growing pauses; past the patience, the apology comes."""
    from bot.transports.intake import TryLater

    async def run() -> list[str]:
        said: list[str] = []
        attempts = [0]

        async def answer(item: str):  # type: ignore[no-untyped-def]
            attempts[0] += 1
            if item == "never" or attempts[0] < 3:
                raise TryLater("the database is away")

            async def send() -> None:
                said.append(f"answer to {item}")
            return send

        async def give_up(item: str):  # type: ignore[no-untyped-def]
            async def send() -> None:
                said.append(f"sorry about {item}")
            return send

        intake: Intake[str] = Intake(answer, give_up, patience=1.0)
        intake.submit("ala", "soon")
        intake.submit("ala", "never")
        while intake.busy:
            await asyncio.sleep(0.01)
        return said

    assert asyncio.run(run()) == ["answer to soon", "sorry about never"]


def test_the_inbox_records_once_keeps_replies_and_hands_over(database_url: str):
    """On SQLite and PostgreSQL: a repeat is not recorded again; an answered update keeps its
    replies for the next owner; a done one is no longer open."""
    from datetime import UTC, datetime, timedelta

    from bot.storage import Store
    from bot.storage.inbox import LEASE

    store = Store(database_url)
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    try:
        rows = [(1, "ala", '{"a": 1}'), (2, "bob", '{"b": 2}'), (3, "ala", '{"c": 3}')]
        assert store.inbox.record("telegram", rows, owner="one", now=now) == [1, 2, 3]
        assert store.inbox.record("telegram", rows[:2], owner="two", now=now) == []
        store.inbox.answered("telegram", 2, '[{"type": "text"}]')
        store.inbox.done("telegram", 3)
        assert store.inbox.take_over("telegram", "two", now) == []  # "one" holds a lease
        later = now + LEASE + timedelta(seconds=1)
        taken = store.inbox.take_over("telegram", "two", later)
        assert [(i.update_id, i.person, i.replies) for i in taken] == [
            (1, "ala", None), (2, "bob", '[{"type": "text"}]')]
        assert store.inbox.open_count("telegram") == 2
        store.inbox.done_many("telegram", [1, 2])
        assert store.inbox.open_count() == 0
    finally:
        store.close()
