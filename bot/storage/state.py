"""Small named values the bot keeps between runs: the programme snapshot, sync tokens,
conversation steps."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
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
        try:
            self._set(key, value)
        except IntegrityError:  # another process inserted the key meanwhile: now it is there
            self._set(key, value)

    def _set(self, key: str, value: str) -> None:
        with self._sessions() as db, db.begin():
            row = db.get(State, key)
            if row is None:
                db.add(State(key=key, value=value))
            else:
                row.value = value

    def setdefault(self, key: str, value: str) -> str:
        """The key's value; `value` stored first when there is none (the first process to
        store one wins, also when several start at the same instant)."""
        current = self.get(key)
        if current is not None:
            return current
        try:
            with self._sessions() as db, db.begin():
                db.add(State(key=key, value=value))
            return value
        except IntegrityError:
            stored = self.get(key)
            return value if stored is None else stored

    def delete(self, key: str) -> None:
        with self._sessions() as db, db.begin():
            db.execute(delete(State).where(State.key == key))

    def items(self, prefix: str) -> dict[str, str]:
        """Every value whose key starts with `prefix`."""
        with self._sessions() as db:
            return {row.key: row.value for row in db.scalars(
                select(State).where(State.key.startswith(prefix, autoescape=True)))}
