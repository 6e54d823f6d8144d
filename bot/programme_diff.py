"""What changed between two programmes, session by session (by stable id): the part of a
programme that people who chose a session care about."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from bot.programme import Conference, Venue

Snapshot = dict[str, dict[str, Any]]


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


def snapshot(conference: Conference) -> Snapshot:
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


def diff(old: Snapshot, new: Snapshot) -> list[Change]:
    changes = []
    for session_id, before in old.items():
        after = new.get(session_id)
        if after is None:
            changes.append(Change(session_id, before, None))
        elif (before["start"], before["end"], before["venue"]) != (
                after["start"], after["end"], after["venue"]):
            changes.append(Change(session_id, before, after))
    return changes
