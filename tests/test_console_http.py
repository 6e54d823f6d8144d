"""The organisers' web console over real HTTP: signing in with a one-time link and every
refusal (expired, reused, forged, no CSRF token, not an organiser), and what the pages do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.app import Application
from bot.core.clock import FakeClock
from bot.core.messages import Incoming
from bot.core.plaintext import plain_text
from bot.storage import Store
from bot.storage.console import token_hash
from bot.storage.models import WebLogin
from bot.transports.console import ConsoleSession
from bot.web.console.auth import COOKIE
from tests.conftest import warsaw
from tests.console_server import ConsoleServer
from tests.helpers import start_app
from tests.test_cli import confbot

ORGANISER = "org"


@pytest.fixture
def app(loaded, database_url, clock):  # type: ignore[no-untyped-def]
    clock.set(warsaw("2023-11-30T11:30"))
    application = start_app(loaded[0], loaded[1], Store(database_url), clock,
                            organisers=frozenset({f"console:{ORGANISER}"}))
    yield application
    application.store.close()


@pytest.fixture
def server(app: Application) -> Iterator[ConsoleServer]:
    running = ConsoleServer(app).start()
    yield running
    running.stop()


def link_for(app: Application, user: str = ORGANISER, lang: str = "en") -> str:
    reply = ConsoleSession(app, user=user, client_language=lang).ask("/web")
    match = re.search(r"http://\S+/console/login#[\w-]+", reply)
    assert match, reply
    return match.group(0)


def sign_in(server: ConsoleServer, link: str, client: httpx.Client | None = None
            ) -> tuple[httpx.Client, httpx.Response]:
    client = client or httpx.Client(base_url=server.base, headers={"Accept-Language": "en"})
    page = client.get(link)                 # the fragment stays in the browser
    assert page.status_code == 200 and 'id="sign-in"' in page.text
    return client, client.post("/console/login", data={"token": token_of(link)})


def token_of(link: str) -> str:
    return link.rpartition("#")[2]


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def test_web_gives_organisers_a_one_time_link_stored_only_as_a_hash(server: ConsoleServer,
                                                                    app: Application):
    link = link_for(app)
    token = token_of(link)
    with app.store.session() as db:
        stored = db.query(WebLogin).one()
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash
    assert (stored.expires_at - stored.created_at) == timedelta(minutes=10)
    # Matrix writes commands with "!"; in a group the link is not given
    assert "/console/login#" in ConsoleSession(app, user=ORGANISER).ask("!web")
    group = app.handle(Incoming("console", ORGANISER, "room", "/web", "en", is_group=True))
    assert "private chat" in plain_text(group[0])


@pytest.mark.parametrize(("lang", "expected"), [
    ("pl", "tylko organizatorzy"), ("uk", "лише організатори"), ("en", "only the organisers")])
def test_web_refuses_others_in_their_language(app: Application, lang: str, expected: str):
    assert expected in ConsoleSession(app, user="bob", client_language=lang).ask("/web")


def test_web_when_the_console_is_off(loaded, database_url, clock):  # type: ignore[no-untyped-def]
    app = start_app(loaded[0], loaded[1], Store(database_url), clock,
                    organisers=frozenset({"console:org"}))
    try:
        assert "CONFBOT_HTTP_PORT" in ConsoleSession(app, user="org").ask("/web")
    finally:
        app.store.close()


def test_sign_in_sets_a_strict_http_only_cookie_and_shows_the_day(server: ConsoleServer,
                                                                    app: Application):
    client, response = sign_in(server, link_for(app))
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Secure" not in cookie
    # the session lasts the conference day: 11:30 -> midnight
    assert "Max-Age=45000" in cookie
    page = client.get("/console/")
    assert page.status_code == 200
    assert ">11:30<" in page.text and "demo clock" in page.text
    assert "Now and next" in page.text and "/s20" in page.text
    ConsoleSession(app, user="bob", client_language="en").ask("Is there a cloakroom?")
    stats = client.get("/console/").text.split('class="stats"')[1].split("</section>")[0]
    assert re.search(r"<b>1</b> unanswered questions", stats)
    assert re.search(r"<b>0</b> broadcasts being sent", stats)


def test_secure_cookie_under_https(app: Application):
    server = ConsoleServer(app, public_url="https://console.example.org").start()
    try:
        reply = ConsoleSession(app, user=ORGANISER).ask("/web")
        assert "https://console.example.org/console/login#" in reply
        token = re.findall(r"/console/login#([\w-]+)", reply)[0]
        _, response = sign_in(server, f"{server.base}/console/login#{token}")
        assert "Secure" in response.headers["set-cookie"]
    finally:
        server.stop()


def test_a_link_works_once(server: ConsoleServer, app: Application):
    link = link_for(app)
    _, first = sign_in(server, link)
    assert first.status_code == 303
    _, again = sign_in(server, link)
    assert again.status_code == 403 and "does not work" in again.text
    assert COOKIE not in again.headers.get("set-cookie", "")


def test_an_expired_link_is_refused(server: ConsoleServer, app: Application, clock: FakeClock):
    link = link_for(app)
    clock.advance(minutes=10, seconds=1)
    _, response = sign_in(server, link)
    assert response.status_code == 403


def test_a_forged_link_and_a_forged_cookie_are_refused(server: ConsoleServer,
                                                       app: Application):
    link = link_for(app)
    _, response = sign_in(server, link[:-4] + "AAAA")
    assert response.status_code == 403
    client, response = sign_in(server, link)
    value = client.cookies[COOKIE]
    token, mac = value.split(".")
    forged = httpx.Client(base_url=server.base, cookies={COOKIE: f"{token}.{'0' * len(mac)}"})
    assert forged.get("/console/").status_code == 401
    assert httpx.get(f"{server.base}/console/broadcasts").status_code == 401


def test_a_form_without_the_csrf_token_is_refused(server: ConsoleServer, app: Application):
    client, _ = sign_in(server, link_for(app))
    form = {"text_en": "Coffee is served", "audience": "all", "action": "send"}
    refused = client.post("/console/broadcasts", data=form)
    assert refused.status_code == 403
    assert app.store.outbox.announcements() == []
    wrong = client.post("/console/broadcasts", data={**form, "csrf": "guessed"})
    assert wrong.status_code == 403
    page = client.get("/console/broadcasts")
    sent = client.post("/console/broadcasts", data={**form, "csrf": csrf_of(page)})
    assert sent.status_code == 200 and len(app.store.outbox.announcements()) == 1


def test_a_link_made_for_someone_else_than_an_organiser_is_refused(server: ConsoleServer,
                                                                    app: Application):
    token = app.store.console.create_login("console:bob", app.clock.now())
    _, response = sign_in(server, f"{server.base}/console/login#{token}")
    assert response.status_code == 403


def test_removed_from_organisers_loses_the_session(server: ConsoleServer, app: Application):
    client, _ = sign_in(server, link_for(app))
    assert client.get("/console/").status_code == 200
    app.organisers = frozenset()
    assert client.get("/console/").status_code == 401
    app.organisers = frozenset({f"console:{ORGANISER}"})
    assert client.get("/console/").status_code == 200


def test_signing_out_ends_the_session(server: ConsoleServer, app: Application):
    client, _ = sign_in(server, link_for(app))
    cookie = client.cookies[COOKIE]
    page = client.get("/console/")
    bye = client.post("/console/logout", data={"csrf": csrf_of(page)})
    assert bye.status_code == 200 and "signed out" in bye.text
    replay = httpx.Client(base_url=server.base, cookies={COOKIE: cookie})
    assert replay.get("/console/").status_code == 401


def test_pages_follow_the_browser_language_and_the_switch(server: ConsoleServer,
                                                          app: Application):
    client, _ = sign_in(server, link_for(app))
    assert "Teraz" in client.get("/console/", headers={"Accept-Language": "pl-PL"}).text
    assert "Зараз" in client.get("/console/?lang=uk").text
    assert "Зараз" in client.get("/console/", headers={"Accept-Language": "en"}).text


def test_broadcast_preview_per_language_as_the_bot_sends_it(server: ConsoleServer,
                                                            app: Application):
    for name, lang in (("ala", "pl"), ("olena", "uk"), ("bob", "en")):
        ConsoleSession(app, user=name, client_language=lang).ask("/now")
    client, _ = sign_in(server, link_for(app))
    page = client.get("/console/broadcasts")
    preview = client.post("/console/broadcasts", data={
        "csrf": csrf_of(page), "text_pl": "Kawa czeka", "text_en": "Coffee is waiting",
        "audience": "all", "action": "preview"})
    text = preview.text
    assert "Od organizatorów" in text and "Kawa czeka" in text
    assert "Від організаторів" in text and "Доступно лише мовою: Polski" in text
    assert "From the organisers" in text and "Coffee is waiting" in text
    assert "Send it to 4 people" in text   # three people and the organiser
    assert app.store.outbox.announcements() == []


def test_answer_this_makes_the_bot_answer_and_the_group_leaves(server: ConsoleServer,
                                                               app: Application,
                                                               database_url: str, loaded):
    question = "Is there a cloakroom?"
    for asked in ("Is there any cloakroom", question, question):  # a fact nobody gave yet
        assert "have not announced" in ConsoleSession(app, user="bob", client_language="en"
                                                      ).ask(asked)
    client, _ = sign_in(server, link_for(app))
    page = client.get("/console/unanswered")
    assert "3×" in page.text and question in page.text and "Answer this" in page.text
    answer = re.search(r'href="(/console/unanswered/answer\?[^"]+)"', page.text)
    assert answer
    form = client.get(answer.group(1).replace("&amp;", "&"))
    assert 'id="keywords" rows="2">Is there a cloakroom?, Is there any cloakroom<' in form.text
    fields = {"csrf": csrf_of(form), "question": question,
              "keywords": "cloakroom, coats, гардероб, szatnia",
              "title_pl": "Szatnia", "body_pl": "Szatnia jest na parterze.",
              "title_uk": "Гардероб", "body_uk": "Гардероб на першому поверсі.",
              "title_en": "Cloakroom", "body_en": "The cloakroom is on the ground floor."}
    missing = client.post("/console/unanswered/answer", data={**fields, "body_uk": ""})
    assert "in every language" in missing.text and app.store.console.topics() == []
    saved = client.post("/console/unanswered/answer", data=fields)
    assert saved.status_code == 303
    page = client.get("/console/unanswered")
    assert question not in page.text.split("Answers added here")[0]
    asked = client.post("/console/unanswered", data={"csrf": csrf_of(page),
                                                     "question": question})
    assert "The cloakroom is on the ground floor." in asked.text
    assert "Гардероб на першому поверсі." in ConsoleSession(
        app, user="olena", client_language="uk").ask("де гардероб?")
    # another process on the same database serves it at its next look at the version
    other = start_app(loaded[0], loaded[1], Store(database_url), app.clock)
    try:
        assert "ground floor" in ConsoleSession(other, user="x", client_language="en"
                                                ).ask(question)
    finally:
        other.store.close()
    exported = client.get("/console/topics.yaml").text
    assert "id: cloakroom" in exported and "The cloakroom is on the ground floor." in exported


def test_programme_edit_previews_and_applies_as_edit_does(server: ConsoleServer,
                                                          app: Application):
    client, _ = sign_in(server, link_for(app))
    page = client.get("/console/programme")
    bad = client.post("/console/programme", data={"csrf": csrf_of(page), "command": "s999 cancel"})
    assert "There is no session s999." in bad.text
    preview = client.post("/console/programme", data={
        "csrf": csrf_of(page), "session": "s23", "operation": "time", "value": "13:00",
        "action": "preview"})
    assert "Time:" in preview.text and "13:00" in preview.text and 'id="edit-apply"' in preview.text
    assert app.store.edits.all() == []
    applied = client.post("/console/programme", data={"csrf": csrf_of(page), "action": "send",
                                                       "command": "s23 time 13:00"})
    assert "is changed for everyone" in applied.text
    assert [(e.session_id, e.aspect) for e in app.store.edits.all()] == [("s23", "time")]
    assert "console:org" in applied.text.split("Changes in force")[1]
    page = client.get("/console/programme")
    client.post("/console/programme", data={"csrf": csrf_of(page), "command": "s23 undo"})
    undone = client.post("/console/programme", data={"csrf": csrf_of(page), "action": "send"})
    assert app.store.edits.all() == []
    history = undone.text.split(">History<")[1]
    assert history.index("taken back") < history.index("13:00")      # the latest first
    assert history.count("console:org") == 2


# --- Q&A, the wall, feedback: real questions, votes and ratings, given in chat ---------------

def say(app: Application, user: str, text: str, lang: str = "en") -> str:
    return ConsoleSession(app, user=user, client_language=lang).ask(text)


def question_id(answer: str) -> int:
    found = re.search(r"\bq(\d+)\b", answer)
    assert found, answer
    return int(found.group(1))


def moderate(client: httpx.Client, page: httpx.Response, question: int, action: str
             ) -> httpx.Response:
    return client.post("/console/qa?session=s20", data={
        "csrf": csrf_of(page), "question": str(question), "action": action})


def buttons_of(page: httpx.Response, question: int) -> list[str]:
    row = page.text.split(f'data-id="{question}"')[1].split("</tr>")[0]
    return re.findall(r'name="action" value="(\w+)"', row)


def test_moderation_and_the_wall(server: ConsoleServer, app: Application):
    fund = "How do you fund a community centre?"
    start = "Jak zacząć?"
    first = question_id(say(app, "ala", f"/ask s20 {fund}"))
    second = question_id(say(app, "ola", f"/ask s20 {start}", "pl"))
    third = question_id(say(app, "cyd", "/ask s20 Is it recorded?"))
    say(app, "cyd", "/ask s21 Spam spam")
    client, _ = sign_in(server, link_for(app))
    page = client.get("/console/qa", params={"session": "s20"})
    assert "/s20 · 3" in page.text and "/s21 · 1" in page.text
    assert page.text.count('class="question status-pending"') == 3
    # the buttons offered are the moves /approve, /reject and /answered allow
    assert buttons_of(page, first) == ["approve", "reject"]
    wall = re.search(r'href="(/wall/s20\?key=\w+)"', page.text)
    assert wall
    anonymous = httpx.Client(base_url=server.base, headers={"Accept-Language": "en"})
    shown = anonymous.get(wall.group(1))
    assert shown.status_code == 200 and "No questions yet." in shown.text
    hint = shown.text.split('class="hint">')[1].split("</span>")[0]
    assert "/ask s20" in hint and "/questions s20" in hint
    assert anonymous.get("/wall/s20").status_code == 403
    assert anonymous.get("/wall/s20?key=" + "0" * 32).status_code == 403
    assert anonymous.get(wall.group(1).replace("s20", "s21")).status_code == 403
    refused = client.post("/console/qa?session=s20", data={"question": first,
                                                           "action": "approve"})
    assert refused.status_code == 403
    for question in (first, second):
        moderate(client, page, question, "approve")
    # a pending question cannot be marked answered, on the page as in chat
    moderate(client, page, third, "answered")
    assert "already waiting" in say(app, ORGANISER, f"/answered q{third}")
    page = client.get("/console/qa", params={"session": "s20"})
    assert buttons_of(page, first) == ["reject", "answered"]
    assert buttons_of(page, third) == ["approve", "reject"]
    # people see what the console approved, and vote on it in chat
    listing = say(app, "bob", "/questions s20")
    assert fund in listing and start in listing and "recorded" not in listing
    assert "counts" in say(app, "bob", f"/vote q{second}")
    listed = anonymous.get(wall.group(1).replace("/wall/s20", "/wall/s20/questions.json"))
    assert listed.json()["questions"] == [{"id": second, "text": start, "votes": 1},
                                          {"id": first, "text": fund, "votes": 0}]
    wall_page = anonymous.get(wall.group(1)).text
    assert wall_page.index(start) < wall_page.index(fund)
    moderate(client, page, second, "answered")
    assert "already answered" in say(app, ORGANISER, f"/answered q{second}")
    shown = anonymous.get(wall.group(1))
    assert fund in shown.text and start not in shown.text
    assert start not in say(app, "bob", "/questions s20")


def test_feedback_and_interest_as_svg_charts(server: ConsoleServer, app: Application):
    for name in ("ala", "bob", "cyd"):
        say(app, name, "/remind s20")
    assert "Thank you" in say(app, "ala", "/rate s20 4 Very useful, thank you")
    say(app, "bob", "/rate s20 5")
    say(app, "cyd", "/rate s20 4")
    client, _ = sign_in(server, link_for(app))
    page = client.get("/console/feedback")
    assert page.status_code == 200
    card = page.text.split("/s20</small>")[1].split("</article>")[0]
    assert "3 ratings" in card and "⌀ 4.3" in card
    assert "<blockquote>Very useful, thank you</blockquote>" in card
    ratings, interest = card.split("<svg")[1:3]
    bars = dict(re.findall(r'class="label">(\d) ★</text><rect[^>]*></rect>'
                           r'<text[^>]*class="value">(\d+)</text>', ratings))
    assert bars == {"5": "1", "4": "2", "3": "0", "2": "0", "1": "0"}
    assert re.search(r'class="label">planned</text><rect[^>]*></rect>'
                     r'<text[^>]*class="value">3</text>', interest)


# --- the operator's command line ----------------------------------------------------------

@pytest.mark.slow
def test_web_login_prints_a_link_that_signs_in(database_url: str, loaded, clock):  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": database_url, "ORGANISERS": "telegram:123456",
           "CONFBOT_HTTP_PORT": "8080", "CONFBOT_PUBLIC_URL": "https://bot.example.org/"}
    printed = confbot("web-login", "telegram:123456", env=env)
    assert printed.returncode == 0, printed.stderr
    link = printed.stdout.strip()
    assert re.fullmatch(r"https://bot\.example\.org/console/login#[\w-]{40,}", link)
    assert confbot("web-login", "telegram:999", env=env).returncode == 1
    bad = confbot("web-login", "telegram:123456", env={**env, "CONFBOT_HTTP_PORT": "http"})
    assert bad.returncode == 2 and "CONFBOT_HTTP_PORT" in bad.stderr
    off = confbot("web-login", "telegram:123456", env={**env, "CONFBOT_HTTP_PORT": ""})
    assert off.returncode == 2 and "CONFBOT_HTTP_PORT" in off.stderr
    app = start_app(loaded[0], loaded[1], Store(database_url), FakeClock(datetime.now(UTC)),
                    organisers=frozenset({"telegram:123456"}))
    server = ConsoleServer(app).start()
    try:
        _, response = sign_in(server, f"{server.base}/console/login#{token_of(link)}")
        assert response.status_code == 303
    finally:
        server.stop()
        app.store.close()


def test_any_process_serves_the_pages(server: ConsoleServer, app: Application, loaded,  # type: ignore[no-untyped-def]
                                      database_url: str):
    """A second process on the same database knows the session (and its cookie key) and
    shows a broadcast the first one queued."""
    client, _ = sign_in(server, link_for(app))
    page = client.get("/console/broadcasts")
    client.post("/console/broadcasts", data={"csrf": csrf_of(page), "text_en": "Doors open",
                                             "audience": "all", "action": "send"})
    other = start_app(loaded[0], loaded[1], Store(database_url), app.clock,
                      organisers=frozenset({f"console:{ORGANISER}"}))
    second = ConsoleServer(other).start()
    try:
        assert second.deps.secret == server.deps.secret
        there = httpx.Client(base_url=second.base, cookies={COOKIE: client.cookies[COOKIE]},
                             headers={"Accept-Language": "en"})
        shown = there.get("/console/broadcasts")
        assert shown.status_code == 200 and 'class="card broadcast" data-id="1"' in shown.text
    finally:
        second.stop()
        other.store.close()
