"""Our bot's full update handling vs a bare python-telegram-bot echo bot, on one stand-in.

Both bots long-poll the same Bot API stand-in (a real HTTP server on loopback, in a process
of its own so that it does not compete with the bots for Python's GIL) in one run.
For each: a burst of updates from many users (updates per second, first push to last reply),
then updates one at a time (p50/p99 latency, push to reply). Our bot has 10,000 registered
users in its database and answers real questions; Telegram's rate limits (bot/delivery/pacing.py)
are lifted for the measurement, as they would cap both bots at 30 messages a second.

Usage: .venv/bin/python bench/telegram_throughput.py [--burst 1000] [--sequential 300]
A benchmark, not a test: it prints figures. Target: ratio >= 0.8, p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert
from standin_process import RemoteStandIn
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot import PROJECT_ROOT
from bot.core.clock import FakeClock
from bot.delivery.pacing import Pacer
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.storage.models import User
from bot.transports.telegram import TelegramTransport

QUESTIONS = ["/now", "/next", "co teraz?", "що далі?", "when is lunch?", "/s20",
             "kiedy występuje Bohdan Skrzypczak?", "/today"]
USERS = 10_000


class EchoBot:
    """The framework's floor: python-telegram-bot answering each message with its text."""

    def __init__(self, api: RemoteStandIn) -> None:
        self.ptb = (ApplicationBuilder().token(api.token).base_url(api.base_url)
                    .job_queue(None).build())
        self.ptb.add_handler(MessageHandler(filters.TEXT, self.echo))
        self.ready = asyncio.Event()
        self._stop = asyncio.Event()

    async def echo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    async def run(self) -> None:
        async with self.ptb:
            await self.ptb.start()
            assert self.ptb.updater is not None
            await self.ptb.updater.start_polling(timeout=1)
            self.ready.set()
            await self._stop.wait()
            await self.ptb.updater.stop()
            await self.ptb.stop()

    def stop(self) -> None:
        self._stop.set()


def running(bot, runner) -> tuple[asyncio.AbstractEventLoop, threading.Thread]:  # type: ignore[no-untyped-def]
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=lambda: loop.run_until_complete(runner()), daemon=True)
    thread.start()
    while not bot.ready.is_set():
        time.sleep(0.01)
    return loop, thread


def measure(api: RemoteStandIn, burst: int, sequential: int) -> tuple[float, list[float]]:
    rng = random.Random(7)

    def message() -> dict:  # type: ignore[type-arg]
        return {"user": rng.randrange(1, USERS + 1), "text": rng.choice(QUESTIONS),
                "language_code": "pl"}

    done = api.wait("sendMessage", 0, timeout=0)["count"]
    api.push([message() for _ in range(50)])                      # warm up
    done = api.wait("sendMessage", done + 50)["count"]
    first = api.push([message() for _ in range(burst)])[0]
    finished = api.wait("sendMessage", done + burst, since=done + burst - 1)
    rate = burst / (finished["times"][-1] - first)
    done = finished["count"]
    latencies = []
    for _ in range(sequential):
        (pushed,) = api.push([message()])
        answered = api.wait("sendMessage", done + 1, since=done)
        latencies.append((answered["times"][0] - pushed) * 1000)
        done = answered["count"]
    return rate, latencies


def with_users(url: str) -> Store:
    store = Store(url)
    now = datetime.now(UTC)
    rows = [{"platform": "telegram", "external_id": str(i),
             "created_at": now, "last_seen_at": now, "client_language": "pl",
             "chat_id": str(i), "reminder_minutes": 15, "active": True}
            for i in range(1, USERS + 1)]
    with store.session() as db, db.begin():
        db.execute(insert(User), rows)
    return store


def report(name: str, rate: float, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    print(f"{name:28} {rate:8.0f} updates/s   p50 {statistics.median(ordered):6.2f} ms   "
          f"p99 {p99:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny run (seconds): the benchmark still works; figures mean little")
    args = parser.parse_args()
    if args.smoke:
        args.burst, args.sequential = 10, 5

    api = RemoteStandIn()
    echo = EchoBot(api)
    loop, thread = running(echo, echo.run)
    echo_rate, echo_latency = measure(api, args.burst, args.sequential)
    loop.call_soon_threadsafe(echo.stop)
    thread.join(20)

    with tempfile.TemporaryDirectory() as folder:
        store = with_users(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        conference, lexicon = load_conference(PROJECT_ROOT / "data")
        clock = FakeClock(datetime(2023, 11, 30, 10, 5, tzinfo=ZoneInfo("Europe/Warsaw")))
        from bot.wiring import build_application
        app = build_application(conference, lexicon, store, clock)
        ours = TelegramTransport(app, api.token, base_url=api.base_url, poll_timeout=1,
                                 pacer=Pacer(per_second=1e9, chat_interval=0, group_interval=0))
        from bot.ops.serving import serve

        loop, thread = running(ours, lambda: serve(app, [ours]))
        our_rate, our_latency = measure(api, args.burst, args.sequential)
        loop.call_soon_threadsafe(ours.stop)
        thread.join(20)
        users = store.users.count()
        store.close()
    api.stop()

    print(f"Bot API stand-in on loopback; burst of {args.burst} updates, then "
          f"{args.sequential} one at a time; {users} users in our database")
    report("bare python-telegram-bot echo", echo_rate, echo_latency)
    report("confbot (full handling)", our_rate, our_latency)
    print(f"throughput ratio confbot / echo: {our_rate / echo_rate:.2f}  (target >= 0.8)")


if __name__ == "__main__":
    main()
