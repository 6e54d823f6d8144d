"""Questions to sessions with votes, as the participation store (bot/storage/questions.py of
issue 22) keeps them, for the console's Q&A tests until that store is on this branch: the
same methods and records, kept in memory. Replace with `store.questions` when it lands."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Question:
    id: int
    session_id: str
    text: str
    lang: str | None
    status: str
    asked_at: datetime
    votes: int
    author_id: int | None


class QuestionBoard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._questions: dict[int, Question] = {}
        self._votes: dict[int, set[int]] = {}

    def ask(self, session_id: str, author_id: int | None, text: str, lang: str | None,
            now: datetime, *, approved: bool = False) -> Question:
        with self._lock:
            question = Question(len(self._questions) + 1, session_id, text, lang,
                                "approved" if approved else "pending", now, 0, author_id)
            self._questions[question.id] = question
            self._votes[question.id] = set()
            return question

    def vote(self, question_id: int, user_id: int, now: datetime) -> bool:
        with self._lock:
            if user_id in self._votes[question_id]:
                return False
            self._votes[question_id].add(user_id)
            return True

    def _select(self, keep: Any) -> list[Question]:
        with self._lock:
            found = [replace(q, votes=len(self._votes[q.id]))
                     for q in self._questions.values() if keep(q)]
        return sorted(found, key=lambda q: (-q.votes, q.asked_at, q.id))

    def queue(self, session_id: str | None = None) -> list[Question]:
        return self._select(lambda q: session_id is None or q.session_id == session_id)

    def of_session(self, session_id: str, statuses: Iterable[Any] = ("approved",)
                   ) -> list[Question]:
        wanted = {str(s) for s in statuses}
        return self._select(lambda q: q.session_id == session_id and q.status in wanted)

    def decide(self, question_id: int, status: Any, now: datetime, *,
               from_states: Iterable[Any]) -> bool:
        with self._lock:
            question = self._questions.get(question_id)
            if question is None or question.status not in {str(s) for s in from_states}:
                return False
            self._questions[question_id] = replace(question, status=str(status))
            return True
