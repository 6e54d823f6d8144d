"""Measure start-up time and per-message latency of the core (no transport), and print figures.

Usage: .venv/bin/python bench/answer_latency.py [--rounds 200]
A benchmark, not a test: it prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import PROJECT_ROOT
from bot.app import Application
from bot.core.clock import FakeClock
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.transports.console import ConsoleSession
from bot.wiring import build_application

QUESTIONS = [
    "/now", "/next", "/today", "/programme 2", "/s20", "/search migracja", "/info catering",
    "co teraz?", "що далі?", "when is lunch?", "kiedy występuje Bohdan Skrzypczak?",
    "is there a session about migration?", "what's on at 13:00 on Thursday?",
    "o której kończy się konferencja?", "коли обід?", "blorp wibble",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny run (seconds): the benchmark still works; figures mean little")
    args = parser.parse_args()
    rounds = 1 if args.smoke else args.rounds

    tracemalloc.start()
    began = time.perf_counter()
    conference, lexicon = load_conference(PROJECT_ROOT / "data")
    loaded = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        clock = FakeClock(datetime(2023, 11, 30, 10, 5, tzinfo=ZoneInfo("Europe/Warsaw")))
        app = build_application(conference, lexicon, store, clock)
        ready = time.perf_counter()
        _, peak_start = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        reused = measure(app, rounds, fresh=False)
        fresh = measure(app, rounds, fresh=True)
        store.close()

    print(f"start-up: data load {1000 * (loaded - began):.0f} ms, "
          f"catalogues + understanding + database {1000 * (ready - loaded):.0f} ms, "
          f"peak traced memory {peak_start / 2**20:.1f} MiB")
    for name, latencies in (("answers reused within the minute", reused),
                            ("every answer computed afresh", fresh)):
        every = sorted(x for values in latencies.values() for x in values)
        total_s = sum(every) / 1000
        print(f"{name}: {len(every)} messages in {total_s:.2f} s = "
              f"{len(every) / total_s:.0f} msg/s; p50 {statistics.median(every):.2f} ms, "
              f"p99 {every[int(0.99 * (len(every) - 1))]:.2f} ms, max {every[-1]:.2f} ms")
    print("per question, computed afresh (p50 ms):")
    for question, values in fresh.items():
        print(f"  {statistics.median(values):7.2f}  {question}")


def measure(app: Application, rounds: int, *, fresh: bool) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {q: [] for q in QUESTIONS}
    for index in range(rounds):
        session = ConsoleSession(app, user=f"user{index % 50}")
        for question in QUESTIONS:
            if fresh:
                app.dispatcher.forget_answers()
                app.understanding.forget()
            start = time.perf_counter()
            session.send(question)
            latencies[question].append((time.perf_counter() - start) * 1000)
    return latencies


if __name__ == "__main__":
    main()
