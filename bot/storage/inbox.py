"""The inbox: every platform update (a Telegram update id; a Matrix event, by a 63-bit hash of
its room and event id) is recorded here before the platform is told it arrived
(the next getUpdates offset, a webhook's 200), handled from here, and marked done with its
replies. After a crash the updates still open are taken again (the owner's lease ran out, or
the process that polls starts); a repeated delivery finds its row and is not answered again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.database import rows_affected
from bot.storage.models import InboxUpdate

KEEP = timedelta(days=1)
"""A done update's id is kept a day (Telegram retries for at most that long)."""
LEASE = timedelta(seconds=15)
"""How long an owner's claim lasts without renewal (renewed every few seconds)."""
PRUNE_EVERY = 1000


class InboxStatus:
    RECEIVED = "received"
    ANSWERED = "answered"
    DONE = "done"
    DROPPED = "dropped"


OPEN = (InboxStatus.RECEIVED, InboxStatus.ANSWERED)


@dataclass(frozen=True)
class InboxItem:
    platform: str
    update_id: int
    person: str
    payload: str
    replies: str | None
    """Set when the update was handled but its replies were not all sent."""


def _item(row: InboxUpdate) -> InboxItem:
    return InboxItem(row.platform, row.update_id, row.person, row.payload,
                     row.replies if row.status == InboxStatus.ANSWERED else None)


class InboxStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._since_prune = 0

    def record(self, platform: str, updates: list[tuple[int, str, str]], *, owner: str,
               now: datetime) -> list[int]:
        """Record (update_id, person, payload) in one transaction; the ids that are new (the
        others were delivered before). Raises when the database cannot be written."""
        if not updates:
            return []
        ids = [update_id for update_id, _, _ in updates]
        with self._sessions() as db, db.begin():
            dialect = db.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            known = set(db.scalars(select(InboxUpdate.update_id).where(
                InboxUpdate.platform == platform, InboxUpdate.update_id.in_(ids))))
            fresh = [(i, person, payload) for i, person, payload in updates if i not in known]
            if fresh:
                db.execute(insert(InboxUpdate).values([
                    {"platform": platform, "update_id": i, "person": person[:255],
                     "payload": payload, "status": InboxStatus.RECEIVED,
                     "received_at": now + timedelta(microseconds=n),  # keeps the batch's order
                     "owner": owner, "claimed_until": now + LEASE}
                    for n, (i, person, payload) in enumerate(fresh)])
                    .on_conflict_do_nothing())
            taken = set(db.scalars(select(InboxUpdate.update_id).where(
                InboxUpdate.platform == platform, InboxUpdate.update_id.in_(ids),
                InboxUpdate.owner == owner, InboxUpdate.status == InboxStatus.RECEIVED)))
        self._prune(now, len(fresh))
        return [i for i, _, _ in fresh if i in taken]

    def answered(self, platform: str, update_id: int, replies: str) -> None:
        """The update was handled: keep its replies until they are all sent."""
        with self._sessions() as db, db.begin():
            db.execute(update(InboxUpdate).where(
                InboxUpdate.platform == platform, InboxUpdate.update_id == update_id)
                .values(status=InboxStatus.ANSWERED, replies=replies))

    def done(self, platform: str, update_id: int, *, dropped: bool = False) -> None:
        """Answered (or dropped on purpose): keep only the id, to refuse a repeat."""
        self.done_many(platform, [update_id], dropped=dropped)

    def done_many(self, platform: str, update_ids: list[int], *, dropped: bool = False) -> None:
        if not update_ids:
            return
        with self._sessions() as db, db.begin():
            db.execute(update(InboxUpdate).where(
                InboxUpdate.platform == platform, InboxUpdate.update_id.in_(update_ids))
                .values(status=InboxStatus.DROPPED if dropped else InboxStatus.DONE,
                        payload="", replies=None, claimed_until=None))

    def renew(self, platform: str, owner: str, now: datetime) -> int:
        """Extend this process's claims on the updates it still has open."""
        with self._sessions() as db, db.begin():
            return rows_affected(db.execute(update(InboxUpdate).where(
                InboxUpdate.platform == platform, InboxUpdate.owner == owner,
                InboxUpdate.status.in_(OPEN)).values(claimed_until=now + LEASE)))

    def take_over(self, platform: str, owner: str, now: datetime, *, everything: bool = False,
                  limit: int = 500) -> list[InboxItem]:
        """Claim open updates whose owner's lease ran out (or every open one: the single
        poller starting), in the order they arrived (a Matrix event's id is a hash)."""
        condition = and_(InboxUpdate.platform == platform, InboxUpdate.status.in_(OPEN))
        if not everything:
            condition = and_(condition, or_(InboxUpdate.claimed_until.is_(None),
                                            InboxUpdate.claimed_until < now))
        with self._sessions() as db, db.begin():
            ids = list(db.scalars(select(InboxUpdate.update_id).where(condition).order_by(
                InboxUpdate.received_at, InboxUpdate.update_id).limit(limit)))
            if not ids:
                return []
            db.execute(update(InboxUpdate).where(
                condition, InboxUpdate.update_id.in_(ids))
                .values(owner=owner, claimed_until=now + LEASE))
            rows = db.scalars(select(InboxUpdate).where(
                InboxUpdate.platform == platform, InboxUpdate.update_id.in_(ids),
                InboxUpdate.owner == owner, InboxUpdate.status.in_(OPEN))
                .order_by(InboxUpdate.received_at, InboxUpdate.update_id)).all()
            return [_item(row) for row in rows]

    def open_count(self, platform: str | None = None) -> int:
        with self._sessions() as db:
            query = select(InboxUpdate.update_id).where(InboxUpdate.status.in_(OPEN))
            if platform is not None:
                query = query.where(InboxUpdate.platform == platform)
            return len(db.scalars(query).all())

    def _prune(self, now: datetime, added: int) -> None:
        self._since_prune += added
        if self._since_prune < PRUNE_EVERY:
            return
        self._since_prune = 0
        with self._sessions() as db, db.begin():
            db.execute(delete(InboxUpdate).where(
                InboxUpdate.status.not_in(OPEN), InboxUpdate.received_at < now - KEEP))
