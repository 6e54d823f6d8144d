"""`confbot links`: the t.me links of the sessions, for posters and QR codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.telegram_standin import BotApiStandIn
from tests.test_cli import confbot


@pytest.mark.slow
def test_links_with_the_user_name_given(tmp_path: Path, database_url: str):
    result = confbot("links", "--bot", "@confbot_test_bot", cwd=tmp_path,
                     env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    rows = {line.split("\t")[0]: line.split("\t") for line in result.stdout.splitlines()}
    assert rows["s12"][2:] == ["https://t.me/confbot_test_bot?start=s12",
                               "https://t.me/confbot_test_bot?start=remind_s12"]
    assert len(rows) > 20


@pytest.mark.slow
def test_links_ask_telegram_for_the_user_name(tmp_path: Path, database_url: str):
    api = BotApiStandIn().start()
    try:
        result = confbot("links", cwd=tmp_path, env={
            "DATABASE_URL": database_url, "TELEGRAM_TOKEN": api.token,
            "TELEGRAM_BASE_URL": api.base_url})
    finally:
        api.stop()
    assert result.returncode == 0, result.stderr
    assert "https://t.me/confbot_test_bot?start=s20" in result.stdout
    assert [c.method for c in api.calls] == ["getMe"]


@pytest.mark.slow
def test_links_without_a_way_to_know_the_name(tmp_path: Path, database_url: str):
    result = confbot("links", cwd=tmp_path, env={"DATABASE_URL": database_url})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "TELEGRAM_TOKEN" in result.stderr


@pytest.mark.slow
def test_check_reminds_to_turn_inline_mode_on(tmp_path: Path, database_url: str):
    result = confbot("check", cwd=tmp_path, env={"DATABASE_URL": database_url,
                                                 "TELEGRAM_TOKEN": "123456:TEST-TOKEN"})
    assert result.returncode == 0, result.stderr
    assert "inline mode" in result.stderr and "/setinline" in result.stderr
