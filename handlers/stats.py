"""/stats: how many people have each session on their agenda, how many of them will be
reminded, against the places where the data gives them (organisers only)."""

from __future__ import annotations

from markupsafe import Markup

from bot.chat.router import Context, Router
from bot.chat.views import NL, span, tr
from bot.core.messages import TextReply
from bot.programme.model import Conference, Session
from bot.storage.interest import Interest

router = Router("stats")


def interest_rows(conference: Conference, counts: dict[str, Interest]
                  ) -> list[tuple[Session, Interest]]:
    """Every session with its interest, by day and time (sessions nobody chose count 0)."""
    return [(session, counts.get(session.id, Interest(session.id, 0, 0)))
            for session in conference.walk() if session.times_announced]


@router.command("stats", "statystyki", organisers_only=True)
def stats(ctx: Context) -> TextReply:
    rows = interest_rows(ctx.conference, ctx.store.interest())
    lines = [ctx._("<b>Interest</b>: people with the session on their agenda (of them, with a "
                   "reminder) / places")]
    day = None
    for session, counted in rows:
        if session.day is not day:
            day = session.day
            lines.append(Markup("<b>%s</b>") % ctx.t.day(day.date))
        line = (Markup("%s %s /%s — <b>%s</b> (%s)") % (span(ctx, session), tr(ctx, session.title),
                                                        session.id, counted.people,
                                                        counted.reminded))
        if session.places:
            line += Markup(" / %s") % session.places
        if session.full:
            line += Markup(" ") + ctx._("🈵 full")
        lines.append(line)
    return TextReply(NL.join(lines))
