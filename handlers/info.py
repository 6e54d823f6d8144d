"""Practical information and the conference itself."""

from __future__ import annotations

from markupsafe import Markup

from bot.chat.router import Context, Router, same_for_everyone
from bot.chat.views import NL, conference_dates, tr
from bot.core.messages import Button, TextReply
from bot.language.textmatch import fold
from bot.programme.model import InfoTopic

router = Router("info")


@router.command("info")
@router.intent("info")
@same_for_everyone
def info(ctx: Context) -> TextReply:
    """List the practical information topics, or show one (/info catering)."""
    topics = ctx.conference.info
    wanted = fold(ctx.args.strip())
    if wanted:
        topic = next((t for t in (*topics, *ctx.conference.not_announced) if t.id == wanted),
                     None)
        if topic is None:
            intent = ctx.understanding.interpret(ctx.args, ctx.now)
            topic = intent.topic
        if topic is not None:
            return topic_reply(ctx, topic)
    lines = [ctx._("<b>Practical information</b>")]
    lines += [Markup("• ") + tr(ctx, t.title) + Markup(" — ") + info_link(t.id) for t in topics]
    if not topics:  # a conference served from a schedule alone
        lines.append(ctx._("No practical information has been announced."))
    buttons = tuple((Button(t.title[ctx.lang], f"/info {t.id}"),) for t in topics)
    return TextReply(NL.join(lines), buttons)


def info_link(topic_id: str) -> str:
    """A topic's own command, one word so that a tap sends all of it (/info_catering)."""
    return "/info_" + topic_id.replace("-", "_")


@router.pattern(r"info_(\w+)")
@same_for_everyone
def info_topic(ctx: Context) -> TextReply:
    """A topic by its own command (/info_venue_day2 is /info venue-day2)."""
    written = ctx.match.group(1).lower() if ctx.match else ""
    hyphened = written.replace("_", "-")
    ctx.args = hyphened if any(t.id == hyphened for t in ctx.conference.info) else written
    return info(ctx)


@router.intent("topic")
def topic_answer(ctx: Context) -> TextReply:
    assert ctx.intent is not None and ctx.intent.topic is not None
    if not ctx.intent.topic.announced:  # kept, so the organisers see what people miss
        ctx.store.unanswered.record(ctx.incoming.text, ctx.lang, ctx.now)
    return topic_reply(ctx, ctx.intent.topic)


def not_announced_reply(ctx: Context, topic: InfoTopic) -> TextReply:
    """An honest gap: the topic is known, its facts are not; whom to ask."""
    lines = [Markup("<b>%s</b>") % tr(ctx, topic.title),
             ctx._("The organisers have not announced this.")]
    if ctx.conference.website:
        lines.append(ctx._("Please ask the organisers: %(url)s", url=ctx.conference.website))
    lines += [Markup(""), ctx._("More: /info")]
    return TextReply(NL.join(lines))


def topic_reply(ctx: Context, topic: InfoTopic) -> TextReply:
    if not topic.announced:
        return not_announced_reply(ctx, topic)
    return TextReply(NL.join([Markup("<b>%s</b>") % tr(ctx, topic.title), tr(ctx, topic.body),
                              Markup(""), ctx._("More: /info")]))


@router.command("about")
@router.intent("about")
@same_for_everyone
def about(ctx: Context) -> TextReply:
    """What the conference is: name, edition, motto, dates, place."""
    conference = ctx.conference
    lines = [
        Markup("<b>%s</b>") % tr(ctx, conference.name),
        ctx._("Edition %(edition)s · %(dates)s · %(city)s", edition=conference.edition,
              dates=conference_dates(ctx), city=tr(ctx, conference.city)) if conference.edition
        else ctx._("%(dates)s · %(city)s", dates=conference_dates(ctx),
                   city=tr(ctx, conference.city)),
        ctx._("Motto: %(theme)s", theme=tr(ctx, conference.theme)),
        Markup(""),
        tr(ctx, conference.description),
    ]
    if conference.website:
        lines += [Markup(""), ctx._("Website: %(url)s", url=conference.website)]
    lines += [Markup(""), ctx._("Programme: /programme · Practical information: /info")]
    return TextReply(NL.join(lines))
