"""Organisers' live edits laid over the programme of `data/`: each stored edit applied to the
programme in turn, the result checked as loading checks data files.

The programme of `data/` is never changed: the served programme is always `data/` with the
overlay on top, rebuilt when either changes. An edit whose session is gone, or that would
make the programme invalid, is skipped and reported (`Overlaid.skipped`). Reading `/edit`
commands is the handler's (handlers/edit_parsing.py); the YAML export is
`bot.programme.live_edit_export`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time
from typing import Any

from bot.programme.model import Conference, Session, Text, Venue
from bot.programme.validation import check_programme
from bot.storage.edits import EditRecord


@dataclass(frozen=True)
class Edit:
    """One requested change: set an aspect (`value`), or remove it (`value` None; for
    `undo`, every aspect of the session)."""

    session_id: str
    aspect: str
    """time | place | cancelled | note | all (undo)"""
    value: Any = None


# --- the overlay ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Skipped:
    """A stored edit that does not apply to the programme of `data/` any more."""

    session_id: str
    aspects: tuple[str, ...]
    reason: str


@dataclass
class Overlaid:
    conference: Conference
    skipped: list[Skipped]


def copy_programme(conference: Conference) -> Conference:
    """The conference with sessions of its own (days, venues and people are shared)."""
    sessions = {sid: replace(s, parent=None, children=[]) for sid, s in conference.sessions.items()}
    for sid, original in conference.sessions.items():
        copy = sessions[sid]
        if original.parent is not None:
            copy.parent = sessions[original.parent.id]
        copy.children = [sessions[child.id] for child in original.children]
    return replace(conference, sessions=sessions)


def overlay(data: Conference, edits: list[EditRecord]) -> Overlaid:
    """The programme of `data` with the edits on top, each session's edits applied in turn to
    the programme so far; edits that no longer apply are skipped."""
    conference = copy_programme(data)
    skipped: list[Skipped] = []
    by_session: dict[str, list[EditRecord]] = {}
    for record in edits:
        by_session.setdefault(record.session_id, []).append(record)
    for session_id, records in by_session.items():
        aspects = tuple(r.aspect for r in records)
        if session_id not in conference.sessions:
            skipped.append(Skipped(session_id, aspects, "the session is not in the data"))
            continue
        edited = copy_programme(conference)
        problem = apply(edited, [Edit(r.session_id, r.aspect, r.value) for r in records])
        if problem is None:
            conference = edited
        else:
            skipped.append(Skipped(session_id, aspects, problem))
    return Overlaid(conference, skipped)


def apply(conference: Conference, edits: list[Edit]) -> str | None:
    """Apply edits of one session to `conference` in place; the reason (English, as loading
    reports it) when the programme is then invalid, else None."""
    session = conference.sessions[edits[0].session_id]
    for edit in edits:
        problem = _apply_one(conference, session, edit)
        if problem:
            return problem
    return "; ".join(f"{p.item}: {p.problem}" for p in check_programme(conference)) or None


def _apply_one(conference: Conference, session: Session, edit: Edit) -> str | None:
    value = edit.value
    if edit.aspect == "time":
        day = conference.day_by_id(value["day"])
        if day is None:
            return f"day '{value['day']}' is not in the data"
        start = conference.at(day, time.fromisoformat(value["start"]))
        end = conference.at(day, time.fromisoformat(value["end"]))
        shift = start - session.start if session.start is not None else None
        same_length = session.start is not None and session.end is not None and (
            end - start == session.end - session.start)
        session.day, session.start, session.end = day, start, end
        for child in session.children:  # the parts of a block move with it
            child.day = day
            if shift is not None and same_length and child.start and child.end:
                child.start, child.end = child.start + shift, child.end + shift
    elif edit.aspect == "place":
        if "venue" in value:
            venue = conference.venues.get(value["venue"])
            if venue is None:
                return f"venue '{value['venue']}' is not in the data"
            session.venue, session.room = venue, None
        else:
            session.room = value["room"]
    elif edit.aspect == "cancelled":
        session.cancelled = bool(value)
    elif edit.aspect == "note":
        session.note = stored_note(conference, value) if value else None
    elif edit.aspect == "full":
        session.full = bool(value)
    return None


def stored_note(conference: Conference, value: dict[str, str]) -> Text:
    """A stored note; `""` stands for the organiser's language, unknown when stored."""
    return {lang or conference.languages[0]: text for lang, text in value.items()}


def new_overlaps(before: Conference, after: Conference, session_id: str) -> list[Session]:
    """Sessions that share a venue and time with the edited one (or its parts) after the edit
    but did not before: rooms unknown or different, so not an error, but worth a look."""

    def clashes(conference: Conference) -> set[str]:
        edited = conference.sessions[session_id]
        family = {edited, *edited.children}
        found = set()
        for mine in family:
            if mine.cancelled or not mine.times_announced or not isinstance(mine.venue, Venue):
                continue
            for other in conference.sessions.values():
                if other in family or other.cancelled or not other.times_announced:
                    continue
                if other.venue is mine.venue and mine.overlaps(other):
                    found.add(other.id)
        return found

    fresh = clashes(after) - clashes(before)
    return sorted((after.sessions[sid] for sid in fresh), key=lambda s: (s.span[0], s.number))
