"""What the console shows of participation (Q&A, ratings, interest), through a small
interface: the participation stores (`store.questions`, `store.ratings`, issue 22) provide
it; until they are on this branch, the pages say Q&A and ratings are not available.

The wall's read-only link carries a key derived from the console's secret and the session:
unguessable, the same in every process, nothing stored."""

from __future__ import annotations

import hashlib
import hmac
import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from markupsafe import Markup, escape
from sqlalchemy import case, func, select

from bot.app import Application
from bot.storage.models import Subscription, User

STATUSES = ("pending", "approved", "rejected", "answered")
MODERATION = {"approve": ("approved", ("pending", "rejected")),
              "reject": ("rejected", ("pending", "approved")),
              "answered": ("answered", ("approved", "pending"))}
"""action -> (new status, the states it may come from)."""


class QuestionLike(Protocol):
    id: int
    session_id: str
    text: str
    status: Any
    votes: int
    asked_at: datetime


class QuestionBoard(Protocol):
    """The part of the participation question store (bot/storage/questions.py) used here."""

    def queue(self, session_id: str | None = None) -> Sequence[QuestionLike]: ...

    def of_session(self, session_id: str, statuses: Iterable[Any] = ...
                   ) -> Sequence[QuestionLike]: ...

    def decide(self, question_id: int, status: Any, now: datetime, *,
               from_states: Any) -> bool: ...


class RatingSummaryLike(Protocol):
    session_id: str
    count: int
    average: float | None
    distribution: dict[int, int]
    comments: tuple[Any, ...]


class RatingBoard(Protocol):
    def summaries(self) -> Sequence[RatingSummaryLike]: ...


def questions(app: Application) -> QuestionBoard | None:
    board: QuestionBoard | None = getattr(app.store, "questions", None)
    return board


def ratings(app: Application) -> RatingBoard | None:
    board: RatingBoard | None = getattr(app.store, "ratings", None)
    return board


def status(name: str) -> Any:
    """The store's own status value (its enum when it has one)."""
    try:
        module = importlib.import_module("bot.storage.questions")
    except ModuleNotFoundError:
        return name
    return module.QuestionStatus(name)


def moderate(board: QuestionBoard, question_id: int, action: str, now: datetime) -> bool:
    if action not in MODERATION:
        return False
    to, sources = MODERATION[action]
    return board.decide(question_id, status(to), now,
                        from_states=[status(s) for s in sources])


def wall_key(secret: str, session_id: str) -> str:
    return hmac.new(secret.encode(), f"wall:{session_id}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def wall_questions(board: QuestionBoard, session_id: str) -> list[dict[str, Any]]:
    """The approved questions of a session, the most voted first."""
    shown = board.of_session(session_id, [status("approved")])
    ordered = sorted(shown, key=lambda q: (-q.votes, q.asked_at, q.id))
    return [{"id": q.id, "text": q.text, "votes": q.votes} for q in ordered]


@dataclass(frozen=True)
class Interest:
    planned: int
    reminded: int


def interest(app: Application) -> dict[str, Interest]:
    """session id -> how many active people have it on their agenda, and with a reminder."""
    reminded = func.sum(case((User.reminder_minutes > 0, 1), else_=0))
    query = (select(Subscription.session_id, func.count(Subscription.id), reminded)
             .join(User, User.id == Subscription.user_id).where(User.active.is_(True))
             .group_by(Subscription.session_id))
    with app.store.engine.connect() as connection:
        return {sid: Interest(int(n), int(r or 0)) for sid, n, r in connection.execute(query)}


def bar_chart(values: Sequence[tuple[str, int]], *, width: int = 320, bar: int = 18,
              label: str = "") -> Markup:
    """A horizontal bar chart as inline SVG (rendered on the server; no script, no CDN)."""
    top = max((v for _, v in values), default=0) or 1
    rows = []
    for i, (name, value) in enumerate(values):
        y = i * (bar + 6)
        length = round((width - 110) * value / top)
        rows.append(Markup(
            '<text x="0" y="%d" class="label">%s</text>'
            '<rect x="70" y="%d" width="%d" height="%d" rx="3" class="bar-%d"></rect>'
            '<text x="%d" y="%d" class="value">%d</text>')
            % (y + bar - 4, name, y, length, bar, i, 76 + length, y + bar - 4, value))
    height = len(values) * (bar + 6)
    return Markup('<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" '
                  'width="%d" height="%d">%s</svg>') % (
        escape(label), width, height, width, height, Markup("").join(rows))
