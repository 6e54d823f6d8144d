"""Signing in to the organisers' console: one-time links, signed session cookies, CSRF.

A link is `<public url>/console/login#<token>`: the token is in the fragment, which the
browser keeps to itself (no access log of the bot or a proxy sees it). The page shows a button
(link previews of chat apps open links too, and must not spend them); its script puts the token
into the form, and pressing the button spends it and sets
the session cookie: `<token>.<HMAC>`, HttpOnly, SameSite=Strict, Secure under https, until
the end of the conference day. Every request looks the session up in the database and asks
whether the person is still an organiser.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from aiohttp import web

from bot.app import Application
from bot.core.logids import who
from bot.storage.console import LOGIN_PATH
from bot.storage.state import StateStore

log = logging.getLogger(__name__)

COOKIE = "confbot_console"
SECRET_STATE = "console:cookie_key"


@dataclass
class ConsoleDeps:
    """What the console needs: the application (data, stores, clock) and where it is seen."""

    app: Application
    public_url: str
    """CONFBOT_PUBLIC_URL, without a trailing slash."""
    secret: str
    """The key that signs session cookies (shared by every process through the database)."""

    @property
    def secure(self) -> bool:
        return self.public_url.startswith("https://")


def cookie_key(state: StateStore, configured: str | None = None) -> str:
    """The signing key: configured, or a random one kept in the database (made once)."""
    if configured:
        return configured
    key = state.get(SECRET_STATE)
    if key is None:
        key = secrets.token_hex(32)
        state.set(SECRET_STATE, key)
    return key


def login_link(app: Application, public_url: str, person: str) -> str:
    """A new one-time sign-in link for an organiser (platform:id)."""
    token = app.store.console.create_login(person, app.clock.now())
    return f"{public_url.rstrip('/')}{LOGIN_PATH}{token}"


def sign(secret: str, token: str) -> str:
    mac = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    return f"{token}.{mac}"


def unsign(secret: str, value: str) -> str | None:
    token = value.rpartition(".")[0]
    if not token or not hmac.compare_digest(sign(secret, token), value):
        return None
    return token


def end_of_day(app: Application, now: datetime) -> datetime:
    """The session lasts the (conference-local) day it was opened on."""
    zone = app.conference.timezone
    local = now.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)


@dataclass(frozen=True)
class Organiser:
    """Who is signed in to this request."""

    person: str
    csrf: str
    token: str

    @property
    def platform(self) -> str:
        return self.person.partition(":")[0]

    @property
    def user_id(self) -> str:
        return self.person.partition(":")[2]


def is_organiser(app: Application, person: str) -> bool:
    platform, _, user_id = person.partition(":")
    return bool(user_id) and app.is_organiser(platform, user_id)


def signed_in(deps: ConsoleDeps, request: web.Request) -> Organiser | None:
    """The organiser of a request's session cookie, or None (no, forged, ended or expired
    session; or the person is no organiser any more)."""
    value = request.cookies.get(COOKIE)
    token = unsign(deps.secret, value) if value else None
    if token is None:
        return None
    session = deps.app.store.console.session(token, deps.app.clock.now())
    if session is None or not is_organiser(deps.app, session.person):
        return None
    return Organiser(session.person, session.csrf, token)


async def check_csrf(request: web.Request, organiser: Organiser) -> dict[str, str]:
    """The posted form, when it carries this session's CSRF token; else 403."""
    form = {key: str(value) for key, value in (await request.post()).items()}
    if not hmac.compare_digest(form.get("csrf", ""), organiser.csrf):
        log.warning("console: refused a form without a valid CSRF token")
        raise web.HTTPForbidden(text="CSRF token missing or wrong")
    return form


def start(deps: ConsoleDeps, token: str, response: web.StreamResponse) -> bool:
    """Spend a one-time token and set the session cookie on `response`; False when the token
    is unknown, used, expired or not an organiser's."""
    app = deps.app
    now = app.clock.now()
    person = app.store.console.use_login(token, now)
    if person is None or not is_organiser(app, person):
        log.warning("console: refused a sign-in link (%s)",
                    "unknown, used or expired" if person is None else "not an organiser")
        return False
    until = end_of_day(app, now)
    session, _ = app.store.console.start_session(person, now, until)
    response.set_cookie(COOKIE, sign(deps.secret, session), httponly=True, samesite="Strict",
                        secure=deps.secure, path="/",
                        max_age=max(60, int((until - now).total_seconds())))
    platform, _, user_id = person.partition(":")
    log.info("console: %s:%s signed in", platform, who(platform, user_id))
    return True


def finish(deps: ConsoleDeps, organiser: Organiser, response: web.StreamResponse) -> None:
    deps.app.store.console.end_session(organiser.token, deps.app.clock.now())
    response.del_cookie(COOKIE, path="/")
