"""The bot is not bound to MIEJSCA OTWARTE: another conference (tests/fixtures/synthetic:
Harbour Days 2025, one day in Tokyo, UTC+9) is served with no code change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import Application
from bot.core.clock import FakeClock
from bot.language.lexicon import Lexicon
from bot.programme.model import Conference
from bot.storage import Store
from bot.transports.console import ConsoleSession
from tests.helpers import start_app

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def harbour(synthetic: tuple[Conference, Lexicon], database_url: str) -> Iterator[Application]:
    clock = FakeClock(datetime(2025, 6, 14, 10, 30, tzinfo=TOKYO))
    application = start_app(synthetic[0], synthetic[1], Store(database_url), clock)
    yield application
    application.store.close()


def test_now_and_next_in_the_conference_time_zone(harbour: Application):
    answer = ConsoleSession(harbour, user="ann", client_language="en").ask("/now")
    assert answer.startswith("Now (10:30):")
    assert "10:15–12:00 Sailors' knots workshop — Warehouse No. 2 /s2" in answer
    assert "13:00–17:00 A conversation about the future of harbours /s3" in answer
    polish = ConsoleSession(harbour, user="piotr", client_language="pl").ask("co teraz?")
    assert "10:15–12:00 Warsztat węzłów żeglarskich — Magazyn Nr 2 /s2" in polish


def test_the_one_day_programme_and_a_session(harbour: Application):
    chat = ConsoleSession(harbour, user="ann", client_language="en")
    programme = chat.ask("/programme")
    assert programme.startswith("Saturday, 14 June — Harbour day")
    assert [line.split(" ")[0] for line in programme.splitlines()[1:4]] == [
        "09:30–10:00", "10:15–12:00", "13:00–17:00"]
    details = chat.ask("/s3")
    assert "When: Saturday, 14 June, 13:00–17:00" in details
    assert "Where: Hinode Pier, 1-1 Kaigan, Minato, Tokyo" in details
    assert "Speakers: Aiko Tanaka; Олена Коваль" in details


def test_a_reminder_comes_at_tokyo_time(harbour: Application):
    clock = harbour.clock
    assert isinstance(clock, FakeClock)
    clock.set(datetime(2025, 6, 14, 9, 0, tzinfo=TOKYO))
    ConsoleSession(harbour, user="ann", client_language="en").ask("/remind s2")
    clock.set(datetime(2025, 6, 14, 9, 59, tzinfo=TOKYO))   # 16 minutes before: not yet
    assert harbour.reminders.tick() == 0
    clock.set(datetime(2025, 6, 14, 10, 0, tzinfo=TOKYO))   # 15 minutes before 10:15 in Tokyo
    assert harbour.reminders.tick() == 1
