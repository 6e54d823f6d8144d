"""Prometheus metrics (`/metrics`), every name starting `confbot_`.

Counters and the answer-latency histogram are updated where things happen; the outbox counts
are read from the database when the metrics are scraped, so every process reports the same
numbers whichever one delivered the messages.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select

from bot.core.messages import Incoming, Reply
from bot.storage import Store
from bot.storage.models import OutboxMessage

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES_RECEIVED = Counter("confbot_updates_received", "Messages received, by platform",
                           ["platform"], registry=REGISTRY)
UPDATES_ANSWERED = Counter("confbot_updates_answered", "Messages answered, by platform",
                           ["platform"], registry=REGISTRY)
ANSWER_SECONDS = Histogram("confbot_answer_seconds", "Time to compose an answer, by platform",
                           ["platform"], registry=REGISTRY,
                           buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
RATE_LIMITED = Counter("confbot_rate_limited", "429 Too Many Requests answers, by platform",
                       ["platform"], registry=REGISTRY)
RETRIES = Counter("confbot_send_retries", "Sends tried again after a network or server error",
                  ["platform"], registry=REGISTRY)
OUTBOX = Gauge("confbot_outbox_messages", "Pushed messages in the outbox, by platform and "
               "status (queued, sending, sent, failed, blocked, expired)",
               ["platform", "status"], registry=REGISTRY)
LEADER = Gauge("confbot_leader", "1 while this process is the leader, 0 as a standby",
               registry=REGISTRY)
INFO = Gauge("confbot_version_info", "The programme's version", ["version"], registry=REGISTRY)


def programme_version() -> str:
    try:
        return version("confbot")
    except PackageNotFoundError:
        return "unknown"


INFO.labels(programme_version()).set(1)


def timed(handle: Callable[..., list[Reply]]) -> Callable[..., list[Reply]]:
    """`Application.handle`, counted and timed (`__wrapped__` is the original)."""

    @functools.wraps(handle)
    def measured(incoming: Incoming, **options: bool) -> list[Reply]:
        UPDATES_RECEIVED.labels(incoming.platform).inc()
        started = time.perf_counter()
        replies = handle(incoming, **options)
        ANSWER_SECONDS.labels(incoming.platform).observe(time.perf_counter() - started)
        if replies:
            UPDATES_ANSWERED.labels(incoming.platform).inc()
        return replies

    return measured


def refresh_outbox(store: Store) -> None:
    """Read the outbox's counts per platform and status (a database read)."""
    query = (select(OutboxMessage.platform, OutboxMessage.status, func.count())
             .group_by(OutboxMessage.platform, OutboxMessage.status))
    with store.session() as db:
        rows = list(db.execute(query))
    OUTBOX.clear()
    for platform, status, count in rows:
        OUTBOX.labels(platform, status).set(count)


def exposition() -> bytes:
    """The metrics in Prometheus's text format."""
    return generate_latest(REGISTRY)
