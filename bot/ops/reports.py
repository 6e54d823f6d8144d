"""What the command-line tools print for people: `confbot outbox`, `edits`, `unanswered`, as
tables with headers, times in the conference's time zone."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, tzinfo
from typing import Any

from bot.programme.model import Conference
from bot.storage import OutboxStatus, Store

STATUSES = tuple(OutboxStatus)


def when(moment: datetime | None, zone: tzinfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}" if moment else "-"


def print_outbox(store: Store, zone: tzinfo, failures: int = 10) -> None:
    """Counts per platform, kind and status (one column per status), then the last failure
    reasons, newest first."""
    messages = store.outbox.messages()
    if not messages:
        print("The outbox is empty.")
        return
    counts = Counter((m.platform, m.kind, m.status) for m in messages)
    header = f"{'platform':10} {'kind':10} " + " ".join(f"{s.value:>8}" for s in STATUSES)
    print(header)
    print("-" * len(header))
    for platform, kind in sorted({(p, k) for p, k, _ in counts}):
        print(f"{platform:10} {kind:10} " + " ".join(f"{counts[(platform, kind, s)]:>8}"
                                                     for s in STATUSES))
    total = Counter(m.status for m in messages)
    print(f"{'all':21} " + " ".join(f"{total[s]:>8}" for s in STATUSES))
    problems = [m for m in messages
                if m.status in (OutboxStatus.FAILED, OutboxStatus.BLOCKED, OutboxStatus.EXPIRED)
                or m.last_error]
    if not problems:
        print("\nNo failures.")
        return
    print(f"\nLast failures (newest first, {min(failures, len(problems))} of {len(problems)}):")
    print(f"{'#':>6}  {'platform':10} {'kind':10} {'status':8} {'tries':>5}  reason")
    for message in reversed(problems[-failures:]):
        print(f"{message.id:>6}  {message.platform:10} {message.kind:10} "
              f"{message.status.value:8} {message.attempts:>5}  {message.last_error or '-'}")


def _value(aspect: str, value: Any) -> str:
    if isinstance(value, dict):
        if aspect == "time" and {"day", "start"} <= set(value):
            return f"{value['day']} {value['start']}–{value.get('end', '?')}"
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if value is True:
        return "yes"
    return str(value)


def print_edits(store: Store, conference: Conference, skipped: dict[str, str]) -> None:
    records = store.edits.all()
    zone = conference.timezone
    if not records:
        print("No live edits: the programme is as in the data.")
        return
    print(f"{'session':8} {'aspect':10} {'made at':16} {'by':20} value")
    for record in records:
        print(f"{record.session_id:8} {record.aspect:10} {when(record.made_at, zone):16} "
              f"{record.author[:20]:20} {_value(record.aspect, record.value)}")
    for session_id, reason in skipped.items():
        print(f"  {session_id}: no longer applies: {reason}")
