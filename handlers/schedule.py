"""The programme: what is on now and next, a day, a session, a time, a person, a search."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from bot.chat.router import Context, Router, same_for_everyone
from bot.chat.views import (
    KIND_LABELS,
    NL,
    day_buttons,
    day_listing,
    first_sessions,
    people_lines,
    person_name,
    session_details,
    session_lines,
    tr,
    until,
)
from bot.core.messages import Button, TextReply
from bot.programme.model import Day, Session, Venue
from handlers.qa import is_open
from handlers.venues import directions_button

router = Router("schedule")


def _before_start(ctx: Context) -> TextReply:
    conference = ctx.conference
    first_day = conference.days[0]
    starts = conference.starts
    lines = [
        ctx._("The conference has not started yet. It begins on %(day)s at %(time)s (%(until)s).",
              day=ctx.t.day(starts), time=ctx.t.time(starts), until=until(ctx, starts)),
        ctx._("First:"),
        session_lines(ctx, first_sessions(conference, first_day)),
    ]
    return TextReply(NL.join(lines), day_buttons(ctx))


def _after_end(ctx: Context) -> TextReply:
    last_day = ctx.conference.days[-1]
    return TextReply(NL.join([
        ctx._("The conference ended on %(date)s. Thank you for being there!",
              date=ctx.t.long_date(last_day.date)),
        ctx._("The programme is still here to browse: /programme"),
    ]), day_buttons(ctx))


def _outside(ctx: Context) -> TextReply | None:
    """The answer for before the first or after the last day, or None during the conference."""
    if ctx.now < ctx.conference.starts:
        return _before_start(ctx)
    if ctx.now >= ctx.conference.ends:
        return _after_end(ctx)
    return None


def _next_block(ctx: Context, after: datetime) -> Markup:
    """'Next, at 11:15 (in 10 minutes):' and the sessions, or what is known about later."""
    upcoming = ctx.conference.next_after(after)
    if not upcoming:
        return _programme_over(ctx, after)
    start = upcoming[0].span[0]
    same_day = ctx.conference.day_of(start) is ctx.conference.day_of(after)
    if same_day:
        heading = ctx._("Next, at %(time)s (%(until)s):", time=ctx.t.time(start),
                        until=until(ctx, start))
    else:
        heading = ctx._("Next, on %(day)s at %(time)s:", day=ctx.t.day(start),
                        time=ctx.t.time(start))
    return NL.join([heading, session_lines(ctx, upcoming, with_parts=True)])


def _programme_over(ctx: Context, after: datetime) -> Markup:
    """After the last published session: when it ended, and what is not announced."""
    conference = ctx.conference
    last_day = conference.days[-1]
    last_end = max(s.span[1] for s in conference.sessions_on(last_day))
    lines = [ctx._("The published programme has ended: the last session ended on %(day)s at "
                   "%(time)s.", day=ctx.t.day(last_end), time=ctx.t.time(last_end))]
    day_end = conference.day_end(last_day)
    if day_end > last_end and after < day_end:
        lines.append(ctx._("The day is announced until %(time)s; what happens until then has "
                           "not been announced.", time=ctx.t.time(day_end)))
    if last_day.note:
        lines.append(tr(ctx, last_day.note))
    return NL.join(lines)


@router.command("now", "teraz")
@router.intent("now")
@same_for_everyone
def now(ctx: Context) -> TextReply:
    """Say what is on at this moment, and what comes next."""
    outside = _outside(ctx)
    if outside:
        return outside
    running = ctx.conference.running_at(ctx.now)
    if running:
        text = NL.join([ctx._("<b>Now (%(time)s):</b>", time=ctx.t.time(ctx.now)),
                        session_lines(ctx, running), Markup(""), _next_block(ctx, ctx.now)])
    else:
        text = NL.join([ctx._("Nothing is on right now (%(time)s).", time=ctx.t.time(ctx.now)),
                        _next_block(ctx, ctx.now)])
    return TextReply(text)


@router.command("next", "dalej")
@router.intent("next")
@same_for_everyone
def next_(ctx: Context) -> TextReply:
    """Say what starts next (or next after a moment: "and after the coffee break?")."""
    if ctx.intent is not None and ctx.intent.moments:
        return TextReply(_next_block(ctx, ctx.intent.moments[0]))
    outside = _outside(ctx)
    return outside or TextReply(_next_block(ctx, ctx.now))


@router.command("today", "dzis")
@router.intent("today")
@same_for_everyone
def today(ctx: Context) -> TextReply:
    """Show today's programme, or say that today is not a conference day."""
    day = ctx.conference.day_of(ctx.now)
    if day is not None:
        return TextReply(day_listing(ctx, day), day_buttons(ctx))
    return TextReply(NL.join([
        ctx._("There is no conference programme today (%(date)s).", date=ctx.t.day(ctx.now)),
        ctx._("The conference days: %(dates)s. Choose a day:",
              dates=", ".join(ctx.t.day(d.date) for d in ctx.conference.days)),
    ]), day_buttons(ctx))


@router.command("programme", "program", "schedule")
@same_for_everyone
def programme(ctx: Context) -> list[TextReply]:
    """Show one day (/programme 2, /programme thursday), or every day."""
    argument = ctx.args.strip()
    if argument:
        day = ctx.understanding.parse_day_argument(argument, ctx.now)
        if day is None:
            return [TextReply(ctx._("I do not know which day “%(day)s” is. Choose a day:",
                                    day=argument), day_buttons(ctx))]
        return [TextReply(day_listing(ctx, day), day_buttons(ctx))]
    return [TextReply(day_listing(ctx, day)) for day in ctx.conference.days]


@router.intent("programme")
@same_for_everyone
def programme_intent(ctx: Context) -> list[TextReply]:
    day = ctx.intent.day if ctx.intent else None
    if day is not None:
        return [TextReply(day_listing(ctx, day), day_buttons(ctx))]
    return programme(ctx)


@router.pattern(r"s(\d+)")
def session(ctx: Context) -> TextReply:
    """Show everything about one session (/s12)."""
    session_id = ctx.match.group(0).lower() if ctx.match else ""
    found = ctx.conference.sessions.get(session_id)
    if found is None:
        return TextReply(ctx._("There is no session /%(id)s. See /programme for the list.",
                               id=session_id))
    buttons = [Button(ctx.t.day(found.day.date), f"/programme {found.day.number}")]
    if isinstance(found.venue, Venue):
        buttons.insert(0, directions_button(ctx, found.venue))
    chosen = found.id in ctx.store.subscriptions.of(ctx.user.id)
    if found.times_announced:
        buttons.insert(0, Button(ctx.t.gettext("Remove reminder"), f"/unremind {found.id}")
                       if chosen else Button(ctx.t.gettext("Remind me"), f"/remind {found.id}"))
    if found.parent is not None:
        buttons.insert(0, Button(found.parent.title[ctx.lang][:40], f"/{found.parent.id}"))
    rows = [tuple(buttons)]
    if is_open(found, ctx.now):
        rows.append((Button(ctx.t.gettext("Ask a question"), f"/ask {found.id}"),
                     Button(ctx.t.gettext("Questions"), f"/questions {found.id}")))
    reactions = ({"🔔": f"/remind {found.id}"} if found.times_announced and not chosen
                 else {})
    return TextReply(session_details(ctx, found), tuple(rows), reactions)


@router.command("search", "szukaj")
@same_for_everyone
def search(ctx: Context) -> TextReply:
    """Find sessions by words in their title, description, people or place."""
    query = ctx.args.strip()
    if not query:
        return TextReply(ctx._("Type what you are looking for after /search, "
                               "e.g. /search migration."))
    return _search_results(ctx, query, ctx.understanding.search(query))


@router.intent("search")
@same_for_everyone
def search_intent(ctx: Context) -> TextReply:
    assert ctx.intent is not None
    return _search_results(ctx, ctx.intent.query, ctx.intent.sessions)


def _search_results(ctx: Context, query: str, found: list[Session]) -> TextReply:
    if not found:
        return TextReply(NL.join([
            ctx._("I found nothing for “%(query)s”.", query=query),
            ctx._("Try other words, or see the whole /programme."),
        ]))
    return TextReply(NL.join([
        ctx.ngettext("I found %(num)d session for “%(query)s”:",
                     "I found %(num)d sessions for “%(query)s”:", len(found), query=query),
        session_lines(ctx, found, show_day=True),
    ]))


@router.intent("at")
@same_for_everyone
def at_time(ctx: Context) -> TextReply:
    """Say what is on at a given time ('what's on at 13:00 on Thursday?')."""
    assert ctx.intent is not None and ctx.intent.moments  # impossible times are `bad_time`
    blocks = []
    for moment in ctx.intent.moments:
        when = ctx._("%(day)s at %(time)s", day=ctx.t.day(moment), time=ctx.t.time(moment))
        running = ctx.conference.running_at(moment)
        if running:
            blocks.append(NL.join([Markup("<b>%s</b>") % when, session_lines(ctx, running)]))
        else:
            blocks.append(NL.join([ctx._("Nothing is in the programme on %(when)s.", when=when),
                                   _next_block(ctx, moment)]))
    return TextReply((NL + NL).join(blocks))


@router.intent("range")
@same_for_everyone
def in_range(ctx: Context) -> TextReply:
    """'What is on tomorrow morning / in the next half hour?': what runs in that span."""
    assert ctx.intent is not None and len(ctx.intent.moments) == 2
    start, end = ctx.intent.moments
    found = [s for s in ctx.conference.top_level(ctx.conference.walk())
             if s.times_announced and s.span[0] < end and s.span[1] > start]
    when = ctx._("%(day)s, %(start)s–%(end)s", day=ctx.t.day(start), start=ctx.t.time(start),
                 end=ctx.t.time(end))
    if not found:
        return TextReply(NL.join([ctx._("Nothing is in the programme on %(when)s.", when=when),
                                  _next_block(ctx, start)]))
    return TextReply(NL.join([Markup("<b>%s</b>") % when, session_lines(ctx, found)]))


@router.intent("bad_time")
@same_for_everyone
def bad_time(ctx: Context) -> TextReply:
    """A time that cannot be ('25:70'): say so, rather than guess."""
    assert ctx.intent is not None
    return TextReply(NL.join([ctx._("There is no such time as %(time)s.", time=ctx.intent.query),
                              ctx._("Ask e.g. “what is on at 15:30?”.")]))


@router.intent("kind")
@same_for_everyone
def of_kind(ctx: Context) -> TextReply:
    """Answer 'when is lunch?' and the like: every session of one kind."""
    assert ctx.intent is not None and ctx.intent.kind is not None
    sessions = ctx.conference.of_kind(ctx.intent.kind)
    if ctx.intent.day is not None:
        sessions = [s for s in sessions if s.day is ctx.intent.day] or sessions
    label = ctx._(KIND_LABELS[ctx.intent.kind])
    if not sessions:
        return TextReply(ctx._("The programme has nothing under “%(kind)s”.", kind=label))
    return TextReply(NL.join([Markup("<b>%s</b>") % label,
                              session_lines(ctx, sessions, show_day=True)]))


@router.intent("who")
@same_for_everyone
def who(ctx: Context) -> TextReply:
    """Answer 'who runs the wellbeing workshop?': the people of the sessions it names."""
    assert ctx.intent is not None
    blocks = []
    for found in ctx.intent.sessions:
        lines = [session_lines(ctx, [found], show_day=True)]
        lines += people_lines(ctx, found) or [ctx._("No moderator or speaker is listed for this "
                                                    "session.")]
        blocks.append(NL.join(lines))
    return TextReply((NL + NL).join(blocks))


@router.intent("person")
@same_for_everyone
def person(ctx: Context) -> TextReply:
    """Answer 'when does Bohdan Skrzypczak speak?': their sessions, with days and times."""
    assert ctx.intent is not None
    blocks = []
    for someone in ctx.intent.people:
        sessions = ctx.conference.with_person(someone)
        lines = [Markup("<b>%s</b>") % person_name(ctx, someone)]
        if someone.note:
            lines.append(tr(ctx, someone.note))
        for session in sessions:
            role = (ctx._("moderates") if someone in session.moderators else ctx._("speaks"))
            lines.append(session_lines(ctx, [session], show_day=True) + Markup(" (") + role
                         + Markup(")"))
        blocks.append(NL.join(lines))
    return TextReply((NL + NL).join(blocks))


def _day_bounds_line(ctx: Context, day: Day, *, opening: bool) -> Markup:
    conference = ctx.conference
    if opening:
        first = first_sessions(conference, day)
        return ctx._("%(day)s: from %(time)s — %(what)s", day=ctx.t.day(day.date),
                     time=ctx.t.time(conference.day_start(day)),
                     what=Markup(", ").join(tr(ctx, s.title) for s in first))
    last_end = max(s.span[1] for s in conference.sessions_on(day))
    line = ctx._("%(day)s: the last session ends at %(time)s",
                 day=ctx.t.day(day.date), time=ctx.t.time(last_end))
    if day.hours and conference.at(day, day.hours[1]) > last_end:
        line += Markup("; ") + ctx._("the day is announced until %(time)s",
                                     time=ctx.t.time(conference.at(day, day.hours[1])))
    if day.note:
        line += NL + tr(ctx, day.note)
    return line


@router.intent("conference_start")
@same_for_everyone
def conference_start(ctx: Context) -> TextReply:
    """When the conference (and each day) begins."""
    starts = ctx.conference.starts
    lines = [ctx._("The conference begins on %(day)s at %(time)s.", day=ctx.t.day(starts),
                   time=ctx.t.time(starts))]
    lines += [_day_bounds_line(ctx, day, opening=True) for day in ctx.conference.days]
    return TextReply(NL.join(lines))


@router.intent("conference_end")
@same_for_everyone
def conference_end(ctx: Context) -> TextReply:
    """When the conference (and each day) ends, and what is not announced about it."""
    ends = ctx.conference.ends
    lines = [ctx._("The conference ends on %(day)s at %(time)s.", day=ctx.t.day(ends),
                   time=ctx.t.time(ends))]
    lines += [_day_bounds_line(ctx, day, opening=False) for day in ctx.conference.days]
    return TextReply(NL.join(lines))

