"""What the console shows of participation: the projector wall's questions and its read-only
key, and the charts of the feedback page. The data comes from the participation stores
(`store.questions`, `store.ratings`, `store.interest()`), as for the chat commands.

The wall's read-only link carries a key derived from the console's secret and the session:
unguessable, the same in every process, nothing stored."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from bot.storage.questions import QuestionStore


def wall_key(secret: str, session_id: str) -> str:
    return hmac.new(secret.encode(), f"wall:{session_id}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def wall_questions(questions: QuestionStore, session_id: str) -> list[dict[str, Any]]:
    """The approved questions of a session, the most voted first (as /questions lists them)."""
    return [{"id": q.id, "text": q.text, "votes": q.votes}
            for q in questions.of_session(session_id)]


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
