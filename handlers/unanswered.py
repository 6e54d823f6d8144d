"""/unanswered: the questions the bot could not place, grouped, for organisers."""

from __future__ import annotations

from markupsafe import Markup, escape

from bot.chat.router import Context, Router
from bot.chat.views import NL
from bot.core.messages import TextReply
from bot.storage.unanswered import QuestionGroup, parse_since

router = Router("unanswered")
SHOWN = 20


@router.command("unanswered", organisers_only=True)
def unanswered(ctx: Context) -> TextReply:
    """Show organisers what people asked that the bot could not answer (/unanswered 2h)."""
    argument = ctx.args.strip()
    since = parse_since(argument) if argument else None
    if argument and since is None:
        return TextReply(ctx._("Give a time span like 30m, 2h or 1d, e.g. /unanswered 2h."))
    groups = ctx.store.unanswered.groups(ctx.now - since if since else None)
    if not groups:
        return TextReply(ctx._("No unanswered questions."))
    lines = [ctx._("<b>Questions I could not answer</b> (similar ones together, the most "
                   "recent first):")]
    lines += [_group_line(ctx, group) for group in groups[:SHOWN]]
    if len(groups) > SHOWN:
        lines.append(ctx._("… and %(more)s more groups: confbot unanswered",
                           more=len(groups) - SHOWN))
    lines.append(ctx._("Add the missing facts to data/ (info.yaml, intents.yaml)."))
    return TextReply(NL.join(lines))


def _group_line(ctx: Context, group: QuestionGroup) -> Markup:
    languages = ", ".join(f"{lang} {n}" for lang, n in sorted(group.languages.items()))
    line = Markup("• <b>%s×</b> “%s” — %s, %s") % (group.count, group.text, languages,
                                                   ctx.t.day(group.latest) + " "
                                                   + ctx.t.time(group.latest))
    for variant in group.variants:
        line += NL + Markup("   “%s”") % escape(variant)
    return line
