"""A database outage is waited out: PostgreSQL stops for 15 s during a burst of questions to a
real `confbot run`; when it is back, every question is answered, nobody got an apology, and
the process never exited (it stood by while the database was away, then led again)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core.clock import FakeClock
from bot.ops.serving import flush_soft_changes
from bot.storage import Store
from tests.conftest import warsaw
from tests.helpers import bot_environment, start_bot, stop, wait_until
from tests.postgres_server import Databases, PostgresServer, find_bindir
from tests.telegram_standin import BotApiStandIn

FIRST = 30_000
APOLOGIES = ("Sorry", "Przepraszam", "Вибачте")


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl)")
    cluster = PostgresServer(bindir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    stand_in = BotApiStandIn(latency=0.005).start()
    yield stand_in
    stand_in.stop()


@pytest.mark.slow
def test_questions_wait_out_a_database_outage(server: PostgresServer, api: BotApiStandIn,
                                              tmp_path: Path):
    databases = Databases(server.admin_url)
    url = databases.url(databases.create())
    databases.close()
    env = bot_environment(DATABASE_URL=url, TELEGRAM_TOKEN=api.token,
                          TELEGRAM_BASE_URL=api.base_url, CONFBOT_LOG_LEVEL="INFO",
                          CONFBOT_RETENTION_DAYS="36500")
    log = tmp_path / "bot.log"
    bot = start_bot(env, log)
    people = [FIRST + n for n in range(120)]
    languages = ("pl", "uk", "en")

    def answered() -> Counter[str]:
        return Counter(c.chat_id for c in api.sent(method="sendMessage"))

    try:
        wait_until(lambda: "running as @" in log.read_text(), 60, "the bot to start")
        for n, person in enumerate(people[:60]):
            api.send_text(person, "/help", language_code=languages[n % 3])
        wait_until(lambda: len(answered()) >= 10, 30, "the burst to be under way")
        server.halt()
        halted = time.monotonic()
        for n, person in enumerate(people[60:]):
            api.send_text(person, "/help", language_code=languages[n % 3])
        wait_until(lambda: time.monotonic() - halted >= 15, 20, "15 s of outage")
        assert bot.poll() is None, "the bot exited during the outage"
        server.resume()
        wait_until(lambda: len(answered()) >= len(people), 150, "every question answered")
        assert bot.poll() is None, "the bot exited"
    finally:
        stop(bot)
    texts = [str(c.params.get("text", "")) for c in api.sent(method="sendMessage")]
    assert not [t for t in texts if t.startswith(APOLOGIES)]
    assert set(answered()) == {str(p) for p in people}
    written = log.read_text()
    assert "standing by" in written and "now the LEADER" in written


def test_the_write_behind_survives_a_failed_write(tmp_path: Path):
    """Last-seen times wait while the table cannot be written, and are written after."""
    import asyncio

    store = Store(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    clock = FakeClock(warsaw("2023-11-30T10:00"))
    user = store.users.touch("telegram", "ala", now=clock.now(), chat_id="1")
    later = warsaw("2023-11-30T11:00")
    store.users.after_message(user, later, "uk")

    class App:  # what flush_soft_changes uses of the application
        def __init__(self) -> None:
            self.store = store

    async def run() -> None:
        stopping = asyncio.Event()
        task = asyncio.create_task(flush_soft_changes(App(), stopping, every=0.05))  # type: ignore[arg-type]
        with store.engine.begin() as connection:
            connection.execute(text("ALTER TABLE users RENAME TO users_away"))
        await asyncio.sleep(0.2)
        assert not task.done(), "the write-behind task died"
        with store.engine.begin() as connection:
            connection.execute(text("ALTER TABLE users_away RENAME TO users"))
        for _ in range(100):
            known = store.users.known("telegram", "ala")
            if known is not None and known.detected_language == "uk":
                break
            await asyncio.sleep(0.05)
        stopping.set()
        await task

    try:
        asyncio.run(run())
        known = store.users.known("telegram", "ala")
        assert known is not None and known.detected_language == "uk"
    finally:
        store.close()
