"""Calendar files: the personal agenda (/ics) or one session (/ics s12)."""

from __future__ import annotations

from bot.chat.router import Context, Router
from bot.core.messages import FileReply, TextReply
from bot.programme.ical import calendar_file
from handlers.links import in_private

router = Router("calendar")


@router.command("ics", "calendar", "kalendarz")
@router.intent("calendar")
def ics(ctx: Context) -> FileReply | TextReply:
    """Send the agenda, or one session, as an iCalendar file."""
    conference = ctx.conference
    wanted = ctx.args.strip().lower().lstrip("/")
    if wanted:
        session = conference.sessions.get(wanted)
        if session is None:
            return TextReply(ctx._("There is no session /%(id)s. See /programme for the list.",
                                   id=wanted))
        sessions, name = [session], f"{conference.id}-{session.id}.ics"
    else:
        private = in_private(ctx, "/ics")
        if private is not None:
            return private
        sessions = [conference.sessions[sid] for sid in ctx.store.subscriptions.of(ctx.user.id)
                    if sid in conference.sessions]
        if not sessions:
            return TextReply(ctx._("Your agenda is empty. Choose sessions with /remind, "
                                   "e.g. /remind s20, or the button under a session."))
        name = f"{conference.id}-agenda.ics"
    content = calendar_file(conference, sessions, ctx.lang, ctx.now)
    return FileReply(name, content, "text/calendar",
                     ctx.t.gettext("Open the file to add the sessions to your calendar."))
