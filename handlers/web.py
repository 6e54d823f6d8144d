"""/web (also !web): an organiser's one-time link to the web console, in a private chat."""

from __future__ import annotations

from markupsafe import Markup

from bot.chat.router import Context, Router
from bot.chat.views import NL
from bot.core.messages import TextReply
from bot.storage.console import LOGIN_PATH

router = Router("web")


@router.command("web", "konsola", organisers_only=True)
def web(ctx: Context) -> TextReply:
    """A one-time sign-in link to the organisers' web console (organisers, private chat)."""
    platform, user_id = ctx.incoming.platform, ctx.incoming.user_id
    if ctx.incoming.is_group:
        return TextReply(ctx._("Ask me for the console link in a private chat: it signs in "
                               "whoever opens it."))
    base = ctx.services.console_url
    if not base:
        return TextReply(ctx._("The web console is not turned on (CONFBOT_HTTP_PORT and "
                               "CONFBOT_PUBLIC_URL)."))
    token = ctx.store.console.create_login(f"{platform}:{user_id}", ctx.now)
    link = f"{base.rstrip('/')}{LOGIN_PATH}{token}"
    return TextReply(NL.join([
        ctx._("Your link to the organisers' console (it works once, for 10 minutes):"),
        Markup('<a href="%s">%s</a>') % (link, link),
        ctx._("Do not forward it: it signs in whoever opens it.")]))
