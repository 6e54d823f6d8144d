"""Moderating the questions to a session: the organisers and the accounts the data lists
among the session's `moderators:` approve or reject each question (/approve q7, /reject q7,
or buttons) and the chair marks the top one answered (/answered q7). A new question waiting
for a decision is pushed to the session's moderators who have talked to the bot.

Who moderates is the role `MODERATOR`, granted here once through the router: its check finds
the session the command names (`/full s4`, or the question's session for `/approve q7`);
routes declare `role=MODERATOR` and the dispatcher refuses everyone else with its one message.
"""

from __future__ import annotations

import logging
import re

from markupsafe import Markup

from bot.chat.router import ORGANISER, Context, Router
from bot.chat.speaker import Speaker
from bot.chat.views import NL, language_name, tr
from bot.core.messages import Button, TextReply
from bot.delivery.sender import encode
from bot.programme.model import Session
from bot.storage import MessageKind
from bot.storage.questions import MODERATION, QuestionRecord, QuestionStatus

log = logging.getLogger(__name__)
router = Router("moderation")
_QUESTION_ID = re.compile(r"^/?q(\d+)$", re.IGNORECASE)
MODERATOR = "moderator"
"""The role of organisers and of the accounts a session lists in `moderators:`, for that
session."""


def moderates(ctx: Context, session: Session) -> bool:
    """The sender is an organiser, or one of the accounts the data lists as the session's
    moderators."""
    return ctx.may(ORGANISER) or (
        f"{ctx.incoming.platform}:{ctx.incoming.user_id}" in session.accounts)


def named_session(ctx: Context) -> Session | None:
    """The session a command's argument names: a session (s4, /s4) or a question's (q7)."""
    argument = ctx.args.strip().lower()
    found = _QUESTION_ID.match(argument)
    if found:
        question = ctx.store.questions.get(int(found.group(1)))
        return ctx.conference.sessions.get(question.session_id) if question else None
    return ctx.conference.sessions.get(argument.lstrip("/")) if argument else None


def is_moderator(ctx: Context) -> bool:
    """The check of the MODERATOR role: organisers always; others for the session named."""
    if ctx.may(ORGANISER):
        return True
    session = named_session(ctx)
    return session is not None and moderates(ctx, session)


router.grant(MODERATOR, is_moderator)


def question_text(ctx: Speaker, question: QuestionRecord) -> Markup:
    language = (Markup(" [%s]") % language_name(ctx, question.lang)) if question.lang else ""
    return Markup("<b>q%s</b>%s: %s") % (question.id, language, question.text)


def pending_message(ctx: Speaker, question: QuestionRecord) -> TextReply:
    return TextReply(question_text(ctx, question),
                     ((Button(ctx.t.gettext("Approve"), f"/approve q{question.id}"),
                       Button(ctx.t.gettext("Reject"), f"/reject q{question.id}")),),
                     reactions={"👍": f"/approve q{question.id}"})


def question_named(ctx: Context) -> QuestionRecord | TextReply:
    found = _QUESTION_ID.match(ctx.args.strip())
    question = ctx.store.questions.get(int(found.group(1))) if found else None
    if question is None:
        return TextReply(ctx._("There is no such question. Give its number, e.g. q7; see "
                               "/questions."))
    return question


# --- moderation -------------------------------------------------------------------------------

def _decide(ctx: Context, action: str) -> TextReply:
    question = question_named(ctx)
    if isinstance(question, TextReply):
        return question
    if not ctx.store.questions.moderate(question.id, action, ctx.now):
        return TextReply(ctx._("q%(number)s is already %(state)s.", number=question.id,
                               state=_state_name(ctx, question.status)))
    done = {QuestionStatus.APPROVED: ctx._("q%(number)s is approved and on the list.",
                                           number=question.id),
            QuestionStatus.REJECTED: ctx._("q%(number)s is rejected; nobody else sees it.",
                                           number=question.id),
            QuestionStatus.ANSWERED: ctx._("q%(number)s is answered and leaves the list.",
                                           number=question.id)}[MODERATION[action][0]]
    return TextReply(done, ((Button(ctx.t.gettext("Questions"),
                                    f"/questions {question.session_id}"),),))


def _state_name(ctx: Context, status: QuestionStatus) -> str:
    return {QuestionStatus.PENDING: ctx.t.gettext("waiting"),
            QuestionStatus.APPROVED: ctx.t.gettext("approved"),
            QuestionStatus.REJECTED: ctx.t.gettext("rejected"),
            QuestionStatus.ANSWERED: ctx.t.gettext("answered")}[status]


@router.command("approve", role=MODERATOR)
def approve(ctx: Context) -> TextReply:
    return _decide(ctx, "approve")


@router.command("reject", role=MODERATOR)
def reject(ctx: Context) -> TextReply:
    return _decide(ctx, "reject")


@router.command("answered", role=MODERATOR)
def answered(ctx: Context) -> TextReply:
    return _decide(ctx, "answered")


def tell_moderators(ctx: Context, session: Session, question: QuestionRecord) -> int:
    """Push a question waiting for a decision to the session's moderators (the accounts in
    `moderators:` the bot knows); how many were told."""
    told = 0
    for account in session.accounts:
        platform, _, external_id = account.partition(":")
        moderator = ctx.store.users.known(platform, external_id)
        if moderator is None or not moderator.chat_id or not moderator.active:
            continue
        speaker = ctx.services.speaker_for(moderator)
        reply = pending_message(speaker, question)
        intro = speaker._("New question to %(title)s /%(id)s:", title=tr(speaker, session.title),
                          id=session.id)
        reply = TextReply(intro + NL + Markup(reply.html), reply.buttons)
        if ctx.store.outbox.enqueue(dedupe_key=f"question:{question.id}:{moderator.id}",
                                    kind=MessageKind.QUESTION, platform=moderator.platform,
                                    chat_id=moderator.chat_id, user_id=moderator.id,
                                    payload=encode([reply]), now=ctx.now,
                                    expires_at=session.span[1]):
            told += 1
    if told:
        ctx.services.notify_queued()
        log.info("question q%d to %s: %d moderator(s) told", question.id, session.id, told)
    return told
