"""What changed between two programmes, session by session (by stable id): the part of a
programme that people who chose a session care about."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from bot.programme.model import Conference, Venue

Snapshot = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Change:
    """What changed about one session: `new` is None when it was removed from the data;
    `new["cancelled"]` is true when an organiser cancelled it live (it stays listed)."""

    session_id: str
    old: dict[str, Any]
    new: dict[str, Any] | None
    notices: int = 0
    """How many subscribers were sent a notice about it."""

    @property
    def vanished(self) -> bool:
        """Removed from the programme altogether."""
        return self.new is None

    @property
    def cancelled(self) -> bool:
        return self.new is None or (bool(self.new.get("cancelled"))
                                    and not self.old.get("cancelled"))

    @property
    def restored(self) -> bool:
        return self.new is not None and bool(self.old.get("cancelled")) and not self.new.get(
            "cancelled")

    @property
    def noted(self) -> bool:
        """The organisers' note was added, changed or removed."""
        return self.new is not None and "note" in self.old and self.old["note"] != self.new.get(
            "note")

    @property
    def moved(self) -> bool:
        return self.new is not None and (self.old["start"], self.old["end"]) != (
            self.new["start"], self.new["end"])

    @property
    def relocated(self) -> bool:
        return self.new is not None and (self.old["venue"] != self.new["venue"] or (
            "room" in self.old and self.old["room"] != self.new.get("room")))

    @property
    def fingerprint(self) -> str:
        state = json.dumps(self.new, sort_keys=True)
        return hashlib.sha256(state.encode()).hexdigest()[:16]


def snapshot(conference: Conference) -> Snapshot:
    """What subscribers care about, per session: times, place, whether it is on, the
    organisers' note, and the title (for notices)."""
    result = {}
    for session in conference.sessions.values():
        start, end = session.span
        result[session.id] = {
            "start": start.astimezone(UTC).isoformat(),
            "end": end.astimezone(UTC).isoformat(),
            "venue": session.venue.id if isinstance(session.venue, Venue) else None,
            "room": session.room if isinstance(session.room, str) else None,
            "cancelled": session.cancelled,
            "note": dict(session.note) if session.note else None,
            "title": dict(session.title),
        }
    return result


WATCHED = ("start", "end", "venue", "room", "cancelled", "note")
"""What makes a change; a key missing from an older snapshot is not compared (a snapshot
written before the key existed tells nobody of anything)."""


def diff(old: Snapshot, new: Snapshot) -> list[Change]:
    changes = []
    for session_id, before in old.items():
        after = new.get(session_id)
        if after is None:
            changes.append(Change(session_id, before, None))
        elif any(before[key] != after.get(key) for key in WATCHED if key in before):
            changes.append(Change(session_id, before, after))
    return changes
