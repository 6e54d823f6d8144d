"""One-time notes to a person (e.g. 'I answer in Ukrainian'): remembered once shown."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.storage.models import ShownNotice


class Notices:
    """Which one-time notes each person has seen."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._shown: set[tuple[int, str]] = set()

    def first_time(self, user_id: int, notice: str) -> bool:
        """True the first time this is asked for a person and a notice, False after."""
        if (user_id, notice) in self._shown:
            return False
        self._shown.add((user_id, notice))
        with self._sessions() as session:
            seen = session.scalar(select(ShownNotice.id).where(
                ShownNotice.user_id == user_id, ShownNotice.notice == notice))
            if seen is not None:
                return False
            session.add(ShownNotice(user_id=user_id, notice=notice))
            try:
                session.commit()
            except IntegrityError:  # another process showed it at the same moment
                return False
        return True
