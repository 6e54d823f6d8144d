"""How many people plan to come to each session: from their agendas and reminder settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from bot.storage.models import Subscription, User


@dataclass(frozen=True)
class Interest:
    session_id: str
    people: int
    """Active people with the session on their agenda."""
    reminded: int
    """Of those, how many will get a reminder (reminders not off)."""


def interest(engine: Engine) -> dict[str, Interest]:
    """session id -> interest, for every session somebody chose."""
    reminded = func.sum(case((User.reminder_minutes > 0, 1), else_=0))
    query = (select(Subscription.session_id, func.count(Subscription.id), reminded)
             .join(User, User.id == Subscription.user_id).where(User.active.is_(True))
             .group_by(Subscription.session_id))
    with engine.connect() as connection:
        return {sid: Interest(sid, int(people), int(reminders or 0))
                for sid, people, reminders in connection.execute(query)}
