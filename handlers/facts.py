"""One fact of a named session: when it starts or ends, how long it lasts, its form, its host;
and what comes right before it."""

from __future__ import annotations

from markupsafe import Markup

from bot.chat.router import Context, Router, same_for_everyone
from bot.chat.views import NL, people_lines, session_line, session_lines, tr, venue_text
from bot.core.messages import TextReply
from bot.programme.model import Session

router = Router("facts")


def _fact_line(ctx: Context, session: Session, fact: str) -> Markup:
    if fact in ("start", "end", "duration") and not session.times_announced:
        return ctx._("Its time has not been announced.")
    if fact == "start":
        start = session.span[0]
        return ctx._("It starts on %(day)s at %(time)s.", day=ctx.t.day(start),
                     time=ctx.t.time(start))
    if fact == "end":
        return ctx._("It ends at %(time)s.", time=ctx.t.time(session.span[1]))
    if fact == "duration":
        start, end = session.span
        minutes = int((end - start).total_seconds() // 60)
        return ctx.ngettext("It lasts %(num)d minute (%(start)s–%(end)s).",
                            "It lasts %(num)d minutes (%(start)s–%(end)s).", minutes,
                            start=ctx.t.time(start), end=ctx.t.time(end))
    if fact == "format":
        if session.format is None:
            return ctx._("Its format has not been announced.")
        return ctx._("Format: %(format)s", format=tr(ctx, session.format))
    if session.host is None:
        return ctx._("Its host has not been announced.")
    return ctx._("Host: %(host)s", host=tr(ctx, session.host))


@router.intent("fact")
@same_for_everyone
def fact(ctx: Context) -> TextReply:
    """'When does the workshop on well-being end?': that fact, for each session named."""
    assert ctx.intent is not None and ctx.intent.fact is not None
    blocks = [NL.join([session_line(ctx, session, show_day=True),
                       _fact_line(ctx, session, ctx.intent.fact)])
              for session in ctx.intent.sessions]
    return TextReply((NL + NL).join(blocks))


@router.intent("before")
@same_for_everyone
def before(ctx: Context) -> TextReply:
    """'And what is before it?': the sessions that end right before."""
    assert ctx.intent is not None
    if not ctx.intent.sessions:
        return TextReply(ctx._("Nothing in the programme comes before it that day."))
    return TextReply(NL.join([ctx._("Right before:"),
                              session_lines(ctx, ctx.intent.sessions, show_day=True)]))



@router.intent("yesno")
@same_for_everyone
def yes_or_no(ctx: Context) -> TextReply:
    """'Is the Skawina visit at 3?': yes or no, with the session and the facts that decide."""
    assert ctx.intent is not None and ctx.intent.sessions
    session = ctx.intent.sessions[0]
    lines = [ctx._("Yes.") if ctx.intent.fact == "yes" else ctx._("No."),
             session_line(ctx, session, show_day=True)]
    if len(ctx.intent.sessions) > 1:  # "is it before lunch?": the session it is measured by
        lines.append(session_line(ctx, ctx.intent.sessions[1], show_day=True))
    elif ctx.intent.places or ctx.intent.fact == "no":
        lines.append(ctx._("Where: %(where)s", where=venue_text(ctx, session)))
    if ctx.intent.people:  # "does Matejko speak on Thursday?": who is in it, in what role
        lines.extend(people_lines(ctx, session))
    return TextReply(NL.join(lines))
