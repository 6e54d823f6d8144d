"""The command line as an operator and a participant use it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from tests.helpers import DATA_DIR, bot_environment

pytestmark = pytest.mark.slow  # the command line as a process: each test starts `python -m bot`


def confbot(*args: str, stdin: str = "", env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = bot_environment(**(env or {}))
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, env=environment, cwd=cwd or PROJECT_ROOT,
                          timeout=60)


def test_piped_console_prints_only_the_conversation(tmp_path: Path, database_url: str):
    result = confbot("console", "--now", "2023-11-30T10:05", "--lang", "en",
                     stdin="/now\nwhen is lunch?\n", cwd=tmp_path,
                     env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Now (10:05)")
    assert "14:20–15:00" in result.stdout
    assert ">" not in result.stdout.splitlines()[0]
    assert "Traceback" not in result.stderr


def test_run_without_credentials_is_the_console(tmp_path: Path, database_url: str):
    result = confbot("run", "--now", "2023-11-29T15:10", stdin="co teraz?\n", cwd=tmp_path,
                     env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert "Teraz (15:10)" in result.stdout
    # the terminal is the conversation: at the default level stderr stays quiet (no
    # migrations, no scheduler, no "stops leading" at a normal exit)
    assert result.stderr == "", result.stderr


def test_run_as_the_console_logs_with_context_when_asked(tmp_path: Path, database_url: str):
    result = confbot("run", "--now", "2023-11-29T15:10", stdin="co teraz?\n", cwd=tmp_path,
                     env={"DATABASE_URL": database_url, "CONFBOT_LOG_LEVEL": "INFO"})
    assert result.returncode == 0, result.stderr
    assert "platform=console" in result.stderr  # logs go to stderr, with context


def test_default_database_is_a_local_sqlite_file(tmp_path: Path):
    result = confbot("console", stdin="/help\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "confbot.sqlite3").exists()


def test_check_reports_the_data():
    result = confbot("check")
    assert result.returncode == 0, result.stderr
    assert "29 sessions" in result.stdout and "pl, uk, en" in result.stdout


def test_the_shipped_data_passes_check():
    """The one test that reads data/ itself (every other one reads tests/fixtures): whatever
    conference data/ holds, `confbot check` accepts it."""
    result = confbot("check", env={"CONFBOT_DATA_DIR": str(PROJECT_ROOT / "data")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: "), result.stdout


def test_check_names_the_bad_file(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "conference.yaml").write_text("languages: [pl]\nid: x\n", encoding="utf-8")
    result = confbot("check", env={"CONFBOT_DATA_DIR": str(data)})
    assert result.returncode == 2
    assert "data/venues.yaml: the file is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_is_named():
    result = confbot("check", env={"DATABASE_URL": "not a url"})
    assert result.returncode == 2
    assert "configuration: DATABASE_URL: 'not a url' is not a database URL" in result.stderr


def test_incomplete_matrix_settings_are_named():
    result = confbot("check", env={"MATRIX_HOMESERVER": "https://matrix.example.org"})
    assert result.returncode == 2
    assert "MATRIX_USER_ID: is required" in result.stderr


def test_a_bad_now_is_named(tmp_path: Path):
    result = confbot("console", "--now", "yesterday", cwd=tmp_path)
    assert result.returncode == 2
    assert "--now: 'yesterday' is not a date and time" in result.stderr


def test_a_reminder_appears_while_the_console_runs(tmp_path: Path, database_url: str):
    """The issue's own example: the confirmation, then the 15-minute reminder for 11:15."""
    environment = bot_environment(DATABASE_URL=database_url)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--now", "2023-11-30T10:59:52", "--lang", "en"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=environment, cwd=tmp_path)
    assert process.stdin is not None
    process.stdin.write("remind me about the community centers panel\n")
    process.stdin.flush()
    try:
        stdout, stderr = _wait_then_close(process)
    finally:
        process.kill()
    assert "Added to your agenda" in stdout, stderr
    confirmation, _, reminder = stdout.partition("⏰")
    assert "/s20" in confirmation
    assert "starts in 15 minutes" in reminder and "/s20" in reminder


def _wait_then_close(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Keep the input open until the reminder is printed (8 s of demo time), then end it."""
    import threading

    from tests.helpers import wait_until

    assert process.stdout is not None and process.stdin is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")),
                              daemon=True)
    reader.start()
    try:
        wait_until(lambda: "starts in 15 minutes" in "".join(lines) or process.poll() is not None,
                   30, "the reminder in the console")
    finally:
        process.stdin.close()
    process.wait(30)
    reader.join(30)
    assert process.stderr is not None
    return "".join(lines), process.stderr.read()


def _moved_data(tmp_path: Path) -> Path:
    import shutil

    import yaml

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    day2 = data / "programme" / "day2.yaml"
    document = yaml.safe_load(day2.read_text(encoding="utf-8"))
    next(s for s in document["sessions"] if s["id"] == "s20").update(start="11:30",
                                                                      end="13:00")
    day2.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return data


def test_reload_tells_subscribers_and_outbox_shows_it(tmp_path: Path, database_url: str):
    database = {"DATABASE_URL": database_url}
    chosen = confbot("console", "--lang", "en", "--now", "2023-11-30T09:00",
                     stdin="/remind s20\n", cwd=tmp_path, env=database)
    assert chosen.returncode == 0, chosen.stderr
    data = _moved_data(tmp_path)
    reload = confbot("reload", cwd=tmp_path, env={**database, "CONFBOT_DATA_DIR": str(data)})
    assert reload.returncode == 0, reload.stderr
    assert "s20: new time — 1 notice(s) queued" in reload.stdout
    again = confbot("reload", cwd=tmp_path, env={**database, "CONFBOT_DATA_DIR": str(data)})
    assert "No session moved" in again.stdout
    outbox = confbot("outbox", cwd=tmp_path, env=database)
    header, _, row, *_ = outbox.stdout.splitlines()
    assert header.split() == ["platform", "kind", "queued", "sending", "sent", "failed",
                              "blocked", "expired"]
    assert row.split() == ["console", "change", "1", "0", "0", "0", "0", "0"]


def test_reload_refuses_invalid_data(tmp_path: Path, database_url: str):
    data = _moved_data(tmp_path)
    (data / "venues.yaml").write_text("venues: [\n", encoding="utf-8")
    result = confbot("reload", cwd=tmp_path,
                     env={"DATABASE_URL": database_url,
                          "CONFBOT_DATA_DIR": str(data)})
    assert result.returncode == 2
    assert "venues.yaml: line" in result.stderr
