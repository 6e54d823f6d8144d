"""Small named values the bot keeps between runs: the programme snapshot, sync tokens,
conversation steps."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import State


class StateStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, key: str) -> str | None:
        with self._sessions() as db:
            row = db.get(State, key)
            return row.value if row else None

    def set(self, key: str, value: str) -> None:
        with self._sessions() as db, db.begin():
            row = db.get(State, key)
            if row is None:
                db.add(State(key=key, value=value))
            else:
                row.value = value

    def delete(self, key: str) -> None:
        with self._sessions() as db, db.begin():
            db.execute(delete(State).where(State.key == key))

    def items(self, prefix: str) -> dict[str, str]:
        """Every value whose key starts with `prefix`."""
        with self._sessions() as db:
            return {row.key: row.value for row in db.scalars(
                select(State).where(State.key.startswith(prefix, autoescape=True)))}
