"""Shared fixtures: the conference of tests/fixtures (never the shipped data/), a fake clock,
a migrated database per test, and the console as a test harness.

Speed without changing what is tested: each conference folder is loaded once per run; an
application without live edits serves the same programme object as the others, so its language
understanding is built once (each application gets it with its memory of interpretations
cleared); each test's database is a copy of one migrated per run.
Markers (registered in pyproject's [tool.pytest]), applied here from the fixtures a test uses:
`db` on every test that uses the database of the selected engine (`database_url`, `app`,
`chat`, `database_url_factory`, `database_engine`): the PostgreSQL pass of `make test` runs
only these; `slow` on tests using a server (`synapse`, `api`, `pg_url`), and by hand on
tests that start processes or take over ~2 s: `make test-fast` leaves them out.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings

import bot.app
from bot.app import Application
from bot.core.clock import FakeClock
from bot.language.i18n import Catalogue
from bot.language.lexicon import Lexicon
from bot.programme.live_edits import Overlaid, overlay
from bot.programme.model import Conference
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.storage.edits import EditRecord
from bot.transports.console import ConsoleSession
from bot.understanding.parser import Understanding
from tests.helpers import DATA_DIR, SYNTHETIC_DIR, start_app

pytest_plugins = ["tests.postgres_server", "tests.synapse_server", "tests.telegram_fixtures"]

# Property tests: deterministic in CI (and under `make test`), so a run never flakes; random
# exploration locally (HYPOTHESIS_PROFILE=dev, the default outside CI). Whatever a random run
# finds becomes an @example in the test, so CI checks it on every run.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("CI") else "dev"))

WARSAW = ZoneInfo("Europe/Warsaw")
__all__ = ["DATA_DIR", "SYNTHETIC_DIR", "Chat", "load_fixture", "warsaw"]

DATABASE_FIXTURES = frozenset({"database_url", "database_url_factory", "database_engine",
                               "app", "chat"})
"""A test using one of these touches the database of the engine the suite runs on."""
SERVER_FIXTURES = frozenset({"synapse", "pg_url", "postgres_databases", "api"})
"""A test using one of these starts a server (Synapse, PostgreSQL, the Bot API stand-in)."""


def warsaw(text: str) -> datetime:
    """'2023-11-30T10:05' as an aware Europe/Warsaw moment."""
    return datetime.fromisoformat(text).replace(tzinfo=WARSAW)


@functools.cache
def load_fixture(folder: Path) -> tuple[Conference, Lexicon]:
    """A conference folder, loaded once per run (the model is immutable)."""
    return load_conference(folder)


class _UnderstandingOnce:
    """Stands in for `Understanding` in `bot.app`: one per (conference, lexicon, languages,
    zone), prepared once, handed out with its remembered interpretations forgotten, so each
    application starts as cold as with a new one."""

    def __init__(self) -> None:
        self._built: dict[tuple[int, int, tuple[str, ...], str],
                          tuple[Conference, Lexicon, Understanding]] = {}

    def __call__(self, conference: Conference, lexicon: Lexicon,
                 catalogue: Catalogue) -> Understanding:
        key = (id(conference), id(lexicon), tuple(conference.languages),
               str(conference.timezone))
        kept = self._built.get(key)
        if kept is not None and kept[0] is conference and kept[1] is lexicon:
            kept[2].forget()
            return kept[2]
        understanding = Understanding(conference, lexicon, catalogue)
        self._built[key] = (conference, lexicon, understanding)  # keeps the ids alive
        return understanding


class _OverlayOnce:
    """Stands in for `overlay` in `bot.app`: with no live edits, the same data gives the same
    served programme object, so its understanding is found again. (With edits, a fresh copy,
    as always: the edits are applied to the copy in place.)"""

    def __init__(self) -> None:
        self._plain: dict[int, tuple[Conference, Overlaid]] = {}

    def __call__(self, data: Conference, edits: list[EditRecord]) -> Overlaid:
        if edits:
            return overlay(data, edits)
        kept = self._plain.get(id(data))
        if kept is None or kept[0] is not data:
            kept = self._plain[id(data)] = (data, overlay(data, []))
        return Overlaid(kept[1].conference, [])


@pytest.fixture(scope="session", autouse=True)
def _understanding_once() -> Iterator[None]:
    # if bot.app stops importing these two names, say which ones it uses now here
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.app, "Understanding", _UnderstandingOnce())
        patch.setattr(bot.app, "overlay", _OverlayOnce())
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if DATABASE_FIXTURES & fixtures:
            item.add_marker(pytest.mark.db)
        if SERVER_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def loaded() -> tuple[Conference, Lexicon]:
    """The conference of tests/fixtures/conference (a copy of MIEJSCA OTWARTE 2023)."""
    return load_fixture(DATA_DIR)


@pytest.fixture(scope="session")
def conference(loaded: tuple[Conference, Lexicon]) -> Conference:
    return loaded[0]


@pytest.fixture(scope="session")
def synthetic() -> tuple[Conference, Lexicon]:
    """Harbour Days 2025: another conference (one day in Tokyo) for tests of generality."""
    return load_fixture(SYNTHETIC_DIR)


@pytest.fixture
def database_url(migrated_database_url_factory: Callable[[], str]) -> str:
    """A fresh database on the engine the suite runs on (--db, CONFBOT_TEST_DB), already
    migrated to the newest schema (a copy of one migrated once per run)."""
    return migrated_database_url_factory()


@pytest.fixture
def empty_database_url(database_url_factory: Callable[[], str]) -> str:
    """A fresh database with no schema at all, for tests of the migrations themselves."""
    return database_url_factory()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(warsaw("2023-11-30T10:05"))


@pytest.fixture
def app(loaded: tuple[Conference, Lexicon], database_url: str,
        clock: FakeClock) -> Iterator[Application]:
    # a copy of a migrated database: nothing to migrate
    application = start_app(loaded[0], loaded[1], Store(database_url, migrate=False), clock)
    yield application
    application.store.close()


Chat = Callable[..., ConsoleSession]


@pytest.fixture
def chat(app: Application) -> Chat:
    """Open a console conversation: chat(lang="uk", user="olena")."""

    def open_chat(lang: str | None = None, user: str = "tester") -> ConsoleSession:
        return ConsoleSession(app, user=user, client_language=lang)

    return open_chat
