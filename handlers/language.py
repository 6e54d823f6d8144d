"""Choosing the reply language."""

from __future__ import annotations

from markupsafe import escape

from bot.chat.router import Context, Router
from bot.core.messages import Button, TextReply
from bot.language.i18n import native_name

router = Router("language")
AUTOMATIC = ("auto", "automatic", "reset")


def language_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    return (tuple(Button(native_name(lang), f"/lang {lang}") for lang in ctx.conference.languages),)


@router.command("lang", "language", "jezyk", "mova")
@router.intent("language")
def choose_language(ctx: Context) -> TextReply:
    """Set the reply language (/lang uk), reset it (/lang auto), or offer the choice."""
    wanted = ctx.args.strip().lower()
    languages = ctx.conference.languages
    if wanted in AUTOMATIC:
        ctx.store.users.set_language(ctx.user.id, None)
        return TextReply(ctx._("I will answer in the language you write in."))
    by_name = {native_name(lang).lower(): lang for lang in languages}
    lang = wanted if wanted in languages else by_name.get(wanted)
    if lang:
        ctx.store.users.set_language(ctx.user.id, lang)
        t = ctx.catalogue[lang]
        return TextReply(escape(t.gettext("I will answer in %(language)s from now on.",
                                          language=native_name(lang))),
                         toast=f"✓ {native_name(lang)}")
    current = native_name(ctx.lang)
    if wanted:
        text = ctx._("I do not know the language “%(wanted)s”. Choose one:", wanted=wanted)
    else:
        text = ctx._("I answer in %(language)s now. Choose a language "
                     "(or /lang auto to follow the language you write in):", language=current)
    return TextReply(text, language_buttons(ctx))
