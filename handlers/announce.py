"""Organisers' broadcasts: /announce as a short conversation, /status, and the report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

from markupsafe import Markup

import handlers.pending as pending
from bot.chat.conversation import Conversation
from bot.chat.router import Context, Router
from bot.chat.speaker import Speaker
from bot.chat.views import NL
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
log = logging.getLogger(__name__)


class Step(StrEnum):
    """The steps of /announce, in order."""

    TEXT = "text"
    VERSIONS = "versions"
    AUDIENCE = "audience"
    CONFIRM = "confirm"


@dataclass
class Announcing:
    """Where an organiser is in /announce."""

    step: Step
    ui: str
    """The language the exchange started in (the organiser's, not the texts')."""
    texts: dict[str, str] = field(default_factory=dict)
    source: str = ""
    asking: str = ""
    """The language whose version is asked for (step VERSIONS)."""
    skipped: list[str] = field(default_factory=list)
    audience: str = "all"

    def __post_init__(self) -> None:
        self.step = Step(self.step)

    def draft(self) -> Draft:
        return Draft(self.texts, self.source, self.audience)


ANNOUNCING = Conversation("announce", Announcing)


@router.command("announce", "ogloszenie", organisers_only=True)
def announce(ctx: Context) -> TextReply:
    """Start an announcement: the text first, then other languages, the audience, a preview."""
    pending.begin(ctx, "announce")
    ANNOUNCING.save(ctx, Announcing(Step.TEXT, ui=ctx.lang))
    return TextReply(ctx._("Write the announcement, in any of the conference languages. "
                           "/cancel to stop."))


@router.conversation(organisers_only=True)
def announcement_step(ctx: Context) -> Reply | list[Reply] | None:
    """Plain text from an organiser in the middle of /announce."""
    state = ANNOUNCING.load(ctx)
    if state is None:
        return None
    _keep_language(ctx, state)
    text = ctx.incoming.text.strip()
    if state.step is Step.TEXT:
        lang = ctx.understanding.language_of(ctx.incoming.text) or ctx.lang
        state.texts, state.source, state.step = {lang: text}, lang, Step.VERSIONS
        return _next_version(ctx, state)
    if state.step is Step.VERSIONS:
        state.texts[state.asking] = text
        return _next_version(ctx, state)
    if state.step is Step.AUDIENCE:
        return _choose_audience(ctx, state, text)
    return _preview(ctx, state)


def _keep_language(ctx: Context, state: Announcing) -> None:
    """Writing the Ukrainian version does not turn the organiser's bot into Ukrainian:
    the exchange goes on in the language it started in."""
    ctx.remember_language = False
    if state.ui in ctx.catalogue:
        ctx.t = ctx.catalogue[state.ui]


def _next_version(ctx: Context, state: Announcing) -> TextReply | list[Reply]:
    missing = [lang for lang in ctx.conference.languages
               if lang not in state.texts and lang not in state.skipped]
    if missing:
        state.asking = missing[0]
        ANNOUNCING.save(ctx, state)
        return TextReply(ctx._("Add the %(language)s version? Write it, or /skip.",
                               language=native_name(missing[0])),
                         ((Button(ctx.t.gettext("Skip"), "/skip"),
                           Button(ctx.t.gettext("Cancel"), "/cancel")),))
    state.step = Step.AUDIENCE
    ANNOUNCING.save(ctx, state)
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


@router.command("skip", organisers_only=True)
def skip(ctx: Context) -> TextReply | list[Reply]:
    state = ANNOUNCING.load(ctx)
    if state is None or state.step is not Step.VERSIONS:
        return TextReply(ctx._("There is nothing to skip."))
    _keep_language(ctx, state)
    state.skipped.append(state.asking)
    return _next_version(ctx, state)


@router.command("to", organisers_only=True)
def to(ctx: Context) -> TextReply | list[Reply]:
    state = ANNOUNCING.load(ctx)
    if state is None or state.step not in (Step.AUDIENCE, Step.CONFIRM):
        return TextReply(ctx._("Start with /announce."))
    _keep_language(ctx, state)
    return _choose_audience(ctx, state, ctx.args)


def _choose_audience(ctx: Context, state: Announcing, value: str) -> TextReply | list[Reply]:
    audience = parse_audience(ctx.conference, value)
    if audience is None:
        return [TextReply(ctx._("I do not know the audience “%(value)s”.", value=value)),
                _audience_question(ctx)]
    state.audience, state.step = audience, Step.CONFIRM
    ANNOUNCING.save(ctx, state)
    return _preview(ctx, state)


def _preview(ctx: Context, state: Announcing) -> list[Reply]:
    draft = state.draft()
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
        (pending.preview(ctx, "announce"),)))
    return replies


def _send(ctx: Context) -> TextReply:
    """/send in the middle of /announce (see handlers/pending.py)."""
    state = ANNOUNCING.load(ctx)
    if state is None or state.step is not Step.CONFIRM:
        return TextReply(ctx._("Start with /announce."))
    _keep_language(ctx, state)
    ANNOUNCING.drop(ctx)
    pending.end(ctx)
    announcement_id, count = queue(ctx.services, state.draft(),
                                   author_platform=ctx.incoming.platform,
                                   author_chat=ctx.incoming.chat_id, author_user_id=ctx.user.id)
    return TextReply(NL.join([
        ctx.ngettext("Announcement #%(id)s is on its way to %(num)d person.",
                     "Announcement #%(id)s is on its way to %(num)d people.", count,
                     id=announcement_id),
        ctx._("I will report when it has been delivered. Progress: /status")]))


router.confirms("announce", _send, ANNOUNCING.drop, organisers_only=True)


@router.command("status", organisers_only=True)
def status(ctx: Context) -> TextReply:
    """Broadcasts in progress."""
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

