"""Two processes on one database: one leader, claims that never overlap, caches that stay
true — on PostgreSQL (a throwaway cluster) and on SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot import PROJECT_ROOT
from bot.core.clock import FakeClock
from bot.ops.leadership import FileLeadership, PostgresLeadership
from bot.storage import MessageKind, OutboxStatus, Store
from bot.storage.models import User
from bot.transports.console import ConsoleSession
from tests.conftest import warsaw
from tests.helpers import bot_environment, start_app, start_bot, stop, wait_until
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.slow  # bot processes, the Bot API stand-in, PostgreSQL itself

NOW = warsaw("2023-11-30T09:00")


def queue(store: Store, count: int, platform: str = "telegram") -> None:
    for n in range(count):
        store.outbox.enqueue(dedupe_key=f"k{n}", kind=MessageKind.BROADCAST, platform=platform,
                             chat_id=str(n), user_id=None, payload="[]", now=NOW)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'two.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


def test_a_reminder_is_queued_once_by_two_processes(url: str, loaded):  # type: ignore[no-untyped-def]
    """Two bots on one database tick at the same due moment: one reminder, not two."""
    clock = FakeClock(warsaw("2023-11-30T08:00"))
    first = start_app(loaded[0], loaded[1], Store(url), clock)
    second = start_app(loaded[0], loaded[1], Store(url), clock)
    try:
        ConsoleSession(first, user="ala", client_language="en").ask("/remind s20")
        clock.set(loaded[0].sessions["s20"].span[0] - timedelta(minutes=10))
        queued = first.reminders.tick() + second.reminders.tick() + second.reminders.tick()
        reminders = [m for m in first.store.outbox.messages()
                     if m.kind == MessageKind.REMINDER]
        assert queued == 1 and len(reminders) == 1
    finally:
        first.store.close()
        second.store.close()


def test_two_senders_never_claim_one_row(url: str):
    one, two = Store(url), Store(url)
    try:
        queue(one, 100)
        taken: list[int] = []
        while True:
            first = one.outbox.claim("telegram", NOW, 7)
            second = two.outbox.claim("telegram", NOW, 7)
            if not first.messages and not second.messages:
                break
            taken += [m.id for m in first.messages] + [m.id for m in second.messages]
        assert len(taken) == 100 and len(set(taken)) == 100
    finally:
        one.close()
        two.close()


def test_concurrent_claims_on_threads(url: str):
    """Claims racing for real (threads, each with its own Store) still never overlap."""
    import threading

    stores = [Store(url) for _ in range(4)]
    try:
        queue(stores[0], 200)
        taken: list[int] = []
        lock = threading.Lock()

        def drain(store: Store) -> None:
            while True:
                claim = store.outbox.claim("telegram", NOW, 5)
                if not claim.messages:
                    return
                with lock:
                    taken.extend(m.id for m in claim.messages)

        threads = [threading.Thread(target=drain, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(taken) == 200 and len(set(taken)) == 200
    finally:
        for store in stores:
            store.close()


def test_a_dead_senders_claim_is_taken_again_after_its_lease(url: str):
    store = Store(url)
    try:
        queue(store, 3)
        dead = store.outbox.claim("telegram", NOW, 10, lease=timedelta(seconds=15))
        assert len(dead.messages) == 3
        assert store.outbox.claim("telegram", NOW + timedelta(seconds=10), 10).messages == []
        later = store.outbox.claim("telegram", NOW + timedelta(seconds=16), 10)
        assert len(later.messages) == 3 and later.reclaimed == 3
        # the dead sender's late outcome is refused: the row is the new claim's now
        first = dead.messages[0]
        assert not store.outbox.finish(first.id, OutboxStatus.SENT, now=NOW,
                                       token=dead.token)
        assert store.outbox.finish(first.id, OutboxStatus.SENT, now=NOW, token=later.token)
    finally:
        store.close()


def test_one_leader_on_postgresql(pg_url: str):
    first, second = PostgresLeadership(pg_url), PostgresLeadership(pg_url)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert first.held()
        first.release()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


def test_one_leader_on_sqlite(tmp_path: Path):
    first = FileLeadership(tmp_path / "db.leader")
    second = FileLeadership(tmp_path / "db.leader")
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def test_a_choice_in_one_process_is_honoured_by_the_other_at_once(url: str):
    one, two = Store(url), Store(url)
    try:
        ala_one = one.users.touch("telegram", "ala", now=NOW, chat_id="1", client_language="en")
        ala_two = two.users.touch("telegram", "ala", now=NOW, chat_id="1", client_language="en")
        assert ala_two.chosen_language is None and two.subscriptions.of(ala_two.id) == []
        one.users.set_language(ala_one.id, "uk")
        one.subscriptions.add(ala_one.id, "s20", NOW)
        again = two.users.touch("telegram", "ala", now=NOW, chat_id="1", client_language="en")
        assert again.chosen_language == "uk"
        assert two.subscriptions.of(again.id) == ["s20"]
        one.users.set_active(ala_one.id, False)
        assert two.users.known("telegram", "ala").active is False  # type: ignore[union-attr]
    finally:
        one.close()
        two.close()


# --- two real `confbot run` processes against the Bot API stand-in -------------------------

RECIPIENTS = 300


def environment(api: BotApiStandIn, database: str) -> dict[str, str]:
    return bot_environment(
        DATABASE_URL=database, TELEGRAM_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url,
        CONFBOT_LOG_LEVEL="INFO",
        # the data is of 2023 and `run` uses the real clock: keep the retention rule
        # (personal data deleted 30 days after the conference) from erasing the audience
        CONFBOT_RETENTION_DAYS="36500")


def add_people(database: str, count: int) -> None:
    store = Store(database)
    try:
        with store.engine.begin() as connection:
            connection.execute(insert(User), [
                {"platform": "telegram", "external_id": str(10_000 + n),
                 "chat_id": str(10_000 + n), "client_language": "pl", "created_at": NOW,
                 "last_seen_at": NOW, "reminder_minutes": 15, "active": True}
                for n in range(1, count + 1)])
    finally:
        store.close()


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    stand_in = BotApiStandIn(latency=0.005).start()
    yield stand_in
    stand_in.stop()


def test_sigkill_the_leader_mid_broadcast_the_standby_finishes(api: BotApiStandIn,
                                                               pg_url: str, tmp_path: Path):
    add_people(pg_url, RECIPIENTS)
    env = environment(api, pg_url)
    queued = subprocess.run(
        [sys.executable, "-m", "bot", "announce", "--pl", "Obiad o 14:30.", "--audience",
         "platform:telegram", "--yes"],
        env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert queued.returncode == 0, queued.stderr
    assert f"queued for {RECIPIENTS} recipient(s)" in queued.stdout

    def messages() -> list[str]:
        return [c.chat_id for c in api.sent(method="sendMessage")]

    leader_log, standby_log = tmp_path / "leader.log", tmp_path / "standby.log"
    leader = start_bot(env, leader_log)
    standby: subprocess.Popen[bytes] | None = None
    try:
        wait_until(lambda: "is the leader" in leader_log.read_text(), 30, "a leader")
        standby = start_bot(env, standby_log)
        wait_until(lambda: "is a STANDBY" in standby_log.read_text(), 30, "a standby")
        wait_until(lambda: len(messages()) >= 60, 60, "the broadcast to start")
        os.kill(leader.pid, signal.SIGKILL)
        leader.wait(10)
        killed_at, at_kill = time.monotonic(), len(messages())
        assert at_kill < RECIPIENTS, "the broadcast finished before the kill"
        wait_until(lambda: "now the LEADER" in standby_log.read_text(), 15,
                   "the standby to take over")
        took_over = time.monotonic() - killed_at
        wait_until(lambda: len(set(messages())) >= RECIPIENTS, 90, "every recipient")

        def settled() -> bool:
            store = Store(pg_url)
            try:
                return not store.outbox.backlog()
            finally:
                store.close()

        wait_until(settled, 40, "the outbox to settle (the dead leader's claims expire)")
        # no sleep for repeats: the bots are stopped (and have exited) before counting
    finally:
        stop(leader)
        if standby is not None:
            stop(standby)
    received = messages()
    assert set(received) == {str(10_000 + n) for n in range(1, RECIPIENTS + 1)}
    repeats = len(received) - RECIPIENTS
    assert repeats <= 1, f"{repeats} repeated (at most the one in flight may be)"
    assert api.too_many == 0
    assert took_over < 15
    assert len(api.calls_of("getUpdates")) > 0
    store = Store(pg_url)
    try:
        assert {m.status for m in store.outbox.messages()} == {"sent"}
        assert [a.status for a in store.outbox.announcements()] == ["done"]
    finally:
        store.close()


def test_a_clean_stop_hands_over_within_two_seconds(api: BotApiStandIn, pg_url: str,
                                                    tmp_path: Path):
    env = environment(api, pg_url)
    Store(pg_url).close()  # migrate once, not in both processes at the same moment
    leader_log, standby_log = tmp_path / "leader.log", tmp_path / "standby.log"
    leader = start_bot(env, leader_log)
    standby: subprocess.Popen[bytes] | None = None
    try:
        wait_until(lambda: "is the leader" in leader_log.read_text(), 30, "a leader")
        standby = start_bot(env, standby_log)
        wait_until(lambda: "is a STANDBY" in standby_log.read_text(), 30, "a standby")
        status = subprocess.run([sys.executable, "-m", "bot", "status"], env=env,
                                cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stdout + status.stderr
        assert " leader " in status.stdout and " standby " in status.stdout
        assert "Leader: yes" in status.stdout
        leader.terminate()
        stopped = time.monotonic()
        wait_until(lambda: "now the LEADER" in standby_log.read_text(), 10, "a takeover")
        assert time.monotonic() - stopped < 2.5
        assert leader.wait(10) == 0
    finally:
        stop(leader)
        if standby is not None:
            stop(standby)
