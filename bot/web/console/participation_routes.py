"""The console's Q&A moderation, the projector wall and the feedback and interest charts."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.storage.questions import MODERATION, may_apply
from bot.web.console import auth
from bot.web.console.auth import ConsoleDeps, Organiser
from bot.web.console.participation import bar_chart, wall_key, wall_questions
from bot.web.console.render import render

Page = Callable[[web.Request, Organiser], Awaitable[web.StreamResponse]]
Guard = Callable[[Page], Callable[[web.Request], Awaitable[web.StreamResponse]]]
Show = Callable[..., web.Response]
SHOWN = 30
"""Sessions on the feedback page: the most rated, then the most planned (?all=1: every one)."""


def participation_routes(deps: ConsoleDeps, page: Guard, show: Show,
                         prefix: str) -> list[web.AbstractRouteDef]:
    app = deps.app

    async def qa(request: web.Request, organiser: Organiser) -> web.StreamResponse:
        if request.method == "POST":
            form = await auth.check_csrf(request, organiser)
            if form.get("question", "").isdigit():
                # the rules of /approve, /reject and /answered (an organiser may moderate
                # every session)
                app.store.questions.moderate(int(form["question"]), form.get("action", ""),
                                             app.clock.now())
        counts = app.store.questions.counts()
        chosen = request.query.get("session") or next(iter(sorted(counts)), "")
        shown = app.store.questions.queue(chosen) if chosen else []
        session = app.conference.sessions.get(chosen)
        return show(request, organiser, "qa.html", counts=counts, actions=tuple(MODERATION),
                    may_apply=may_apply, chosen=chosen, session=session, questions=shown,
                    sessions=app.conference.sessions,
                    wall=f"/wall/{chosen}?key={wall_key(deps.secret, chosen)}" if chosen else "")

    def wall_session(request: web.Request) -> str:
        """The wall's session, for its read-only key or a signed-in organiser; else 403."""
        session_id = request.match_info["session"]
        if session_id not in app.conference.sessions:
            raise web.HTTPNotFound(text="no such session")
        key = request.query.get("key", "")
        if key and hmac.compare_digest(key, wall_key(deps.secret, session_id)):
            return session_id
        if auth.signed_in(deps, request) is None:
            raise web.HTTPForbidden(text="this wall needs its link (or signing in)")
        return session_id

    async def wall(request: web.Request) -> web.StreamResponse:
        session_id = wall_session(request)
        shown = wall_questions(app.store.questions, session_id)
        return render(app, request, "wall.html", session=app.conference.sessions[session_id],
                      questions=shown, key=request.query.get("key", ""))

    async def wall_json(request: web.Request) -> web.Response:
        session_id = wall_session(request)
        shown = wall_questions(app.store.questions, session_id)
        return web.json_response({"questions": shown}, headers={"Cache-Control": "no-store"})

    async def feedback(request: web.Request, organiser: Organiser) -> web.StreamResponse:
        rated = app.store.ratings.counts()
        planned = app.store.interest()
        rows: list[dict[str, Any]] = []
        ranked = sorted(set(rated) | set(planned), key=lambda s: (
            -rated.get(s, 0), -(planned[s].people if s in planned else 0), len(s), s))
        shown = ranked if request.query.get("all") else ranked[:SHOWN]
        summaries = {s.session_id: s for s in app.store.ratings.summaries(shown)}
        for session_id in shown:
            session = app.conference.sessions.get(session_id)
            if session is None:
                continue
            summary = summaries.get(session_id)
            wanted = planned.get(session_id)
            people = [("planned", wanted.people if wanted else 0),
                      ("reminders", wanted.reminded if wanted else 0)]
            if session.places:
                people.append(("places", session.places))
            rows.append({"session": session, "summary": summary,
                         "ratings": bar_chart([(f"{n} ★", summary.distribution.get(n, 0))
                                               for n in range(5, 0, -1)], label="ratings")
                         if summary else None,
                         "people": people})
        return show(request, organiser, "feedback.html", rows=rows, chart=bar_chart,
                    more=len(ranked) - len(shown))

    return [
        web.get(f"{prefix}/qa", page(qa)),
        web.post(f"{prefix}/qa", page(qa)),
        web.get("/wall/{session}", wall),
        web.get("/wall/{session}/questions.json", wall_json),
        web.get(f"{prefix}/feedback", page(feedback)),
    ]
