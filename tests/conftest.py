"""Shared fixtures: the real conference data, a fake clock, and the console as a test harness."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings

from bot import PROJECT_ROOT
from bot.app import Application
from bot.core.clock import FakeClock
from bot.language.lexicon import Lexicon
from bot.programme.model import Conference
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.transports.console import ConsoleSession
from tests.helpers import start_app

pytest_plugins = ["tests.postgres_server", "tests.synapse_server"]

# Property tests: deterministic in CI (and under `make test`), so a run never flakes; random
# exploration locally (HYPOTHESIS_PROFILE=dev, the default outside CI). Whatever a random run
# finds becomes an @example in the test, so CI checks it on every run.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("CI") else "dev"))

WARSAW = ZoneInfo("Europe/Warsaw")
DATA_DIR = PROJECT_ROOT / "data"


def warsaw(text: str) -> datetime:
    """'2023-11-30T10:05' as an aware Europe/Warsaw moment."""
    return datetime.fromisoformat(text).replace(tzinfo=WARSAW)


@pytest.fixture(scope="session")
def loaded() -> tuple[Conference, Lexicon]:
    return load_conference(DATA_DIR)


@pytest.fixture(scope="session")
def conference(loaded: tuple[Conference, Lexicon]) -> Conference:
    return loaded[0]


@pytest.fixture
def database_url(database_url_factory: Callable[[], str]) -> str:
    """A fresh database on the engine the suite runs on (--db, CONFBOT_TEST_DB)."""
    return database_url_factory()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(warsaw("2023-11-30T10:05"))


@pytest.fixture
def app(loaded: tuple[Conference, Lexicon], database_url: str, clock: FakeClock):
    application = start_app(loaded[0], loaded[1], Store(database_url), clock)
    yield application
    application.store.close()


Chat = Callable[..., ConsoleSession]


@pytest.fixture
def chat(app: Application) -> Chat:
    """Open a console conversation: chat(lang="uk", user="olena")."""

    def open_chat(lang: str | None = None, user: str = "tester") -> ConsoleSession:
        return ConsoleSession(app, user=user, client_language=lang)

    return open_chat
