"""The command line as an operator and a participant use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot import PROJECT_ROOT


def confbot(*args: str, stdin: str = "", env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "MATRIX_", "CONFBOT_", "DATABASE_URL"))}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, env=environment, cwd=cwd or PROJECT_ROOT,
                          timeout=60)


def test_piped_console_prints_only_the_conversation(tmp_path: Path):
    result = confbot("console", "--now", "2023-11-30T10:05", "--lang", "en",
                     stdin="/now\nwhen is lunch?\n", cwd=tmp_path,
                     env={"DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Now (10:05)")
    assert "14:20–15:00" in result.stdout
    assert ">" not in result.stdout.splitlines()[0]
    assert "Traceback" not in result.stderr


def test_run_without_credentials_is_the_console(tmp_path: Path):
    result = confbot("run", "--now", "2023-11-29T15:10", stdin="co teraz?\n", cwd=tmp_path,
                     env={"DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}"})
    assert result.returncode == 0, result.stderr
    assert "Teraz (15:10)" in result.stdout
    assert "platform=console" in result.stderr  # logs go to stderr, with context


def test_default_database_is_a_local_sqlite_file(tmp_path: Path):
    result = confbot("console", stdin="/help\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "confbot.sqlite3").exists()


def test_check_reports_the_data():
    result = confbot("check")
    assert result.returncode == 0, result.stderr
    assert "29 sessions" in result.stdout and "pl, uk, en" in result.stdout


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
