"""Organisers' broadcasts: /announce as a short conversation, /status, and the report."""

from __future__ import annotations

import json
import logging
from typing import Any

from markupsafe import Markup

import handlers.pending as pending
from bot.chat.router import Context, Router
from bot.chat.speaker import Speaker
from bot.chat.views import NL
from bot.core.logids import who
from bot.core.messages import Button, Reply, TextReply
from bot.delivery.broadcasts import (
    PLATFORMS,
    Draft,
    announcement_text,
    parse_audience,
    queue,
    recipients,
    summarise,
)
from bot.language.i18n import native_name
from bot.storage import AnnouncementRecord, AnnouncementStatus, OutboxStatus

router = Router("announce")
State = dict[str, Any]
"""Where an organiser is in /announce (JSON in the state store)."""
log = logging.getLogger(__name__)


def _key(ctx: Context) -> str:
    return f"announce:{ctx.user.id}"


def _load(ctx: Context) -> State | None:
    raw = ctx.store.state.get(_key(ctx))
    return json.loads(raw) if raw else None


def _save(ctx: Context, state: State) -> None:
    ctx.store.state.set(_key(ctx), json.dumps(state, ensure_ascii=False))


def _refuse(ctx: Context) -> TextReply:
    log.warning("platform=%s user=%s: refused a broadcast command: not an organiser",
                ctx.incoming.platform, who(ctx.incoming.platform, ctx.incoming.user_id))
    return TextReply(ctx._("Sorry, only the organisers can send announcements. "
                           "If you are one, ask to be added to the organisers list."))


@router.command("announce", "ogloszenie")
def announce(ctx: Context) -> TextReply:
    """Start an announcement: the text first, then other languages, the audience, a preview."""
    if not ctx.organiser:
        return _refuse(ctx)
    pending.begin(ctx, "announce")
    _save(ctx, {"step": "text", "texts": {}, "ui": ctx.lang})
    return TextReply(ctx._("Write the announcement, in any of the conference languages. "
                           "/cancel to stop."))


@router.conversation
def announcement_step(ctx: Context) -> Reply | list[Reply] | None:
    """Plain text from an organiser in the middle of /announce."""
    if not ctx.organiser:
        return None
    state = _load(ctx)
    if state is None:
        return None
    _keep_language(ctx, state)
    text = ctx.incoming.text.strip()
    if state["step"] == "text":
        lang = ctx.understanding.language_of(ctx.incoming.text) or ctx.lang
        state.update(texts={lang: text}, source=lang, step="versions")
        return _next_version(ctx, state)
    if state["step"] == "versions":
        state["texts"][state["asking"]] = text
        return _next_version(ctx, state)
    if state["step"] == "audience":
        return _choose_audience(ctx, state, text)
    return _preview(ctx, state)


def _keep_language(ctx: Context, state: State) -> None:
    """Writing the Ukrainian version does not turn the organiser's bot into Ukrainian:
    the exchange goes on in the language it started in."""
    ctx.remember_language = False
    if state.get("ui") in ctx.catalogue:
        ctx.t = ctx.catalogue[state["ui"]]


def _next_version(ctx: Context, state: State) -> TextReply | list[Reply]:
    missing = [lang for lang in ctx.conference.languages
               if lang not in state["texts"] and lang not in state.get("skipped", [])]
    if missing:
        state["asking"] = missing[0]
        _save(ctx, state)
        return TextReply(ctx._("Add the %(language)s version? Write it, or /skip.",
                               language=native_name(missing[0])),
                         ((Button(ctx.t.gettext("Skip"), "/skip"),
                           Button(ctx.t.gettext("Cancel"), "/cancel")),))
    state["step"] = "audience"
    _save(ctx, state)
    return _audience_question(ctx)


def _audience_question(ctx: Context) -> TextReply:
    rows = [(Button(ctx.t.gettext("Everyone"), "/to all"),),
            tuple(Button(native_name(lang), f"/to lang:{lang}")
                  for lang in ctx.conference.languages),
            tuple(Button(platform.capitalize(), f"/to platform:{platform}")
                  for platform in PLATFORMS)]
    return TextReply(NL.join([
        ctx._("Who should receive it?"),
        ctx._("Subscribers of one session: /to session:s12")]), tuple(rows))


@router.command("skip")
def skip(ctx: Context) -> TextReply | list[Reply]:
    state = _load(ctx) if ctx.organiser else None
    if state is None or state.get("step") != "versions":
        return TextReply(ctx._("There is nothing to skip."))
    _keep_language(ctx, state)
    state.setdefault("skipped", []).append(state["asking"])
    return _next_version(ctx, state)


@router.command("to")
def to(ctx: Context) -> TextReply | list[Reply]:
    state = _load(ctx) if ctx.organiser else None
    if state is None or state.get("step") not in ("audience", "confirm"):
        return TextReply(ctx._("Start with /announce."))
    _keep_language(ctx, state)
    return _choose_audience(ctx, state, ctx.args)


def _choose_audience(ctx: Context, state: State, value: str) -> TextReply | list[Reply]:
    audience = parse_audience(ctx.conference, value)
    if audience is None:
        return [TextReply(ctx._("I do not know the audience “%(value)s”.", value=value)),
                _audience_question(ctx)]
    state.update(audience=audience, step="confirm")
    _save(ctx, state)
    return _preview(ctx, state)


def _preview(ctx: Context, state: State) -> list[Reply]:
    draft = Draft(state["texts"], state["source"], state["audience"])
    chosen = recipients(ctx.services, draft.audience)
    replies: list[Reply] = []
    for lang in ctx.conference.languages:
        group = sum(1 for _, reader in chosen if reader == lang)
        if not group:
            continue
        replies.append(TextReply(ctx.ngettext("Preview for %(language)s (%(num)d person):",
                                              "Preview for %(language)s (%(num)d people):",
                                              group, language=native_name(lang))))
        replies.append(announcement_text(ctx.catalogue, draft, lang))
    replies.append(TextReply(
        ctx.ngettext("Send it to %(num)d person?", "Send it to %(num)d people?", len(chosen)),
        ((Button(ctx.t.gettext("Send"), "/send"), Button(ctx.t.gettext("Cancel"), "/cancel")),)))
    return replies


def send(ctx: Context) -> TextReply:
    """/send in the middle of /announce (see handlers/pending.py)."""
    state = _load(ctx)
    if state is None or state.get("step") != "confirm":
        return TextReply(ctx._("Start with /announce."))
    _keep_language(ctx, state)
    ctx.store.state.delete(_key(ctx))
    pending.end(ctx)
    draft = Draft(state["texts"], state["source"], state["audience"])
    announcement_id, count = queue(ctx.services, draft, author_platform=ctx.incoming.platform,
                                   author_chat=ctx.incoming.chat_id, author_user_id=ctx.user.id)
    return TextReply(NL.join([
        ctx.ngettext("Announcement #%(id)s is on its way to %(num)d person.",
                     "Announcement #%(id)s is on its way to %(num)d people.", count,
                     id=announcement_id),
        ctx._("I will report when it has been delivered. Progress: /status")]))


def _drop(ctx: Context) -> None:
    ctx.store.state.delete(_key(ctx))


pending.register("announce", send, _drop)


@router.command("status")
def status(ctx: Context) -> TextReply:
    """Broadcasts in progress (organisers only)."""
    if not ctx.organiser:
        return _refuse(ctx)
    running = ctx.store.outbox.announcements(AnnouncementStatus.QUEUED)
    if not running:
        return TextReply(ctx._("No announcement is being sent right now."))
    lines = []
    for announcement in running:
        totals: dict[str, int] = {}
        for (_, _, state), n in ctx.store.outbox.delivery_counts(announcement.id).items():
            totals[state] = totals.get(state, 0) + n
        lines.append(ctx._("Announcement #%(id)s: %(sent)s sent, %(waiting)s waiting, "
                           "%(failed)s failed, %(blocked)s blocked.", id=announcement.id,
                           sent=totals.get(OutboxStatus.SENT, 0),
                           waiting=totals.get(OutboxStatus.QUEUED, 0)
                           + totals.get(OutboxStatus.SENDING, 0),
                           failed=totals.get(OutboxStatus.FAILED, 0),
                           blocked=totals.get(OutboxStatus.BLOCKED, 0)))
    return TextReply(NL.join(lines))


def report(ctx: Speaker, announcement: AnnouncementRecord,
           counts: dict[tuple[str, str, str], int]) -> list[Reply]:
    """The delivery report for the author, when a broadcast is done."""
    took = (announcement.finished_at or ctx.now) - (announcement.queued_at or ctx.now)
    seconds = max(0, int(took.total_seconds()))
    lines = [ctx._("📊 <b>Announcement #%(id)s has been delivered</b> (in %(time)s).",
                   id=announcement.id, time=_duration(seconds))]
    for (platform, lang), statuses in summarise(counts).items():
        lines.append(Markup("• ") + ctx._(
            "%(platform)s, %(language)s: %(sent)s delivered, %(failed)s failed, "
            "%(blocked)s blocked", platform=platform.capitalize(), language=native_name(lang)
            if lang in ctx.conference.languages else lang, sent=statuses.get(OutboxStatus.SENT, 0),
            failed=statuses.get(OutboxStatus.FAILED, 0) + statuses.get(OutboxStatus.EXPIRED, 0),
            blocked=statuses.get(OutboxStatus.BLOCKED, 0)))
    if not counts:
        lines.append(ctx._("Nobody was in the audience."))
    return [TextReply(NL.join(lines))]


def _duration(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"

