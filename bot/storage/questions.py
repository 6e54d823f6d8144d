"""Questions put to sessions (Q&A), their moderation and votes.

Clean functions the chat handlers and the organisers' web console call alike. A vote is a
row with a unique (question, person) pair, so two processes taking the same vote count it once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.database import rows_affected
from bot.storage.models import Question, QuestionVote


class QuestionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ANSWERED = "answered"


MODERATION: dict[str, tuple[QuestionStatus, tuple[QuestionStatus, ...]]] = {
    "approve": (QuestionStatus.APPROVED, (QuestionStatus.PENDING, QuestionStatus.REJECTED)),
    "reject": (QuestionStatus.REJECTED, (QuestionStatus.PENDING, QuestionStatus.APPROVED)),
    "answered": (QuestionStatus.ANSWERED, (QuestionStatus.APPROVED,)),
}
"""The moderation rules, for chat (/approve, /reject, /answered) and console alike:
action -> (the state it leads to, the states it may come from)."""


def may_apply(action: str, status: QuestionStatus) -> bool:
    """Whether a moderation `action` applies to a question in `status`."""
    return action in MODERATION and status in MODERATION[action][1]


@dataclass(frozen=True)
class QuestionRecord:
    id: int
    session_id: str
    text: str
    lang: str | None
    status: QuestionStatus
    asked_at: datetime
    votes: int
    author_id: int | None
    """Shown to nobody but organisers and moderators; None once the author was forgotten."""


class QuestionStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def ask(self, session_id: str, author_id: int | None, text: str, lang: str | None,
            now: datetime, *, approved: bool = False) -> QuestionRecord:
        """Keep a new question, pending moderation unless `approved`."""
        status = QuestionStatus.APPROVED if approved else QuestionStatus.PENDING
        with self._sessions() as db, db.begin():
            row = Question(session_id=session_id, author_id=author_id, text=text, lang=lang,
                           status=status.value, asked_at=now,
                           decided_at=now if approved else None)
            db.add(row)
            db.flush()
            return _record(row, 0)

    def count_by(self, author_id: int, session_id: str) -> int:
        """How many questions one person put to one session (rejected ones count too)."""
        with self._sessions() as db:
            return int(db.scalar(select(func.count(Question.id)).where(
                Question.author_id == author_id, Question.session_id == session_id)) or 0)

    def get(self, question_id: int) -> QuestionRecord | None:
        found = self._select(Question.id == question_id)
        return found[0] if found else None

    def of_session(self, session_id: str,
                   statuses: Iterable[QuestionStatus] = (QuestionStatus.APPROVED,)
                   ) -> list[QuestionRecord]:
        """A session's questions in the given states, the most voted first, then the oldest."""
        return self._select(Question.session_id == session_id,
                            Question.status.in_([s.value for s in statuses]))

    def queue(self, session_id: str | None = None) -> list[QuestionRecord]:
        """Every question (of one session, or all) with its state and votes: the moderation
        queue, for chat and console."""
        if session_id is None:
            return self._select()
        return self._select(Question.session_id == session_id)

    def counts(self) -> dict[str, int]:
        """session id -> how many questions were put to it (counted by the database)."""
        with self._sessions() as db:
            return {sid: int(n) for sid, n in db.execute(
                select(Question.session_id, func.count(Question.id))
                .group_by(Question.session_id))}

    def by_author(self, author_id: int) -> list[QuestionRecord]:
        return self._select(Question.author_id == author_id)

    def decide(self, question_id: int, status: QuestionStatus, now: datetime,
               *, from_states: Collection[QuestionStatus]) -> bool:
        """Move a question to `status` if it is in one of `from_states`; False otherwise (so
        two moderators pressing one button decide once)."""
        with self._sessions() as db, db.begin():
            result = db.execute(update(Question).where(
                Question.id == question_id,
                Question.status.in_([s.value for s in from_states]))
                .values(status=status.value, decided_at=now))
            return rows_affected(result) > 0

    def moderate(self, question_id: int, action: str, now: datetime) -> bool:
        """Apply a moderation action (a key of MODERATION) by its rules; False when it does
        not apply (unknown action, or the question is not in a state it comes from)."""
        if action not in MODERATION:
            return False
        status, sources = MODERATION[action]
        return self.decide(question_id, status, now, from_states=sources)

    def vote(self, question_id: int, user_id: int, now: datetime) -> bool:
        """Count one person's vote; False when they had voted already."""
        try:
            with self._sessions() as db, db.begin():
                db.add(QuestionVote(question_id=question_id, user_id=user_id, voted_at=now))
            return True
        except IntegrityError:
            return False

    def unvote(self, question_id: int, user_id: int) -> bool:
        """Take a vote back; False when there was none."""
        with self._sessions() as db, db.begin():
            return rows_affected(db.execute(delete(QuestionVote).where(
                QuestionVote.question_id == question_id, QuestionVote.user_id == user_id))) > 0

    def voted_by(self, user_id: int) -> set[int]:
        """The questions one person voted for."""
        with self._sessions() as db:
            return set(db.scalars(select(QuestionVote.question_id)
                                  .where(QuestionVote.user_id == user_id)))

    def _select(self, *where: object) -> list[QuestionRecord]:
        votes = (select(QuestionVote.question_id, func.count(QuestionVote.id).label("n"))
                 .group_by(QuestionVote.question_id).subquery())
        query = (select(Question, func.coalesce(votes.c.n, 0))
                 .outerjoin(votes, votes.c.question_id == Question.id)
                 .where(*where)  # type: ignore[arg-type]
                 .order_by(func.coalesce(votes.c.n, 0).desc(), Question.asked_at, Question.id))
        with self._sessions() as db:
            return [_record(row, int(n)) for row, n in db.execute(query)]


def _record(row: Question, votes: int) -> QuestionRecord:
    return QuestionRecord(row.id, row.session_id, row.text, row.lang,
                          QuestionStatus(row.status), row.asked_at, votes, row.author_id)
