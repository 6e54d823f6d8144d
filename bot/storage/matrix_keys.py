"""Named values grouped by kind, per owner, in the `matrix_keys` table: the rows behind the
Matrix transport's end-to-end key store. Every write is its own committed transaction, so a
key nio has just made or received survives a crash right after."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, select

from bot.storage.models import MatrixKey
from bot.storage.store import Store


class KeyTable:
    """The rows of one owner (a bot account and device)."""

    def __init__(self, store: Store, owner: str) -> None:
        self.store, self.owner = store, owner

    def load(self, kind: str) -> dict[str, str]:
        """Every value of one kind, by name."""
        with self.store.session() as db:
            rows = db.execute(select(MatrixKey.name, MatrixKey.value).where(
                MatrixKey.owner == self.owner, MatrixKey.kind == kind))
            return {name: value for name, value in rows}

    def get(self, kind: str, name: str) -> str | None:
        """One value, or None."""
        with self.store.session() as db:
            row = db.get(MatrixKey, (self.owner, kind, name))
            return row.value if row else None

    def put(self, kind: str, values: Mapping[str, str]) -> None:
        """Insert or replace values of one kind, all in one transaction."""
        if not values:
            return
        with self.store.session() as db, db.begin():
            for name, value in values.items():
                db.merge(MatrixKey(owner=self.owner, kind=kind, name=name, value=value))

    def delete(self, kind: str, name: str) -> None:
        """Remove one value, if present."""
        with self.store.session() as db, db.begin():
            db.execute(delete(MatrixKey).where(MatrixKey.owner == self.owner,
                                               MatrixKey.kind == kind, MatrixKey.name == name))

    def clear(self) -> None:
        """Forget every value of this owner."""
        with self.store.session() as db, db.begin():
            db.execute(delete(MatrixKey).where(MatrixKey.owner == self.owner))
