"""Kill the bot with SIGKILL in the middle of a broadcast, start it again: everyone gets the
announcement, and at most what was in flight at the kill is repeated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage import Store
from tests.conftest import warsaw
from tests.helpers import bot_environment, start_bot, wait_until
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.slow  # bot processes killed and restarted

RECIPIENTS = 150


def environment(api: BotApiStandIn, database: str) -> dict[str, str]:
    return bot_environment(DATABASE_URL=database, TELEGRAM_TOKEN=api.token,
                           TELEGRAM_BASE_URL=api.base_url, CONFBOT_LOG_LEVEL="INFO",
                           # the data is of 2023 and `run` uses the real clock: keep the
                           # retention rule (personal data deleted 30 days after the
                           # conference) from erasing the audience
                           CONFBOT_RETENTION_DAYS="36500")



@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    stand_in = BotApiStandIn(latency=0.005).start()
    yield stand_in
    stand_in.stop()


def test_sigkill_mid_broadcast(api: BotApiStandIn, tmp_path: Path, database_url: str):
    database = database_url
    store = Store(database)
    for user in range(1, RECIPIENTS + 1):
        store.users.touch("telegram", str(10_000 + user), now=warsaw("2023-11-30T09:00"),
                         chat_id=str(10_000 + user), client_language="pl")
    store.close()
    env = environment(api, database)
    queued = subprocess.run(
        [sys.executable, "-m", "bot", "announce", "--pl", "Obiad o 14:30.", "--en",
         "Lunch at 14:30.", "--audience", "platform:telegram", "--yes"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert queued.returncode == 0, queued.stderr
    assert f"queued for {RECIPIENTS} recipient(s)" in queued.stdout

    def messages() -> list[str]:
        return [c.chat_id for c in api.sent(method="sendMessage")]

    first = start_bot(env, tmp_path / "bot.log", cwd=tmp_path)
    try:
        wait_until(lambda: len(messages()) >= 40, 60, "the broadcast to start")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = len(messages())
    assert at_kill < RECIPIENTS, "the broadcast finished before the kill; slow the stand-in"

    def settled() -> bool:
        store = Store(database)
        try:
            return not store.outbox.backlog()
        finally:
            store.close()

    second = start_bot(env, tmp_path / "bot.log", cwd=tmp_path)
    try:
        wait_until(lambda: len(set(messages())) >= RECIPIENTS, 90, "every recipient")
        # what was in flight at the kill stays `sending` until its claim's lease runs out
        wait_until(settled, 40, "the outbox to settle")
        # no sleep for repeats: the bots are stopped (and have exited) before counting
    finally:
        second.terminate()
        second.wait(15)

    received = messages()
    assert set(received) == {str(10_000 + user) for user in range(1, RECIPIENTS + 1)}
    repeats = len(received) - RECIPIENTS
    assert repeats <= 1, f"{repeats} repeated (at most the one in flight may be)"
    store = Store(database)
    try:
        statuses = {m.status for m in store.outbox.messages() if m.kind == "broadcast"}
        assert statuses == {"sent"}
        assert [a.status for a in store.outbox.announcements()] == ["done"]
    finally:
        store.close()
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "queued again" in log or repeats == 0
