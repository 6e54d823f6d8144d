"""Settings: the database URL forms an operator is handed, and a database that is not there."""

from __future__ import annotations

import socket

import pytest

from bot.core.config import DEFAULT_DATABASE_URL, load_settings, normalise_database_url
from tests.test_cli import confbot


@pytest.mark.parametrize(("given", "used"), [
    ("postgres://ala:s3cr%40t@db.example.org:5432/confbot",
     "postgresql+psycopg://ala:s3cr%40t@db.example.org:5432/confbot"),
    ("postgresql://ala@localhost/confbot", "postgresql+psycopg://ala@localhost/confbot"),
    ("postgresql:///confbot?host=/run/postgresql",
     "postgresql+psycopg:///confbot?host=/run/postgresql"),
    ("postgresql+psycopg://ala@localhost/confbot", "postgresql+psycopg://ala@localhost/confbot"),
    ("postgresql+psycopg2://ala@localhost/confbot",
     "postgresql+psycopg2://ala@localhost/confbot"),
    ("sqlite:///confbot.sqlite3", "sqlite:///confbot.sqlite3"),
    ("sqlite://", "sqlite://"),
])
def test_postgres_urls_use_the_installed_driver(given: str, used: str):
    assert normalise_database_url(given) == used
    assert load_settings({"DATABASE_URL": given}, env_file=None).database_url == used


def test_the_default_database_is_sqlite():
    assert load_settings({}, env_file=None).database_url == DEFAULT_DATABASE_URL


def test_the_postgres_driver_is_installed():
    from sqlalchemy import create_engine

    engine = create_engine(normalise_database_url("postgres://ala@localhost/confbot"))
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")


def test_an_unreachable_database_is_a_clear_start_up_error():
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = confbot("outbox",
                     env={"DATABASE_URL": f"postgres://nobody@127.0.0.1:{port}/confbot"})
    assert result.returncode == 2
    assert result.stderr.startswith("confbot: cannot start: configuration: DATABASE_URL: "
                                    "the database cannot be used (OperationalError:")
    assert "Traceback" not in result.stderr
