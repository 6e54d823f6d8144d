"""How people found the sessions (1–5 and a comment), and who wants no rating prompts.

Clean functions for the chat (/rate, /feedback), the command line (`confbot feedback`) and the
organisers' web console.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.database import rows_affected
from bot.storage.models import FeedbackOff, Rating

SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class RatingRecord:
    session_id: str
    score: int
    comment: str | None
    lang: str | None
    rated_at: datetime


@dataclass(frozen=True)
class RatingSummary:
    session_id: str
    count: int
    average: float | None
    distribution: dict[int, int] = field(default_factory=dict)
    """score -> how many gave it (every score 1–5 present)."""
    comments: tuple[RatingRecord, ...] = ()
    """The ratings with a comment, oldest first."""


class RatingStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def rate(self, user_id: int, session_id: str, score: int, now: datetime, *,
             comment: str | None = None, lang: str | None = None) -> bool:
        """Keep a person's rating of a session (a new one replaces theirs, keeping the comment
        when none comes with it); True when it is their first."""
        if score not in SCORES:
            raise ValueError(f"a score is 1–5, not {score}")
        for _ in range(2):  # a second process may insert the same first rating meanwhile
            try:
                with self._sessions() as db, db.begin():
                    row = db.scalars(select(Rating).where(Rating.user_id == user_id,
                                                          Rating.session_id == session_id)
                                     ).first()
                    if row is None:
                        db.add(Rating(user_id=user_id, session_id=session_id, score=score,
                                      comment=comment, lang=lang, rated_at=now))
                        return True
                    row.score, row.rated_at = score, now
                    if comment:
                        row.comment, row.lang = comment, lang
                    return False
            except IntegrityError:
                continue
        return False

    def comment(self, user_id: int, session_id: str, comment: str, lang: str | None) -> bool:
        """Add a comment to a person's rating; False when they have not rated the session."""
        with self._sessions() as db, db.begin():
            row = db.scalars(select(Rating).where(Rating.user_id == user_id,
                                                  Rating.session_id == session_id)).first()
            if row is None:
                return False
            row.comment, row.lang = comment, lang
            return True

    def rated(self, user_id: int, session_id: str) -> bool:
        with self._sessions() as db:
            return db.scalars(select(Rating.id).where(Rating.user_id == user_id,
                                                      Rating.session_id == session_id)
                              ).first() is not None

    def all(self) -> list[RatingRecord]:
        """Every rating, by session and time, naming nobody."""
        return self._select()

    def of(self, user_id: int) -> list[RatingRecord]:
        with self._sessions() as db:
            rows = db.scalars(select(Rating).where(Rating.user_id == user_id)).all()
        return [RatingRecord(r.session_id, r.score, r.comment, r.lang, r.rated_at) for r in rows]

    def summary(self, session_id: str) -> RatingSummary:
        return summarise(session_id, self._select(Rating.session_id == session_id))

    def summaries(self, session_ids: Collection[str] | None = None) -> list[RatingSummary]:
        """One summary per rated session (of `session_ids`, when given)."""
        where = () if session_ids is None else (Rating.session_id.in_(list(session_ids)),)
        by_session: dict[str, list[RatingRecord]] = {}
        for record in self._select(*where):
            by_session.setdefault(record.session_id, []).append(record)
        return [summarise(sid, records) for sid, records in by_session.items()]

    def counts(self) -> dict[str, int]:
        """session id -> how many ratings it has (counted by the database)."""
        with self._sessions() as db:
            return {sid: int(n) for sid, n in db.execute(
                select(Rating.session_id, func.count(Rating.id)).group_by(Rating.session_id))}

    def _select(self, *where: ColumnElement[bool]) -> list[RatingRecord]:
        with self._sessions() as db:
            rows = db.scalars(select(Rating).where(*where).order_by(
                Rating.session_id, Rating.rated_at, Rating.id)).all()
        return [RatingRecord(r.session_id, r.score, r.comment, r.lang, r.rated_at) for r in rows]

    # --- the prompts ------------------------------------------------------------------------

    def prompts_on(self, user_id: int) -> bool:
        with self._sessions() as db:
            return db.get(FeedbackOff, user_id) is None

    def set_prompts(self, user_id: int, on: bool, now: datetime) -> bool:
        """Switch a person's rating prompts on or off; False when it already was so."""
        try:
            with self._sessions() as db, db.begin():
                if on:
                    return rows_affected(db.execute(delete(FeedbackOff).where(
                        FeedbackOff.user_id == user_id))) > 0
                if db.get(FeedbackOff, user_id) is not None:
                    return False
                db.add(FeedbackOff(user_id=user_id, since=now))
                return True
        except IntegrityError:
            return False

    def prompts_off(self) -> set[int]:
        """Everyone who switched the prompts off."""
        with self._sessions() as db:
            return set(db.scalars(select(FeedbackOff.user_id)))


def summarise(session_id: str, records: list[RatingRecord]) -> RatingSummary:
    distribution = {score: 0 for score in SCORES}
    for record in records:
        distribution[record.score] += 1
    count = len(records)
    average = sum(r.score for r in records) / count if count else None
    return RatingSummary(session_id, count, average, distribution,
                         tuple(r for r in records if r.comment))
