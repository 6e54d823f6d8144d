"""Programme changes: compare the programme with the last one the bot knew, by stable session
id, and tell every subscriber of a moved, relocated or cancelled session, in their language.

The last known programme is a snapshot in the database, so whichever process notices a change
first (the running bot, or `confbot reload`) sends the notices, and only once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC
from typing import TYPE_CHECKING, Any

from bot.outbox import encode
from bot.programme import Conference, Session, Venue

if TYPE_CHECKING:
    from bot.app import Application

log = logging.getLogger(__name__)

SNAPSHOT_KEY = "programme_snapshot"


@dataclass(frozen=True)
class Change:
    """What changed about one session: `new` is None when it was cancelled (removed)."""

    session_id: str
    old: dict[str, Any]
    new: dict[str, Any] | None
    notices: int = 0
    """How many subscribers were sent a notice about it."""

    @property
    def cancelled(self) -> bool:
        return self.new is None

    @property
    def moved(self) -> bool:
        return self.new is not None and (self.old["start"], self.old["end"]) != (
            self.new["start"], self.new["end"])

    @property
    def relocated(self) -> bool:
        return self.new is not None and self.old["venue"] != self.new["venue"]

    @property
    def fingerprint(self) -> str:
        state = json.dumps(self.new, sort_keys=True)
        return hashlib.sha256(state.encode()).hexdigest()[:16]


def snapshot(conference: Conference) -> dict[str, dict[str, Any]]:
    """What subscribers care about, per session: times, place, and the title (for notices)."""
    result = {}
    for session in conference.sessions.values():
        start, end = session.span
        result[session.id] = {
            "start": start.astimezone(UTC).isoformat(),
            "end": end.astimezone(UTC).isoformat(),
            "venue": session.venue.id if isinstance(session.venue, Venue) else None,
            "title": dict(session.title),
        }
    return result


def diff(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Change]:
    changes = []
    for session_id, before in old.items():
        after = new.get(session_id)
        if after is None:
            changes.append(Change(session_id, before, None))
        elif (before["start"], before["end"], before["venue"]) != (
                after["start"], after["end"], after["venue"]):
            changes.append(Change(session_id, before, after))
    return changes


def apply_programme(app: Application, conference: Conference) -> list[Change]:
    """Make `conference` the known programme; queue notices for what changed since the last."""
    new = snapshot(conference)
    stored = app.store.get_state(SNAPSHOT_KEY)
    changes = diff(json.loads(stored), new) if stored else []
    now = app.clock.now()
    queued = 0
    told: list[Change] = []
    for change in changes:
        before = queued
        session: Session | None = conference.sessions.get(change.session_id)
        for user, _ in app.store.subscribers(change.session_id):
            if not user.chat_id:
                continue
            ctx = app.context_for(user, conference)
            replies = app.messages.change(ctx, change, session)
            key = f"change:{user.id}:{change.session_id}:{change.fingerprint}"
            if app.store.enqueue(dedupe_key=key, kind="change", platform=user.platform,
                                 chat_id=user.chat_id, user_id=user.id, payload=encode(replies),
                                 now=now):
                queued += 1
        told.append(replace(change, notices=queued - before))
        if change.cancelled:
            app.store.drop_subscriptions(change.session_id)
        log.info("programme change: session %s %s", change.session_id,
                 "cancelled" if change.cancelled else
                 ", ".join(k for k, v in (("moved", change.moved), ("relocated", change.relocated))
                           if v))
    app.store.set_state(SNAPSHOT_KEY, json.dumps(new, sort_keys=True))
    if queued:
        app.notify_queued()
    if changes:
        log.info("programme: %d change(s), %d notice(s) queued", len(changes), queued)
    return told
