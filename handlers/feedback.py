"""Feedback after a session: /rate s20 4 [comment], the prompts' buttons, a comment in the
next message, /feedback on|off; for organisers /feedback s20 (count, average, distribution,
comments)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from markupsafe import Markup

from bot.chat.router import ORGANISER, Context, Router
from bot.chat.views import NL, tr
from bot.core.messages import Button, TextReply
from bot.delivery.feedback_prompts import rated_kind
from bot.language.textmatch import words
from bot.storage.ratings import SCORES, RatingSummary

router = Router("feedback")

COMMENT_WAIT = timedelta(minutes=15)
MAX_COMMENT = 1000


def _comment_key(ctx: Context) -> str:
    return f"rate:{ctx.user.id}"


@router.command("rate", "ocen", "oceń")
def rate(ctx: Context) -> TextReply:
    """/rate s20 4 [comment]."""
    parts = ctx.args.strip().split(maxsplit=2)
    session = ctx.conference.sessions.get(parts[0].lower().lstrip("/")) if parts else None
    score = int(parts[1]) if len(parts) > 1 and parts[1].isdecimal() else None
    if session is None or score not in SCORES:
        return TextReply(ctx._("Rate a session from 1 to 5, with a comment if you like: "
                               "/rate s20 4 Very useful."))
    assert score is not None
    if not rated_kind(session):
        return TextReply(ctx._("/%(id)s is not rated.", id=session.id))
    if ctx.now < session.span[0]:
        return TextReply(ctx._("/%(id)s has not started yet; rate it once it is on.",
                               id=session.id))
    comment = parts[2].strip()[:MAX_COMMENT] if len(parts) > 2 else None
    ctx.store.ratings.rate(ctx.user.id, session.id, score, ctx.now, comment=comment,
                           lang=ctx.lang)
    lines = [ctx._("Thank you: %(score)s/5 for %(title)s /%(id)s.", score=score,
                   title=tr(ctx, session.title), id=session.id)]
    if comment:
        lines.append(ctx._("Your comment is kept for the organisers."))
    else:
        ctx.store.state.set(_comment_key(ctx), json.dumps(
            {"session": session.id, "until": (ctx.now + COMMENT_WAIT).isoformat()}))
        lines.append(ctx._("If you like, write a comment in your next message."))
    return TextReply(NL.join(lines))


@router.conversation()
def comment(ctx: Context) -> TextReply | None:
    """The message after a rating, when it is not a command, is its comment."""
    stored = ctx.store.state.get(_comment_key(ctx))
    if stored is None:
        return None
    ctx.store.state.delete(_comment_key(ctx))
    waiting = json.loads(stored)
    if datetime.fromisoformat(waiting["until"]) < ctx.now:
        return None
    text = ctx.incoming.text.strip()[:MAX_COMMENT]
    if not text or not ctx.store.ratings.comment(ctx.user.id, waiting["session"], text, ctx.lang):
        return None
    return TextReply(ctx._("Thank you, your comment on /%(id)s is kept for the organisers.",
                           id=waiting["session"]))


@router.command("feedback", "opinie")
def feedback(ctx: Context) -> TextReply:
    """/feedback off|on for everyone; /feedback s20 for organisers."""
    argument = ctx.args.strip().lower()
    said = set(words(argument))
    if argument == "0" or said & ctx.understanding.lexicon.off_words:
        ctx.store.ratings.set_prompts(ctx.user.id, False, ctx.now)
        return TextReply(ctx._("I will not ask you how sessions were. /feedback on asks again."))
    if said & ctx.understanding.lexicon.on_words or argument == "1":
        ctx.store.ratings.set_prompts(ctx.user.id, True, ctx.now)
        return TextReply(ctx._("After each session on your agenda I will ask you how it was "
                               "(not between 21:00 and 08:00)."))
    session = ctx.conference.sessions.get(argument.lstrip("/")) if argument else None
    if session is not None:
        # one route, two audiences: the summary is the organisers' (the Access decides and
        # gives its one refusal), switching prompts is everyone's
        if not ctx.may(ORGANISER):
            return ctx.refuse(ORGANISER)
        return TextReply(summary_text(ctx, session.id, ctx.store.ratings.summary(session.id)))
    on = ctx.store.ratings.prompts_on(ctx.user.id)
    return TextReply(NL.join([
        ctx._("After a session on your agenda I ask how it was.") if on else
        ctx._("You switched off the questions about how a session was."),
        ctx._("/feedback off or /feedback on; rate any session with /rate s20 4.")]),
        ((Button(ctx.t.gettext("off") if on else ctx.t.gettext("on"),
                 "/feedback off" if on else "/feedback on"),),))


def summary_text(ctx: Context, session_id: str, summary: RatingSummary) -> Markup:
    session = ctx.conference.sessions[session_id]
    lines = [ctx._("<b>Feedback on</b> %(title)s /%(id)s", title=tr(ctx, session.title),
                   id=session_id)]
    if not summary.count:
        lines.append(ctx._("No ratings yet."))
        return NL.join(lines)
    lines.append(ctx.ngettext("%(num)d rating, average %(average)s",
                              "%(num)d ratings, average %(average)s", summary.count,
                              average=f"{summary.average:.1f}"))
    lines.append(Markup(" · ").join(Markup("%s★ %s") % (score, summary.distribution[score])
                                    for score in SCORES))
    if summary.comments:
        lines.append(ctx._("Comments:"))
        lines.extend(Markup("• %s★ [%s] %s") % (r.score, r.lang or "?", r.comment)
                     for r in summary.comments)
    return NL.join(lines)
