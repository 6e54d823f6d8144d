"""Organisers change the programme live: /edit previews a change (before → after, who will be
told, new overlaps), /send applies it and tells the people who chose the session, /cancel
drops it; /edits lists the changes in force."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC

from markupsafe import Markup, escape

import handlers.pending as pending
from bot.chat.conversation import Conversation
from bot.chat.router import Context, HandlerResult, Router
from bot.chat.speaker import Speaker
from bot.chat.views import NL, not_announced, note_text, span, tr
from bot.core.logids import who
from bot.core.messages import Reply, TextReply
from bot.delivery.broadcasts import reader_language
from bot.language.i18n import native_name, reply_language
from bot.programme.live_edits import Edit, new_overlaps, overlay
from bot.programme.model import Conference, NotAnnounced, Session
from bot.storage.edits import EditRecord
from handlers.edit_parsing import Refusal, parse

router = Router("edit")
log = logging.getLogger(__name__)
PREVIEWED = Conversation("edit", Edit)
"""The edit an organiser was shown last, waiting for /send (one step: no enum needed)."""


def _author(ctx: Context) -> str:
    """Who made an edit: the organiser's platform id (the bot keeps no names)."""
    return f"{ctx.incoming.platform}:{ctx.incoming.user_id}"


def _keep_language(ctx: Context) -> None:
    """A note in Ukrainian does not turn the organiser's bot into Ukrainian."""
    ctx.remember_language = False
    ctx.t = ctx.catalogue[reply_language(ctx.conference.languages, ctx.user,
                                         client=ctx.incoming.client_language)]


def _records_with(ctx: Context, edit: Edit) -> list[EditRecord]:
    """The stored edits as they would be with this one made."""
    now = ctx.now.astimezone(UTC)
    records = [r for r in ctx.store.edits.all() if r.session_id != edit.session_id
               or (edit.aspect != "all" and r.aspect != edit.aspect)]
    if edit.aspect != "all" and edit.value is not None:
        records.append(EditRecord(edit.session_id, edit.aspect, edit.value, _author(ctx), now))
    return records


def _outcome(ctx: Context, edit: Edit) -> Conference | str:
    """The programme the edit would make, or why it cannot be made."""
    result = overlay(ctx.services.data_conference, _records_with(ctx, edit))
    for skipped in result.skipped:
        if skipped.session_id == edit.session_id:
            return skipped.reason
    return result.conference


@router.command("edit", organisers_only=True)
def edit(ctx: Context) -> HandlerResult:
    """Prepare a live change of one session and show what it would do."""
    _keep_language(ctx)
    parsed = parse(ctx.conference, ctx.args)
    if isinstance(parsed, Refusal):
        return TextReply(ctx._(parsed.message, **parsed.values))
    if parsed.aspect == "note" and parsed.value and "" in parsed.value:
        text = parsed.value[""]
        lang = ctx.understanding.language_of(text) or ctx.lang
        parsed = Edit(parsed.session_id, "note", {lang: text})
    after = _outcome(ctx, parsed)
    if isinstance(after, str):
        return TextReply(NL.join([ctx._("This change cannot be made:"), escape(after)]))
    before = ctx.conference.sessions[parsed.session_id]
    changed = after.sessions[parsed.session_id]
    lines = _differences(ctx, before, changed, ctx.conference)
    if not lines:
        return TextReply(ctx._("This changes nothing: /%(id)s is already like that.",
                               id=parsed.session_id))
    pending.begin(ctx, "edit")
    PREVIEWED.save(ctx, parsed)
    readers = Counter(reader_language(ctx.conference, user) for user, _ in
                      ctx.store.subscriptions.subscribers(parsed.session_id) if user.chat_id)
    told = sum(readers.values())
    header = ctx._("<b>Change of %(title)s</b> /%(id)s", title=tr(ctx, before.title),
                   id=before.id)
    replies: list[Reply] = [TextReply(NL.join([header, *lines]))]
    audience = [ctx.ngettext("%(num)d person chose this session and will be told.",
                             "%(num)d people chose this session and will be told.", told)]
    if told:
        audience.append(escape(", ".join(f"{native_name(lang)}: {n}"
                                         for lang, n in sorted(readers.items()))))
    for other in new_overlaps(ctx.conference, after, parsed.session_id):
        audience.append(ctx._("⚠ It would overlap at the same place with %(title)s /%(id)s "
                              "(%(time)s).", title=tr(ctx, other.title), id=other.id,
                              time=span(ctx, other)))
    audience.append(ctx._("Apply it?"))
    replies.append(TextReply(NL.join(audience), (pending.preview(ctx, "edit"),)))
    return replies


def _differences(ctx: Speaker, before: Session, after: Session,
                 old: Conference) -> list[Markup]:
    lines = []
    if before.span != after.span:
        lines.append(ctx._("Time: %(old)s → %(new)s", old=_when(ctx, before),
                           new=_when(ctx, after)))
        moved_parts = [c for c in after.children if c.times_announced
                       and c.span != old.sessions[c.id].span]
        if moved_parts:
            lines.append(ctx.ngettext("%(num)d part of it moves with it.",
                                      "%(num)d parts of it move with it.", len(moved_parts)))
    if (before.venue, before.room) != (after.venue, after.room):
        lines.append(ctx._("Place: %(old)s → %(new)s", old=_where(ctx, before),
                           new=_where(ctx, after)))
    if before.cancelled != after.cancelled:
        lines.append(ctx._("Cancelled: the reminders are dropped; /edit %(id)s restore brings "
                           "it back.", id=after.id) if after.cancelled else
                     ctx._("On again: the reminders come back."))
    if before.note != after.note:
        lines.append(ctx._("Note: %(old)s → %(new)s",
                           old=note_text(ctx, before.note) if before.note else Markup("—"),
                           new=note_text(ctx, after.note) if after.note else Markup("—")))
    return lines


def _when(ctx: Speaker, session: Session) -> Markup:
    return escape(ctx.t.day(session.span[0])) + Markup(", ") + span(ctx, session)


def _where(ctx: Speaker, session: Session) -> Markup:
    venue = session.venue
    place = not_announced(ctx) if isinstance(venue, NotAnnounced) else tr(ctx, venue.name)
    if isinstance(session.room, str):
        place += Markup(", ") + escape(session.room)
    return place


def _send(ctx: Context) -> HandlerResult:
    """/send after /edit: store the change, serve it, tell the people concerned."""
    edit = PREVIEWED.load(ctx)
    PREVIEWED.drop(ctx)
    pending.end(ctx)
    if edit is None:
        return TextReply(ctx._("There is nothing to send. Start with /announce or /edit."))
    outcome = _outcome(ctx, edit)  # the programme may have changed since the preview
    if isinstance(outcome, str):
        return TextReply(NL.join([ctx._("This change cannot be made:"), escape(outcome)]))
    edits = ctx.store.edits
    if edit.aspect == "all":
        edits.remove(edit.session_id, author=_author(ctx), now=ctx.now.astimezone(UTC))
    elif edit.value is None:
        edits.remove(edit.session_id, edit.aspect, author=_author(ctx),
                     now=ctx.now.astimezone(UTC))
    else:
        edits.put(edit.session_id, edit.aspect, edit.value, _author(ctx), ctx.now.astimezone(UTC))
    changes = ctx.services.refresh_overlay()
    told = sum(c.notices for c in changes)
    log.info("platform=%s user=%s: live edit of %s (%s) applied, %d notice(s)",
             ctx.incoming.platform, who(ctx.incoming.platform, ctx.incoming.user_id),
             edit.session_id, edit.aspect, told)
    return TextReply(NL.join([
        ctx._("Done: /%(id)s is changed for everyone.", id=edit.session_id),
        ctx.ngettext("%(num)d person is being told.", "%(num)d people are being told.", told),
        ctx._("Live changes in force: /edits")]))


router.confirms("edit", _send, PREVIEWED.drop, organisers_only=True)


@router.command("edits", organisers_only=True)
def edits(ctx: Context) -> TextReply:
    """The live changes in force, who made them and when."""
    records = ctx.store.edits.all()
    if not records:
        return TextReply(ctx._("No live changes: the programme is as in the data."))
    lines = [ctx._("<b>Live changes in force</b>")]
    for record in records:
        session = ctx.conference.sessions.get(record.session_id)
        title = tr(ctx, session.title) if session else escape(record.session_id)
        lines.append(ctx._("/%(id)s %(title)s: %(what)s — %(who)s, %(when)s",
                           id=record.session_id, title=title, what=_what(ctx, record),
                           who=record.author,
                           when=f"{ctx.t.day(record.made_at)} {ctx.t.time(record.made_at)}"))
    skipped = overlay(ctx.services.data_conference, records).skipped
    for session_id in sorted({s.session_id for s in skipped}):
        lines.append(ctx._("⚠ The change of %(id)s no longer applies to the data.",
                           id=session_id))
    lines.append(ctx._("Back to the data: /edit s20 undo"))
    return TextReply(NL.join(lines))


def _what(ctx: Speaker, record: EditRecord) -> Markup:
    value = record.value
    if record.aspect == "time":
        return escape(f"{value['start']}–{value['end']} ({value['day']})")
    if record.aspect == "place":
        venue = ctx.conference.venues.get(value.get("venue", ""))
        return tr(ctx, venue.name) if venue else escape(value.get("room", "?"))
    if record.aspect == "cancelled":
        return ctx._("❌ cancelled")
    return ctx._("📌 Note: %(note)s", note=note_text(ctx, value))
