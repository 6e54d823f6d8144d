"""The commands of docs/deploy.md, run where this machine allows: the Procfile through honcho,
the health and metrics endpoints with curl, backups and restores with pg_dump / pg_restore, the
SQLite backup."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.engine import make_url

from bot import PROJECT_ROOT
from bot.core.config import derive_webhook_secret
from bot.storage import Store
from bot.storage.models import User
from tests.conftest import warsaw
from tests.helpers import bot_environment, free_port, wait_until
from tests.postgres_server import find_bindir
from tests.telegram_standin import BotApiStandIn

GUIDE = (PROJECT_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def block(after: str) -> str:
    """The first fenced block after a heading or sentence of the guide."""
    rest = GUIDE[GUIDE.index(after):]
    match = re.search(r"```[a-z]*\n(.*?)```", rest, re.DOTALL)
    assert match is not None
    return match.group(1)


def commands(after: str) -> list[str]:
    return [line.split("  #")[0].strip() for line in block(after).splitlines()
            if line.strip() and not line.startswith("#")]


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_the_readme_links_the_guide_and_the_procfile_is_the_guides():
    assert "docs/deploy.md" in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert block("## 4. Process types").strip() == \
        (PROJECT_ROOT / "Procfile").read_text(encoding="utf-8").strip()


@pytest.mark.slow
def test_the_procfile_runs_under_honcho(pg_url: str, tmp_path: Path):
    honcho = Path(sys.executable).parent / "honcho"
    if not honcho.exists():
        pytest.skip("honcho is not installed (make install-test)")
    api = BotApiStandIn().start()
    port = free_port()
    shutil.copy(PROJECT_ROOT / "Procfile", tmp_path / "Procfile")
    env = bot_environment(DATABASE_URL=pg_url, TELEGRAM_TOKEN=api.token,
                          TELEGRAM_BASE_URL=api.base_url, PORT=str(port),
                          TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram",
                          CONFBOT_RETENTION_DAYS="36500")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    try:
        release = subprocess.run([str(honcho), "start", "release"], cwd=tmp_path, env=env,
                                 capture_output=True, text=True, timeout=120)
        assert release.returncode == 0, release.stdout + release.stderr
        assert "schema at" in release.stdout
        web = subprocess.Popen([str(honcho), "start", "web"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
        try:
            wait_until(lambda: api.calls_of("setWebhook"), 60, "the web process")
            for line in commands("## 7. Health checks"):
                done = subprocess.run(line.replace("8080", str(port)), shell=True,
                                      capture_output=True, text=True, timeout=30)
                assert done.returncode == 0, (line, done.stderr)
                assert done.stdout
            metrics = subprocess.run(["curl", "-fsS", f"http://127.0.0.1:{port}/metrics"],
                                     capture_output=True, text=True, timeout=30).stdout
            assert "confbot_leader 1.0" in metrics
            hook = api.calls_of("setWebhook")[0]
            assert hook.params["secret_token"] == derive_webhook_secret(api.token)
        finally:
            os.killpg(web.pid, signal.SIGTERM)
            output = web.communicate(timeout=30)[0].decode()
        assert "Traceback" not in output
        assert "running as @" in output or "webhook set" in output, output
    finally:
        api.stop()


@pytest.mark.slow
def test_backup_and_restore_with_pg_dump(postgres_databases, tmp_path: Path):  # type: ignore[no-untyped-def]
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("no pg_dump here")
    source, target = postgres_databases.create(), postgres_databases.create()
    try:
        original = postgres_databases.url(source)
        store = Store(original)
        with store.engine.begin() as connection:
            connection.execute(insert(User), [{
                "platform": "telegram", "external_id": "42", "chat_id": "42",
                "client_language": "uk", "created_at": warsaw("2023-11-30T09:00"),
                "last_seen_at": warsaw("2023-11-30T09:00")}])
        store.close()
        dump, restore = commands("## 8. Backups and restores")
        env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
        for line, url in ((dump, original), (restore, postgres_databases.url(target))):
            done = subprocess.run(line, shell=True, cwd=tmp_path, capture_output=True,
                                  text=True, timeout=120,
                                  env={**env, "DATABASE_URL": libpq(url)})
            assert done.returncode == 0, (line, done.stderr)
        restored = create_engine(postgres_databases.url(target))
        with restored.connect() as connection:
            assert connection.execute(select(func.count()).select_from(User)).scalar() == 1
        restored.dispose()
        check = subprocess.run([sys.executable, "-m", "bot", "check"], cwd=tmp_path, text=True,
                               capture_output=True, timeout=120, env=bot_environment(
                                   DATABASE_URL=postgres_databases.url(target)))
        assert "reachable, schema current" in check.stdout, check.stdout + check.stderr
    finally:
        postgres_databases.drop(source)
        postgres_databases.drop(target)


def test_the_sqlite_backup_line(tmp_path: Path):
    if shutil.which("sqlite3") is None:
        pytest.skip("no sqlite3 command here")
    Store(f"sqlite:///{tmp_path / 'confbot.sqlite3'}").close()
    (line,) = [x for x in GUIDE.splitlines() if "sqlite3 confbot.sqlite3" in x]
    command = re.search(r"`(sqlite3 [^`]+)`", line)
    assert command is not None
    done = subprocess.run(command.group(1), shell=True, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    copy = Store(f"sqlite:///{tmp_path / 'confbot-backup.sqlite3'}", migrate=False)
    assert copy.outbox.backlog() == {}
    copy.close()
