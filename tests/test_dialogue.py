"""Issue 19: conversations, not keyword matches. Follow-ups lean on what the last answers were
about (kept in the database, shared by processes, expiring, erased by /forget); the most specific
thing named wins over a category word; spoken and relative times; facts of a named session;
honest gaps; an imported schedule's own words. Expected titles, times and names come from data/.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import PROJECT_ROOT
from bot.core.clock import FakeClock
from bot.programme.model import Conference, Venue
from bot.programme.schedules.load import load_content
from bot.storage import Store
from bot.storage.models import DialogueState
from bot.transports.console import ConsoleSession
from tests.conftest import Chat, warsaw
from tests.helpers import start_app, title


def address(conference: Conference, session_id: str) -> str:
    venue = conference.sessions[session_id].venue
    assert isinstance(venue, Venue) and isinstance(venue.address, str)
    return venue.address


def other_titles(conference: Conference, answer: str, lang: str, *wanted: str) -> list[str]:
    return [s.id for s in conference.walk()
            if s.id not in wanted and s.title[lang] in answer]


# --- follow-ups in every language ----------------------------------------------------------

@pytest.mark.parametrize(("lang", "first", "where", "who", "remind"), [
    ("pl", "o której zaczyna się panel o małych gminach?", "a gdzie to będzie?",
     "a kto go prowadzi?", "przypomnij mi o nim"),
    ("uk", "коли починається панель про малі гміни?", "а де він буде?",
     "а хто його веде?", "нагадай мені про нього"),
    ("ru", "во сколько начинается панель про малые гмины?", "а где он будет?",
     "а кто его ведёт?", "напомни мне о нём"),
    ("en", "what time does the panel on small municipalities begin?", "and where is it?",
     "who runs it?", "remind me about it"),
])
def test_a_conversation_about_one_panel(chat: Chat, app, conference: Conference, lang: str,
                                        first: str, where: str, who: str, remind: str):
    reply_lang = "uk" if lang == "ru" else lang
    session = chat(user=f"panel-{lang}")
    when = session.ask(first)
    assert title(conference, "s23", reply_lang) in when and "12:50" in when
    assert other_titles(conference, when, reply_lang, "s23") == []
    place = session.ask(where)
    assert address(conference, "s23") in place
    assert other_titles(conference, place, reply_lang, "s23") == []
    people = session.ask(who)
    assert all(p.name in people or (p.name_uk or "") in people
               for p in conference.sessions["s23"].people)
    session.ask(remind)
    user = app.store.users.touch("console", f"panel-{lang}", now=app.clock.now())
    assert "s23" in app.store.subscriptions.of(user.id)


def test_after_that_and_before_that_lean_on_the_last_answer(chat: Chat,
                                                            conference: Conference):
    session = chat(user="breaks")
    coffee = session.ask("kiedy jest przerwa kawowa?")
    assert "10:55" in coffee
    after = session.ask("a co jest po niej?")
    assert all(title(conference, s, "pl") in after for s in ("s20", "s21", "s22"))
    assert title(conference, "s23", "pl") not in after
    session.ask("когда обед?")
    before = session.ask("а что перед ним?")
    assert all(title(conference, s, "uk") in before for s in ("s23", "s24", "s25"))


def test_a_follow_up_about_a_person(chat: Chat, conference: Conference):
    session = chat(user="person")
    session.ask("в чому бере участь Ольга Глінська?")
    again = session.ask("а коли вона виступає?")
    assert title(conference, "s22", "uk") in again and "11:15" in again


def test_how_do_i_get_there_from_the_station(chat: Chat, conference: Conference):
    session = chat(user="route")
    session.ask("when is the visit to the Dębniki community room?")
    route = session.ask("how do I get there from the main railway station?")
    assert address(conference, "s5") in route and "Kraków Główny" in route


def test_a_message_naming_something_new_starts_afresh(chat: Chat, conference: Conference):
    session = chat(user="afresh")
    session.ask("kiedy jest panel o małych gminach?")
    lunch = session.ask("a do której jest obiad?")
    assert "15:00" in lunch and title(conference, "s26", "pl") in lunch
    assert title(conference, "s23", "pl") not in lunch


def test_the_dialogue_expires_after_a_quiet_while(chat: Chat, app, conference: Conference):
    session = chat(user="quiet")
    session.ask("when does the workshop on well-being start?")
    assert "12:45" in session.ask("and when does it end?")
    app.clock.advance(minutes=31)
    later = session.ask("and when does it end?")
    assert title(conference, "s22", "en") not in later


def test_two_processes_share_the_dialogue(database_url: str, loaded, conference: Conference):
    clock = FakeClock(warsaw("2023-11-30T10:05"))
    first = start_app(loaded[0], loaded[1], Store(database_url), clock)
    second = start_app(loaded[0], loaded[1], Store(database_url), clock)
    try:
        ConsoleSession(first, user="shared").ask("kto prowadzi warsztat o dobrostanie?")
        answer = ConsoleSession(second, user="shared").ask("a do której trwa?")
        assert title(conference, "s22", "pl") in answer and "12:45" in answer
    finally:
        first.store.close()
        second.store.close()


def test_forget_erases_the_dialogue_and_privacy_explains_it(chat: Chat, app):
    session = chat(user="forgetful", lang="en")
    session.ask("when is the coffee break?")
    with app.store.session() as db:
        assert db.scalar(select(func.count()).select_from(DialogueState)) == 1
    assert "follow-up" in session.ask("/privacy")
    session.ask("/forget confirm")
    with app.store.session() as db:
        assert db.scalar(select(func.count()).select_from(DialogueState)) == 0


# --- the most specific thing named -------------------------------------------------------

@pytest.mark.parametrize(("question", "lang", "wanted"), [
    ("czy jest warsztat o dobrostanie animatorów?", "pl", "s22"),
    ("is there a panel about volunteering among neighbours?", "en", "s25"),
    ("чи є навчальний візит у Скавіні?", "uk", "s3"),
    ("есть ли воркшоп про миграцию?", "uk", "s21"),
])
def test_a_session_named_beats_its_category(chat: Chat, conference: Conference, question: str,
                                            lang: str, wanted: str):
    answer = chat(user=f"specific-{wanted}").ask(question)
    assert title(conference, wanted, lang) in answer
    assert len(other_titles(conference, answer, lang, wanted)) <= 1


# --- times -------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "lang", "running"), [
    ("co będzie za półtorej godziny?", "pl", None),
    ("co jest o wpół do drugiej?", "pl", "s23"),
    ("що йде о пів на дванадцяту?", "uk", "s21"),
    ("что идёт в полпервого?", "uk", "s21"),
    ("what's on at quarter past three?", "en", "s27"),
    ("what's on at 3:30pm?", "en", "s27"),
])
def test_spoken_clock_times(chat: Chat, conference: Conference, question: str, lang: str,
                            running: str | None):
    answer = chat(user="clock").ask(question)
    if running is not None:
        assert title(conference, running, lang) in answer


def test_relative_times_and_parts_of_the_day(chat: Chat, app, conference: Conference):
    session = chat(user="relative")
    in_an_hour = session.ask("what is on in an hour?")   # 10:05 + 1 h: the coffee break
    assert title(conference, "s19", "en") in in_an_hour
    assert title(conference, "s14", "en") not in in_an_hour
    app.clock.set(warsaw("2023-11-29T12:00"))
    evening = chat(user="evening").ask("що буде сьогодні ввечері?")
    assert title(conference, "s8", "uk") in evening
    assert title(conference, "s1", "uk") not in evening
    morning = chat(user="morning").ask("co jest w czwartek rano?")
    assert title(conference, "s13", "pl") in morning
    assert title(conference, "s27", "pl") not in morning


def test_an_impossible_time_gets_an_honest_answer(chat: Chat):
    assert "no such time" in chat(user="bad", lang="en").ask("what is on at 26:10?")


# --- facts of a named session ------------------------------------------------------------

def test_facts_of_a_named_session(chat: Chat, conference: Conference):
    session = chat(user="facts")
    assert "40" in session.ask("how long is the lunch break?")
    ends = session.ask("до котрої триває воркшоп про міграцію?")
    assert "12:45" in ends and title(conference, "s21", "uk") in ends
    host = session.ask("kto jest gospodarzem wizyty w Skawinie?")
    host_text = conference.sessions["s3"].host
    assert host_text is not None and host_text["pl"] in host


# --- honest gaps -------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "lang", "said"), [
    ("is there a cloakroom?", "en", "not announced"),
    ("czy jest parking przy Zabłociu?", "pl", "nie ogłoszono"),
    ("який пароль від wifi?", "uk", "не оголошено"),
])
def test_a_known_topic_without_facts_is_an_honest_gap(chat: Chat, app, conference: Conference,
                                                      question: str, lang: str, said: str):
    answer = chat(user=f"gap-{lang}", lang=lang).ask(question)
    assert said in answer and conference.website and conference.website in answer
    kept = app.store.unanswered.groups()
    assert any(question in (group.text, *group.variants) for group in kept)


# --- an imported schedule's own words ----------------------------------------------------

def test_lunch_typed_as_a_break_in_an_imported_schedule(database_url: str, tmp_path):
    source = (PROJECT_ROOT / "tests" / "schedules" / "kolkata.xml").read_text(encoding="utf-8")
    typed = source.replace("<type>Lunch</type>", "<type>Break</type>")
    loaded = load_content(typed.encode(), "kolkata.xml")
    lunch = next(s for s in loaded.conference.walk() if s.title.versions.get("en") == "Lunch"
                 or "Lunch" in s.title.values())
    assert lunch.kind == "break"
    start = lunch.span[0].astimezone(loaded.conference.timezone)
    app = start_app(loaded.conference, loaded.lexicon, Store(database_url),
                    FakeClock(start - timedelta(hours=2)))
    try:
        answer = ConsoleSession(app, user="imported", client_language="en").ask(
            "when is lunch?")
        assert f"{start:%H:%M}" in answer and "Lunch" in answer
    finally:
        app.store.close()


@pytest.mark.parametrize(("question", "first_word"), [
    ("czy wizyta w Skawinie zaczyna się o 15:00?", "Tak"),
    ("чи панель про волонтерство у середу?", "Ні"),
    ("is the well-being workshop at Zabłocie?", "Yes"),
    ("does the coffee break start at 11:30?", "No"),
])
def test_yes_or_no_with_the_fact(chat: Chat, question: str, first_word: str):
    answer = chat(user="yes-no").ask(question)
    assert answer.split()[0].rstrip(".") == first_word
