"""Follow-ups: a question about a fact of something, named now or in the last answers.

The conversation's `Focus` (bot.storage.dialogue) holds what the last answers were about; a
message that names nothing itself, or points back ("it", "tam", "його"), is read against it.
A message that names something new starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.programme.model import Conference, Person, Place, Session, Venue
from bot.storage.dialogue import Focus
from bot.understanding.intent import Intent

SESSION_FACTS = ("start", "end", "duration", "format", "host")
"""Facts answered about the sessions themselves (the `fact` intent)."""


@dataclass
class Named:
    """What a message names and asks, gathered before deciding what it means."""

    fact: str | None
    asked: set[str]
    kind: str | None
    sessions: list[Session]
    people: list[Person]
    places: list[Place]
    refers: bool
    bare: bool
    """Nothing but question words and small words: an ellipsis ("a gdzie?", "и до кiedy")."""


def focus_of(intent_name: str, fact: str | None, sessions: list[Session], people: list[Person],
             places: list[Place], moment: datetime | None) -> Focus:
    """What an answer is about, to remember for the next question."""
    return Focus(sessions=tuple(s.id for s in sessions[:6]), people=tuple(p.id for p in people[:3]),
                 places=tuple(p.id for p in places[:2]), moment=moment,
                 asked=fact or intent_name)


def recalled(conference: Conference, focus: Focus) -> tuple[list[Session], list[Person],
                                                           list[Place]]:
    """The sessions, people and places of a focus that still exist in the programme."""
    sessions = [conference.sessions[i] for i in focus.sessions if i in conference.sessions]
    people = [conference.people[i] for i in focus.people if i in conference.people]
    places: list[Place] = [conference.venues.get(i) or conference.landmarks[i]
                           for i in focus.places
                           if i in conference.venues or i in conference.landmarks]
    return sessions, people, places


def venue_of(sessions: list[Session]) -> Venue | None:
    """The one venue a few sessions share, if they share one."""
    venues = {id(s.venue): s.venue for s in sessions if isinstance(s.venue, Venue)}
    return next(iter(venues.values())) if len(venues) == 1 else None


def after(conference: Conference, sessions: list[Session]) -> datetime | None:
    """The moment "after that" starts: when the last of the sessions ends."""
    ends = [s.span[1] for s in sessions if s.times_announced]
    return max(ends) - timedelta(seconds=1) if ends else None


def before(conference: Conference, sessions: list[Session]) -> list[Session]:
    """What ends right before the first of the sessions starts (on the same day)."""
    starts = [s.span[0] for s in sessions if s.times_announced]
    if not starts:
        return []
    first = min(starts)
    day = conference.day_of(first)
    earlier = [s for s in conference.top_level(conference.walk())
               if s.times_announced and s.span[1] <= first and conference.day_of(s.span[0]) is day]
    if not earlier:
        return []
    last_end = max(s.span[1] for s in earlier)
    last_start = max(s.span[0] for s in earlier if s.span[1] == last_end)
    return [s for s in earlier if s.span[0] >= last_start]



def focus_after(conference: Conference, intent: Intent, now: datetime) -> Focus:
    """What the answer to an intent is about: the ground for the next question."""
    sessions = list(intent.sessions)
    moment = intent.moments[0] if intent.moments else None
    name = intent.name
    if name == "kind" and intent.kind is not None:
        sessions = conference.of_kind(intent.kind)
        if intent.day is not None:
            sessions = [s for s in sessions if s.day is intent.day] or sessions
    elif name == "person":
        sessions = [s for p in intent.people for s in conference.with_person(p)]
    elif name == "at" and moment is not None:
        sessions = conference.top_level(conference.running_at(moment))
    elif name == "range" and len(intent.moments) == 2:
        start, end = intent.moments
        sessions = [s for s in conference.top_level(conference.walk())
                    if s.times_announced and s.span[0] < end and s.span[1] > start]
    elif name == "now":
        sessions = conference.top_level(conference.running_at(now)) or conference.next_after(now)
    elif name == "next":
        sessions = conference.next_after(moment or now)
    elif name == "yesno":
        sessions = sessions[:1]  # not the session it was compared with ("before lunch")
    elif name == "programme" and intent.day is not None:  # "and the second?" picks a day
        return Focus(moment=conference.day_start(intent.day), asked="programme")
    elif name not in ("fact", "who", "search", "remind", "unremind", "where", "distance",
                      "before", "yesno"):  # a yes/no answer is about the sessions it checked
        return Focus()
    return focus_of(name, intent.fact, sessions, intent.people, intent.places, moment)
