"""Questions to a session (Q&A): asking (also in free text), the list, votes.

Questions are anonymous to everyone but the organisers and the session's moderators, who
decide on them (handlers/moderation.py).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from markupsafe import Markup

from bot.chat.router import Context, Router
from bot.chat.views import NL, session_line, session_lines, tr
from bot.core.messages import Button, Reply, TextReply
from bot.delivery.feedback_prompts import NOT_RATED
from bot.language.textmatch import word_matches, words
from bot.programme.model import Session
from bot.storage.questions import QuestionRecord, QuestionStatus
from handlers.moderation import (
    moderates,
    pending_message,
    question_named,
    question_text,
    tell_moderators,
)

router = Router("qa")

MAX_QUESTIONS = 3
"""Per person and session."""
MAX_LENGTH = 500
OPENS_BEFORE = timedelta(minutes=30)
NOT_FOR = NOT_RATED
"""Kinds of session nobody asks questions to (nor rates)."""
SHOWN = 10
"""Questions shown by /questions, one message each (so that a reaction names one)."""
WAITING = timedelta(minutes=10)
"""How long the bot takes the next message as the question after /ask s20 without text."""

_FREE_FORM = re.compile(r"^\s*(?P<head>[^:\n—–]{3,100}?)\s*(?:[:—–]|\s-\s)\s*(?P<body>\S.*)$",
                        re.DOTALL)
_SESSION_ID = re.compile(r"^/?(s\d+)$", re.IGNORECASE)


def takes_questions(session: Session) -> bool:
    return session.kind not in NOT_FOR and session.times_announced and not session.cancelled


def is_open(session: Session, now: datetime) -> bool:
    """Questions open 30 minutes before a session and close when it ends."""
    start, end = session.span
    return takes_questions(session) and start - OPENS_BEFORE <= now < end


def current_sessions(ctx: Context) -> list[Session]:
    """The sessions the person is in now: from their agenda, else the only ones running
    (innermost: a panel rather than its block)."""
    now = ctx.now
    open_now = [s for s in ctx.conference.walk() if is_open(s, now)]
    chosen = set(ctx.store.subscriptions.of(ctx.user.id))
    mine = [s for s in open_now if s.id in chosen]
    if mine:
        return mine
    running = [s for s in ctx.conference.running_at(now) if takes_questions(s)]
    return running or [s for s in open_now if s.parent is None]


# --- asking ---------------------------------------------------------------------------------

@router.command("ask", "zapytaj", "pytanie", "spytaj")
def ask(ctx: Context) -> TextReply:
    """/ask s20 <question>; without a session, the one the person is in now."""
    first, _, rest = ctx.args.strip().partition(" ")
    found = _SESSION_ID.match(first)
    if found:
        session = ctx.conference.sessions.get(found.group(1).lower())
        if session is None:
            return TextReply(ctx._("There is no session /%(id)s. See /programme for the list.",
                                   id=found.group(1).lower()))
        return put_question(ctx, session, rest.strip())
    return _to_current(ctx, ctx.args.strip())


def _to_current(ctx: Context, text: str) -> TextReply:
    candidates = current_sessions(ctx)
    if len(candidates) == 1:
        return put_question(ctx, candidates[0], text)
    if not candidates:
        return TextReply(ctx._("No session takes questions now. Questions open 30 minutes before "
                               "a session and close when it ends; write /ask s20 and your "
                               "question."))
    if text:  # kept for the button that names the session
        ctx.store.state.set(_waiting_key(ctx), json.dumps(
            {"text": text, "until": (ctx.now + WAITING).isoformat()}))
    return TextReply(NL.join([ctx._("Which session is your question for? Write /ask and its "
                                    "number before the question, e.g. /ask %(id)s …",
                                    id=candidates[0].id),
                              session_lines(ctx, candidates)]),
                     tuple((Button(s.title[ctx.lang][:50], f"/ask {s.id}"),)
                           for s in candidates[:4]))


def put_question(ctx: Context, session: Session, text: str) -> TextReply:
    """Check the limits and keep the question (approved at once where `qa: open`)."""
    if not takes_questions(session):
        return TextReply(ctx._("/%(id)s does not take questions.", id=session.id))
    start, end = session.span
    if ctx.now < start - OPENS_BEFORE:
        return TextReply(ctx._("Questions to /%(id)s open 30 minutes before it starts, at "
                               "%(time)s.", id=session.id, time=ctx.t.time(start - OPENS_BEFORE)))
    if ctx.now >= end:
        return TextReply(ctx._("/%(id)s has ended; it takes no more questions.", id=session.id))
    if not text:
        text = _waiting(ctx).get("text", "")
    if not text:
        ctx.store.state.set(_waiting_key(ctx), json.dumps(
            {"session": session.id, "until": (ctx.now + WAITING).isoformat()}))
        return TextReply(ctx._("Write your question to %(title)s /%(id)s in your next message "
                               "(at most 500 characters). It is anonymous.",
                               title=tr(ctx, session.title), id=session.id))
    if len(text) > MAX_LENGTH:
        return TextReply(ctx._("Your question is %(length)s characters long; please keep it "
                               "within 500.", length=len(text)))
    if ctx.store.questions.count_by(ctx.user.id, session.id) >= MAX_QUESTIONS:
        return TextReply(ctx._("You have already put 3 questions to /%(id)s, the most one "
                               "person may.", id=session.id))
    question = ctx.store.questions.ask(session.id, ctx.user.id, text, ctx.lang, ctx.now,
                                       approved=session.qa_open)
    if question.status is QuestionStatus.PENDING:
        tell_moderators(ctx, session, question)
    if question.status is QuestionStatus.APPROVED:
        reply = ctx._("Your question q%(number)s to /%(id)s is on the list. Others can vote "
                      "for it: /questions %(id)s", number=question.id, id=session.id)
    else:
        reply = ctx._("Thank you. Your question q%(number)s to /%(id)s goes to the moderators "
                      "first; it is anonymous.", number=question.id, id=session.id)
    return TextReply(reply, ((Button(ctx.t.gettext("Questions"), f"/questions {session.id}"),),))


def _waiting_key(ctx: Context) -> str:
    return f"ask:{ctx.user.id}"


def _waiting(ctx: Context) -> dict[str, str]:
    """What /ask left waiting (a session to write to, or a question without its session),
    taken once; {} when nothing or when it has expired."""
    stored = ctx.store.state.get(_waiting_key(ctx))
    if stored is None:
        return {}
    ctx.store.state.delete(_waiting_key(ctx))
    waiting: dict[str, str] = json.loads(stored)
    return waiting if datetime.fromisoformat(waiting["until"]) >= ctx.now else {}


@router.conversation()
def waiting_question(ctx: Context) -> TextReply | None:
    """The message after /ask s20 (without a question) is the question."""
    if ctx.store.state.get(_waiting_key(ctx)) is None:
        return None
    session = ctx.conference.sessions.get(_waiting(ctx).get("session", ""))
    if session is None:
        return None
    return put_question(ctx, session, ctx.incoming.text.strip())


@router.conversation()
def free_form(ctx: Context) -> TextReply | None:
    """"pytanie do panelu …: …", "question for s20: …", "питання до …: …": a head naming a
    question and a session, a separator, then the question."""
    found = _FREE_FORM.match(ctx.incoming.text)
    if found is None:
        return None
    head = words(found.group("head"))
    if not 2 <= len(head) <= 12 or not any(
            word_matches(word, head[0]) for word in ctx.understanding.lexicon.question_words):
        return None  # "question: …" alone names no session: an ordinary question to the bot
    body = found.group("body").strip()
    reference = " ".join(head[1:])
    session_ids = [w for w in head[1:] if _SESSION_ID.match(w)]
    if session_ids:
        session = ctx.conference.sessions.get(session_ids[0].lower())
        if session is not None:
            return put_question(ctx, session, body)
    now = ctx.now
    named = ctx.understanding.search(reference, limit=8, keep=0.6) if reference else []
    found_sessions = [s for s in named if takes_questions(s)]
    if named and not found_sessions:
        return None  # "question about lunch: when?" asks the bot, not a session
    open_now = [s for s in found_sessions if is_open(s, now)]
    if len(open_now) == 1:
        return put_question(ctx, open_now[0], body)
    if not open_now and len(found_sessions) == 1:
        return put_question(ctx, found_sessions[0], body)
    return _to_current(ctx, body)


# --- reading and voting ---------------------------------------------------------------------

@router.command("questions", "pytania")
def questions(ctx: Context) -> list[Reply]:
    """The approved questions of a session, the most voted first; moderators see the waiting
    ones too, with buttons to decide."""
    argument = ctx.args.strip()
    found = _SESSION_ID.match(argument)
    if found:
        session = ctx.conference.sessions.get(found.group(1).lower())
        if session is None:
            return [TextReply(ctx._("There is no session /%(id)s. See /programme for the list.",
                                    id=found.group(1).lower()))]
    else:
        candidates = current_sessions(ctx)
        if len(candidates) != 1:
            return [TextReply(ctx._("Which session? Write /questions s20."),
                              tuple((Button(s.title[ctx.lang][:50], f"/questions {s.id}"),)
                                    for s in candidates[:4]))]
        session = candidates[0]
    moderator = moderates(ctx, session)
    approved = ctx.store.questions.of_session(session.id)
    mine = ctx.store.questions.voted_by(ctx.user.id)
    replies: list[Reply] = [TextReply(NL.join([
        ctx._("<b>Questions to</b> %(line)s", line=session_line(ctx, session, show_day=True)),
        ctx.ngettext("%(num)d question, the most voted first.",
                     "%(num)d questions, the most voted first.", len(approved))
        if approved else ctx._("No questions on the list yet. Ask one: /ask %(id)s …",
                               id=session.id)]))]
    for rank, question in enumerate(approved[:SHOWN]):
        replies.append(_question_message(ctx, question, voted=question.id in mine,
                                         chair=moderator and rank == 0))
    if moderator:
        waiting = ctx.store.questions.of_session(session.id, (QuestionStatus.PENDING,))
        if waiting:
            replies.append(TextReply(ctx.ngettext("%(num)d question waits for your decision:",
                                                  "%(num)d questions wait for your decision:",
                                                  len(waiting))))
            replies.extend(pending_message(ctx, q) for q in waiting[:SHOWN])
    return replies


def _question_message(ctx: Context, question: QuestionRecord, *, voted: bool,
                      chair: bool) -> TextReply:
    line = question_text(ctx, question) + Markup(" — ") + ctx.ngettext(
        "%(num)d vote", "%(num)d votes", question.votes)
    buttons = [Button(ctx.t.gettext("Take my vote back") if voted else "👍",
                      f"/unvote q{question.id}" if voted else f"/vote q{question.id}")]
    if chair:
        line = ctx._("Top question:") + Markup(" ") + line
        buttons.append(Button(ctx.t.gettext("Answered"), f"/answered q{question.id}"))
    return TextReply(line, (tuple(buttons),), reactions={"👍": f"/vote q{question.id}"})


@router.command("vote", "glos", "głos")
def vote(ctx: Context) -> TextReply:
    """Vote once for a question (/vote q7); /unvote takes the vote back."""
    question = question_named(ctx)
    if isinstance(question, TextReply):
        return question
    if question.status is not QuestionStatus.APPROVED:
        return TextReply(ctx._("q%(number)s is not on the list, so it takes no votes.",
                               number=question.id))
    if not ctx.store.questions.vote(question.id, ctx.user.id, ctx.now):
        return TextReply(ctx._("You have already voted for q%(number)s.", number=question.id),
                         ((Button(ctx.t.gettext("Take my vote back"),
                                  f"/unvote q{question.id}"),),))
    return TextReply(ctx._("Your vote for q%(number)s counts.", number=question.id),
                     ((Button(ctx.t.gettext("Take my vote back"), f"/unvote q{question.id}"),
                       Button(ctx.t.gettext("Questions"), f"/questions {question.session_id}")),))


@router.command("unvote")
def unvote(ctx: Context) -> TextReply:
    question = question_named(ctx)
    if isinstance(question, TextReply):
        return question
    if ctx.store.questions.unvote(question.id, ctx.user.id):
        return TextReply(ctx._("Your vote for q%(number)s is taken back.", number=question.id))
    return TextReply(ctx._("You had not voted for q%(number)s.", number=question.id))


