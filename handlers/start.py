"""Welcome (with deep links: /start s12 opens a session, /start remind_s12 sets its reminder),
help, and the answer to what the bot cannot place."""

from __future__ import annotations

import re

from markupsafe import Markup

from bot.chat.router import Context, Handler, HandlerResult, Router, same_for_everyone
from bot.chat.views import NL, conference_dates, example_places, tr
from bot.core.messages import TextReply, payload_command
from bot.language.i18n import N_
from handlers import calendar, privacy, reminders, schedule
from handlers.language import language_buttons

router = Router("start")

COMMAND_MENU = (
    ("now", N_("What is on now")),
    ("next", N_("What comes next")),
    ("today", N_("Today's programme")),
    ("programme", N_("The whole programme")),
    ("venues", N_("Places and how to get there")),
    ("my", N_("My agenda and reminders")),
    ("search", N_("Find a session")),
    ("ask", N_("Ask a session a question")),
    ("info", N_("Practical information")),
    ("lang", N_("Language")),
    ("help", N_("What I can do")),
    ("start", N_("Welcome")),
)
"""The command menu platforms show (Telegram's set_my_commands), in this order."""
BOT_DESCRIPTION = N_("I answer questions about %(name)s: the programme, places, directions and "
                     "practical information, and I remind you of the sessions you choose. "
                     "I speak Polish, Ukrainian and English.")
BOT_SHORT_DESCRIPTION = N_("The assistant of %(name)s: programme, places, reminders.")


def command_list(ctx: Context) -> Markup:
    lines = [
        ctx._("/now — what is on now"),
        ctx._("/next — what comes next"),
        ctx._("/today — today's programme"),
        ctx._("/programme [day] — the programme of a day (e.g. /programme 2)"),
        ctx._("/s12 — details of a session (every listing shows these numbers)"),
        ctx._("/search words — find sessions by topic, title or person"),
        ctx._("/venues — all places, and what happens where"),
        ctx._("/where place — address, directions and a map pin (e.g. /where %(place)s)",
              place=example_places(ctx.conference, 1)[0]),
        ctx._("/here latitude longitude — the venues nearest to you (or share your location)"),
        ctx._("/remind s12 — remind me before a session (/unremind s12 to stop)"),
        ctx._("/my — my agenda; /reminders 5|10|15|30|60|off — when to remind me"),
        ctx._("/ics — my agenda as a calendar file (/ics s12 for one session)"),
        ctx._("/ask s12 question — ask a session a question; /questions s12 — its questions, "
              "vote with /vote q7"),
        ctx._("/rate s12 1–5 — say how a session was; /feedback off — no questions about it"),
        ctx._("/info — practical information"),
        ctx._("/about — about the conference"),
        ctx._("/lang — choose your language"),
        ctx._("/help — this list"),
    ]
    return NL.join(lines)


def examples(ctx: Context) -> Markup:
    return ctx._("You can also just ask, e.g. “what's on now?”, “when is lunch?”, "
                 "“what is next?”, “where is %(place)s?”.",
                 place=example_places(ctx.conference, 1)[0])


DEEP_LINKS: dict[str, Handler] = {
    "remind": reminders.remind, "unremind": reminders.unremind, "my": reminders.agenda,
    "ics": calendar.ics, "privacy": privacy.privacy, "mydata": privacy.mydata}
"""What a deep link (t.me/<bot>?start=remind_s12) may do besides opening a session."""
_SESSION = re.compile(r"s(\d+)")


def deep_link(ctx: Context) -> HandlerResult | None:
    """The answer to /start with a payload, or None when the payload means nothing."""
    name, _, argument = payload_command(ctx.args.strip())[1:].partition(" ")
    name = name.lower()
    match = _SESSION.fullmatch(name)
    if match and name in ctx.conference.sessions:
        ctx.match = match
        return schedule.session(ctx)
    handler = DEEP_LINKS.get(name)
    if handler is None:
        return None
    ctx.args = argument
    return handler(ctx)


@router.command("start")
def start(ctx: Context) -> HandlerResult:
    """Welcome the person and offer the language choice (or follow a deep link)."""
    if ctx.args.strip():
        opened = deep_link(ctx)
        if opened is not None:
            return opened
    return welcome(ctx)


def welcome(ctx: Context) -> TextReply:
    """The welcome and the language choice."""
    conference = ctx.conference
    text = NL.join([
        ctx._("Hello! I am the assistant of the conference <b>%(name)s</b> (%(dates)s, %(city)s).",
              name=tr(ctx, conference.name), dates=conference_dates(ctx),
              city=tr(ctx, conference.city)),
        ctx._("I answer in Polish, Ukrainian and English — write in your language, "
              "or choose one below."),
        Markup(""),
        command_list(ctx),
        Markup(""),
        examples(ctx),
    ])
    return TextReply(text, language_buttons(ctx))


@router.command("help", "pomoc")
@router.intent("help")
@same_for_everyone
def help_(ctx: Context) -> TextReply:
    """List what the bot can do."""
    return TextReply(NL.join([ctx._("<b>What I can do</b>"), command_list(ctx), Markup(""),
                              examples(ctx)]))


@router.intent("unknown")
def unknown(ctx: Context) -> TextReply:
    """Say briefly, in the user's language, what the bot can answer (and keep the question,
    without who asked, so organisers learn what to add to the data)."""
    text = ctx.incoming.text.strip()
    if text:
        written = ctx.understanding.written_language(text)
        ctx.store.unanswered.record(text, written or ctx.lang, ctx.now)
    return TextReply(NL.join([
        ctx._("Sorry, I did not understand that."),
        examples(ctx),
        ctx._("Commands: /now /next /today /programme /search /info /help"),
    ]))


@router.intent("unknown_command")
@same_for_everyone
def unknown_command(ctx: Context) -> TextReply:
    name = ctx.intent.query if ctx.intent else ""
    return TextReply(NL.join([
        ctx._("I do not know the command /%(name)s.", name=name),
        command_list(ctx),
    ]))
