"""/send and /cancel: the last step of every organiser conversation that prepares something
to confirm (an announcement, a live edit of the programme).

Each such feature registers what sending and cancelling mean for it; starting one replaces
whatever else the person had pending, so /send always means the preview they saw last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.chat.router import Context, HandlerResult, Router
from bot.core.messages import TextReply

router = Router("pending")


@dataclass(frozen=True)
class Action:
    send: Callable[[Context], HandlerResult]
    """Do it (or say why it cannot be done yet)."""
    drop: Callable[[Context], None]
    """Forget the feature's own state of it."""


ACTIONS: dict[str, Action] = {}


def register(kind: str, send: Callable[[Context], HandlerResult],
             drop: Callable[[Context], None]) -> None:
    ACTIONS[kind] = Action(send, drop)


def _key(ctx: Context) -> str:
    return f"pending:{ctx.user.id}"


def current(ctx: Context) -> str | None:
    kind = ctx.store.state.get(_key(ctx))
    return kind if kind in ACTIONS else None


def begin(ctx: Context, kind: str) -> None:
    """The person starts preparing something of this kind: anything else pending is dropped."""
    previous = current(ctx)
    if previous is not None and previous != kind:
        ACTIONS[previous].drop(ctx)
    ctx.store.state.set(_key(ctx), kind)


def end(ctx: Context) -> None:
    ctx.store.state.delete(_key(ctx))


@router.command("send")
def send(ctx: Context) -> HandlerResult:
    """Send what the person prepared (organisers only)."""
    kind = current(ctx) if ctx.organiser else None
    if kind is None:
        return TextReply(ctx._("There is nothing to send. Start with /announce or /edit."))
    return ACTIONS[kind].send(ctx)


@router.command("cancel")
def cancel(ctx: Context) -> TextReply:
    kind = current(ctx) if ctx.organiser else None
    if kind is None:
        return TextReply(ctx._("There is nothing to cancel."))
    ACTIONS[kind].drop(ctx)
    end(ctx)
    return TextReply(ctx._("Cancelled. Nothing was sent."))
