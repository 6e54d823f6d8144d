"""Organisers' live edits of the programme: an overlay on `data/`, one row per session and
aspect, and a version counter that tells every process the overlay changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.database import rows_affected
from bot.storage.models import LiveEdit, LiveEditChange, State

VERSION_KEY = "live_edits_version"
ASPECTS = ("time", "place", "cancelled", "note", "full")
"""The order in which the overlay applies a session's edits."""


@dataclass(frozen=True)
class EditRecord:
    session_id: str
    aspect: str
    value: Any
    """time: {"day", "start", "end"}; place: {"venue"} or {"room"}; cancelled: true;
    note: {lang: text, …} (the language written first, first); full: true (no places left)."""
    author: str
    made_at: datetime


class EditStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def all(self) -> list[EditRecord]:
        """Every edit in force, by session and in the order the overlay applies them."""
        with self._sessions() as db:
            rows = db.scalars(select(LiveEdit)).all()
        records = [EditRecord(r.session_id, r.aspect, json.loads(r.value), r.author, r.made_at)
                   for r in rows]
        return sorted(records, key=lambda r: (_number(r.session_id), ASPECTS.index(r.aspect)
                                              if r.aspect in ASPECTS else len(ASPECTS)))

    def put(self, session_id: str, aspect: str, value: Any, author: str, now: datetime) -> None:
        """Set one aspect of one session (replacing an earlier edit of it)."""
        encoded = json.dumps(value, ensure_ascii=False, sort_keys=True)
        with self._sessions() as db, db.begin():
            row = db.scalars(select(LiveEdit).where(LiveEdit.session_id == session_id,
                                                    LiveEdit.aspect == aspect)).first()
            if row is None:
                db.add(LiveEdit(session_id=session_id, aspect=aspect, value=encoded,
                                author=author, made_at=now))
            else:
                row.value, row.author, row.made_at = encoded, author, now
            db.add(LiveEditChange(session_id=session_id, aspect=aspect, value=encoded,
                                  author=author, made_at=now))
            bump_version(db)

    def remove(self, session_id: str, aspect: str | None = None, *, author: str = "?",
               now: datetime | None = None) -> int:
        """Drop one aspect's edit, or every edit of the session; returns how many."""
        with self._sessions() as db, db.begin():
            query = delete(LiveEdit).where(LiveEdit.session_id == session_id)
            if aspect is not None:
                query = query.where(LiveEdit.aspect == aspect)
            removed = rows_affected(db.execute(query))
            if removed:
                if now is not None:
                    db.add(LiveEditChange(session_id=session_id, aspect=aspect or "all",
                                          value=None, author=author, made_at=now))
                bump_version(db)
            return removed

    def history(self, limit: int = 200) -> list[EditRecord]:
        """The edits made and taken back, the latest first (value None: taken back)."""
        query = select(LiveEditChange).order_by(LiveEditChange.made_at.desc(),
                                                LiveEditChange.id.desc()).limit(limit)
        with self._sessions() as db:
            return [EditRecord(r.session_id, r.aspect,
                               json.loads(r.value) if r.value is not None else None,
                               r.author, r.made_at) for r in db.scalars(query)]

    def version(self) -> int:
        """Grows with every change of the overlay, in whichever process made it."""
        with self._sessions() as db:
            row = db.get(State, VERSION_KEY)
            return int(row.value) if row else 0


def bump_version(db: Session) -> None:
    """Tell every process that what lies over `data/` changed (edits, console topics)."""
    row = db.get(State, VERSION_KEY, with_for_update=True)
    if row is None:
        db.add(State(key=VERSION_KEY, value="1"))
    else:
        row.value = str(int(row.value) + 1)


def _number(session_id: str) -> int:
    digits = session_id[1:]
    return int(digits) if digits.isdigit() else 0
