"""What a message means: an intent, with whatever it named."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.programme.model import Day, InfoTopic, Person, Place, Session


@dataclass
class Intent:
    """What a message asks for, with whatever it named (a day, a time, people, sessions)."""

    name: str
    kind: str | None = None
    topic: InfoTopic | None = None
    day: Day | None = None
    moments: list[datetime] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    query: str = ""
    fact: str | None = None
    """Which fact of the sessions is asked for ("start", "end", "duration", "format", "host")."""
    from_dialogue: bool = False
    """Read against the conversation's last answers: not the same for everyone."""
