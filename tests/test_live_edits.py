"""Organisers change the programme live from the chat: /edit previews, /send applies and tells
the people who chose the session once, in their language; the overlay survives restarts and
reloads of data/; invalid edits are refused with the reason."""

from __future__ import annotations

import asyncio
import shutil

import pytest
import yaml

from bot.app import Application
from bot.cli import main
from bot.core.messages import Reply, TextReply
from bot.programme.ical import calendar_file
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.transports.console import ConsoleSession
from tests.conftest import DATA_DIR, warsaw
from tests.harness import RunningBot
from tests.helpers import start_app
from tests.telegram_fixtures import transport_for
from tests.telegram_standin import BotApiStandIn
from tests.test_reminders import Phone, deliver
from tests.test_validation import edit, session

ORGANISER = "org"


@pytest.fixture
def app(loaded, database_url, clock):  # type: ignore[no-untyped-def]
    application = start_app(loaded[0], loaded[1], Store(database_url), clock,
                            organisers=frozenset({f"console:{ORGANISER}", "telegram:777"}))
    yield application
    application.store.close()


@pytest.fixture
def phone() -> Phone:
    return Phone()


def person(app: Application, name: str, lang: str | None = "en") -> ConsoleSession:
    return ConsoleSession(app, user=name, client_language=lang)


def organiser(app: Application) -> ConsoleSession:
    return person(app, ORGANISER, "en")


def make(app: Application, command: str) -> str:
    """Preview an edit and send it; returns the preview."""
    org = organiser(app)
    preview = org.ask(command)
    assert "Apply it?" in preview, preview
    assert "Done" in org.ask("/send")
    return preview


def test_a_moved_session_is_told_once_with_the_new_time(app, clock, phone):
    person(app, "ala", "pl").ask("/remind s20")
    person(app, "olena", "uk").ask("/remind s20")
    preview = organiser(app).ask("/edit s20 time 11:45")
    assert "11:15–12:45 → Thursday, 30 November, 11:45–13:15" in preview
    assert "2 people chose this session and will be told" in preview
    assert "Polski: 1" in preview and "Українська: 1" in preview
    assert deliver(app, phone) == 0                       # nothing happens before /send
    assert "2 people are being told" in organiser(app).ask("/send")
    deliver(app, phone)
    (notice,) = phone.of("ala")
    assert "Zmiana w Twoim planie" in notice and "11:45–13:15" in notice
    assert "Зміна у вашому плані" in phone.of("olena")[0]
    app.refresh_overlay()                                 # the watcher seeing it again
    assert deliver(app, phone) == 0                       # told once
    assert "11:45–13:15" in person(app, "bob").ask("/s20")
    clock.set(warsaw("2023-11-30T11:15"))
    assert deliver(app, phone) == 0                       # the old reminder time passes
    clock.set(warsaw("2023-11-30T11:30"))
    assert deliver(app, phone) == 2                       # 15 minutes before 11:45
    assert "11:45–13:15" in phone.of("ala")[-1]


def test_a_strangers_edit_changes_nothing(app, caplog):
    stranger = person(app, "mallory")
    assert "only the organisers can do that" in stranger.ask("/edit s20 cancel")
    assert "nothing to send" in stranger.ask("/send")
    assert "only the organisers" in stranger.ask("/edits")
    assert app.store.edits.all() == []
    assert not app.conference.sessions["s20"].cancelled
    assert "not an organiser" in caplog.text
    assert "mallory" not in caplog.text  # the log names nobody (a pseudonymous id)


def test_cancel_drops_the_reminder_keeps_it_visible_and_restore_brings_it_back(app, clock,
                                                                               phone):
    person(app, "ala").ask("/remind s20")
    preview = make(app, "/edit s20 cancel")
    assert "Cancelled: the reminders are dropped" in preview
    deliver(app, phone)
    assert "has been cancelled" in phone.of("ala")[0]
    assert "❌ cancelled" in person(app, "bob").ask("/programme 2")
    assert "Cancelled" in person(app, "bob").ask("/s20")
    assert "has been cancelled" in person(app, "bob").ask("/remind s20")
    ics = calendar_file(app.conference, [app.conference.sessions["s20"]], "en", clock.now())
    assert b"STATUS:CANCELLED" in ics
    clock.set(warsaw("2023-11-30T11:00"))
    assert deliver(app, phone) == 0                       # no reminder of a cancelled session
    clock.set(warsaw("2023-11-30T10:30"))
    make(app, "/edit s20 restore")
    deliver(app, phone)
    assert "on again" in phone.of("ala")[-1]
    clock.set(warsaw("2023-11-30T11:00"))
    assert deliver(app, phone) == 1
    assert "starts in 15 minutes" in phone.of("ala")[-1]


@pytest.mark.parametrize(("command", "reason"), [
    ("/edit s16 time 10:50", "must lie within its parent s15"),
    ("/edit s20 time 23:30", "after midnight"),
    ("/edit s20 time 13:00-12:00", "before it starts"),
    ("/edit s20 day 9 time 10:00", "There is no day 9"),
    ("/edit s999 cancel", "There is no session s999"),
    ("/edit s20 time noon", "is not a time like 11:45"),
    ("/edit s20 fly", "How to edit"),
])
def test_invalid_edits_are_refused_with_the_reason(app, command: str, reason: str):
    answer = organiser(app).ask(command)
    assert reason in answer
    assert "nothing to send" in organiser(app).ask("/send")
    assert app.store.edits.all() == []


def test_a_room_and_a_note_in_one_language_are_marked_for_the_others(app, phone):
    person(app, "olena", "uk").ask("/remind s20")
    person(app, "bob", "en").ask("/remind s20")
    make(app, "/edit s20 place Sala 2, 1st floor")
    make(app, "/edit s20 note wejście od podwórza")
    deliver(app, phone)
    assert "Sala 2, 1st floor" in phone.of("bob")[0]
    assert "wejście od podwórza" in phone.of("bob")[1]
    assert "Only available in Polski" in phone.of("bob")[1]
    assert "wejście od podwórza" in phone.of("olena")[1]
    details = person(app, "ala", "pl").ask("/s20")
    assert "wejście od podwórza" in details and "Only available" not in details
    make(app, "/edit s20 note pl: wejście od podwórza | en: entrance from the courtyard")
    assert "entrance from the courtyard" in person(app, "bob").ask("/s20")
    make(app, "/edit s20 place miejsce-otwarte-cim")
    assert app.conference.sessions["s20"].venue.id == "miejsce-otwarte-cim"


def test_edits_lists_who_and_when_and_undo_goes_back_to_the_data(app):
    make(app, "/edit s20 time 11:45")
    listing = organiser(app).ask("/edits")
    assert "/s20" in listing and "11:45–13:15" in listing and "console:org" in listing
    make(app, "/edit s20 undo")
    assert app.conference.sessions["s20"].span[0] == warsaw("2023-11-30T11:15")
    assert "No live changes" in organiser(app).ask("/edits")


def test_send_and_cancel_serve_the_last_preview(app):
    org = organiser(app)
    org.ask("/announce")
    org.ask("/edit s20 time 11:45")                        # replaces the announcement
    assert "Nothing was sent" in org.ask("/cancel")
    assert app.store.edits.all() == []
    assert "nothing to cancel" in org.ask("/cancel")


def buttons(replies: list[Reply]) -> dict[str, str]:
    """The buttons under the last reply: label -> the command a tap sends."""
    last = replies[-1]
    assert isinstance(last, TextReply)
    return {button.label: button.command for row in last.buttons for button in row}


def announcement_preview(org: ConsoleSession) -> dict[str, str]:
    org.send("/announce")
    org.send("Sala 1 is closed today.")
    for _ in app_languages(org.app)[1:]:
        org.send("/skip")
    return buttons(org.send("/to all"))


def app_languages(app: Application) -> tuple[str, ...]:
    return app.conference.languages


def test_a_stale_announcement_button_does_not_apply_a_later_edit(app, phone):
    person(app, "ala").ask("/remind s16")
    org = organiser(app)
    announcement = announcement_preview(org)
    assert announcement["Send"].startswith("/send ") and announcement["Send"] != "/send"
    edit_buttons = buttons(org.send("/edit s16 cancel"))
    assert edit_buttons["Send"] != announcement["Send"]
    refused = org.ask(announcement["Send"])              # the old button, tapped now
    assert "earlier preview" in refused and "Nothing was done" in refused
    assert not app.conference.sessions["s16"].cancelled
    assert app.store.edits.all() == [] and app.store.outbox.announcements() == []
    assert deliver(app, phone) == 0                        # nobody told
    assert "earlier preview" in org.ask(announcement["Cancel"])
    assert "Done" in org.ask(edit_buttons["Send"])       # the edit's own button still works
    assert app.conference.sessions["s16"].cancelled


def test_a_stale_edit_button_does_not_send_a_later_announcement(app, phone):
    person(app, "ala").ask("/remind s16")
    org = organiser(app)
    edit_buttons = buttons(org.send("/edit s16 cancel"))
    announcement = announcement_preview(org)
    assert "earlier preview" in org.ask(edit_buttons["Send"])
    assert not app.conference.sessions["s16"].cancelled
    assert app.store.edits.all() == [] and app.store.outbox.announcements() == []
    assert deliver(app, phone) == 0
    assert "on its way" in org.ask(announcement["Send"])


def test_a_button_of_a_preview_lost_in_a_restart_is_refused(app, loaded, database_url, clock):
    org = organiser(app)
    edit_buttons = buttons(org.send("/edit s20 cancel"))
    app.store.state.delete(f"pending:{app.store.users.known('console', ORGANISER).id}")
    assert "earlier preview" in org.ask(edit_buttons["Send"])
    assert not app.conference.sessions["s20"].cancelled


def test_a_repreviewed_edit_has_a_new_button_and_typed_send_means_the_latest(app):
    org = organiser(app)
    first = buttons(org.send("/edit s20 time 11:45"))
    second = buttons(org.send("/edit s20 time 12:00"))
    assert first["Send"] != second["Send"]
    assert "earlier preview" in org.ask(first["Send"])
    assert app.store.edits.all() == []
    assert "Done" in org.ask("/send")                     # typed: the latest preview
    assert app.conference.sessions["s20"].span[0] == warsaw("2023-11-30T12:00")


def test_the_change_survives_a_restart_and_reaches_another_process(app, loaded, database_url,
                                                                   clock, tmp_path):
    from bot.ops.watcher import watch_edits

    other = start_app(loaded[0], loaded[1], Store(database_url), clock)  # a second process
    make(app, "/edit s20 time 11:45")
    restarted = start_app(loaded[0], loaded[1], Store(database_url), clock)
    assert restarted.conference.sessions["s20"].span[0] == warsaw("2023-11-30T11:45")

    async def watch() -> None:
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_edits(other, stop, lambda: None, every=0.05))
        await asyncio.sleep(0.3)
        stop.set()
        await watcher

    asyncio.run(watch())
    assert other.conference.sessions["s20"].span[0] == warsaw("2023-11-30T11:45")
    restarted.store.close()
    other.store.close()


def test_a_data_reload_keeps_the_edit_and_reports_a_vanished_session(app, phone, tmp_path):
    person(app, "ala").ask("/remind s20")
    make(app, "/edit s20 time 11:45")
    make(app, "/edit s5 cancel")
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    edit(data / "programme" / "day2.yaml",
         lambda d: session(d, "s20").update(title={"pl": "Nowy", "uk": "Новий", "en": "New"}))
    edit(data / "programme" / "day1.yaml",
         lambda d: d["sessions"].remove(session(d, "s5")))
    app.replace_programme(*load_conference(data))
    assert app.conference.sessions["s20"].span[0] == warsaw("2023-11-30T11:45")
    assert app.conference.sessions["s20"].title["en"] == "New"
    assert [s.session_id for s in app.skipped_edits] == ["s5"]
    assert "no longer applies" in organiser(app).ask("/edits")


def test_confbot_reload_and_edits_export(app, tmp_path, monkeypatch, capsys, database_url):
    make(app, "/edit s20 time 11:45")
    make(app, "/edit s20 note wejście od podwórza")
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    edit(data / "programme" / "day2.yaml", lambda d: d["sessions"].remove(session(d, "s20")))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CONFBOT_DATA_DIR", str(data))
    assert main(["reload"]) == 0
    out = capsys.readouterr().out
    assert "s20: the live edit (time, note) no longer applies: the session is not in the data" \
        in out
    monkeypatch.setenv("CONFBOT_DATA_DIR", str(DATA_DIR))
    assert main(["reload"]) == 0                            # the session is back, so is the edit
    assert "no longer applies" not in capsys.readouterr().out
    assert main(["edits"]) == 0
    assert "s20" in capsys.readouterr().out
    assert main(["edits", "--export"]) == 0
    exported = yaml.safe_load(capsys.readouterr().out)
    (entry,) = exported["sessions"]
    assert entry["id"] == "s20" and entry["start"] == "11:45" and entry["end"] == "13:15"
    assert entry["note"] == {"pl": "wejście od podwórza"}


def test_an_organiser_edits_over_telegram(app, phone):
    api = BotApiStandIn().start()
    try:
        with RunningBot(app, transport_for(app, api)):
            api.send_text(1003, "/remind s20")
            api.wait_for(1, chat_id=1003)
            api.send_text(777, "/edit s20 time 11:45")
            preview = api.wait_for(2, chat_id=777)[-1]
            assert "Apply it?" in preview.params["text"]
            api.send_text(888, "/edit s20 cancel")        # a stranger
            assert "only the organisers" in api.wait_for(1, chat_id=888)[-1].params["text"]
            api.send_text(777, "/send")
            api.wait_for(3, chat_id=777)
            notice = api.wait_for(2, chat_id=1003, method="sendMessage")[-1]
            assert "A change in your agenda" in notice.params["text"]
            assert "11:45–13:15" in notice.params["text"]
        assert not app.conference.sessions["s20"].cancelled
    finally:
        api.stop()


@pytest.mark.slow
def test_telegram_buttons_carry_their_preview_and_a_stale_one_is_refused(app, phone):
    from tests.telegram_fixtures import buttons as callback_data

    api = BotApiStandIn().start()
    try:
        with RunningBot(app, transport_for(app, api)):
            api.send_text(777, "/edit s20 cancel")
            first = api.wait_for(2, chat_id=777)[-1]
            (old_send,) = [d for d in callback_data(first) if d.startswith("/send")]
            assert old_send != "/send"                      # the button names its preview
            api.send_text(777, "/edit s20 time 11:45")
            second = api.wait_for(4, chat_id=777)[-1]
            (new_send,) = [d for d in callback_data(second) if d.startswith("/send")]
            assert new_send != old_send
            api.press(777, old_send)
            refused = api.wait_for(5, chat_id=777, method="sendMessage")[-1]
            assert "earlier preview" in refused.params["text"]
            assert not app.conference.sessions["s20"].cancelled
            assert app.store.edits.all() == []
            api.press(777, new_send)
            done = api.wait_for(6, chat_id=777, method="sendMessage")[-1]
            assert "Done" in done.params["text"]
        assert app.conference.sessions["s20"].span[0] == warsaw("2023-11-30T11:45")
        assert not app.conference.sessions["s20"].cancelled
    finally:
        api.stop()
