"""Choosing sessions, the personal agenda, reminder lead time, and the messages pushed
to people: reminders and programme-change notices."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from bot.chat.router import Context, Router
from bot.chat.speaker import Speaker
from bot.chat.views import NL, note_text, session_line, session_lines, span, tr, until, venue_text
from bot.core.messages import Button, Reply, TextReply
from bot.delivery.reminders import LEAD_CHOICES
from bot.language.textmatch import words
from bot.programme.diff import Change
from bot.programme.model import Session, Venue
from bot.storage import AnnouncementRecord
from handlers.announce import report
from handlers.links import in_private
from handlers.venues import directions_button, travel_note

router = Router("reminders")


def _target(ctx: Context) -> tuple[Session | None, list[Session]]:
    """The session a command or a sentence points at, or the candidates when it is unclear."""
    argument = ctx.args.strip() if ctx.intent is None else ctx.intent.query
    session = ctx.conference.sessions.get(argument.lower().lstrip("/"))
    if session is not None:
        return session, []
    found = ctx.understanding.search(argument, limit=4, keep=0.75) if argument else []
    timed = [s for s in found if s.times_announced]
    if len(timed) == 1:
        return timed[0], []
    return None, timed


def _choose(ctx: Context, candidates: list[Session], command: str) -> TextReply:
    if not candidates:
        return TextReply(NL.join([
            ctx._("Which session? Give its number, e.g. /remind s20, or a few words of its "
                  "title."),
            ctx._("See the programme: /programme")]))
    buttons = tuple((Button(s.title[ctx.lang][:60], f"/{command} {s.id}"),) for s in candidates)
    return TextReply(NL.join([ctx._("Which one do you mean?"),
                              session_lines(ctx, candidates, show_day=True)]), buttons)


@router.command("remind", "przypomnij")
@router.intent("remind")
def remind(ctx: Context) -> TextReply:
    """Remember a session and remind the person before it starts."""
    session, candidates = _target(ctx)
    if session is None:
        return _choose(ctx, candidates, "remind")
    if not session.times_announced:
        return TextReply(ctx._("The time of /%(id)s has not been announced, so I cannot remind "
                               "you of it. It is part of /%(parent)s.", id=session.id,
                               parent=session.parent.id if session.parent else ""))
    if session.cancelled:
        return TextReply(ctx._("/%(id)s has been cancelled by the organisers.", id=session.id))
    private = in_private(ctx, f"/remind {session.id}")
    if private is not None:
        return private
    added = ctx.store.subscriptions.add(ctx.user.id, session.id, ctx.now)
    ctx.reminders.plan(ctx.user, session)
    lead = ctx.user.reminder_minutes
    lines = [ctx._("Added to your agenda:") if added else ctx._("Already in your agenda:"),
             session_line(ctx, session, show_day=True)]
    routine = session.span[0] > ctx.now and lead > 0
    if session.span[0] <= ctx.now:
        lines.append(ctx._("It has already started, so there will be no reminder."))
    elif lead > 0:
        lines.append(ctx.ngettext("I will remind you %(num)d minute before it starts.",
                                  "I will remind you %(num)d minutes before it starts.", lead))
    else:
        lines.append(ctx._("Your reminders are off; turn them on with /reminders 15."))
    clashes = _clashes(ctx, session)
    lines.extend(clashes)
    toast = (ctx.ngettext("Reminder set: %(num)d minute before.",
                          "Reminder set: %(num)d minutes before.", lead) if routine
             else ctx._("Added to your agenda"))
    # a tap on "Remind me" only flips the button, unless there is something to read
    toggle = (Button(ctx.t.gettext("Remove reminder"), f"/unremind {session.id}")
              if routine and not clashes else None)
    return TextReply(NL.join(lines), ((Button(ctx.t.gettext("Remove"), f"/unremind {session.id}"),
                                       Button(ctx.t.gettext("My agenda"), "/my")),),
                     toast=toast.striptags(), toggle=toggle)


@router.command("unremind")
@router.intent("unremind")
def unremind(ctx: Context) -> TextReply:
    """Forget a chosen session (and its reminder)."""
    session, candidates = _target(ctx)
    if session is None:
        mine = [ctx.conference.sessions[sid] for sid in ctx.store.subscriptions.of(ctx.user.id)
                if sid in ctx.conference.sessions]
        return _choose(ctx, [s for s in candidates if s in mine] or mine, "unremind")
    private = in_private(ctx, f"/unremind {session.id}")
    if private is not None:
        return private
    removed = ctx.store.subscriptions.remove(ctx.user.id, session.id)
    text = (ctx._("Removed from your agenda: %(title)s /%(id)s", title=tr(ctx, session.title),
                  id=session.id) if removed else
            ctx._("/%(id)s was not in your agenda.", id=session.id))
    return TextReply(text, toast=ctx.t.gettext("Removed"),
                     toggle=Button(ctx.t.gettext("Remind me"), f"/remind {session.id}"))


def _clashes(ctx: Context, session: Session) -> list[Markup]:
    others = [ctx.conference.sessions[sid] for sid in ctx.store.subscriptions.of(ctx.user.id)
              if sid != session.id and sid in ctx.conference.sessions]
    return [ctx._("⚠ It overlaps with %(title)s /%(id)s.", title=tr(ctx, other.title), id=other.id)
            for other in others if session.overlaps(other)]


@router.command("my", "agenda", "moje")
@router.intent("agenda")
def agenda(ctx: Context) -> TextReply:
    """The person's chosen sessions by day, with overlaps flagged."""
    private = in_private(ctx, "/my")
    if private is not None:
        return private
    chosen = sorted((ctx.conference.sessions[sid] for sid in
                     ctx.store.subscriptions.of(ctx.user.id) if sid in ctx.conference.sessions),
                    key=lambda s: (s.span[0], s.number))
    if not chosen:
        return TextReply(ctx._("Your agenda is empty. Choose sessions with /remind, "
                               "e.g. /remind s20, or the button under a session."))
    lines = [ctx._("<b>Your agenda</b>")]
    for day in ctx.conference.days:
        todays = [s for s in chosen if s.day is day]
        if not todays:
            continue
        lines.append(Markup("<b>%s</b>") % ctx.t.day(day.date))
        for session in todays:
            line = session_line(ctx, session)
            if any(session.overlaps(other) for other in todays):
                line += Markup(" ") + ctx._("⚠ overlaps")
            lines.append(line)
    lead = ctx.user.reminder_minutes
    lines.append(ctx.ngettext("Reminders: %(num)d minute before.",
                              "Reminders: %(num)d minutes before.", lead)
                 if lead > 0 else ctx._("Reminders: off."))
    return TextReply(NL.join(lines), ((Button(ctx.t.gettext("Calendar file"), "/ics"),
                                       Button(ctx.t.gettext("Reminder time"), "/reminders")),))


@router.command("reminders")
def reminder_time(ctx: Context) -> TextReply:
    """Set how long before a session to remind (/reminders 5|10|15|30|60|off)."""
    private = in_private(ctx, f"/reminders {ctx.args.strip()}".strip())
    if private is not None:
        return private
    argument = ctx.args.strip().lower()
    choices = [Button(str(m), f"/reminders {m}") for m in LEAD_CHOICES]
    buttons = ((*choices, Button(ctx.t.gettext("off"), "/reminders off")),)
    if argument == "0" or set(words(argument)) & ctx.understanding.lexicon.off_words:
        ctx.store.users.set_reminder_minutes(ctx.user.id, 0)
        text = ctx._("Reminders are off. Your agenda stays: /my")
    elif argument.isdecimal() and int(argument) in LEAD_CHOICES:
        ctx.store.users.set_reminder_minutes(ctx.user.id, int(argument))
        text = ctx.ngettext("I will remind you %(num)d minute before each session.",
                            "I will remind you %(num)d minutes before each session.",
                            int(argument))
    else:
        current = ctx.user.reminder_minutes
        text = (ctx.ngettext("Reminders come %(num)d minute before a session.",
                             "Reminders come %(num)d minutes before a session.", current)
                if current > 0 else ctx._("Reminders are off."))
        text += NL + ctx._("Choose: /reminders 5, 10, 15, 30, 60 or off.")
        return TextReply(text, buttons)
    _plan_all(ctx)
    return TextReply(text, toast=text.striptags())


def _plan_all(ctx: Context) -> None:
    """The lead time changed: plan the person's reminders anew."""
    user = ctx.store.users.get(ctx.user.id)
    sessions = ctx.conference.sessions
    for session_id in ctx.store.subscriptions.of(ctx.user.id):
        if user is not None and session_id in sessions:
            ctx.reminders.plan(user, sessions[session_id])


# --- pushed messages ------------------------------------------------------------------------

class PushMessages:
    """The reminder and the change notice, as the recipient will read them."""

    def reminder(self, ctx: Speaker, session: Session, previous: Session | None) -> list[Reply]:
        start = session.span[0]
        lines = [ctx._("⏰ <b>%(title)s</b> starts %(until)s.", title=tr(ctx, session.title),
                       until=until(ctx, start)),
                 escape_day(ctx, start) + Markup(", ") + span(ctx, session)
                 + Markup(" /") + session.id,
                 ctx._("Where: %(where)s", where=_place(ctx, session))]
        if session.note:
            lines.append(ctx._("📌 Note: %(note)s", note=note_text(ctx, session.note)))
        venue = session.venue
        if (isinstance(venue, Venue) and previous is not None
                and previous.venue is not venue):
            lines.append(travel_note(ctx, previous, venue))
        buttons = [Button(ctx.t.gettext("Details"), f"/{session.id}")]
        if isinstance(venue, Venue):
            buttons.insert(0, directions_button(ctx, venue))
        return [TextReply(NL.join(lines), (tuple(buttons),))]

    def change(self, ctx: Speaker, change: Change, session: Session | None) -> list[Reply]:
        title = tr(ctx, session.title if session else change.old["title"])
        lines = [ctx._("⚠ <b>A change in your agenda</b>: %(title)s /%(id)s", title=title,
                       id=change.session_id)]
        if change.vanished or session is None:
            lines.append(ctx._("This session has been cancelled. I removed it from your agenda."))
            return [TextReply(NL.join(lines))]
        if change.cancelled:
            lines.append(ctx._("This session has been cancelled. It stays in your agenda in case "
                               "it comes back, but there will be no reminder."))
            if session.note:
                lines.append(ctx._("📌 Note: %(note)s", note=note_text(ctx, session.note)))
            return [TextReply(NL.join(lines))]
        if change.restored:
            lines.append(ctx._("This session is on again: %(when)s.",
                               when=escape_day(ctx, session.span[0]) + Markup(", ")
                               + span(ctx, session)))
        if change.moved:
            old_start = datetime.fromisoformat(change.old["start"])
            old_end = datetime.fromisoformat(change.old["end"])
            lines.append(ctx._("New time: %(new)s (was %(old)s).",
                               new=escape_day(ctx, session.span[0]) + Markup(", ")
                               + span(ctx, session),
                               old=f"{ctx.t.day(old_start)}, {ctx.t.time(old_start)}–"
                                   f"{ctx.t.time(old_end)}"))
            lines.append(ctx._("Your reminder follows the new time."))
        if change.relocated:
            old_venue = ctx.conference.venues.get(change.old["venue"] or "")
            old = tr(ctx, old_venue.name) if old_venue else ctx._("not announced")
            if change.old.get("room"):
                old += Markup(", ") + change.old["room"]
            lines.append(ctx._("New place: %(new)s (was %(old)s).",
                               new=_place(ctx, session), old=old))
        if change.noted:
            lines.append(ctx._("📌 Note: %(note)s", note=note_text(ctx, session.note))
                         if session.note else ctx._("The organisers' note was removed."))
        buttons: list[Button] = [Button(ctx.t.gettext("Details"), f"/{session.id}")]
        if isinstance(session.venue, Venue):
            buttons.insert(0, directions_button(ctx, session.venue))
        return [TextReply(NL.join(lines), (tuple(buttons),))]


    def broadcast_report(self, ctx: Speaker, announcement: AnnouncementRecord,
                         counts: dict[tuple[str, str, str], int]) -> list[Reply]:
        return report(ctx, announcement, counts)


def _place(ctx: Speaker, session: Session) -> Markup:
    """The venue, and the room when one is known."""
    where = venue_text(ctx, session)
    if isinstance(session.room, str):
        where += Markup(", ") + session.room
    return where


def escape_day(ctx: Speaker, moment: datetime) -> Markup:
    return Markup("%s") % ctx.t.day(moment)


PUSH_MESSAGES = PushMessages()
