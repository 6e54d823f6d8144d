"""How long a generated 1,000-event schedule takes to load, and answer latency with it vs. data/.

Usage: .venv/bin/python bench/schedule_load.py [--events 1000] [--rounds 20]
A benchmark, not a test: it prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import PROJECT_ROOT
from bot.app import Application
from bot.core.clock import FakeClock
from bot.programme.schedules.load import load_content
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.transports.console import ConsoleSession
from bot.wiring import build_application

KOLKATA = ZoneInfo("Asia/Kolkata")
WORDS = ("open", "source", "harbour", "Gemeinschaft", "społeczność", "громада", "network",
         "security", "Łódź", "packaging", "kernel", "design")


def generate(events: int, days: int = 4, rooms: int = 10) -> bytes:
    """A C3VOC schedule.json with `events` talks spread over days and rooms (Asia/Kolkata)."""
    per_room_day = -(-events // (days * rooms))
    schedule_days = []
    number = 0
    for d in range(days):
        day = datetime(2024, 9, 7 + d, 9, 0, tzinfo=KOLKATA)
        by_room: dict[str, list[dict[str, object]]] = {}
        for r in range(rooms):
            for slot in range(per_room_day):
                if number >= events:
                    break
                number += 1
                start = day + timedelta(minutes=45 * slot)
                word = WORDS[number % len(WORDS)]
                by_room.setdefault(f"Room {r + 1}", []).append({
                    "id": number, "guid": f"00000000-0000-4000-8000-{number:012d}",
                    "date": start.isoformat(), "start": f"{start:%H:%M}", "duration": "00:40",
                    "room": f"Room {r + 1}", "title": f"Talk {number} about {word}",
                    "type": "Talk", "language": "en" if number % 3 else "de",
                    "abstract": f"An abstract about {word} and {WORDS[(number + 5) % 12]}.",
                    "persons": [{"id": number % 300 + 1,
                                 "public_name": f"Speaker {number % 300 + 1}"}]})
        schedule_days.append({"index": d + 1, "date": day.date().isoformat(),
                              "day_start": day.isoformat(),
                              "day_end": (day + timedelta(hours=14)).isoformat(),
                              "rooms": by_room})
    document = {"schedule": {"version": "bench", "conference": {
        "acronym": "bench", "title": "Generated", "time_zone_name": "Asia/Kolkata",
        "days": schedule_days}}}
    return json.dumps(document).encode()


QUESTIONS = ["/now", "/next", "/today", "/programme 2", "/s20", "/search kernel",
             "what's on now?", "when is lunch?", "is there a session about security?", "blorp"]


def latency(app: Application, rounds: int) -> list[float]:
    session = ConsoleSession(app, user="bench", client_language="en")
    timings = []
    for _ in range(rounds):
        for question in QUESTIONS:
            app.dispatcher.forget_answers()
            began = time.perf_counter()
            session.ask(question)
            timings.append(1000 * (time.perf_counter() - began))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny run (seconds): the benchmark still works; figures mean little")
    args = parser.parse_args()
    if args.smoke:
        args.events, args.rounds = 20, 1
    content = generate(args.events)
    loads = []
    for _ in range(5):
        began = time.perf_counter()
        loaded = load_content(content, "generated.json")
        loads.append(time.perf_counter() - began)
    print(f"schedule load: {args.events} events ({len(content) / 1024:.0f} KiB JSON) in "
          f"{1000 * min(loads):.0f} ms best, {1000 * statistics.median(loads):.0f} ms median "
          f"of 5 (target < 1000 ms)")
    own, own_lexicon = load_conference(PROJECT_ROOT / "data")
    with tempfile.TemporaryDirectory() as folder:
        for name, conference, lexicon, now in (
                ("our data/ (29 sessions)", own, own_lexicon,
                 datetime(2023, 11, 30, 10, 5, tzinfo=ZoneInfo("Europe/Warsaw"))),
                (f"the schedule ({len(loaded.conference.sessions)} sessions)",
                 loaded.conference, loaded.lexicon, datetime(2024, 9, 8, 11, 0, tzinfo=KOLKATA))):
            began = time.perf_counter()
            store = Store(f"sqlite:///{Path(folder) / (str(len(conference.sessions)) + '.db')}")
            app = build_application(conference, lexicon, store, FakeClock(now))
            app.apply_programme()
            ready = time.perf_counter() - began
            timings = sorted(latency(app, args.rounds))
            store.close()
            print(f"answers with {name}: app ready in {1000 * ready:.0f} ms; per answer "
                  f"median {statistics.median(timings):.2f} ms, "
                  f"p95 {timings[int(0.95 * len(timings))]:.2f} ms, "
                  f"max {timings[-1]:.2f} ms ({len(timings)} answers)")


if __name__ == "__main__":
    main()
