"""A throwaway PostgreSQL server for the test suite (`--db=postgresql`, or
CONFBOT_TEST_DB=postgresql).

One cluster per test session: `initdb` into a temporary folder, started with `pg_ctl` on a free
loopback port (its unix socket in the same folder, fsync off: nothing here needs to survive a
crash). Each test gets a database of its own, dropped afterwards: an empty one
(`database_url_factory`), or a copy of one migrated once per run (`migrated_database_url_factory`:
`CREATE DATABASE … TEMPLATE` here, a file copy on SQLite). As root, the server binaries
run as the unprivileged `postgres` user, which PostgreSQL insists on.

CONFBOT_TEST_POSTGRES_URL=postgresql://user:password@host:port/postgres uses an existing server
instead (the user must be allowed to create databases).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import queue
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.config import normalise_database_url

ENGINES = ("sqlite", "postgresql")
_counter = itertools.count(1)


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: pg_config's answer, Debian's versioned folders
    (newest first), then PATH."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=10, check=True).stdout.strip()
            candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass

    def version(path: str) -> tuple[int, ...]:
        number = Path(path).parent.name
        return tuple(int(part) for part in number.split(".") if part.isdigit())

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                           key=version, reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A cluster in a temporary folder, owned by whoever may run it."""

    SUPERUSER = "postgres"

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="confbot-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = 0
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root, PostgreSQL needs an unprivileged user, and "
                                   "there is no 'postgres' user") from None
            os.chown(self.folder, account.pw_uid, account.pw_gid)

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / program), *args]
        if self.as_postgres:
            command = (["runuser", "-u", "postgres", "--", *command] if shutil.which("runuser")
                       else ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return subprocess.run(command, capture_output=True, text=True, cwd=self.folder,
                              env=env, timeout=120)

    def start(self) -> None:
        done = self._run("initdb", "-D", str(self.data), "-U", self.SUPERUSER, "--auth=trust",
                         "-E", "UTF8", "--no-locale", "--no-sync")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        for _attempt in range(5):
            self.port = _free_port()
            options = (f"-h 127.0.0.1 -p {self.port} -k {self.folder} -F "
                       "-c synchronous_commit=off -c full_page_writes=off "
                       "-c max_connections=200")
            done = self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                             "-l", str(self.log), "-o", options)
            if done.returncode == 0:
                return
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n{log}")

    def halt(self) -> None:
        """Stop the server, keeping its data and port (an outage), until `resume`."""
        done = self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed:\n{done.stdout}\n{done.stderr}")

    def resume(self) -> None:
        options = (f"-h 127.0.0.1 -p {self.port} -k {self.folder} -F "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        done = self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                         "-l", str(self.log), "-o", options)
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}")

    def stop(self) -> None:
        if self.port:
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def admin_url(self) -> str:
        return f"postgresql://{self.SUPERUSER}@127.0.0.1:{self.port}/postgres"


class Databases:
    """Creates and drops the per-test databases on one server. Copies of a template are made
    ahead, and databases dropped, by a thread of its own (its own connection), so a test
    waits for neither."""

    SPARES = 2
    """Copies of a template kept ready."""

    def __init__(self, admin_url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        self._server = make_url(normalise_database_url(admin_url))
        # psycopg takes a libpq URL: the same one without SQLAlchemy's driver name
        libpq = self._server.set(drivername="postgresql").render_as_string(hide_password=False)
        self._admin = psycopg.connect(libpq, autocommit=True)
        self._worker_connection = psycopg.connect(libpq, autocommit=True)
        self._prefix = f"confbot_test_{os.getpid()}_"
        self._spares: dict[str, queue.Queue[str]] = {}
        self._tasks: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="test-databases", daemon=True)
        self._worker.start()

    def url(self, name: str) -> str:
        return self._server.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        """A new database: empty, or a copy of `template` (which nobody may be connected to)."""
        if template is None:
            return self._create(self._admin, None)
        spares = self._spares.setdefault(template, queue.Queue())
        try:
            name = spares.get_nowait()
        except queue.Empty:
            name = self._create(self._admin, template)
            for _ in range(self.SPARES):
                self._tasks.put(("copy", template))
        else:
            self._tasks.put(("copy", template))
        return name

    def drop(self, name: str) -> None:
        """Drop a database, soon (in the background)."""
        self._tasks.put(("drop", name))

    def _create(self, connection: Any, template: str | None) -> str:
        name = f"{self._prefix}{next(_counter)}"
        copy = f' TEMPLATE "{template}"' if template else ""
        connection.execute(f'CREATE DATABASE "{name}"{copy}')
        return name

    def _drop(self, connection: Any, name: str) -> None:
        # FORCE ends what a test left connected (a store it did not close, a killed process).
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            action, name = task
            try:
                if action == "copy":
                    self._spares[name].put(self._create(self._worker_connection, name))
                else:
                    self._drop(self._worker_connection, name)
            except Exception as error:  # a test then copies in its own thread, and says why
                print(f"tests/postgres_server.py: {action} {name}: {error}", file=sys.stderr)

    def close(self) -> None:
        self._tasks.put(None)
        self._worker.join(120)
        for spares in self._spares.values():
            while not spares.empty():
                self._drop(self._admin, spares.get_nowait())
        self._worker_connection.close()
        self._admin.close()


def selected_engine(config: pytest.Config) -> str:
    return config.getoption("--db") or os.environ.get("CONFBOT_TEST_DB") or "sqlite"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=ENGINES, default=None,
                     help="the database the tests run on: sqlite (default) or postgresql, a "
                          "throwaway server started for the session (env CONFBOT_TEST_DB)")


def pytest_configure(config: pytest.Config) -> None:
    if selected_engine(config) not in ENGINES:
        raise pytest.UsageError(f"CONFBOT_TEST_DB={selected_engine(config)!r}: "
                                f"choose one of {', '.join(ENGINES)}")


def pytest_report_header(config: pytest.Config) -> str:
    engine = selected_engine(config)
    if engine != "postgresql":
        return f"database: {engine}"
    if os.environ.get("CONFBOT_TEST_POSTGRES_URL"):
        return "database: postgresql (CONFBOT_TEST_POSTGRES_URL)"
    bindir = find_bindir()
    return f"database: postgresql, a throwaway server from {bindir or 'nowhere: none found'}"


@pytest.fixture(scope="session")
def database_engine(request: pytest.FixtureRequest) -> str:
    """sqlite or postgresql: what the suite runs on."""
    return selected_engine(request.config)


@pytest.fixture(scope="session")
def postgres_databases(database_engine: str) -> Iterator[Databases]:
    """The session's PostgreSQL server, started on first use and stopped at the end (also
    in a SQLite run, for the tests that need PostgreSQL itself: `pg_url`)."""
    existing = os.environ.get("CONFBOT_TEST_POSTGRES_URL")
    server = None
    if existing:
        admin_url = existing
    else:
        bindir = find_bindir()
        if bindir is None:
            pytest.skip("PostgreSQL tests need a server: no initdb/pg_ctl found (pg_config "
                        "--bindir, /usr/lib/postgresql/*/bin, PATH); install Debian's "
                        "'postgresql' package or set CONFBOT_TEST_POSTGRES_URL")
        server = PostgresServer(bindir)
        try:
            server.start()
        except BaseException:
            server.stop()
            raise
        admin_url = server.admin_url
    databases = Databases(admin_url)
    try:
        yield databases
    finally:
        databases.close()
        if server is not None:
            server.stop()


@pytest.fixture
def database_url_factory(request: pytest.FixtureRequest, database_engine: str,
                         tmp_path: Path) -> Iterator[Callable[[], str]]:
    """new_url() -> the URL of a fresh, empty database on the selected engine."""
    if database_engine != "postgresql":
        files = (tmp_path / f"confbot{n or ''}.sqlite3" for n in itertools.count())
        yield lambda: f"sqlite:///{next(files)}"
        return
    databases: Databases = request.getfixturevalue("postgres_databases")
    created: list[str] = []

    def new_url() -> str:
        created.append(databases.create())
        return databases.url(created[-1])

    yield new_url
    for name in created:
        databases.drop(name)


@pytest.fixture(scope="session")
def migrated_template(request: pytest.FixtureRequest, database_engine: str,
                      tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to the newest schema, once per run, for the tests to copy: a SQLite
    file (its write-ahead log folded in), or the name of a PostgreSQL database."""
    from bot.storage import Store

    if database_engine != "postgresql":
        path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
        Store(f"sqlite:///{path}").close()
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
        connection.close()
        return str(path)
    databases: Databases = request.getfixturevalue("postgres_databases")
    name = databases.create()
    Store(databases.url(name)).close()
    return name


@pytest.fixture
def migrated_database_url_factory(request: pytest.FixtureRequest, database_engine: str,
                                  migrated_template: str,
                                  tmp_path: Path) -> Iterator[Callable[[], str]]:
    """new_url() -> the URL of a fresh database at the newest schema on the selected engine
    (the migrations still run when a store opens it, and find nothing to do)."""
    if database_engine != "postgresql":
        files = (tmp_path / f"confbot{n or ''}.sqlite3" for n in itertools.count())

        def new_file() -> str:
            path = next(files)
            shutil.copyfile(migrated_template, path)
            return f"sqlite:///{path}"

        yield new_file
        return
    databases: Databases = request.getfixturevalue("postgres_databases")
    created: list[str] = []

    def new_url() -> str:
        created.append(databases.create(template=migrated_template))
        return databases.url(created[-1])

    yield new_url
    for name in created:
        databases.drop(name)


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database, whatever engine the suite runs on (for what only
    PostgreSQL has: advisory locks, SKIP LOCKED)."""
    databases: Databases = request.getfixturevalue("postgres_databases")
    name = databases.create()
    yield databases.url(name)
    databases.drop(name)
