"""The bot as people meet it: questions typed at the console, answers checked, across both days
and in Polish, Ukrainian and English. Expected titles come from data/, not from the tests."""

from __future__ import annotations

import pytest

from bot.core.clock import FakeClock
from bot.programme.model import Conference
from tests.conftest import Chat, warsaw
from tests.helpers import start_app, title

# --- the issue's own examples --------------------------------------------------------------

def test_co_teraz_answers_in_polish_with_the_talk_on_now(chat: Chat, conference: Conference):
    answer = chat().ask("co teraz?")
    assert "Teraz (10:05)" in answer
    assert "10:00–10:20" in answer and title(conference, "s16", "pl") in answer
    assert "/s16" in answer
    assert title(conference, "s17", "pl") in answer  # what comes next


def test_shcho_dali_answers_in_ukrainian_with_what_is_next(chat: Chat, conference: Conference):
    answer = chat().ask("що далі?")
    assert "10:20" in answer and title(conference, "s17", "uk") in answer
    assert "через 15 хвилин" in answer


def test_when_is_lunch(chat: Chat, conference: Conference):
    answer = chat().ask("when is lunch?")
    assert "14:20–15:00" in answer and title(conference, "s26", "en") in answer
    assert "Thursday, 30 November" in answer


def test_when_does_a_person_speak(chat: Chat, conference: Conference):
    answer = chat().ask("kiedy występuje Bohdan Skrzypczak?")
    assert "Bohdan Skrzypczak" in answer
    assert "11:15–12:45" in answer and title(conference, "s20", "pl") in answer
    assert "czwartek, 30 listopada" in answer


def test_a_session_about_migration(chat: Chat, conference: Conference):
    answer = chat().ask("is there a session about migration?")
    assert "/s21" in answer and title(conference, "s21", "en") in answer


def test_what_is_on_at_a_time_on_a_weekday(chat: Chat, conference: Conference):
    answer = chat().ask("what's on at 13:00 on Thursday?")
    for session_id in ("s23", "s24", "s25"):
        assert title(conference, session_id, "en") in answer
    assert title(conference, "s20", "en") not in answer


def test_when_does_the_conference_end_says_what_is_not_announced(chat: Chat):
    answer = chat().ask("o której kończy się konferencja?")
    assert "17:00" in answer and "16:30" in answer
    assert "nie zostało ogłoszone" in answer  # from the day's note in data/


# --- both days, and outside them ------------------------------------------------------------

def test_day_one_afternoon_lists_the_parallel_study_visits(chat: Chat, clock: FakeClock,
                                                           conference: Conference):
    clock.set(warsaw("2023-11-29T15:10"))
    answer = chat(lang="en").ask("/now")
    for session_id in ("s1", "s2", "s3"):
        assert title(conference, session_id, "en") in answer
    assert "15:30" in answer  # the next visits start then


def test_evening_meeting_says_its_place_was_not_announced(chat: Chat, clock: FakeClock):
    clock.set(warsaw("2023-11-29T19:30"))
    session = chat(lang="en")
    assert "/s8" in session.ask("/now")
    details = session.ask("/s8")
    assert "19:00–20:40" in details
    assert "Where: not announced" in details
    assert "/s9" in details and "/s12" in details


def test_between_the_days_next_is_registration_tomorrow_morning(chat: Chat, clock: FakeClock,
                                                               conference: Conference):
    clock.set(warsaw("2023-11-29T22:00"))
    answer = chat(lang="en").ask("/next")
    assert "Thursday, 30 November at 08:00" in answer
    assert title(conference, "s13", "en") in answer


def test_before_the_conference_now_says_when_it_starts(chat: Chat, clock: FakeClock,
                                                       conference: Conference):
    clock.set(warsaw("2023-11-20T12:00"))
    answer = chat(lang="en").ask("/now")
    assert "has not started" in answer
    assert "Wednesday, 29 November at 15:00" in answer
    assert "in 9 days" in answer
    assert title(conference, "s2", "en") in answer


def test_after_the_conference_it_says_so_and_the_programme_stays(chat: Chat, clock: FakeClock,
                                                                  conference: Conference):
    clock.set(warsaw("2023-12-05T09:00"))
    session = chat(lang="pl")
    assert "zakończyła się" in session.ask("co teraz?")
    assert title(conference, "s27", "pl") in session.ask("/programme 2")


def test_after_the_last_session_of_day_two(chat: Chat, clock: FakeClock):
    clock.set(warsaw("2023-11-30T16:45"))
    answer = chat(lang="en").ask("/now")
    assert "Nothing is on right now" in answer
    assert "not been announced" in answer  # what follows 16:30, from the data


def test_today_and_programme_by_weekday(chat: Chat, conference: Conference):
    session = chat(lang="en")
    today = session.ask("/today")
    assert "Thursday, 30 November" in today and "/s29" in today
    wednesday = session.ask("/programme wednesday")
    assert title(conference, "s7", "en") in wednesday and "/s20" not in wednesday
    assert "/s5" in session.ask("/programme 1")
    assert "/s5" in session.ask("/programme 29.11")


def test_an_unknown_day_gets_the_day_buttons(chat: Chat):
    answer = chat(lang="en").ask("/programme friday")
    assert "friday" in answer and "/programme 1" in answer and "/programme 2" in answer


def test_session_details_show_people_and_affiliations(chat: Chat, conference: Conference):
    answer = chat(lang="en").ask("/s20")
    assert "Moderator: Paweł Jordan" in answer
    assert "Speakers:" in answer and "Joanna Warecka" in answer
    assert conference.people["joanna-warecka"].affiliation["en"] in answer
    assert "Room: not announced" in answer


def test_a_talk_shows_the_block_it_belongs_to(chat: Chat, conference: Conference):
    answer = chat(lang="uk").ask("/s16")
    assert title(conference, "s15", "uk") in answer and "/s15" in answer


def test_unknown_session_and_command(chat: Chat):
    session = chat(lang="en")
    assert "There is no session /s99" in session.ask("/s99")
    assert "I do not know the command /dance" in session.ask("/dance")


def test_matrix_style_commands_work_too(chat: Chat, conference: Conference):
    assert title(conference, "s16", "en") in chat(lang="en").ask("!now")


def test_search_command(chat: Chat, conference: Conference):
    session = chat(lang="pl")
    assert "/s22" in session.ask("/search dobrostan")
    assert "nic" in session.ask("/search zzzqqq").lower()
    assert "/search" in session.ask("/search")


def test_practical_information(chat: Chat, conference: Conference):
    session = chat(lang="en")
    menu = session.ask("/info")
    for topic in conference.info:
        assert f"/info {topic.id}" in menu
    catering = next(t for t in conference.info if t.id == "catering")
    assert catering.body["en"].splitlines()[0] in session.ask("/info catering")
    participation = next(t for t in conference.info if t.id == "participation")
    assert participation.body["pl"].splitlines()[0] in session.ask("czy udział jest bezpłatny?")


def test_about(chat: Chat, conference: Conference):
    answer = chat(lang="uk").ask("/about")
    assert conference.theme["uk"] in answer and "29–30 листопада 2023" in answer


# --- tolerance -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["co terazz", "CO TERAZ", "co tearz?", "Co się teraz dzieje?"])
def test_typos_and_case(chat: Chat, conference: Conference, text: str):
    assert title(conference, "s16", "pl") in chat().ask(text)


def test_missing_polish_diacritics(chat: Chat, conference: Conference):
    answer = chat().ask("kiedy wystepuje Skrzypczak")
    assert title(conference, "s20", "pl") in answer


def test_a_speaker_asked_in_cyrillic(chat: Chat, conference: Conference):
    answer = chat().ask("коли виступає Богдан Скшипчак?")
    assert title(conference, "s20", "uk") in answer


def test_what_cannot_be_placed_gets_a_short_helpful_answer(chat: Chat):
    english = chat(lang="en").ask("blorp wibble")
    assert "did not understand" in english and "/help" in english
    ukrainian = chat(user="u2").ask("ляля тополя")
    assert "/help" in ukrainian and "did not understand" not in ukrainian


# --- languages -------------------------------------------------------------------------------

def test_reply_language_follows_the_message(chat: Chat):
    session = chat(lang="en")
    assert "Teraz (10:05)" in session.ask("co teraz?")
    assert "Зараз (10:05)" in session.ask("що зараз?")
    assert "Now (10:05)" in session.ask("what's on now?")


def test_a_command_follows_the_last_language_written_then_the_client(chat: Chat):
    assert "Зараз" in chat(lang="uk", user="a").ask("/now")
    session = chat(lang="uk", user="c")
    session.ask("co teraz?")
    assert "Teraz" in session.ask("/now")


def test_unsupported_client_language_falls_back_to_polish(chat: Chat):
    assert "Teraz (10:05)" in chat(lang="de").ask("/now")


def test_an_explicit_choice_wins_and_can_be_reset(chat: Chat):
    session = chat(lang="pl")
    session.ask("/lang en")
    assert "Now (10:05)" in session.ask("co teraz?")
    session.ask("/lang auto")
    assert "Teraz (10:05)" in session.ask("co teraz?")


def test_language_choice_survives_a_restart(chat: Chat, app, loaded, database_url, clock):
    from bot.storage import Store
    from bot.transports.console import ConsoleSession

    chat(user="stays").ask("/lang uk")
    again = start_app(loaded[0], loaded[1], Store(database_url), clock)
    try:
        assert "Зараз" in ConsoleSession(again, user="stays").ask("/now")
    finally:
        again.store.close()


def test_start_offers_every_language(chat: Chat):
    answer = chat(lang="uk").ask("/start")
    for command in ("/lang pl", "/lang uk", "/lang en"):
        assert command in answer
    assert "Українська" in answer and "Polski" in answer and "English" in answer


def test_plural_forms(app):
    cases = {
        "pl": {1: "1 minutę", 2: "2 minuty", 5: "5 minut", 22: "22 minuty"},
        "uk": {1: "1 хвилину", 3: "3 хвилини", 11: "11 хвилин", 21: "21 хвилину"},
        "en": {1: "1 minute", 2: "2 minutes"},
    }
    for lang, expected in cases.items():
        t = app.catalogue[lang]
        for n, text in expected.items():
            form = t.ngettext("Reminders come %(num)d minute before a session.",
                              "Reminders come %(num)d minutes before a session.", n) % {"num": n}
            assert text in form, (lang, n, form)


def test_dates_are_formatted_per_language(app, conference: Conference):
    day = conference.days[1].date
    assert app.catalogue["pl"].day(day) == "czwartek, 30 listopada"
    assert app.catalogue["uk"].day(day) == "четвер, 30 листопада"
    assert app.catalogue["en"].day(day) == "Thursday, 30 November"
