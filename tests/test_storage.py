"""The database: created by Alembic migrations, matching the models, any SQLAlchemy URL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.storage import Store
from bot.storage.models import Base
from tests.conftest import warsaw


def test_migrations_build_exactly_the_models(empty_database_url: str):
    store = Store(empty_database_url)
    try:
        with store.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
        assert "alembic_version" in inspect(store.engine).get_table_names()
    finally:
        store.close()


def test_migrating_twice_is_harmless(empty_database_url: str):
    Store(empty_database_url).close()
    store = Store(empty_database_url)
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


def test_what_a_client_says_is_kept_as_the_column_can_hold_it(database_url: str):
    """A client language longer than its column, or holding a NUL: PostgreSQL refuses it in a
    varchar column, SQLite would keep it: the store trims, on every database."""
    store = Store(database_url)
    try:
        user = store.users.touch("matrix", "@long:example.org", now=warsaw("2023-11-30T10:00"),
                                 client_language="x" * 40)
        store.users.touch("matrix", "@nul:example.org", now=warsaw("2023-11-30T10:00"),
                          client_language="pl\x00")
        again = store.users.touch("matrix", "@long:example.org", now=warsaw("2023-11-30T10:01"),
                                  client_language="x" * 40)
        assert again.id == user.id and again.client_language == "x" * 16
        nul = store.users.known("matrix", "@nul:example.org")
        assert nul is not None and nul.client_language == "pl"
    finally:
        store.close()


def test_state_keys_hold_the_longest_matrix_user_id(database_url: str):
    store = Store(database_url)
    try:
        key = f"matrix:@{'b' * 200}:{'m' * 53}:next_batch"  # a 255-character user id
        store.state.set(key, "s72594_4483_1934")
        assert store.state.get(key) == "s72594_4483_1934"
    finally:
        store.close()
