"""Matrix round trip against a real Synapse on loopback: from a person's message sent to the
bot's reply received (and, in an encrypted room, decrypted), plain and encrypted in one run.

Usage: .venv/bin/python bench/matrix_latency.py [--rounds 40]
A benchmark, not a test: it prints numbers and asserts nothing. Needs matrix-synapse installed.
The person is a nio client with encryption on in both rooms, so the only difference measured
is the room's encryption (the bot decrypting, encrypting, sharing keys; the person decrypting).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from nio import RoomCreateResponse, RoomPreset, RoomSendResponse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import PROJECT_ROOT
from bot.core.clock import FakeClock
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.transports.matrix import MatrixTransport
from bot.wiring import build_application
from tests.harness import RunningBot
from tests.matrix_person import EncryptedPerson
from tests.synapse_server import Synapse

QUESTIONS = ["!now", "!next", "when is lunch?", "co teraz?", "!s20"]


def round_trip(person: EncryptedPerson, room: str, bot: str, text: str) -> float:
    """Seconds from sending `text` to the bot's reply being readable on the person's side."""
    person.sync()
    before = len(person.from_(room, bot))
    began = time.monotonic()
    sent = person.run(person.client.room_send(room, "m.room.message",
                                              {"msgtype": "m.text", "body": text},
                                              ignore_unverified_devices=True))
    assert isinstance(sent, RoomSendResponse), sent
    replies = person.wait_for(room, bot, before + 1)
    assert replies[before].readable, "the reply could not be decrypted"
    return replies[before].at - began


def summary(name: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (f"{name:<10} n={len(ordered):<4} median {statistics.median(ordered) * 1000:7.1f} ms"
            f"   p99 {p99 * 1000:7.1f} ms   max {ordered[-1] * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny run (seconds): the benchmark still works; figures mean little")
    args = parser.parse_args()
    rounds = 2 if args.smoke else args.rounds
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    with tempfile.TemporaryDirectory() as folder:
        synapse = Synapse(Path(folder) / "synapse").start()
        try:
            synapse.register("confbot", "bot-password")
            bot = "@confbot:localhost"
            conference, lexicon = load_conference(PROJECT_ROOT / "data")
            store = Store(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
            clock = FakeClock(datetime(2023, 11, 30, 10, 5, tzinfo=ZoneInfo("Europe/Warsaw")))
            app = build_application(conference, lexicon, store, clock)
            app.apply_programme()
            transport = MatrixTransport(app, synapse.url, bot, password="bot-password")
            with RunningBot(app, transport):
                person = EncryptedPerson(synapse, "bench", Path(folder) / "person")
                made = person.run(person.client.room_create(
                    is_direct=True, invite=[bot], preset=RoomPreset.trusted_private_chat))
                assert isinstance(made, RoomCreateResponse), made
                plain = made.room_id
                encrypted = person.dm(bot)
                person.wait_joined(plain, bot)
                person.wait_joined(encrypted, bot)
                rooms = {"plain": plain, "encrypted": encrypted}
                first: dict[str, float] = {}
                for name, room in rooms.items():  # first contact: olm sessions, key sharing
                    first[name] = round_trip(person, room, bot, "!lang en")
                    time.sleep(0.5)
                    person.sync()
                times: dict[str, list[float]] = {name: [] for name in rooms}
                for number in range(rounds):    # interleaved, so both see the same machine load
                    question = QUESTIONS[number % len(QUESTIONS)]
                    for name, room in rooms.items():
                        times[name].append(round_trip(person, room, bot, question))
                person.close()
            store.close()
        finally:
            synapse.stop()
    print(f"Matrix round trip (message sent -> reply readable), {rounds} rounds each, "
          "loopback Synapse:")
    for name, seconds in times.items():
        print(summary(name, seconds))
    print("first message in each room (olm session set-up and room key sharing on both sides): "
          + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in first.items()))
    overhead = statistics.median(times["encrypted"]) - statistics.median(times["plain"])
    print(f"encryption adds {overhead * 1000:.1f} ms to the median")


if __name__ == "__main__":
    main()
