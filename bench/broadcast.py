"""A broadcast to many subscribers against a Bot API stand-in that enforces a global limit.

The stand-in (its own process) answers 429 with retry_after above L sends a second. The bot
queues one announcement to every subscriber and delivers it through its outbox and the
Telegram transport, as in production. Printed: the achieved rate / L, the 429s, and the
messages lost and duplicated.

Usage: .venv/bin/python bench/broadcast.py [--recipients 3000] [--limit 30]
A benchmark, not a test. Target: >= 0.95 x L, < 1% of sends answered 429, none lost or
duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert
from standin_process import RemoteStandIn

from bot import PROJECT_ROOT
from bot.core.clock import ShiftedClock
from bot.delivery.broadcasts import Draft, queue
from bot.ops.serving import serve
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.storage.models import User
from bot.storage.outbox import OutboxStatus
from bot.transports.telegram import TelegramTransport
from bot.wiring import build_application


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny run (seconds): the benchmark still works; figures mean little")
    args = parser.parse_args()
    if args.smoke:
        args.recipients, args.limit = 20, 200.0

    api = RemoteStandIn(limit=args.limit)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'broadcast.sqlite3'}")
        # During the conference, as in production: with the machine's clock, long after it,
        # the retention rule run at start erases every subscriber before the broadcast.
        clock = ShiftedClock(datetime(2023, 11, 30, 10, 5, tzinfo=ZoneInfo("Europe/Warsaw")))
        now = clock.now()
        with store.session() as db, db.begin():
            db.execute(insert(User), [
                {"platform": "telegram", "external_id": str(100_000 + i), "created_at": now,
                 "last_seen_at": now, "chat_id": str(100_000 + i),
                 "client_language": ("pl", "uk", "en")[i % 3], "reminder_minutes": 15,
                 "active": True} for i in range(args.recipients)])
        conference, lexicon = load_conference(PROJECT_ROOT / "data")
        app = build_application(conference, lexicon, store, clock)
        transport = TelegramTransport(app, api.token, base_url=api.base_url, poll_timeout=1)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=lambda: loop.run_until_complete(serve(app,
                                                                               [transport])),
                                  daemon=True)
        thread.start()
        while not transport.ready.is_set():
            time.sleep(0.01)
        before = api.wait("sendMessage", 0, timeout=0)
        draft = Draft({"pl": "Obiad przesunięty na 14:30.", "uk": "Обід перенесено на 14:30.",
                       "en": "Lunch moved to 14:30."}, "pl", "all")
        done = threading.Event()

        def announce() -> None:
            queue(app, draft, author_platform="cli", author_chat=None, author_user_id=None)
            done.set()

        loop.call_soon_threadsafe(announce)
        done.wait(60)
        # every accepted send, 429s included, is a call; wait for all recipients or a stall
        deadline = time.monotonic() + args.recipients / args.limit * 3 + 60
        while time.monotonic() < deadline:
            statuses = Counter(m.status for m in store.outbox.messages())
            if statuses[OutboxStatus.QUEUED] + statuses[OutboxStatus.SENDING] == 0:
                break
            time.sleep(0.5)
        after = api.wait("sendMessage", 0, since=before["count"], timeout=0)
        loop.call_soon_threadsafe(transport.stop)
        thread.join(20)
        statuses = Counter(m.status for m in store.outbox.messages())
        store.close()
    api.stop()

    attempts = after["count"] - before["count"]
    too_many = after["too_many"]
    accepted = [(t, chat) for t, chat, status in zip(after["times"], after["chats"],
                                                     after["statuses"], strict=True)
                if status == 200]
    received = Counter(chat for _, chat in accepted)
    delivered_chats = len(received)
    expected = {str(100_000 + i) for i in range(args.recipients)}
    lost = len(expected - set(received))
    duplicated = sum(n - 1 for n in received.values() if n > 1)
    times = [t for t, _ in accepted]
    rate = (len(accepted) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    print(f"broadcast to {args.recipients} subscribers; stand-in limit L = {args.limit:g}/s")
    print(f"achieved {rate:.1f} messages/s = {rate / args.limit:.3f} x L  (target >= 0.95)")
    print(f"429 answers: {too_many} of {attempts} sends = {100 * too_many / max(attempts, 1):.2f}%"
          "  (target < 1%)")
    print(f"lost: {lost}   duplicated: {duplicated}   chats reached: {delivered_chats}"
          f"   outbox: {dict(statuses)}")


if __name__ == "__main__":
    main()
