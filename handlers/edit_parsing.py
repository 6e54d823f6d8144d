"""Reading `/edit` commands: `s20 time 11:45`, `s20 day 2 time 10:00`, `s20 place Sala 2`,
`s20 cancel`, `s20 restore`, `s20 note …`, `s20 note -`, `s20 undo` become an `Edit`, or a
`Refusal` saying why not (in words for the organiser's language)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from bot.language.i18n import N_
from bot.language.textmatch import words
from bot.programme.live_edits import Edit
from bot.programme.model import Conference, Day, Session, Text


@dataclass(frozen=True)
class Refusal:
    """Why an edit cannot be made: an untranslated message and its values."""

    message: str
    values: dict[str, Any] = field(default_factory=dict)


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
