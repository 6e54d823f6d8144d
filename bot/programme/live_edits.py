"""Organisers' live edits of the programme: reading `/edit` commands, laying the stored edits
over the programme of `data/`, checking the result as loading checks data files, and
exporting the edits as YAML for `data/` after the event.

The programme of `data/` is never changed: the served programme is always `data/` with the
overlay on top, rebuilt when either changes. An edit whose session is gone, or that would
make the programme invalid, is skipped and reported (`Overlaid.skipped`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any

import yaml

from bot.language.i18n import N_
from bot.language.textmatch import words
from bot.programme.model import Conference, Day, Session, Text, Venue
from bot.programme.yaml_data import check_programme
from bot.storage.edits import EditRecord


@dataclass(frozen=True)
class Refusal:
    """Why an edit cannot be made: an untranslated message and its values."""

    message: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Edit:
    """One requested change: set an aspect (`value`), or remove it (`value` None; for
    `undo`, every aspect of the session)."""

    session_id: str
    aspect: str
    """time | place | cancelled | note | all (undo)"""
    value: Any = None


USAGE = N_("How to edit: /edit s20 time 11:45 · /edit s20 time 11:45-13:00 · "
           "/edit s20 day 2 time 10:00 · /edit s20 place Sala 2 · /edit s20 cancel · "
           "/edit s20 restore · /edit s20 note … (note - removes it) · /edit s20 undo")

_TIME = r"(\d{1,2})[:.](\d{2})"
_TIMES = re.compile(rf"^{_TIME}(?:\s*[-–]\s*{_TIME})?$")


def parse(conference: Conference, text: str) -> Edit | Refusal:
    """`s20 time 11:45`, `s20 day 2 time 10:00`, `s20 place Sala 2`, `s20 cancel`,
    `s20 restore`, `s20 note …`, `s20 note -`, `s20 undo`."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return Refusal(USAGE)
    session_id = parts[0].lower().lstrip("/")
    if session_id not in conference.sessions:
        return Refusal(N_("There is no session %(id)s."), {"id": parts[0]})
    rest = parts[1].strip() if len(parts) > 1 else ""
    operation, _, argument = rest.partition(" ")
    operation, argument = operation.lower(), argument.strip()
    if operation in ("cancel", "restore", "undo") and not argument:
        aspect = {"cancel": "cancelled", "restore": "cancelled", "undo": "all"}[operation]
        return Edit(session_id, aspect, True if operation == "cancel" else None)
    if operation in ("time", "day"):
        return _parse_time(conference, conference.sessions[session_id], operation, argument)
    if operation == "place" and argument:
        return Edit(session_id, "place", _place(conference, argument))
    if operation == "note" and argument:
        if argument == "-":
            return Edit(session_id, "note", None)
        return _parse_note(conference, session_id, argument)
    return Refusal(USAGE)


def _parse_time(conference: Conference, session: Session, operation: str,
                argument: str) -> Edit | Refusal:
    day: Day = session.day
    if operation == "day":
        day_word, _, rest = argument.partition(" ")
        found = next((d for d in conference.days
                    if day_word.lower() in (str(d.number), d.id, d.date.isoformat())), None)
        if found is None:
            return Refusal(N_("There is no day %(day)s; the days are %(days)s."),
                           {"day": day_word, "days": ", ".join(str(d.number)
                                                             for d in conference.days)})
        day = found
        word, _, argument = rest.strip().partition(" ")
        if word.lower() != "time":
            return Refusal(USAGE)
    match = _TIMES.match(argument.strip())
    if match is None:
        return Refusal(N_("“%(value)s” is not a time like 11:45 or 11:45-13:00."),
                       {"value": argument})
    numbers = [int(g) if g is not None else None for g in match.groups()]
    try:
        start = time(numbers[0] or 0, numbers[1] or 0)
        end = time(numbers[2] or 0, numbers[3] or 0) if numbers[2] is not None else None
    except ValueError:
        return Refusal(N_("“%(value)s” is not a time like 11:45 or 11:45-13:00."),
                       {"value": argument})
    if end is None:
        if session.start is None or session.end is None:
            return Refusal(N_("%(id)s has no time of its own yet: give the start and the end, "
                              "e.g. 11:45-13:00."), {"id": session.id})
        length = session.end - session.start
        end_moment = datetime.combine(day.date, start) + length
        if end_moment.date() != day.date:
            return Refusal(N_("The session would end after midnight."))
        end = end_moment.time()
    return Edit(session.id, "time", {"day": day.id, "start": f"{start:%H:%M}",
                                     "end": f"{end:%H:%M}"})


def _place(conference: Conference, argument: str) -> dict[str, str]:
    """A venue by id or alias, or else a room (free text) in the session's venue."""
    key = " ".join(words(argument))
    for venue in conference.venues.values():
        names = {venue.id, *(" ".join(words(a)) for a in venue.aliases),
                 *(" ".join(words(n)) for n in venue.name.values())}
        if argument.lower() == venue.id or key in names:
            return {"venue": venue.id}
    return {"room": argument}


def _parse_note(conference: Conference, session_id: str, argument: str) -> Edit | Refusal:
    """`text`, or versions: `pl: … | uk: … | en: …` (the first written first)."""
    versions: Text = {}
    pieces = [p.strip() for p in argument.split("|")]
    for piece in pieces:
        lang, colon, text = piece.partition(":")
        if colon and lang.strip().lower() in conference.languages and text.strip():
            versions[lang.strip().lower()] = text.strip()
        elif len(pieces) > 1:
            return Refusal(N_("Write the versions as %(example)s."),
                           {"example": "pl: … | uk: … | en: …"})
    if not versions:
        return Edit(session_id, "note", {"": argument})
    return Edit(session_id, "note", versions)


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
    """The programme of `data` with the edits on top; edits that no longer apply are skipped."""
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
        problem = apply(conference, [Edit(r.session_id, r.aspect, r.value) for r in records])
        if problem is not None:
            skipped.append(Skipped(session_id, aspects, problem))
    return Overlaid(conference, skipped)


def apply(conference: Conference, edits: list[Edit]) -> str | None:
    """Apply edits of one session in place; when the programme would be invalid, undo them
    and return the reason (English, as loading reports it)."""
    session = conference.sessions[edits[0].session_id]
    family = [session, *session.children]
    saved = [(s, s.day, s.start, s.end, s.venue, s.room, s.cancelled, s.note, s.full)
             for s in family]
    problem: str | None = None
    for edit in edits:
        problem = _apply_one(conference, session, edit)
        if problem:
            break
    if problem is None:
        problems = check_programme(conference)
        problem = "; ".join(f"{p.item}: {p.problem}" for p in problems) or None
    if problem is not None:
        for s, day, start, end, venue, room, cancelled, note, full in saved:
            s.day, s.start, s.end, s.venue, s.room, s.cancelled, s.note, s.full = (
                day, start, end, venue, room, cancelled, note, full)
    return problem


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
        session.note = _note(conference, value) if value else None
    elif edit.aspect == "full":
        session.full = bool(value)
    return None


def _note(conference: Conference, value: dict[str, str]) -> Text:
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
                if other.venue is not mine.venue or other.parent is mine or mine.parent is other:
                    continue
                (a, b), (c, d) = mine.span, other.span
                if a < d and c < b:
                    found.add(other.id)
        return found

    fresh = clashes(after) - clashes(before)
    return sorted((after.sessions[sid] for sid in fresh), key=lambda s: (s.span[0], s.number))


# --- export -----------------------------------------------------------------------------------

def export_yaml(data: Conference, edits: list[EditRecord]) -> str:
    """The edits as fields to paste into `data/programme/*.yaml` after the event."""
    by_session: dict[str, dict[str, Any]] = {}
    for record in edits:
        entry = by_session.setdefault(record.session_id, {"id": record.session_id})
        value = record.value
        if record.aspect == "time":
            day = data.day_by_id(value["day"])
            session = data.sessions.get(record.session_id)
            if session is None or day is not session.day:
                entry["day"] = value["day"]
            entry.update(start=value["start"], end=value["end"])
        elif record.aspect == "place":
            entry.update(value)
        elif record.aspect == "cancelled":
            entry["cancelled"] = True
        elif record.aspect == "note":
            entry["note"] = _note(data, value)
        entry.setdefault("edited", []).append(
            f"{record.aspect} by {record.author} at {record.made_at:%Y-%m-%d %H:%M} UTC")
    header = ("# Live edits made in the chat. Merge each session's fields into its entry in\n"
              "# data/programme/*.yaml; remove a cancelled session (or keep it, without the\n"
              "# 'cancelled' key, if it will happen after all); a note has no field of its own:\n"
              "# move it into the description or speakers_note. 'edited' is for you only.\n")
    body = yaml.safe_dump({"sessions": list(by_session.values())}, allow_unicode=True,
                          sort_keys=False, width=100)
    return header + body

