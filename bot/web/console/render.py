"""Pages of the console: Jinja2 templates translated through the bot's Babel catalogues, in
the browser's language unless the organiser chose another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from markupsafe import Markup

from bot.app import Application
from bot.language.i18n import native_name, negotiate, primary_language

HERE = Path(__file__).parent
LANG_COOKIE = "confbot_console_lang"

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                          autoescape=True, extensions=["jinja2.ext.i18n"],
                          trim_blocks=True, lstrip_blocks=True)


def page_language(app: Application, request: web.Request) -> str:
    """?lang= (the switch), else the remembered choice, else Accept-Language."""
    languages = app.conference.languages
    chosen = request.query.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    for part in request.headers.get("Accept-Language", "").split(","):
        lang = primary_language(part.split(";")[0].strip())
        if lang in languages:
            return lang
    return negotiate(languages)


def render(app: Application, request: web.Request, template: str, *, status: int = 200,
           **values: Any) -> web.Response:
    lang = page_language(app, request)
    t = app.catalogue[lang]

    # newstyle: Jinja2 escapes and fills in the values; one render at a time (one loop)
    _env.install_gettext_callables(t.gettext, t.ngettext,  # type: ignore[attr-defined]
                                   newstyle=True)
    html = _env.get_template(template).render(
        lang=lang, languages=[(code, native_name(code)) for code in app.conference.languages],
        t=t, path=request.path, Markup=Markup, **values)
    response = web.Response(text=html, content_type="text/html", status=status)
    if request.query.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="Strict", path="/",
                            max_age=365 * 86400)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; "
        "frame-ancestors 'none'")
    return response
