"""Routes declare who may use them; the router refuses everyone else with one message, logged
once with a pseudonymous id; roles beyond the organisers plug in."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

import handlers
from bot.app import Application
from bot.chat.router import Context, Router
from bot.core.messages import TextReply
from bot.storage import Store
from bot.transports.console import ConsoleSession

REFUSAL = "Sorry, only the organisers can do that."


@pytest.fixture
def app(loaded, database_url, clock):  # type: ignore[no-untyped-def]
    extra = Router("moderation")

    @extra.command("backstage", role="moderator")
    def backstage(ctx: Context) -> TextReply:
        return TextReply("backstage")

    features = replace(handlers.FEATURES, routers=(*handlers.FEATURES.routers, extra))
    application = Application(loaded[0], loaded[1], Store(database_url), clock, features,
                              organisers=frozenset({"console:org"}))
    application.dispatcher.access.grant("moderator", lambda ctx: ctx.incoming.user_id == "mod")
    yield application
    application.store.close()


def test_every_organiser_command_refuses_others_with_one_message(app: Application, caplog):
    restricted = sorted(name for name, handler in app.dispatcher.commands.items()
                        if app.dispatcher.roles.get(handler) == "organiser")
    assert {"announce", "edit", "edits", "status", "unanswered", "to", "skip"} <= set(restricted)
    stranger = ConsoleSession(app, user="mallory-the-stranger", client_language="en")
    for name in restricted:
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert stranger.ask(f"/{name}") == REFUSAL + (
                " If you are one, ask to be added to the organisers list.")
        refusals = [r for r in caplog.records if "refused" in r.getMessage()]
        assert len(refusals) == 1, name
        assert "mallory-the-stranger" not in caplog.text


def test_a_pluggable_role_lets_its_holders_in(app: Application):
    assert ConsoleSession(app, user="mod").ask("/backstage") == "backstage"
    assert REFUSAL in ConsoleSession(app, user="org", client_language="en").ask("/backstage")


def test_a_strangers_text_never_reaches_an_organisers_conversation(app: Application):
    organiser = ConsoleSession(app, user="org", client_language="en")
    organiser.ask("/announce")
    assert "version" in organiser.ask("Sala 1 is closed today.")
    stranger = ConsoleSession(app, user="mallory", client_language="en")
    assert "version" not in stranger.ask("Sala 1 is closed today.")


def test_a_role_nobody_granted_is_held_by_no_one(app: Application):
    extra = app.dispatcher.access
    extra.roles.pop("moderator")
    assert REFUSAL in ConsoleSession(app, user="mod", client_language="en").ask("/backstage")


def test_no_feature_checks_access_by_hand():
    """Who may use a route is declared (or asked of the Access), never decided in a handler:
    no handler reads `ctx.organiser` or writes a refusal of its own."""
    from bot import PROJECT_ROOT

    for module in sorted((PROJECT_ROOT / "handlers").glob("*.py")):
        source = module.read_text(encoding="utf-8")
        assert "ctx.organiser" not in source, module.name
        assert "only the organisers" not in source, module.name
