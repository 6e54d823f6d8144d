"""Two real `confbot run` processes on one PostgreSQL database, both set up for the same Matrix
bot account on the test Synapse: only the leader syncs, so nothing is answered twice; SIGKILL
it mid-broadcast and the standby takes over and finishes, and every person's room shows the
broadcast exactly once: the outbox row is the Matrix transaction id, so a resend of a message
the server already had (in flight at the kill; made certain by queueing the dead leader's sent
rows again) is dropped by the server.

It needs PostgreSQL itself (`pg_url`: an advisory lock shared by two processes), so it runs in
both passes of `make test`, on the session's throwaway server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import update

from bot import PROJECT_ROOT
from bot.storage import MessageKind, OutboxStatus, Store
from bot.storage.models import OutboxMessage
from tests.helpers import bot_environment, start_bot, stop, wait_until
from tests.matrix_person import Person
from tests.synapse_server import Synapse

pytestmark = pytest.mark.slow  # bot processes against a real Synapse and PostgreSQL

PEOPLE = 24
PASSWORD = "bot-password"
ANNOUNCEMENT = "Obiad o 14:30."
FIRST, LATER = "!next", "!now"


def environment(synapse: Synapse, bot: str, database: str) -> dict[str, str]:
    return bot_environment(
        DATABASE_URL=database, MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=bot,
        MATRIX_PASSWORD=PASSWORD, CONFBOT_LOG_LEVEL="INFO",
        # the data is of 2023 and `run` uses the real clock: keep the retention rule
        # (personal data deleted 30 days after the conference) from erasing the audience
        CONFBOT_RETENTION_DAYS="36500")


def test_sigkill_the_matrix_leader_mid_broadcast_the_standby_finishes(
        synapse: Synapse, pg_url: str, tmp_path: Path):
    bot = synapse.register(f"twobot-{uuid.uuid4().hex[:6]}", PASSWORD,
                           unlimited=False)["user_id"]
    synapse.set_unlimited(bot, True)  # no rc_message pacing: the broadcast goes at full speed
    with ThreadPoolExecutor(8) as pool:
        people = list(pool.map(lambda n: Person(synapse, f"guest{n}"), range(PEOPLE)))
    env = environment(synapse, bot, pg_url)
    store = Store(pg_url)  # migrates once, not in both processes at the same moment

    def broadcast(status: OutboxStatus) -> list[int]:
        return [m.id for m in store.outbox.messages(status) if m.kind == MessageKind.BROADCAST]

    def each(do: Callable[[Person, str], object]) -> list[object]:
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(do, people, rooms))

    leader_log, standby_log = tmp_path / "leader.log", tmp_path / "standby.log"
    leader = start_bot(env, leader_log)
    standby: subprocess.Popen[bytes] | None = None
    try:
        wait_until(lambda: "is the leader" in leader_log.read_text(), 30, "a leader")
        wait_until(lambda: "platform=matrix: running as" in leader_log.read_text(), 30,
                   "the leader to sync Matrix")
        standby = start_bot(env, standby_log)

        # Everyone opens a DM with the bot (while the standby starts), and once both run,
        # writes to it.
        with ThreadPoolExecutor(8) as pool:
            rooms = list(pool.map(lambda person: person.room(bot), people))
        for person, room in zip(people, rooms, strict=True):  # one at a time: polling them
            person.wait_joined(room, bot)                     # all at once slows Synapse
        wait_until(lambda: "is a STANDBY" in standby_log.read_text(), 30, "a standby")
        each(lambda person, room: person.say(room, FIRST))
        first = [len(person.wait_for(room, bot, 2))
                 for person, room in zip(people, rooms, strict=True)]
        assert first == [2] * PEOPLE  # the answer and the language offer

        queued = subprocess.run(
            [sys.executable, "-m", "bot", "announce", "--pl", ANNOUNCEMENT, "--audience",
             "platform:matrix", "--yes"],
            env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
        assert queued.returncode == 0, queued.stderr
        assert f"queued for {PEOPLE} recipient(s)" in queued.stdout

        wait_until(lambda: len(broadcast(OutboxStatus.SENT)) >= 2, 30,
                   "the broadcast to start")
        os.kill(leader.pid, signal.SIGKILL)
        leader.wait(10)
        killed_at, sent_by_the_dead = time.monotonic(), broadcast(OutboxStatus.SENT)
        assert len(sent_by_the_dead) < PEOPLE, "the broadcast finished before the kill"
        wait_until(lambda: "now the LEADER" in standby_log.read_text(), 15,
                   "the standby to take over")
        took_over = time.monotonic() - killed_at
        wait_until(lambda: not store.outbox.backlog(), 40,
                   "the outbox to settle (the dead leader's claims expire)")
        assert "their lease ran out, so they are queued again" in standby_log.read_text()

        # What a kill between a send and its record leaves, made certain: messages the server
        # has, their rows queued again. The new leader sends them again, as the dead one's
        # device and with the same transaction ids, and the server drops them.
        with store.engine.begin() as connection:
            connection.execute(update(OutboxMessage)
                               .where(OutboxMessage.id.in_(sent_by_the_dead))
                               .values(status=OutboxStatus.QUEUED))
        wait_until(lambda: not store.outbox.backlog(), 15, "the resend")

        # The new leader syncs on from where the old one stopped: new messages are answered
        # once, the old ones not again.
        each(lambda person, room: person.say(room, LATER))
        for person, room in zip(people, rooms, strict=True):
            person.wait_for(room, bot, 4)
        time.sleep(1.5)  # anything more would be a repeat
    finally:
        stop(leader)
        if standby is not None:
            stop(standby)

    try:
        for person, room in zip(people, rooms, strict=True):
            bodies = [e["content"].get("body", "") for e in person.events_from(room, bot)]
            assert len(bodies) == 4, (person.user_id, bodies)  # 2 answers, 1 broadcast, 1
            assert sum(ANNOUNCEMENT in body for body in bodies) == 1, (person.user_id, bodies)
        assert took_over < 15
        assert {m.status for m in store.outbox.messages()} == {"sent"}
        assert [a.status for a in store.outbox.announcements()] == ["done"]
        # the standby did not touch Matrix until it led
        assert "platform=matrix" not in standby_log.read_text().split("now the LEADER")[0]
    finally:
        store.close()
