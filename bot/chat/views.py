"""How sessions, days and people look in a reply, in the reader's language (HTML-safe)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from babel import Locale, UnknownLocaleError
from babel.dates import format_interval, format_timedelta
from markupsafe import Markup, escape

from bot.chat.speaker import Speaker
from bot.core.messages import Button, Reply, TextReply
from bot.language.i18n import N_, native_name
from bot.language.textmatch import fold
from bot.programme.model import Conference, Day, NotAnnounced, Person, Session, Text, Written
from bot.storage.notices import Notices

KIND_LABELS = {
    "registration": N_("Registration"),
    "opening": N_("Opening"),
    "block": N_("Inspiration sessions"),
    "talk": N_("Talks"),
    "discussion": N_("Discussion"),
    "break": N_("Breaks"),
    "lunch": N_("Lunch"),
    "panel": N_("Panels"),
    "workshop": N_("Workshops"),
    "study_visit": N_("Study visits"),
    "networking": N_("Evening meeting"),
}

NL = Markup("\n")
WRITTEN_IN = N_("(Only available in %(language)s.)")
"""The marker under a text the reader gets in another language (notes, announcements)."""


def tr(ctx: Speaker, text: Text | NotAnnounced | None) -> Markup:
    """A data text in the reader's language; 'not announced' where the data says so."""
    if text is None or isinstance(text, NotAnnounced):
        return not_announced(ctx)
    shown = escape(text[ctx.lang])
    if isinstance(text, Written):
        written_in = text.language_for(ctx.lang)
        marked: set[str] = ctx.__dict__.setdefault("_languages_marked", set())
        if written_in != ctx.lang and written_in not in marked:
            marked.add(written_in)  # once per reply: the context lives for one answer
            shown += Markup(" ") + ctx._("(text language: %(language)s)",
                                         language=language_name(ctx, written_in))
    return shown


def language_name(ctx: Speaker, code: str) -> str:
    """A language's name in the reader's language: 'niemiecki', 'німецька', 'German'."""
    try:
        return str(Locale.parse(ctx.lang).languages.get(code, code))
    except (ValueError, UnknownLocaleError):
        return code


def not_announced(ctx: Speaker) -> Markup:
    return ctx._("not announced")


def span(ctx: Speaker, session: Session) -> Markup:
    start, end = session.span
    return escape(f"{ctx.t.time(start)}–{ctx.t.time(end)}")


def conference_dates(ctx: Speaker) -> str:
    days = ctx.conference.days
    return format_interval(days[0].date, days[-1].date, "yMMMMd", locale=ctx.t.locale)


def session_line(ctx: Speaker, session: Session, *, show_day: bool = False) -> Markup:
    """One line: '<b>11:15–12:45</b> Title /s20' (a part of a block is indented).

    With `show_day`, the day comes first, and a part without its own times shows its block's;
    the place follows the title when it is not the main venue.
    """
    title = tr(ctx, session.title) + place_suffix(ctx, session)
    command = Markup(" /") + session.id
    if not session.times_announced and not show_day:
        return Markup("   • ") + title + command
    when = span(ctx, session)
    if show_day:
        when = escape(ctx.t.day(session.span[0])) + Markup(", ") + when
    indent = Markup("   ") if session.parent is not None and not show_day else Markup("")
    line = indent + Markup("<b>%s</b> ") % when + title + command
    if session.cancelled:
        return line + Markup(" — ") + ctx._("❌ cancelled")
    return line + Markup(" — ") + ctx._("🈵 full") if session.full else line


def note_text(ctx: Speaker, note: Text) -> Markup:
    """An organisers' note in the reader's language, or as written, with a marker saying in
    which language."""
    if ctx.lang in note:
        return escape(note[ctx.lang])
    lang, text = next(iter(note.items()))
    return escape(text) + Markup(" ") + escape(ctx.t.gettext(WRITTEN_IN,
                                                             language=native_name(lang)))


def place_suffix(ctx: Speaker, session: Session) -> Markup:
    """' — Nasza Ściana' when a session is away from the main venue; nothing for a part of a
    block held where the block is."""
    venue = session.venue
    if session.parent is not None and venue is session.parent.venue:
        return Markup("")
    if isinstance(venue, NotAnnounced):
        return Markup(" — ") + ctx._("place not announced")
    name = venue.name[ctx.lang]
    if venue is ctx.conference.main_venue or fold(name.split(" (")[0]) in fold(
            session.title[ctx.lang]):
        return Markup("")  # the title names the place already ("Study visit: Nasza Ściana")
    return Markup(" — ") + escape(name)


LISTING_LIMIT = 60
"""Sessions listed in one answer; a longer list (a schedule of thousands) ends with how many
more there are: nobody reads further, and rendering them would hold up everyone else."""


def _more(ctx: Speaker, hidden: int) -> Markup:
    return ctx.ngettext("… and %(num)d more session: ask for a time (“what's on at 14:00?”) or "
                        "use /search.",
                        "… and %(num)d more sessions: ask for a time (“what's on at 14:00?”) "
                        "or use /search.", hidden)


def session_lines(ctx: Speaker, sessions: Iterable[Session], *, show_day: bool = False,
                  with_parts: bool = False) -> Markup:
    lines: list[Markup] = []
    sessions = list(sessions)
    hidden = max(0, len(sessions) - LISTING_LIMIT)
    for session in sessions[:LISTING_LIMIT]:
        lines.append(session_line(ctx, session, show_day=show_day))
        if session.parent is not None and not with_parts and (
                session.times_announced or show_day):
            lines.append(Markup("   ") + ctx._("part of: %(title)s /%(id)s",
                                                title=tr(ctx, session.parent.title),
                                                id=session.parent.id))
        if with_parts:
            lines.extend(session_line(ctx, child) for child in session.children)
    if hidden:
        lines.append(_more(ctx, hidden))
    return NL.join(lines)


def person_name(ctx: Speaker, person: Person) -> Markup:
    name = escape(person.name)
    if isinstance(person.affiliation, NotAnnounced):
        return name
    return name + Markup(" (") + tr(ctx, person.affiliation) + Markup(")")


def venue_text(ctx: Speaker, session: Session) -> Markup:
    venue = session.venue
    if isinstance(venue, NotAnnounced):
        return not_announced(ctx)
    address = not_announced(ctx) if isinstance(venue.address, NotAnnounced) else escape(
        venue.address)
    text = tr(ctx, venue.name) + Markup(", ") + address
    if venue.note:
        text += Markup(" (") + tr(ctx, venue.note) + Markup(")")
    return text


def session_details(ctx: Speaker, session: Session) -> Markup:
    """Everything known about a session, and what is not announced."""
    lines = [Markup("<b>%s</b>") % tr(ctx, session.title)]
    if session.cancelled:
        lines.append(ctx._("❌ <b>Cancelled</b> by the organisers."))
    if session.note:
        lines.append(ctx._("📌 Note: %(note)s", note=note_text(ctx, session.note)))
    if session.full and not session.cancelled:
        lines.append(ctx._("🈵 <b>Full</b>: no places left, the organisers say."))
    when = escape(ctx.t.day(session.span[0])) + Markup(", ") + span(ctx, session)
    if not session.times_announced:
        when += Markup(" ") + ctx._("(within the session above; its own time was not announced)")
    lines.append(ctx._("When: %(when)s", when=when))
    lines.append(ctx._("Where: %(where)s", where=venue_text(ctx, session)))
    if session.room is not None:
        room = session.room if isinstance(session.room, str) else not_announced(ctx)
        lines.append(ctx._("Room: %(room)s", room=room))
    if session.host:
        lines.append(ctx._("Host: %(host)s", host=tr(ctx, session.host)))
    if session.track:
        lines.append(ctx._("Track: %(track)s", track=session.track))
    if session.languages:
        lines.append(ctx._("Language: %(languages)s", languages=", ".join(
            language_name(ctx, code) for code in session.languages)))
    if session.format:
        lines.append(ctx._("Format: %(format)s", format=tr(ctx, session.format)))
    if session.places:
        lines.append(ctx._("Places: %(places)s", places=session.places))
    lines.extend(people_lines(ctx, session))
    lines.append(Markup(""))
    if isinstance(session.description, NotAnnounced):
        lines.append(ctx._("Description: %(text)s", text=not_announced(ctx)))
    else:
        lines.append(tr(ctx, session.description))
    lines.append(Markup(""))
    lines.append(ctx._("Who it is for: %(audience)s", audience=tr(ctx, session.audience)))
    if session.parent is not None:
        lines.append(ctx._("Part of: %(title)s /%(id)s", title=tr(ctx, session.parent.title),
                           id=session.parent.id))
    if session.children:
        lines.append(ctx._("In this session:"))
        lines.extend(session_line(ctx, child) for child in session.children)
    if session.links:
        lines.append(ctx._("Links:"))
        lines.extend(Markup('<a href="%s">%s</a>') % (url, title) for title, url in session.links)
    return NL.join(lines)


def people_lines(ctx: Speaker, session: Session) -> list[Markup]:
    """Who moderates and who speaks, with affiliations; what the sources say when unnamed."""
    lines = []
    if session.moderators:
        lines.append(ctx.ngettext("Moderator: %(names)s", "Moderators: %(names)s",
                                  len(session.moderators),
                                  names=_names(ctx, session.moderators)))
    if session.speakers:
        lines.append(ctx.ngettext("Speaker: %(names)s", "Speakers: %(names)s",
                                  len(session.speakers), names=_names(ctx, session.speakers)))
    if session.speakers_note:
        lines.append(tr(ctx, session.speakers_note))
    elif not session.people and session.kind in ("talk", "panel", "workshop", "discussion"):
        lines.append(ctx._("Speakers: %(names)s", names=not_announced(ctx)))
    return lines


def _names(ctx: Speaker, people: Iterable[Person]) -> Markup:
    return Markup("; ").join(person_name(ctx, p) for p in people)


def day_heading(ctx: Speaker, day: Day) -> Markup:
    weekday = escape(ctx.t.day(day.date))
    return Markup("<b>%s — %s</b>") % (weekday[:1].upper() + weekday[1:], tr(ctx, day.title))


def day_listing(ctx: Speaker, day: Day) -> Markup:
    conference = ctx.conference
    lines = [day_heading(ctx, day)]
    top = conference.top_level(conference.sessions_on(day))
    for session in top[:LISTING_LIMIT]:
        lines.append(session_line(ctx, session))
        lines.extend(session_line(ctx, child) for child in session.children)
    if len(top) > LISTING_LIMIT:
        lines.append(_more(ctx, len(top) - LISTING_LIMIT))
    if day.note:
        lines.append(Markup(""))
        lines.append(tr(ctx, day.note))
    lines.append(Markup(""))
    lines.append(ctx._("Tap a /s… number for details."))
    return NL.join(lines)


def day_buttons(ctx: Speaker) -> tuple[tuple[Button, ...], ...]:
    return (tuple(
        Button(ctx.t.day(day.date), f"/programme {day.number}") for day in ctx.conference.days),)


def until(ctx: Speaker, moment: datetime) -> Markup:
    """'in 5 minutes', 'in 2 hours', 'in 3 days' — rounded to what matters (Babel's words)."""
    minutes = max(0, -int((ctx.now - moment).total_seconds() // 60))  # whole minutes, up
    return escape(format_timedelta(timedelta(minutes=minutes), add_direction=True,
                                   granularity="minute", threshold=2, locale=ctx.t.locale))


def first_sessions(conference: Conference, day: Day) -> list[Session]:
    start = conference.day_start(day)
    return [s for s in conference.top_level(conference.sessions_on(day)) if s.span[0] == start]


def example_places(conference: Conference, count: int) -> list[str]:
    """Short names of places of this conference, for examples in help texts."""
    venues = [v for v in conference.venues.values() if v is not conference.main_venue]
    venues += [v for v in conference.venues.values() if v is conference.main_venue]
    names = [v.aliases[0] if v.aliases else v.name[conference.languages[0]] for v in venues]
    return (names * count)[:count] if names else ["…"] * count


def with_answer_language_note(ctx: Speaker, user_id: int, notices: Notices,
                              replies: list[Reply]) -> list[Reply]:
    """The first time someone writes in a language the bot only understands (Russian), say
    in which languages it answers and how to choose one, above the first text reply."""
    if not notices.first_time(user_id, "answer-languages"):
        return replies
    note = ctx._("I understand Russian, but I answer in Ukrainian, Polish or English: "
                 "choose with /lang.")
    for index, reply in enumerate(replies):
        if isinstance(reply, TextReply):
            noted = TextReply(Markup("<i>%s</i>") % note + NL + NL + Markup(reply.html),
                              reply.buttons)
            return [*replies[:index], noted, *replies[index + 1:]]
    return [TextReply(note), *replies]
