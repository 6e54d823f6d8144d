"""Typed conversation state: per conversation a dataclass of what it has gathered (with an
`enum` of its steps), kept as JSON in the state store under `<name>:<user id>`.

A feature declares its conversations once, beside their state types
(`ANNOUNCING = Conversation("announce", Announcing)`), as python-telegram-bot's
ConversationHandler declares its states.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Generic, TypeVar

from bot.chat.router import Context

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

S = TypeVar("S", bound="DataclassInstance")


class Conversation(Generic[S]):
    """Where each person is in one conversation, read and written as a `state` dataclass."""

    def __init__(self, name: str, state: type[S]) -> None:
        self.name = name
        self.state = state

    def key(self, ctx: Context) -> str:
        return f"{self.name}:{ctx.user.id}"

    def load(self, ctx: Context) -> S | None:
        """The person's state, or None when they are not in this conversation (or it was
        stored in a shape this version no longer reads)."""
        raw = ctx.store.state.get(self.key(ctx))
        if raw is None:
            return None
        try:
            return self.state(**json.loads(raw))
        except (TypeError, ValueError):
            return None

    def save(self, ctx: Context, state: S) -> None:
        ctx.store.state.set(self.key(ctx), json.dumps(dataclasses.asdict(state),
                                                      ensure_ascii=False))

    def drop(self, ctx: Context) -> None:
        ctx.store.state.delete(self.key(ctx))
