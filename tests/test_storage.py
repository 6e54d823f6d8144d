"""The database: created by Alembic migrations, matching the models, any SQLAlchemy URL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from bot.storage import Store
from bot.storage.models import Base, User
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


def test_what_a_client_says_is_kept_as_the_column_can_hold_it(database_url: str):
    """Synapse allows 256-character display names; JSON allows NUL. PostgreSQL refuses both
    in a varchar(255) column, SQLite would keep them: the store trims, on every database."""
    store = Store(database_url)
    try:
        long_name = "Ą" * 300
        user = store.users.touch("matrix", "@long:example.org", now=warsaw("2023-11-30T10:00"),
                                display_name=long_name, client_language="x" * 40)
        store.users.touch("matrix", "@nul:example.org", now=warsaw("2023-11-30T10:00"),
                         display_name="Ala\x00 Kot")
        again = store.users.touch("matrix", "@long:example.org", now=warsaw("2023-11-30T10:01"),
                                 display_name=long_name, client_language="x" * 40)
        assert again.id == user.id and again.client_language == "x" * 16
        with store.session() as db:
            names = dict(db.execute(select(User.external_id, User.display_name)).all())
        assert names == {"@long:example.org": "Ą" * 255, "@nul:example.org": "Ala Kot"}
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
