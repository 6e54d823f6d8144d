"""Links into the private chat with the bot: the answer in a group to what belongs to the
private chat (reminders, the agenda, calendar files, privacy), the organisers' /link, which
prints the Telegram deep link of each session for posters and QR codes, and the session cards
shared into any chat (Telegram's inline mode)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from bot.chat.router import Context, Router
from bot.chat.speaker import Speaker
from bot.chat.views import NL, not_announced, session_details, span, tr, venue_text
from bot.core.messages import Button, TextReply, start_payload
from bot.core.plaintext import plain_text
from bot.programme.model import Conference
from bot.understanding.parser import Understanding

router = Router("links")


def telegram_link(username: str, command: str) -> str | None:
    """The t.me link that opens the private chat and sends `command` there."""
    payload = start_payload(command)
    return f"https://t.me/{username}?start={payload}" if payload else None


def session_links(conference: Conference, username: str, lang: str,
                  only: str | None = None) -> list[tuple[str, str, str, str]]:
    """(session id, title, link to the session, link that sets its reminder) for each session,
    or for one."""
    rows = []
    for session in conference.sessions.values():
        if only is not None and session.id != only:
            continue
        rows.append((session.id, session.title[lang], f"https://t.me/{username}?start={session.id}",
                     f"https://t.me/{username}?start=remind_{session.id}"))
    return rows


def in_private(ctx: Context, command: str) -> TextReply | None:
    """In a group, what belongs to the private chat gets a button that opens it and does
    `command` there; None in a private chat."""
    if not ctx.incoming.is_group:
        return None
    return TextReply(ctx._("This belongs in a private chat with me: your reminders, agenda "
                           "and data are yours, and reminders can only reach you there. "
                           "Tap the button to continue privately."),
                     ((Button(ctx.t.gettext("Continue privately"), command, private=True),),))


@router.command("link", "links", organisers_only=True)
def link(ctx: Context) -> TextReply:
    """For organisers: the t.me links of a session (/link s12) or of all, for posters."""
    username = ctx.services.bot_usernames.get("telegram")
    if not username:
        return TextReply(ctx._("I am not connected to Telegram, so I do not know my link."))
    only = ctx.args.strip().lower().lstrip("/!") or None
    if only is not None and only not in ctx.conference.sessions:
        return TextReply(ctx._("There is no session /%(id)s. See /programme for the list.",
                               id=only))
    lines = [ctx._("<b>Links for posters and QR codes</b>")]
    for session_id, _title, opens, reminds in session_links(ctx.conference, username, ctx.lang,
                                                            only):
        session = ctx.conference.sessions[session_id]
        lines.append(Markup("/%s %s") % (session_id, tr(ctx, session.title)))
        lines.append(Markup("  %s") % opens)
        lines.append(Markup("  ") + ctx._("reminder: %(link)s", link=reminds))
    return TextReply(NL.join(lines))


@dataclass(frozen=True)
class SessionCard:
    """A session to share into any chat (Telegram's inline mode): a title, a one-line
    description (day, time, place), the message it posts, and the deep links it carries."""

    session_id: str
    title: str
    description: str
    html: Markup
    opens: str
    reminds: str
    open_label: str
    remind_label: str


INLINE_LIMIT = 10


def session_cards(speaker: Speaker, understanding: Understanding, query: str,
                  username: str) -> list[SessionCard]:
    """The sessions matching what was typed after @<bot> (an id like s12, or words like
    lunch); the next ones when nothing was typed."""
    conference = speaker.conference
    wanted = query.strip().lower().lstrip("/!")
    if wanted in conference.sessions:
        found = [conference.sessions[wanted]]
    elif wanted:
        found = understanding.search(wanted, limit=INLINE_LIMIT)
    else:
        found = sorted((s for s in conference.sessions.values()
                        if s.times_announced and s.span[0] >= speaker.now),
                       key=lambda s: s.span[0])[:INLINE_LIMIT]
    cards = []
    for session in found:
        when = Markup("%s, %s") % (speaker.t.day(session.day.date), span(speaker, session)
                                   if session.times_announced else not_announced(speaker))
        line = plain_text(TextReply(when + Markup(" · ") + venue_text(speaker, session)))
        cards.append(SessionCard(
            session.id, session.title[speaker.lang], line, session_details(speaker, session),
            f"https://t.me/{username}?start={session.id}",
            f"https://t.me/{username}?start=remind_{session.id}",
            speaker.t.gettext("Open in the bot"), speaker.t.gettext("Remind me")))
    return cards
