"""What the Telegram tests share: the Bot API stand-in as a fixture (`api`), the bot's
transport on it, an application with an organiser (`organiser_app`, by `ORGANISER`), and the
callback data of a reply's buttons. Registered in tests/conftest.py as a plugin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.app import Application
from bot.delivery.pacing import Pacer
from bot.storage import Store
from bot.transports.telegram import TelegramTransport
from tests.helpers import start_app
from tests.telegram_standin import BotApiStandIn

ORGANISER = 900
"""The Telegram id of the organiser of `organiser_app`."""


@pytest.fixture
def api() -> Iterator[BotApiStandIn]:
    stand_in = BotApiStandIn().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def organiser_app(loaded, database_url, clock):  # type: ignore[no-untyped-def]
    """An application whose organiser is telegram:`ORGANISER`, on Thursday at 11:30."""
    from tests.conftest import warsaw

    clock.set(warsaw("2023-11-30T11:30"))
    application = start_app(loaded[0], loaded[1], Store(database_url), clock,
                            organisers=frozenset({f"telegram:{ORGANISER}"}))
    yield application
    application.store.close()


def transport_for(app: Application, api: BotApiStandIn, **kwargs: Any) -> TelegramTransport:
    """The bot's Telegram transport on the stand-in, with short polls and pauses."""
    return TelegramTransport(app, api.token, base_url=api.base_url, poll_timeout=1,
                             pacer=Pacer(chat_interval=0.05, group_interval=0.1), **kwargs)


def buttons(call: Any) -> list[str]:
    """The callback data of the inline buttons a sendMessage call carried."""
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
