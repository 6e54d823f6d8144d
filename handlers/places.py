"""Places and room status: /full s4 and /open s4 (organisers and the session's moderators).

"Full" is kept as a live edit (aspect `full`), so it survives restarts and every process
serves it; the people with the session on their agenda are told once, in their language, with
what else starts at the same time.
"""

from __future__ import annotations

import logging

from bot.chat.router import Context, Router
from bot.chat.services import Services
from bot.chat.speaker import Speaker
from bot.chat.views import NL, session_line, tr
from bot.core.messages import Button, Reply, TextReply
from bot.delivery.sender import encode
from bot.programme.model import Session
from bot.storage import MessageKind
from handlers.moderation import MODERATOR
from handlers.qa import NOT_FOR

log = logging.getLogger(__name__)
router = Router("places")


def _session(ctx: Context, command: str) -> Session | TextReply:
    session_id = ctx.args.strip().lower().lstrip("/")
    session = ctx.conference.sessions.get(session_id)
    if session is None:
        return TextReply(ctx._("Which session? Give its number, e.g. /%(command)s s4.",
                               command=command))
    return session


@router.command("full", "pelne", "pełne", role=MODERATOR)
def full(ctx: Context) -> TextReply:
    """Mark a session full and tell whoever has it on their agenda."""
    session = _session(ctx, "full")
    if isinstance(session, TextReply):
        return session
    if session.full:
        return TextReply(ctx._("/%(id)s is already marked full; /open %(id)s undoes it.",
                               id=session.id))
    author = f"{ctx.incoming.platform}:{ctx.incoming.user_id}"
    ctx.store.edits.put(session.id, "full", True, author, ctx.now)
    ctx.services.refresh_overlay()
    told = tell_full(ctx.services, session.id, ctx.store.edits.version())
    return TextReply(NL.join([
        ctx._("/%(id)s is marked full in every listing.", id=session.id),
        ctx.ngettext("%(num)d person with it on their agenda is being told.",
                     "%(num)d people with it on their agenda are being told.", told)]),
        ((Button(ctx.t.gettext("Undo"), f"/open {session.id}"),),))


@router.command("open", "otworz", "otwórz", role=MODERATOR)
def reopen(ctx: Context) -> TextReply:
    """Places again: the session is no longer shown as full."""
    session = _session(ctx, "open")
    if isinstance(session, TextReply):
        return session
    if not ctx.store.edits.remove(session.id, "full"):
        return TextReply(ctx._("/%(id)s was not marked full.", id=session.id))
    ctx.services.refresh_overlay()
    return TextReply(ctx._("/%(id)s has places again; listings no longer say it is full.",
                           id=session.id))


def tell_full(svc: Services, session_id: str, version: int) -> int:
    """Queue the notice for everyone who chose the session, once per marking."""
    store, conference = svc.store, svc.conference
    session = conference.sessions[session_id]
    now = svc.clock.now()
    queued = 0
    for user, _ in store.subscriptions.subscribers(session_id):
        if not user.chat_id:
            continue
        replies = full_notice(svc.speaker_for(user), session)
        if store.outbox.enqueue(dedupe_key=f"full:{user.id}:{session_id}:{version}",
                                kind=MessageKind.FULL, platform=user.platform,
                                chat_id=user.chat_id, user_id=user.id,
                                payload=encode(replies), now=now, expires_at=session.span[1]):
            queued += 1
    if queued:
        svc.notify_queued()
    log.info("session %s marked full: %d notice(s) queued", session_id, queued)
    return queued


def same_time(conference_sessions: list[Session], session: Session) -> list[Session]:
    """Sessions starting at the same time that still take people."""
    start = session.span[0]
    return [s for s in conference_sessions if s is not session and s.times_announced
            and s.span[0] == start and s.kind not in NOT_FOR and not s.cancelled
            and not s.full and s.parent is not session and session.parent is not s]


def full_notice(ctx: Speaker, session: Session) -> list[Reply]:
    lines = [ctx._("🈵 <b>%(title)s</b> /%(id)s, on your agenda, is full.",
                   title=tr(ctx, session.title), id=session.id)]
    others = same_time(list(ctx.conference.walk()), session)
    if others:
        lines.append(ctx._("At the same time:"))
        lines.extend(session_line(ctx, s) for s in others)
    buttons = tuple((Button(s.title[ctx.lang][:50], f"/{s.id}"),)
                    for s in others[:3])
    return [TextReply(NL.join(lines), buttons)]
