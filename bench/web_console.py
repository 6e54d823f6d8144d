"""How fast the organisers' console renders its pages with 1,000 sessions and 10,000 people.

A generated 1,000-event schedule (bench/schedule_load.py), 10,000 people with 3 chosen
sessions each, a broadcast to all of them half delivered, 500 unanswered questions, 40 live
edits, 3,000 questions to sessions (one in three approved) with 20,000 votes, and a rating
from each person (one in five with a comment); the console served over real HTTP on loopback
(SQLite), signed in as an organiser.
Printed: per page, the first render and the median / p95 / max of the next ones.

Usage: .venv/bin/python bench/web_console.py [--people 10000] [--events 1000] [--rounds 20]
A benchmark, not a test. Target: every page < 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from schedule_load import KOLKATA, generate

from bot.core.clock import FakeClock
from bot.delivery.broadcasts import Draft, queue
from bot.programme.schedules.load import load_content
from bot.storage import OutboxStatus, Store
from bot.storage.models import OutboxMessage, Question, QuestionVote, Rating, Subscription, User
from bot.web.console.participation import wall_key
from bot.web.console.serving import console_deps, start_console
from bot.wiring import build_application

PAGES = ["/console/", "/console/broadcasts", "/console/broadcasts/progress.json?ids=1",
         "/console/unanswered", "/console/programme", "/console/feedback", "/console/qa"]
ASKED = ["where is the {} room?", "is there a {} nearby?", "can I bring my {}?",
         "czy jest {}?", "де можна знайти {}?", "when does the {} open?"]
THINGS = ["cloakroom", "parking", "charger", "dog", "pharmacy", "bike", "shower", "quiet",
          "kids", "printer", "locker", "ramp", "sauna", "ATM", "tram", "vegan", "tea", "wifi"]


def populate(store: Store, people: int, session_ids: list[str], now: datetime) -> None:
    rng = random.Random(7)
    with store.engine.begin() as db:
        db.execute(insert(User), [
            {"platform": "telegram", "external_id": str(100000 + n), "chat_id": str(100000 + n),
             "client_language": ("pl", "uk", "en")[n % 3], "created_at": now,
             "last_seen_at": now, "reminder_minutes": 15 if n % 4 else 0, "active": True}
            for n in range(people)])
        db.execute(insert(Subscription), [
            {"user_id": n + 1, "session_id": sid, "created_at": now}
            for n in range(people) for sid in rng.sample(session_ids, 3)])
    participation(store, people, session_ids, now, rng)
    for n in range(500):
        text = ASKED[n % len(ASKED)].format(THINGS[n % len(THINGS)]) + f" #{n % 37}"
        store.unanswered.record(text, ("en", "pl", "uk")[n % 3], now - timedelta(minutes=n))
    for n in range(40):
        store.edits.put(session_ids[n * 7], "note", {"en": f"Moved to room {n}"},
                        "telegram:1", now.astimezone(UTC))


def participation(store: Store, people: int, session_ids: list[str], now: datetime,
                  rng: random.Random) -> None:
    """Questions with votes and ratings, as the participation stores keep them."""
    asked = now.astimezone(UTC)
    questions = 3000
    with store.engine.begin() as db:
        db.execute(insert(Question), [
            {"session_id": session_ids[n % 50], "author_id": n % people + 1,
             "text": f"Question {n}: how does it work in practice?", "lang": "en",
             "status": ("approved", "pending", "rejected")[n % 3], "asked_at": asked}
            for n in range(questions)])
        votes = {(rng.randrange(questions) + 1, rng.randrange(people) + 1)
                 for _ in range(20_000)}
        db.execute(insert(QuestionVote), [
            {"question_id": q, "user_id": u, "voted_at": asked} for q, u in votes])
        db.execute(insert(Rating), [
            {"user_id": n + 1, "session_id": rng.choice(session_ids), "score": 1 + n % 5,
             "comment": f"Comment {n}" if n % 5 == 0 else None, "lang": "en",
             "rated_at": asked} for n in range(people)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny event, one round: does it still run? (figures not meant)")
    args = parser.parse_args()
    if args.smoke:
        args.people, args.events, args.rounds = 50, 300, 1
    logging.disable(logging.WARNING)  # the generated schedule's own warnings
    loaded = load_content(generate(args.events), "generated.json")
    conference = loaded.conference
    now = datetime(2024, 9, 8, 11, 0, tzinfo=KOLKATA)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'console.sqlite3'}")
        populate(store, args.people, sorted(conference.sessions), now)
        app = build_application(conference, loaded.lexicon, store, FakeClock(now),
                                organisers=frozenset({"telegram:1"}))
        app.refresh_overlay()
        announcement, count = queue(app, Draft({"en": "Coffee"}, "en"), author_platform="web",
                                    author_chat=None, author_user_id=None)
        with store.engine.begin() as db:   # half of it delivered, a few failed or blocked
            db.execute(update(OutboxMessage).where(OutboxMessage.id % 2 == 0)
                       .values(status=OutboxStatus.SENT, sent_at=now))
            db.execute(update(OutboxMessage).where(OutboxMessage.id % 97 == 1)
                       .values(status=OutboxStatus.FAILED, last_error="Forbidden"))
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True).start()
        port = 18000 + random.randrange(2000)
        base = f"http://127.0.0.1:{port}"
        deps = console_deps(app, base)
        asyncio.run_coroutine_threadsafe(start_console(deps, "127.0.0.1", port), loop).result()
        token = store.console.create_login("telegram:1", app.clock.now())
        client = httpx.Client(base_url=base, headers={"Accept-Language": "en"})
        client.post("/console/login", data={"token": token})
        first = sorted(conference.sessions)[0]
        pages = [*PAGES, f"/wall/{first}?key={wall_key(deps.secret, first)}"]
        print(f"{len(conference.sessions)} sessions, {store.users.count()} people, "
              f"broadcast #{announcement} to {count}, 500 unanswered questions, 40 live edits, "
              f"3000 questions to sessions, {store.users.count()} ratings")
        worst = 0.0
        for page in pages:
            timings = []
            for _ in range(args.rounds + 1):
                began = time.perf_counter()
                response = client.get(page)
                timings.append(1000 * (time.perf_counter() - began))
                assert response.status_code == 200, (page, response.status_code)
            rest = sorted(timings[1:])
            worst = max(worst, rest[int(0.95 * len(rest))])
            print(f"{page:45} first {timings[0]:7.1f} ms; then median "
                  f"{statistics.median(rest):6.1f} ms, p95 {rest[int(0.95 * len(rest))]:6.1f}"
                  f" ms, max {rest[-1]:6.1f} ms ({len(response.content) // 1024} KiB)")
        print(f"worst p95 {worst:.1f} ms (target < 200 ms)")
        store.close()


if __name__ == "__main__":
    main()
