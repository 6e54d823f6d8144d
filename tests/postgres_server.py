"""A throwaway PostgreSQL server for the test suite (`--db=postgresql`, or
CONFBOT_TEST_DB=postgresql).

One cluster per test session: `initdb` into a temporary folder, started with `pg_ctl` on a free
loopback port (its unix socket in the same folder, fsync off: nothing here needs to survive a
crash). Each test gets a database of its own, dropped afterwards. As root, the server binaries
run as the unprivileged `postgres` user, which PostgreSQL insists on.

CONFBOT_TEST_POSTGRES_URL=postgresql://user:password@host:port/postgres uses an existing server
instead (the user must be allowed to create databases).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

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
    """Creates and drops the per-test databases on one server."""

    def __init__(self, admin_url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        self._template = make_url(normalise_database_url(admin_url))
        # psycopg takes a libpq URL: the same one without SQLAlchemy's driver name
        libpq = self._template.set(drivername="postgresql").render_as_string(hide_password=False)
        self._admin = psycopg.connect(libpq, autocommit=True)
        self._prefix = f"confbot_test_{os.getpid()}_"

    def url(self, name: str) -> str:
        return self._template.set(database=name).render_as_string(hide_password=False)

    def create(self) -> str:
        name = f"{self._prefix}{next(_counter)}"
        self._admin.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop(self, name: str) -> None:
        # FORCE ends what a test left connected (a store it did not close, a killed process).
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
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


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database, whatever engine the suite runs on (for what only
    PostgreSQL has: advisory locks, SKIP LOCKED)."""
    databases: Databases = request.getfixturevalue("postgres_databases")
    name = databases.create()
    yield databases.url(name)
    databases.drop(name)
