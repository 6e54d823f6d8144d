"""Privacy and data rights: the notice (/privacy), a copy of one's data (/mydata), and
erasure (/forget). In a group none of them shows or touches anyone's data."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from markupsafe import Markup

import handlers.pending as pending
from bot.chat.conversation import Conversation
from bot.chat.router import Context, Router
from bot.chat.views import NL, tr
from bot.core.logids import who
from bot.core.messages import Button, FileReply, TextReply
from bot.storage.erasure import erase, export
from bot.storage.privacy import explanations

router = Router("privacy")
log = logging.getLogger(__name__)
CONFIRM_WORDS = frozenset({"confirm", "yes", "tak", "так", "potwierdzam", "підтверджую"})


@dataclass
class Forgetting:
    """The id of the /forget warning shown last; its button carries it."""

    preview: str


ASKED = Conversation("forget", Forgetting)


def _write_directly(ctx: Context) -> TextReply:
    return TextReply(ctx._("To keep your data private, I answer this only in a direct chat: "
                           "write to me directly and send /privacy, /mydata or /forget there."),
                     ((Button(ctx.t.gettext("Continue privately"), "/privacy", private=True),),))


@router.command("privacy", "prywatnosc", "pryvatnist")
@router.intent("privacy")
def privacy(ctx: Context) -> TextReply:
    """What the bot keeps about a person, why, for how long, and how to get or erase it."""
    if ctx.incoming.is_group:
        return _write_directly(ctx)
    conference = ctx.conference
    policy = ctx.services.privacy
    lines = [ctx._("<b>Privacy: what I keep about you</b>"),
             ctx._("This bot is run by the organisers of %(conference)s.",
                   conference=tr(ctx, conference.short_name))]
    if any(topic.id == "organisers" for topic in conference.info):
        lines.append(ctx._("Who they are: /info organisers"))
    lines += [Markup(""), ctx._("I keep:")]
    quiet = int(ctx.store.dialogue.quiet.total_seconds() // 60)  # CONFBOT_DIALOGUE_MINUTES
    lines += [Markup("• ") + ctx._(why, minutes=quiet) for why in explanations()]
    lines += [
        Markup(""),
        ctx._("I do not keep your name or the locations you share. Of the texts of your "
              "messages I keep only the questions I could not answer, with nothing that says "
              "who asked, so that the organisers learn what to add."),
        ctx.ngettext("Everything about you is deleted automatically %(num)d day after the "
                     "conference ends (on %(date)s).",
                     "Everything about you is deleted automatically %(num)d days after the "
                     "conference ends (on %(date)s).", policy.retention_days,
                     date=ctx.t.day(policy.deletion_due(conference.ends))),
        ctx._("A copy of everything I keep about you: /mydata"),
        ctx._("Erase everything now: /forget"),
    ]
    if policy.contact:
        lines.append(ctx._("Questions about your data: %(contact)s", contact=policy.contact))
    else:
        lines.append(ctx._("Questions about your data: ask the organisers."))
    return TextReply(NL.join(lines), ((Button(ctx.t.gettext("My data"), "/mydata"),
                                       Button(ctx.t.gettext("Erase my data"), "/forget")),))


@router.command("mydata", "mojedane", "moidani")
def mydata(ctx: Context) -> FileReply | TextReply:
    """Send the person everything stored about them, as a JSON file."""
    if ctx.incoming.is_group:
        return _write_directly(ctx)
    data = export(ctx.store, ctx.user.id)
    content = json.dumps({"conference": ctx.conference.id, "exported_at": ctx.now.isoformat(),
                          **data}, ensure_ascii=False, indent=2).encode()
    return FileReply(f"{ctx.conference.id}-mydata.json", content, "application/json",
                     ctx.t.gettext("Everything I keep about you. Erase it with /forget."))


@router.command("forget", "zapomnij", "zabud")
def forget(ctx: Context) -> TextReply:
    """Erase everything about the person, after they confirm (/forget confirm)."""
    if ctx.incoming.is_group:
        return _write_directly(ctx)
    word, _, given = ctx.args.strip().lower().partition(" ")
    asked = ASKED.load(ctx)
    if word not in CONFIRM_WORDS:
        preview = pending.new_id(asked.preview if asked else None)
        ASKED.save(ctx, Forgetting(preview))
        return TextReply(NL.join([
            ctx._("This erases everything I keep about you: your language, your agenda, your "
                  "reminder setting and the messages waiting for you. It cannot be undone."),
            ctx._("Are you sure? Tap the button, or type /forget confirm.")]),
            ((Button(ctx.t.gettext("Erase everything"), f"/forget confirm {preview}"),),))
    if given.strip() and (asked is None or asked.preview != given.strip()):
        return TextReply(ctx._(pending.STALE))
    counts = erase(ctx.store, ctx.incoming.platform, ctx.incoming.user_id)
    ctx.forgotten = True
    log.info("platform=%s user=%s: erased on request (%s)", ctx.incoming.platform,
             who(ctx.incoming.platform, ctx.incoming.user_id), counts)
    return TextReply(NL.join([
        ctx._("Done: I have erased everything I kept about you."),
        ctx._("If you write to me again, I start afresh, knowing nothing about you.")]))
