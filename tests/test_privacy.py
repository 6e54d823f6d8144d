"""Privacy and data rights: the notice, /mydata, /forget (nothing left that names the person,
checked over every table and column), groups, retention with a fake clock, and the logs."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, inspect, select

from bot.app import Application
from bot.core import logids
from bot.core.clock import FakeClock
from bot.core.messages import FileReply, Incoming, Reply, TextReply
from bot.core.plaintext import plain_text
from bot.delivery.sender import OutboxSender
from bot.ops.serving import after_delivery, run_retention
from bot.storage import Store
from bot.storage.console import TopicRecord
from bot.storage.erasure import purge
from bot.storage.privacy import IMPERSONAL_TABLES, PERSONAL_COLUMNS, PrivacyPolicy, explanations
from tests.conftest import warsaw
from tests.helpers import start_app
from tests.test_reminders import Phone

ANNA = "555000111"       # a Telegram user id; her private chat has the same id
BOGDAN = "555000222"


@pytest.fixture
def app(loaded, database_url, clock):  # type: ignore[no-untyped-def]
    application = start_app(loaded[0], loaded[1], Store(database_url), clock,
                            organisers=frozenset({f"telegram:{ANNA}"}))
    yield application
    application.store.close()


def say(app: Application, user: str, text: str, lang: str | None = "en",
        group: bool = False) -> list[Reply]:
    chat = "-100777" if group else user
    return app.handle(Incoming("telegram", user, chat, text, lang, is_group=group))


def text_of(replies: list[Reply]) -> str:
    return "\n\n".join(plain_text(reply) for reply in replies)


def mentions(engine: Engine, needles: set[str]) -> list[tuple[str, str, object]]:
    """Every (table, column, value) of the whole database that contains one of the needles:
    the schema is reflected, so a table added later is scanned too."""
    metadata = MetaData()
    metadata.reflect(engine)
    found = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is not None and any(n in str(value) for n in needles):
                        found.append((table.name, column, value))
    return found


def deliver(app: Application) -> None:
    sender = OutboxSender(app.store, app.clock, "telegram", Phone().deliver,
                          on_done=after_delivery(app))
    asyncio.run(sender.drain_once())


def busy_organiser(app: Application) -> None:
    """Anna chooses a language, sessions and a reminder time, broadcasts an announcement
    (which is delivered and reported to her), and starts another one."""
    say(app, BOGDAN, "/remind s20")
    say(app, ANNA, "/lang uk")
    say(app, ANNA, "/remind s20")
    say(app, ANNA, "/remind s12")
    say(app, ANNA, "/reminders 30")
    for step in ("/announce", "Lunch moved to 14:30.", "/skip", "/skip", "/to all", "/send"):
        say(app, ANNA, step)
    deliver(app)
    deliver(app)                        # the report to Anna
    say(app, ANNA, "/announce")         # a conversation step in the state table
    app.console_url = "https://console.example.org"   # the web console: a link, a session,
    say(app, ANNA, "/web")                             # and an answer she added there
    now = app.clock.now()
    app.store.console.start_session(f"telegram:{ANNA}", now, now + timedelta(hours=8))
    app.store.console.put_topic(TopicRecord(
        "cloakroom", {"en": "Cloakroom"}, {"en": "On the ground floor."},
        {"en": ["cloakroom"]}, f"telegram:{ANNA}", now))
    app.store.edits.put("s12", "note", {"en": "Room 2"}, f"telegram:{ANNA}", now)  # history
    app.store.edits.remove("s12", "note", author=f"telegram:{ANNA}", now=now)
    app.store.state.set("organisers:matrix-room", json.dumps([f"telegram:{ANNA}",
                                                              f"telegram:{BOGDAN}"]))
    app.store.state.set("matrix:dm-rooms", json.dumps({ANNA: "!anna:example.org",
                                                       BOGDAN: "!bogdan:example.org"}))


# --- /forget --------------------------------------------------------------------------------

def test_forget_asks_first_then_leaves_nothing_that_names_the_person(app: Application):
    busy_organiser(app)
    assert mentions(app.store.engine, {ANNA})
    announcement = app.store.outbox.announcements()[0]
    counts_before = app.store.outbox.delivery_counts(announcement.id)

    question = say(app, ANNA, "/forget")
    assert "Ви впевнені?" in text_of(question)               # in her language
    assert isinstance(question[0], TextReply)
    button = question[0].buttons[0][0].command
    assert button.startswith("/forget confirm ")                # bound to this warning
    assert app.store.users.known("telegram", ANNA) is not None   # nothing erased yet

    done = text_of(say(app, ANNA, button))
    assert "стер усе" in done and "почну" in done
    assert mentions(app.store.engine, {ANNA}) == []
    assert app.store.users.known("telegram", ANNA) is None

    # Bogdan keeps everything; the announcement keeps its text and counts, without its author
    assert app.store.subscriptions.of(app.store.users.known("telegram", BOGDAN).id) == ["s20"]
    kept = app.store.outbox.announcement(announcement.id)
    assert kept is not None and kept.author_user_id is None and kept.author_chat is None
    assert "Lunch moved" in kept.texts
    after = app.store.outbox.delivery_counts(announcement.id)
    assert sum(after.values()) == sum(counts_before.values()) - 1     # only her own copy went
    assert json.loads(app.store.state.get("organisers:matrix-room") or "") == [
        f"telegram:{BOGDAN}"]
    assert json.loads(app.store.state.get("matrix:dm-rooms") or "") == {
        BOGDAN: "!bogdan:example.org"}
    assert "telegram:" + ANNA in app.organisers      # the configuration is not the database

    # writing again starts afresh
    say(app, ANNA, "/now")
    again = app.store.users.known("telegram", ANNA)
    assert again is not None and again.chosen_language is None
    assert app.store.subscriptions.of(again.id) == []


def test_forget_is_not_unremind_any_more(app: Application):
    say(app, BOGDAN, "/remind s20")
    assert "Are you sure?" in text_of(say(app, BOGDAN, "/forget s20"))
    assert app.store.subscriptions.of(app.store.users.known("telegram", BOGDAN).id) == ["s20"]


def test_in_a_group_nothing_is_shown_or_erased(app: Application):
    say(app, ANNA, "/remind s20")
    for command in ("/privacy", "/mydata", "/forget", "/forget confirm"):
        replies = say(app, ANNA, command, group=True)
        assert len(replies) == 1 and isinstance(replies[0], TextReply)
        assert "write to me directly" in text_of(replies)
        assert ANNA not in text_of(replies)
    anna = app.store.users.known("telegram", ANNA)
    assert anna is not None and app.store.subscriptions.of(anna.id) == ["s20"]


# --- /mydata ----------------------------------------------------------------------------------

def test_mydata_round_trip(app: Application):
    say(app, ANNA, "/lang pl")
    say(app, ANNA, "/remind s20")
    say(app, ANNA, "/reminders 30")
    (reply,) = say(app, ANNA, "/mydata")
    assert isinstance(reply, FileReply) and reply.mime_type == "application/json"
    data = json.loads(reply.content)
    (user,) = data["users"]
    assert user["external_id"] == ANNA and user["chat_id"] == ANNA
    assert user["chosen_language"] == "pl" and user["reminder_minutes"] == 30
    assert [s["session_id"] for s in data["subscriptions"]] == ["s20"]
    assert set(user) == set(PERSONAL_COLUMNS["users"])        # every stored column, no more
    assert BOGDAN not in reply.content.decode()
    assert "Wszystko" in reply.caption                          # in her language


def test_the_console_prints_the_export(chat):  # type: ignore[no-untyped-def]
    printed = chat(lang="en", user="olena").ask("/mydata")
    assert '"external_id": "olena"' in printed


# --- the notice -------------------------------------------------------------------------------

def test_every_stored_column_is_explained(database_url: str):
    """Fails when a table or a column appears without the notice saying why it is kept."""
    store = Store(database_url)
    try:
        schema = inspect(store.engine)
        for table in schema.get_table_names():
            assert table in PERSONAL_COLUMNS or table in IMPERSONAL_TABLES, (
                f"table {table}: add it to bot.storage.privacy "
                "(PERSONAL_COLUMNS or IMPERSONAL_TABLES)")
            if table in PERSONAL_COLUMNS:
                columns = {column["name"] for column in schema.get_columns(table)}
                assert columns == set(PERSONAL_COLUMNS[table]), (
                    f"table {table}: explain {columns ^ set(PERSONAL_COLUMNS[table])} "
                    "in bot.storage.privacy.PERSONAL_COLUMNS")
        assert "display_name" not in {c["name"] for c in schema.get_columns("users")}
    finally:
        store.close()


@pytest.mark.parametrize(("lang", "question", "expected"), [
    ("pl", "jakie dane zbierasz?", "Prywatność"),
    ("uk", "які дані ви зберігаєте?", "Приватність"),
    ("en", "what data do you keep?", "Privacy"),
    ("en", "/privacy", "Privacy"),
    ("en", "!privacy", "Privacy"),
])
def test_the_notice_in_the_persons_language(app: Application, lang: str, question: str,
                                            expected: str):
    app.privacy = PrivacyPolicy(contact="privacy@example.org", retention_days=30)
    notice = text_of(say(app, ANNA, question, lang))
    assert expected in notice
    translations = app.catalogue[lang]
    for why in explanations():
        assert translations.gettext(why).replace("%(minutes)s", "30") in notice
        if lang != "en":
            assert translations.gettext(why) != why, f"{lang}: untranslated: {why}"
    assert "/mydata" in notice and "/forget" in notice
    assert "privacy@example.org" in notice
    assert "30" in notice and "/info organisers" in notice


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "forgotten after 45 quiet minutes"), ("pl", "po 45 minutach ciszy"),
    ("uk", "після 45 хвилин тиші")])
def test_the_notice_says_the_configured_quiet_while(app: Application, lang: str, said: str):
    app.store.dialogue.quiet = timedelta(minutes=45)  # CONFBOT_DIALOGUE_MINUTES=45
    notice = text_of(say(app, ANNA, "/privacy", lang))
    assert said in notice and "30 quiet" not in notice


def test_the_notice_without_a_contact_sends_people_to_the_organisers(app: Application):
    assert "ask the organisers" in text_of(say(app, ANNA, "/privacy"))


# --- keeping little ---------------------------------------------------------------------------

def test_a_shared_location_is_used_and_forgotten(app: Application):
    app.handle(Incoming("telegram", ANNA, ANNA, "", "en", location=(50.0512345, 19.9612345)))
    assert mentions(app.store.engine, {"50.0512", "19.9612"}) == []


def test_logs_name_nobody_at_info(app: Application, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.DEBUG):
        say(app, ANNA, "what is on now? my secret words")
        say(app, ANNA, "/remind s20")
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert info and not [line for line in info if ANNA in line or "secret" in line]
    assert any(logids.who("telegram", ANNA) in line for line in info)
    try:
        logids.configure(reveal=True)
        assert logids.who("telegram", ANNA) == f"telegram:{ANNA}"
    finally:
        logids.configure(reveal=False)


# --- retention --------------------------------------------------------------------------------

def test_retention_with_a_fake_clock(app: Application, clock: FakeClock):
    busy_organiser(app)
    say(app, BOGDAN, "/announce")        # not an organiser: nothing stored
    announcement = app.store.outbox.announcements()[0]
    counts = app.store.outbox.delivery_counts(announcement.id)
    due = app.privacy.deletion_due(app.conference.ends)
    assert due == app.conference.ends + timedelta(days=30)

    # the same day: nothing goes
    assert not any(run_retention(app).values())
    # two days later: delivered messages lose their text, people stay
    clock.set(warsaw("2023-12-02T12:00"))
    dry = purge(app.store, now=clock.now(), deletion_due=due, dry_run=True)
    assert dry["payloads"] > 0 and "users" not in dry
    assert all(m.payload for m in app.store.outbox.messages())        # a dry run changes nothing
    assert run_retention(app)["payloads"] == dry["payloads"]
    assert all(m.payload == "" for m in app.store.outbox.messages() if m.status == "sent")
    assert app.store.users.count() == 2
    # after the retention time: no person is left, the programme and the counts stay
    clock.set(due + timedelta(minutes=1))
    done = run_retention(app)
    assert done["users"] == 2 and done["subscriptions"] >= 2
    assert app.store.users.count() == 0
    assert mentions(app.store.engine, {ANNA, BOGDAN}) == []
    assert app.store.outbox.delivery_counts(announcement.id) == counts
    assert app.store.state.get("programme_snapshot")
    # the bot goes on working, for new people
    assert "Privacy" in text_of(say(app, "555000333", "/privacy"))


# --- the command line -------------------------------------------------------------------------

@pytest.mark.slow
def test_check_warns_without_a_privacy_contact_and_purge_reports(tmp_path: Path):
    from tests.test_cli import confbot

    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"}
    result = confbot("check", env=database)
    assert result.returncode == 0 and "PRIVACY_CONTACT is not set" in result.stderr
    result = confbot("check", env={**database, "PRIVACY_CONTACT": "privacy@example.org"})
    assert result.returncode == 0 and "PRIVACY_CONTACT" not in result.stderr
    confbot("console", "--now", "2023-11-30T10:05", "--user", ANNA, stdin="/remind s20\n",
            env=database)
    dry = confbot("purge", "--dry-run", env=database)         # the conference ended in 2023
    assert dry.returncode == 0, dry.stderr
    assert "users" in dry.stdout and "1 row(s) would be changed" in dry.stdout
    done = confbot("purge", env=database)
    assert "1 row(s) were changed" in done.stdout
    assert "0 row(s)" in confbot("purge", "--dry-run", env=database).stdout


def test_a_forget_button_of_an_earlier_warning_erases_nothing(app: Application):
    say(app, BOGDAN, "/remind s20")
    first = say(app, BOGDAN, "/forget")[0]
    second = say(app, BOGDAN, "/forget")[0]
    assert isinstance(first, TextReply) and isinstance(second, TextReply)
    old, new = first.buttons[0][0].command, second.buttons[0][0].command
    assert old != new
    assert "earlier preview" in text_of(say(app, BOGDAN, old))
    assert app.store.users.known("telegram", BOGDAN) is not None
    assert "erased everything" in text_of(say(app, BOGDAN, new))
    assert app.store.users.known("telegram", BOGDAN) is None
