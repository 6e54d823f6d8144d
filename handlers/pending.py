"""/send and /cancel: the last step of every conversation that prepares something to confirm
(an announcement, a live edit of the programme).

Each such feature declares what sending and cancelling mean for it (`Router.confirms`).
Starting one replaces whatever else the person had pending, and every preview gets a new id
that its buttons carry (`/send a7f3`): a button of an earlier preview, of another kind, or
from before a restart that lost it is refused, never applied to the action pending now. A bare
typed /send means the latest preview.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from bot.chat.router import Context, HandlerResult, Router
from bot.core.messages import Button, TextReply
from bot.language.i18n import N_

router = Router("pending")
STALE = N_("This button belongs to an earlier preview, which is no longer waiting for you. "
           "Nothing was done.")


@dataclass(frozen=True)
class Pending:
    """What the person is preparing, and the id of the preview they were shown last."""

    kind: str
    preview: str | None = None


def _key(ctx: Context) -> str:
    return f"pending:{ctx.user.id}"


def current(ctx: Context) -> Pending | None:
    raw = ctx.store.state.get(_key(ctx))
    if raw is None:
        return None
    try:
        pending = Pending(**json.loads(raw))
    except (ValueError, TypeError):  # stored by an older version: the kind alone
        pending = Pending(raw)
    return pending if pending.kind in ctx.confirmations else None


def begin(ctx: Context, kind: str) -> None:
    """The person starts preparing something of this kind: anything else pending is dropped."""
    previous = current(ctx)
    if previous is not None and previous.kind != kind:
        ctx.confirmations[previous.kind].drop(ctx)
    ctx.store.state.set(_key(ctx), json.dumps({"kind": kind, "preview": None}))


def new_id(previous: str | None) -> str:
    """An id for a new preview, never the id of the one before it."""
    preview_id = secrets.token_hex(2)
    while preview_id == previous:
        preview_id = secrets.token_hex(2)
    return preview_id


def preview(ctx: Context, kind: str) -> tuple[Button, Button]:
    """A new preview of the pending `kind` was shown: its Send and Cancel buttons, bound to it."""
    previous = current(ctx)
    preview_id = new_id(previous.preview if previous else None)
    ctx.store.state.set(_key(ctx), json.dumps({"kind": kind, "preview": preview_id}))
    return (Button(ctx.t.gettext("Send"), f"/send {preview_id}"),
            Button(ctx.t.gettext("Cancel"), f"/cancel {preview_id}"))


def end(ctx: Context) -> None:
    ctx.store.state.delete(_key(ctx))


def _bound(ctx: Context) -> Pending | TextReply | None:
    """The pending action the command is about: the latest one for a bare command, the one
    whose preview id it carries otherwise; a refusal for any other id."""
    pending = current(ctx)
    given = ctx.args.strip().lower()
    if given and (pending is None or pending.preview != given):
        return TextReply(ctx._(STALE))
    return pending


@router.command("send")
def send(ctx: Context) -> HandlerResult:
    """Send what the person prepared."""
    pending = _bound(ctx)
    if isinstance(pending, TextReply):
        return pending
    if pending is None:
        return TextReply(ctx._("There is nothing to send. Start with /announce or /edit."))
    confirmation = ctx.confirmations[pending.kind]
    if not ctx.may(confirmation.role):
        return ctx.refuse(confirmation.role)
    return confirmation.send(ctx)


@router.command("cancel")
def cancel(ctx: Context) -> TextReply:
    pending = _bound(ctx)
    if isinstance(pending, TextReply):
        return pending
    if pending is None:
        return TextReply(ctx._("There is nothing to cancel."))
    ctx.confirmations[pending.kind].drop(ctx)
    end(ctx)
    return TextReply(ctx._("Cancelled. Nothing was sent."))
