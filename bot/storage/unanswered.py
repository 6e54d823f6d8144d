"""Questions the bot could not place, for organisers: kept without who asked, shown grouped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from bot.language.textmatch import fold
from bot.storage.models import UnansweredQuestion

MAX_TEXT = 500
SIMILAR = 75
"""rapidfuzz token-set ratio at which two questions count as the same question."""
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass
class QuestionGroup:
    """Similar questions: the newest wording, how often, when last, in which languages."""

    text: str
    latest: datetime
    count: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    variants: list[str] = field(default_factory=list)


def parse_since(text: str) -> timedelta | None:
    """'30m', '2h', '1d', '1w' -> a timedelta; None when it is not such a duration."""
    match = _DURATION.match(text)
    if not match:
        return None
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


class UnansweredLog:
    """The unanswered questions table."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def record(self, text: str, lang: str | None, now: datetime) -> None:
        """Keep a question the bot could not place (its text, language and time; no person)."""
        text = " ".join(text.split())[:MAX_TEXT]
        if not text:
            return
        with self._sessions.begin() as session:
            session.add(UnansweredQuestion(text=text, lang=lang, asked_at=now))

    def groups(self, since: datetime | None = None, limit: int = 500) -> list[QuestionGroup]:
        """Similar questions together, with counts; the group asked most recently first."""
        query = select(UnansweredQuestion).order_by(UnansweredQuestion.asked_at.desc(),
                                                    UnansweredQuestion.id.desc())
        if since is not None:
            query = query.where(UnansweredQuestion.asked_at >= since)
        with self._sessions() as session:
            rows = session.scalars(query.limit(limit)).all()
        groups: list[tuple[str, QuestionGroup]] = []
        for row in rows:
            folded = fold(row.text)
            group = next((g for key, g in groups
                          if fuzz.token_set_ratio(key, folded) >= SIMILAR), None)
            if group is None:
                group = QuestionGroup(row.text, row.asked_at)
                groups.append((folded, group))
            elif row.text not in group.variants and row.text != group.text \
                    and len(group.variants) < 3:
                group.variants.append(row.text)
            group.count += 1
            lang = row.lang or "?"
            group.languages[lang] = group.languages.get(lang, 0) + 1
        return [group for _, group in groups]
