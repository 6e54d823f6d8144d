"""Shared fixtures: the real conference data, a fake clock, and the console as a test harness."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import PROJECT_ROOT
from bot.app import Application
from bot.clock import FakeClock
from bot.dataload import load_conference
from bot.lexicon import Lexicon
from bot.programme import Conference
from bot.storage import Store
from bot.transports.console import ConsoleSession
from tests.helpers import start_app

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
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'confbot.sqlite3'}"


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


@pytest.fixture(scope="session")
def pg_cluster():  # type: ignore[no-untyped-def]
    """A throwaway PostgreSQL for the whole session (skips the test when none is installed)."""
    from tests import pg

    if not pg.available():
        pytest.skip("PostgreSQL (initdb, pg_ctl) or psycopg is not installed")
    cluster = pg.Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster, request) -> str:  # type: ignore[no-untyped-def]
    """A fresh PostgreSQL database for one test."""
    import re

    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:50]
    return str(pg_cluster.create_database(name))
