"""Operations (issue 20): no secret in any log line, migrations under a lock, the HTTP server's
health and metrics, webhooks across processes, start-up faults as one line and status 2."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pytest
from aiohttp import ClientSession, web
from sqlalchemy.engine import make_url

from bot.core.config import derive_webhook_secret
from bot.ops.logs import MASK, REDACT, add_secret, configure_logging
from bot.ops.serving import supervised
from tests.helpers import (
    bot_environment,
    free_port,
    post_update,
    start_bot,
    stop,
    text_update,
    wait_until,
)
from tests.telegram_standin import BotApiStandIn

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-secret"
PASSWORD = "Pg-pass-w0rd-XYZ"
LOG_KEY = "log-key-0123456789abcdef"
WEBHOOK_SECRET = "hook-secret-0123456789"
ENGLISH = 1003


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


@pytest.fixture
def api() -> Iterator[BotApiStandIn]:
    stand_in = BotApiStandIn(token=TOKEN).start()
    yield stand_in
    stand_in.stop()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def with_password(url: str, password: str = PASSWORD) -> str:
    return make_url(url).set(password=password).render_as_string(hide_password=False)


# --- 1. redaction, in one place for every logger ---------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_every_logger_is_redacted_at_debug(restore_logging: None, fmt: str):
    out = io.StringIO()
    configure_logging("DEBUG", fmt, stream=out,
                      secrets=[TOKEN, PASSWORD, LOG_KEY, WEBHOOK_SECRET, "syt_matrix_token_1"])
    logging.getLogger("httpx").debug("HTTP Request: POST %s", f"https://x/bot{TOKEN}/getMe")
    logging.getLogger("psycopg").warning("connect postgresql://u:%s@db/x", PASSWORD)
    logging.getLogger("nio.http").debug("GET /sync?access_token=%s&since=1",
                                        "syt_matrix_token_1")
    logging.getLogger("apscheduler").debug("key %s, hook %s", LOG_KEY, WEBHOOK_SECRET)
    logging.getLogger("telegram.ext").info("unknown token 9999999:%s", "A" * 35)
    try:
        raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        logging.getLogger("alembic").exception("with a traceback")
    text = out.getvalue()
    for secret in (TOKEN, TOKEN.partition(":")[2], PASSWORD, LOG_KEY, WEBHOOK_SECRET,
                   "syt_matrix_token_1", "A" * 35):
        assert secret not in text
    assert text.count(MASK) >= 7
    if fmt == "json":
        lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        assert [entry["logger"] for entry in lines][:2] == ["httpx", "psycopg"]
        assert "traceback" in lines[-1]


def test_json_lines_carry_the_context_fields(restore_logging: None):
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    logging.getLogger("bot.app").info("platform=telegram user=id:3fa2b1c9d0e4 "
                                      "chat=id:0badc0ffee00 message=12 intent=now: answered")
    (entry,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {k: entry[k] for k in ("platform", "user", "chat", "message", "intent")} == {
        "platform": "telegram", "user": "id:3fa2b1c9d0e4", "chat": "id:0badc0ffee00",
        "message": "12", "intent": "now"}
    assert entry["level"] == "INFO" and entry["time"].endswith("+00:00")


def test_a_url_password_is_hidden_even_when_unknown():
    add_secret()  # nothing new
    assert REDACT("postgresql+psycopg://bot:other-pass@db:5432/x") == \
        f"postgresql+psycopg://bot:{MASK}@db:5432/x"


def run_bot_env(api: BotApiStandIn, database: str, **extra: str) -> dict[str, str]:
    return bot_environment(DATABASE_URL=database, TELEGRAM_TOKEN=api.token,
                           TELEGRAM_BASE_URL=api.base_url, CONFBOT_LOG_KEY=LOG_KEY,
                           CONFBOT_RETENTION_DAYS="36500", **extra)


@pytest.mark.slow
@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_no_secret_in_any_log_line(api: BotApiStandIn, pg_url: str, tmp_path: Path,
                                   level: str):
    """A real `confbot run`: Bot API stand-in, PostgreSQL with a password in its URL, a
    webhook with its secret, health and metrics over HTTP; every log line searched."""
    port = free_port()
    env = run_bot_env(api, with_password(pg_url), CONFBOT_LOG_LEVEL=level,
                      TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                      TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      TELEGRAM_WEBHOOK_LISTEN="127.0.0.1", TELEGRAM_WEBHOOK_PORT=str(port))
    log = tmp_path / "bot.log"
    bot = start_bot(env, log)
    try:
        wait_until(lambda: api.calls_of("setWebhook"), 60, "setWebhook")
        assert api.calls_of("setWebhook")[0].params["secret_token"] == WEBHOOK_SECRET
        assert post_update(f"http://127.0.0.1:{port}/hook", text_update(1, ENGLISH, "/help"),
                           WEBHOOK_SECRET) == 200
        api.wait_for(1, chat_id=ENGLISH)
        broken = urllib.request.Request(f"http://127.0.0.1:{port}/hook", data=b"{not json",
                                        headers={"X-Telegram-Bot-Api-Secret-Token":
                                                 WEBHOOK_SECRET})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(broken, timeout=10)
        assert refused.value.code == 400
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        status, ready = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and json.loads(ready)["role"] == "leader"
        status, metrics = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert 'confbot_updates_received_total{platform="telegram"} 1.0' in metrics
        assert 'confbot_updates_answered_total{platform="telegram"} 1.0' in metrics
        assert 'confbot_answer_seconds_count{platform="telegram"} 1.0' in metrics
        assert "confbot_leader 1.0" in metrics and "confbot_version_info{" in metrics
        assert all(line.startswith(("#", "confbot_")) for line in metrics.splitlines())
    finally:
        stop(bot)
    text = log.read_text()
    assert "running as @" in text
    if level == "DEBUG":
        assert "/bot" in text and "getMe" in text  # httpx's request lines are there, redacted
    for secret in (TOKEN, TOKEN.partition(":")[2], PASSWORD, LOG_KEY, WEBHOOK_SECRET):
        assert secret not in text, f"a secret in the log at {level}"


# --- 3. migrations under a lock; status and check only read ----------------------------------


@pytest.mark.slow
def test_two_processes_start_at_once_on_an_empty_postgresql(postgres_databases: Any,
                                                            tmp_path: Path):
    for attempt in range(5):
        name = postgres_databases.create()
        try:
            env = bot_environment(DATABASE_URL=postgres_databases.url(name))
            processes = [subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env,
                                          cwd=tmp_path, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                         for _ in range(2)]
            results = [(p.wait(120), p.stderr.read().decode() if p.stderr else "")
                       for p in processes]
            for status, stderr in results:
                assert status == 0 and "Traceback" not in stderr, (attempt, stderr)
        finally:
            postgres_databases.drop(name)


def confbot(*args: str, cwd: Path, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=bot_environment(**(env or {})))


def test_status_and_check_never_create_a_database(tmp_path: Path):
    status = confbot("status", cwd=tmp_path)
    assert status.returncode == 1
    assert "no database file at" in status.stdout and "Leader: NONE" in status.stdout
    check = confbot("check", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "Database: sqlite:///confbot.sqlite3: no database file" in check.stdout
    assert "Transports: none (the console)" in check.stdout
    assert not (tmp_path / "confbot.sqlite3").exists()


@pytest.mark.slow
def test_check_and_status_leave_an_empty_postgresql_empty(pg_url: str, tmp_path: Path):
    from sqlalchemy import create_engine, inspect

    url = with_password(pg_url)
    check = confbot("check", cwd=tmp_path, env={
        "DATABASE_URL": url, "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_URL": "http://bot.example.org/hook"})
    assert check.returncode == 0, check.stderr
    assert "is empty: run `confbot migrate`" in check.stdout
    assert "telegram (webhook http://bot.example.org/hook)" in check.stdout
    assert "WARNING: TELEGRAM_WEBHOOK_URL starts with http://" in check.stderr
    assert PASSWORD not in check.stdout + check.stderr
    assert confbot("status", cwd=tmp_path, env={"DATABASE_URL": url}).returncode == 1
    engine = create_engine(pg_url)
    assert inspect(engine).get_table_names() == []
    migrate = confbot("migrate", cwd=tmp_path, env={"DATABASE_URL": url})
    assert migrate.returncode == 0, migrate.stderr
    assert "outbox" in inspect(engine).get_table_names()
    assert PASSWORD not in migrate.stdout + migrate.stderr
    again = confbot("check", cwd=tmp_path, env={"DATABASE_URL": url})
    assert "reachable, schema current" in again.stdout
    engine.dispose()


# --- 2. webhooks across processes -------------------------------------------------------------


class LoopbackServer:
    """An aiohttp application on a loopback port, served from an event loop in a thread, so
    a synchronous test can start it, reach the bot through it, and stop it."""

    def __init__(self) -> None:
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        async def serve() -> web.AppRunner:
            app = web.Application()
            self.routes(app)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            return runner

        self._thread.start()
        self._runner = asyncio.run_coroutine_threadsafe(serve(), self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


class RoundRobinProxy(LoopbackServer):
    """A small reverse proxy on loopback: each request goes to the next backend in turn."""

    def __init__(self, backends: list[str]) -> None:
        super().__init__()
        self.backends, self.turn = backends, 0
        self.forwarded: list[str] = []

    async def _forward(self, request: web.Request) -> web.Response:
        backend = self.backends[self.turn % len(self.backends)]
        self.turn += 1
        self.forwarded.append(backend)
        async with ClientSession() as session, session.request(
                request.method, backend + request.path_qs, data=await request.read(),
                headers={k: v for k, v in request.headers.items()
                         if k.lower() not in ("host", "content-length")}) as answer:
            return web.Response(status=answer.status, body=await answer.read())

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._forward)


@pytest.mark.slow
def test_two_webhook_processes_behind_a_round_robin_proxy(api: BotApiStandIn, pg_url: str,
                                                          tmp_path: Path):
    """No TELEGRAM_WEBHOOK_SECRET: both processes derive the same one from the token; only
    the leader calls setWebhook; every update is answered once, whichever process gets it."""
    from bot.storage import Store

    Store(pg_url).close()
    ports = [free_port(), free_port()]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports]).start()
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    bots = []
    try:
        for port, log in zip(ports, logs, strict=True):
            bots.append(start_bot(run_bot_env(
                api, pg_url, CONFBOT_LOG_LEVEL="INFO", CONFBOT_HTTP_PORT=str(port),
                CONFBOT_HTTP_LISTEN="127.0.0.1",
                TELEGRAM_WEBHOOK_URL="https://bot.example.org/tg"), log))
        for port in ports:
            wait_until(lambda port=port: get(f"http://127.0.0.1:{port}/readyz")[0] == 200
                       if _listening(port) else False, 60, f"process on {port} ready")
        wait_until(lambda: api.calls_of("setWebhook"), 30, "setWebhook")
        secret = derive_webhook_secret(TOKEN)
        users = list(range(2001, 2013))
        for n, user in enumerate(users, start=1):
            assert post_update(f"http://127.0.0.1:{proxy.port}/tg",
                               text_update(n, user, "/help"), secret) == 200
        assert post_update(f"http://127.0.0.1:{proxy.port}/tg",
                           text_update(1, users[0], "/help"), secret) == 200  # a repeat
        assert post_update(f"http://127.0.0.1:{proxy.port}/tg",
                           text_update(99, users[0], "/help"), "wrong") == 403
        for user in users:
            api.wait_for(1, chat_id=user)
        wait_until(lambda: all(len(api.sent(chat_id=u, method="sendMessage")) >= 1
                               for u in users), 10, "every answer")
        roles = sorted(json.loads(get(f"http://127.0.0.1:{p}/readyz")[1])["role"]
                       for p in ports)
    finally:
        for bot in bots:
            stop(bot)
        proxy.stop()
    assert roles == ["leader", "standby"]
    assert len(set(proxy.forwarded)) == 2
    hooks = api.calls_of("setWebhook")  # a retry after a slow answer may repeat the call
    assert hooks and all(hook.params["secret_token"] == secret for hook in hooks)
    setters = [log for log in logs if "webhook set to" in log.read_text()]
    assert len(setters) == 1  # only the leader tells Telegram where to send
    answers = {user: len(api.sent(chat_id=user, method="sendMessage")) for user in users}
    once = len(api.sent(chat_id=users[1], method="sendMessage"))
    assert set(answers.values()) == {once}, answers  # the same answer, once for everyone
    for log in logs:
        assert secret not in log.read_text() and TOKEN not in log.read_text()


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# --- 6. start-up faults ---------------------------------------------------------------------


def test_a_rejected_token_is_one_line_and_status_2(api: BotApiStandIn, tmp_path: Path):
    env = {"TELEGRAM_TOKEN": "111:wrong-token-wrong-token", "TELEGRAM_BASE_URL": api.base_url,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, text=True,
                            capture_output=True, timeout=120, env=bot_environment(**env),
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    (line,) = [x for x in result.stderr.splitlines() if "cannot start" in x]
    assert line.startswith("confbot: cannot start: Telegram (TELEGRAM_TOKEN")
    assert "InvalidToken" in line and "Traceback" not in result.stderr
    assert "wrong-token" not in result.stderr
    assert "trying again" not in result.stderr  # a rejected token is not retried


@pytest.mark.slow
def test_unreachable_telegram_is_retried_then_one_line_and_status_2(tmp_path: Path):
    env = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_BASE_URL": f"http://127.0.0.1:{free_port()}/bot",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, text=True,
                            capture_output=True, timeout=120, env=bot_environment(**env),
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("trying again in") == 4
    assert result.stderr.splitlines()[-1].startswith(
        "confbot: cannot start: Telegram (TELEGRAM_TOKEN, TELEGRAM_BASE_URL): still failing")
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr


@pytest.mark.slow
def test_a_passing_5xx_at_start_up_is_retried(api: BotApiStandIn, tmp_path: Path):
    api.fail_next("getMe", 502)
    api.fail_next("deleteWebhook", 500)
    log = tmp_path / "bot.log"
    bot = start_bot(run_bot_env(api, f"sqlite:///{tmp_path / 'db.sqlite3'}",
                                CONFBOT_LOG_LEVEL="INFO"), log)
    try:
        wait_until(lambda: "running as @" in log.read_text(), 60, "the bot running")
        api.send_text(ENGLISH, "/help")
        api.wait_for(1, chat_id=ENGLISH)
    finally:
        stop(bot)
    assert log.read_text().count("trying again in") == 2


def test_a_failing_background_task_is_logged_and_restarted(caplog: pytest.LogCaptureFixture):
    runs: list[int] = []

    async def flaky() -> None:
        runs.append(1)
        if len(runs) < 3:
            raise RuntimeError("database away")

    async def main() -> None:
        await supervised("the flaky task", flaky, asyncio.Event(), delays=(0.01,))

    with caplog.at_level(logging.ERROR, logger="bot.ops.serving"):
        asyncio.run(main())
    assert len(runs) == 3
    assert [r.getMessage() for r in caplog.records] == [
        "the flaky task failed (1 time(s)); restarting it in 0.01 s",
        "the flaky task failed (2 time(s)); restarting it in 0.01 s"]
    assert all(r.exc_info for r in caplog.records)



# --- 9. another process's queued rows wake the senders at once --------------------------------


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_rows_queued_elsewhere_wake_the_senders(engine: str, tmp_path: Path,
                                                request: pytest.FixtureRequest):
    from bot.ops import wakeup
    from bot.storage import MessageKind, Store
    from tests.conftest import warsaw

    url = (f"sqlite:///{tmp_path / 'wake.sqlite3'}" if engine == "sqlite"
           else str(request.getfixturevalue("pg_url")))
    running, elsewhere = Store(url), Store(url)

    async def main() -> float:
        stop, woken, ready = asyncio.Event(), asyncio.Event(), asyncio.Event()
        watching = asyncio.create_task(wakeup.watch_queue(running.engine, stop, woken.set,
                                                          ready))
        await asyncio.wait_for(ready.wait(), timeout=10)
        started = asyncio.get_running_loop().time()
        await asyncio.to_thread(lambda: (elsewhere.outbox.enqueue(
            dedupe_key="k1", kind=MessageKind.BROADCAST, platform="telegram", chat_id="1",
            user_id=None, payload="[]", now=warsaw("2023-11-30T09:00")),
            wakeup.publish(elsewhere.engine)))
        await asyncio.wait_for(woken.wait(), timeout=5)
        took = asyncio.get_running_loop().time() - started
        stop.set()
        await asyncio.wait_for(watching, timeout=5)
        return took

    try:
        assert asyncio.run(main()) < (0.1 if engine == "postgresql" else 0.5)
    finally:
        running.close()
        elsewhere.close()


# --- 6. the Matrix homeserver at start-up -----------------------------------------------------


class FakeHomeserver(LoopbackServer):
    """Answers /versions, and whoami with 401 (a rejected access token)."""

    def __init__(self) -> None:
        super().__init__()
        self.versions_failures = 0

    def routes(self, app: web.Application) -> None:
        async def versions(_request: web.Request) -> web.Response:
            if self.versions_failures:
                self.versions_failures -= 1
                return web.Response(status=502)
            return web.json_response({"versions": ["v1.11"]})

        async def whoami(_request: web.Request) -> web.Response:
            return web.json_response({"errcode": "M_UNKNOWN_TOKEN"}, status=401)

        app.router.add_get("/_matrix/client/versions", versions)
        app.router.add_get("/_matrix/client/v3/account/whoami", whoami)


def run_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> int:
    from bot.cli import main
    from bot.ops import startup

    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "MATRIX_", "CONFBOT_", "DATABASE_URL")):
            monkeypatch.delenv(name)
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(startup, "STARTUP_DELAYS", (0.01, 0.01))
    return main(["run"])


def test_a_rejected_matrix_token_is_one_line_and_status_2(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_logging: None,
        capsys: pytest.CaptureFixture[str]):
    server = FakeHomeserver().start()
    server.versions_failures = 1  # a passing 502 first: tried again
    try:
        status = run_in_process(monkeypatch, tmp_path,
                                MATRIX_HOMESERVER=f"http://127.0.0.1:{server.port}",
                                MATRIX_USER_ID="@bot:example.org",
                                MATRIX_ACCESS_TOKEN="syt_rejected_token_123")
    finally:
        server.stop()
    err = capsys.readouterr().err
    assert status == 2
    assert err.splitlines()[-1].startswith(  # no password to log in again with: it says so
        "confbot: cannot start: configuration: MATRIX_PASSWORD: is not set, and "
        f"http://127.0.0.1:{server.port} rejected the access token (HTTP 401)")
    assert "trying again in 0.01 s" in err and "syt_rejected_token_123" not in err


def test_an_unreachable_homeserver_is_one_line_and_status_2(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_logging: None,
        capsys: pytest.CaptureFixture[str]):
    port = free_port()
    status = run_in_process(monkeypatch, tmp_path, MATRIX_HOMESERVER=f"http://127.0.0.1:{port}",
                            MATRIX_USER_ID="@bot:example.org", MATRIX_PASSWORD="pw-123456")
    err = capsys.readouterr().err
    assert status == 2
    (line,) = [x for x in err.splitlines() if "cannot start" in x]
    assert line.startswith("confbot: cannot start: MATRIX_HOMESERVER: still failing after "
                           "retries (ClientConnectorError")
    assert "Traceback" not in err


def test_an_unreachable_database_is_retried_then_one_line_and_status_2(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_logging: None,
        capsys: pytest.CaptureFixture[str]):
    url = f"postgresql://confbot:{PASSWORD}@127.0.0.1:{free_port()}/confbot"
    status = run_in_process(monkeypatch, tmp_path, DATABASE_URL=url)
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("trying again in 0.01 s") == 2
    (line,) = [x for x in err.splitlines() if "cannot start" in x]
    assert line.startswith("confbot: cannot start: DATABASE_URL: still failing after retries "
                           "(OperationalError")
    assert PASSWORD not in err and "Traceback" not in err


# --- 10. command-line output for people -------------------------------------------------------


def test_outbox_and_edits_are_tables_in_the_conference_time(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_logging: None,
        capsys: pytest.CaptureFixture[str]):
    from bot.cli import main
    from bot.storage import MessageKind, OutboxStatus, Store
    from tests.conftest import warsaw

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    store = Store(url)
    queued_at = warsaw("2023-11-30T09:00")
    for n in range(3):
        store.outbox.enqueue(dedupe_key=f"k{n}", kind=MessageKind.BROADCAST, platform="telegram",
                             chat_id=str(n), user_id=None, payload="[]", now=queued_at)
    claim = store.outbox.claim("telegram", queued_at, 10)
    first, second, _ = claim.messages
    store.outbox.finish(first.id, OutboxStatus.SENT, now=queued_at, token=claim.token)
    store.outbox.finish(second.id, OutboxStatus.FAILED, now=queued_at, token=claim.token,
                        error="400 Bad Request: chat not found")
    store.edits.put("s20", "time", {"day": 2, "start": "11:45", "end": "13:15"},
                    "telegram:777", warsaw("2023-11-30T08:30"))
    store.close()
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("CONFBOT_DATA_DIR", "CONFBOT_SCHEDULE", "CONFBOT_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    assert main(["outbox"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["platform", "kind", "queued", "sending", "sent", "failed",
                                "blocked", "expired"]
    assert lines[2].split() == ["telegram", "broadcast", "0", "1", "1", "1", "0", "0"]
    assert lines[3].split() == ["all", "0", "1", "1", "1", "0", "0"]
    assert any("failed" in line and "400 Bad Request: chat not found" in line
               for line in lines[4:])

    assert main(["edits"]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.split()[:4] == ["session", "aspect", "made", "at"]
    assert row.split() == ["s20", "time", "2023-11-30", "08:30", "telegram:777", "2",
                           "11:45–13:15"]
