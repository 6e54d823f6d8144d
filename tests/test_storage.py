"""The database: created by Alembic migrations, matching the models, any SQLAlchemy URL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.storage import Store
from bot.storage.models import Base
from tests.conftest import warsaw


def test_migrations_build_exactly_the_models(database_url: str):
    store = Store(database_url)
    try:
        with store.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
        assert "alembic_version" in inspect(store.engine).get_table_names()
    finally:
        store.close()


def test_migrating_twice_is_harmless(database_url: str):
    Store(database_url).close()
    store = Store(database_url)
    try:
        user = store.users.touch("console", "ala", now=warsaw("2023-11-30T10:00"))
        assert store.users.touch("console", "ala", now=warsaw("2023-11-30T10:01")).id == user.id
        assert store.users.count() == 1
    finally:
        store.close()


def test_language_memory(database_url: str):
    store = Store(database_url)
    try:
        user = store.users.touch("matrix", "@olena:example.org", now=warsaw("2023-11-30T10:00"),
                                client_language="uk-UA")
        store.users.after_message(user, warsaw("2023-11-30T10:00"), "uk")
        store.users.set_language(user.id, "en")
        again = store.users.touch("matrix", "@olena:example.org", now=warsaw("2023-11-30T10:05"))
        assert (again.chosen_language, again.detected_language, again.client_language) == (
            "en", "uk", "uk-UA")
        store.users.set_language(user.id, None)
        assert store.users.touch("matrix", "@olena:example.org",
                                now=warsaw("2023-11-30T10:06")).chosen_language is None
    finally:
        store.close()
