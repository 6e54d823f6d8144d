"""The console's HTTP routes: sign-in and out, Now, Broadcasts, Unanswered, Programme."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta
from typing import Any

from aiohttp import web

from bot.delivery.broadcasts import Draft, announcement_text, parse_audience, queue, recipients
from bot.programme.info_topics import export_topics_yaml, topic_id
from bot.programme.live_edit_export import export_yaml
from bot.programme.model import InfoTopic
from bot.storage import AnnouncementStatus
from bot.storage.console import LOGIN_PATH, TopicRecord
from bot.web.console import auth, views
from bot.web.console.auth import ConsoleDeps, Organiser
from bot.web.console.participation_routes import participation_routes
from bot.web.console.render import HERE, page_language, render

Page = Callable[[web.Request, Organiser], Awaitable[web.StreamResponse]]
PREFIX = "/console"
SHOWN_GROUPS = 100
"""The most recent groups of unanswered questions on the page (older ones: confbot unanswered)."""


def console_routes(deps: ConsoleDeps) -> list[web.AbstractRouteDef]:
    """Every route of the console, for the bot's one HTTP server to mount."""
    app = deps.app

    def page(handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """Only for a signed-in organiser; anyone else is sent to sign in."""
        async def guarded(request: web.Request) -> web.StreamResponse:
            organiser = auth.signed_in(deps, request)
            if organiser is None:
                return render(app, request, "signed_out.html", status=401)
            return await handler(request, organiser)
        return guarded

    def show(request: web.Request, organiser: Organiser, template: str,
             **values: Any) -> web.Response:
        return render(app, request, template, organiser=organiser, csrf=organiser.csrf,
                      demo=views.is_demo(app), now=app.clock.now(), **values)

    async def login_page(request: web.Request) -> web.Response:
        return render(app, request, "login.html")

    async def login(request: web.Request) -> web.StreamResponse:
        token = str((await request.post()).get("token", ""))
        response = _see_other(f"{PREFIX}/")
        if not auth.start(deps, token, response):
            return render(app, request, "login_refused.html", status=403)
        return response

    async def logout(request: web.Request, organiser: Organiser) -> web.StreamResponse:
        await auth.check_csrf(request, organiser)
        response = render(app, request, "signed_out.html", bye=True)
        auth.finish(deps, organiser, response)
        return response

    async def now_page(request: web.Request, organiser: Organiser) -> web.StreamResponse:
        now = app.clock.now()
        sending = [views.progress(app, a)
                   for a in app.store.outbox.announcements(AnnouncementStatus.QUEUED)]
        return show(request, organiser, "now.html", venues=views.venues_now(app, now),
                    zone=app.conference.timezone, sending=sending,
                    unanswered=len(app.store.unanswered.groups(now - timedelta(hours=24))),
                    edits=len(app.store.edits.all()))

    async def broadcasts(request: web.Request, organiser: Organiser) -> web.StreamResponse:
        values: dict[str, object] = {"texts": {}, "audience": "all"}
        if request.method == "POST":
            form = await auth.check_csrf(request, organiser)
            values.update(_compose(form, organiser))
        latest = app.store.outbox.announcements()[-20:][::-1]
        return show(request, organiser, "broadcasts.html",
                    progress=[views.progress(app, a) for a in latest], **values)

    def _compose(form: dict[str, str], organiser: Organiser) -> dict[str, object]:
        conference = app.conference
        texts = {lang: form.get(f"text_{lang}", "").strip() for lang in conference.languages}
        texts = {lang: text for lang, text in texts.items() if text}
        chosen = form.get("audience", "all")
        audience = parse_audience(conference, chosen)
        values: dict[str, object] = {"texts": texts, "audience": chosen}
        if not texts:
            return {**values, "problem": "empty"}
        if audience is None:
            return {**values, "problem": "audience"}
        source = next(lang for lang in conference.languages if lang in texts)
        draft = Draft(texts, source, audience)
        if form.get("action") == "send":
            author = app.store.users.known(organiser.platform, organiser.user_id)
            announcement_id, count = queue(   # the delivery report goes to their private chat
                app, draft, author_platform=organiser.platform,
                author_chat=author.chat_id if author else None,
                author_user_id=author.id if author else None)
            return {"sent": (announcement_id, count), "texts": {}, "audience": "all"}
        readers = [lang for _, lang in recipients(app, audience)]
        previews = [(lang, readers.count(lang), announcement_text(app.catalogue, draft, lang))
                    for lang in conference.languages]
        return {**values, "previews": [(lang, n, views.reply_html(reply))
                                       for lang, n, reply in previews],
                "reach": len(readers)}

    async def progress_json(request: web.Request, organiser: Organiser) -> web.Response:
        wanted = {int(x) for x in request.query.get("ids", "").split(",") if x.isdigit()}
        data = {}
        for announcement in app.store.outbox.announcements():
            if announcement.id in wanted:
                p = views.progress(app, announcement)
                data[announcement.id] = {"counts": p.counts, "total": p.total,
                                         "percent": p.percent, "failures": p.failures}
        return web.json_response(data, headers={"Cache-Control": "no-store"})

    async def unanswered(request: web.Request, organiser: Organiser) -> web.StreamResponse:
        answers = None
        asked = ""
        if request.method == "POST":
            form = await auth.check_csrf(request, organiser)
            asked = form.get("question", "").strip()[:500]
            if asked:
                answers = views.ask(app, organiser.platform, organiser.user_id, asked,
                                    page_language(app, request))
        now = app.clock.now()
        groups = [g for g in app.store.unanswered.groups()[:SHOWN_GROUPS]
                  if not _answered(app.understanding.interpret(g.text, now).topic)]
        return show(request, organiser, "unanswered.html", groups=groups,
                    topics=app.store.console.topics(), answers=answers, asked=asked)

    async def answer(request: web.Request, organiser: Organiser) -> web.StreamResponse:
        question = request.query.get("q", "")
        if request.method == "POST":
            form = await auth.check_csrf(request, organiser)
            languages = app.conference.languages
            title = {lang: form.get(f"title_{lang}", "").strip() for lang in languages}
            body = {lang: form.get(f"body_{lang}", "").strip() for lang in languages}
            phrases = [p.strip() for p in form.get("keywords", "").replace("\n", ",").split(",")
                       if p.strip()]
            if all(title.values()) and all(body.values()) and phrases:
                taken = {t.id for t in app.data_conference.info} | {
                    t.topic_id for t in app.store.console.topics()}
                app.store.console.put_topic(TopicRecord(
                    topic_id(title.get("en") or next(iter(title.values())), taken), title,
                    body, dict.fromkeys(languages, phrases), organiser.person,
                    app.clock.now().astimezone(UTC)))
                app.refresh_overlay()
                return _see_other(f"{PREFIX}/unanswered")
            return show(request, organiser, "answer.html", question=form.get("question", ""),
                        title=title, body=body, keywords=form.get("keywords", ""),
                        problem=True)
        wordings = [question, *request.query.getall("v", [])]
        return show(request, organiser, "answer.html", question=question, title={}, body={},
                    keywords=", ".join(w.replace(",", " ") for w in wordings if w),
                    problem=False)

    async def topics_yaml(request: web.Request, organiser: Organiser) -> web.Response:
        return web.Response(text=export_topics_yaml(app.store.console.topics()),
                            content_type="text/yaml", charset="utf-8")

    async def programme(request: web.Request, organiser: Organiser) -> web.StreamResponse:
        replies = None
        command = ""
        if request.method == "POST":
            form = await auth.check_csrf(request, organiser)
            action = form.get("action", "preview")
            command = (form.get("command", "").strip()
                       or " ".join(form.get(name, "").strip()
                                   for name in ("session", "operation", "value")).strip())[:300]
            text = {"send": "/send", "cancel": "/cancel"}.get(action, f"/edit {command}")
            replies = views.ask(app, organiser.platform, organiser.user_id, text,
                                page_language(app, request))
        edits = app.store.edits.all()
        return show(request, organiser, "programme.html", edits=edits, replies=replies,
                    history=app.store.edits.history(),
                    command=command, sessions=app.conference.sessions,
                    skipped=app.skipped_edits)

    async def edits_yaml(request: web.Request, organiser: Organiser) -> web.Response:
        return web.Response(text=export_yaml(app.data_conference, app.store.edits.all()),
                            content_type="text/yaml", charset="utf-8")

    async def clock_json(request: web.Request, organiser: Organiser) -> web.Response:
        return web.json_response({"now": app.clock.now().isoformat()},
                                 headers={"Cache-Control": "no-store"})

    return [
        *participation_routes(deps, page, show, PREFIX),
        web.get(LOGIN_PATH.rstrip("#"), login_page),
        web.post(f"{PREFIX}/login", login),
        web.post(f"{PREFIX}/logout", page(logout)),
        web.get(f"{PREFIX}/", page(now_page)),
        web.get(f"{PREFIX}/clock.json", page(clock_json)),
        web.get(f"{PREFIX}/broadcasts", page(broadcasts)),
        web.post(f"{PREFIX}/broadcasts", page(broadcasts)),
        web.get(f"{PREFIX}/broadcasts/progress.json", page(progress_json)),
        web.get(f"{PREFIX}/unanswered", page(unanswered)),
        web.post(f"{PREFIX}/unanswered", page(unanswered)),
        web.get(f"{PREFIX}/unanswered/answer", page(answer)),
        web.post(f"{PREFIX}/unanswered/answer", page(answer)),
        web.get(f"{PREFIX}/topics.yaml", page(topics_yaml)),
        web.get(f"{PREFIX}/programme", page(programme)),
        web.post(f"{PREFIX}/programme", page(programme)),
        web.get(f"{PREFIX}/edits.yaml", page(edits_yaml)),
        web.static(f"{PREFIX}/static", HERE / "static"),
    ]


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _answered(topic: InfoTopic | None) -> bool:
    """The bot now answers this: a topic with facts (an honest 'not announced' is no answer)."""
    return topic is not None and topic.announced


def setup_console(web_app: web.Application, deps: ConsoleDeps) -> None:
    """Mount the console on an aiohttp application (the bot's HTTP server)."""
    web_app.add_routes(console_routes(deps))


__all__ = ["console_routes", "setup_console"]
