"""Participation, as conversations on the console in pl, uk and en: questions to a session
(moderation, votes, answered), "full" reaching the subscribers once, rating prompts under the
demo clock, interest for organisers, and what /forget does to all of it."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest

from bot.app import Application
from bot.chat.router import ORGANISER as ORGANISER_ROLE
from bot.delivery.feedback_prompts import after_quiet
from bot.delivery.sender import decode, encode
from bot.programme.yaml_data import DataError, load_conference
from bot.storage import Store
from bot.storage.erasure import export
from bot.storage.questions import QuestionStatus
from bot.transports.console import ConsoleSession
from handlers.moderation import MODERATOR
from tests.conftest import DATA_DIR, WARSAW, warsaw
from tests.helpers import start_app
from tests.test_cli import confbot
from tests.test_reminders import Phone, deliver
from tests.test_validation import edit, session

ORGANISER = "anna"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The real data, with a Q&A moderator for s21, open Q&A for s22 and places for the study
    visits s4 and s5."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)

    def day2(document: dict) -> None:  # type: ignore[type-arg]
        session(document, "s21")["moderators"] = ["console:mod"]
        session(document, "s22")["qa"] = "open"

    def day1(document: dict) -> None:  # type: ignore[type-arg]
        session(document, "s4")["places"] = 15
        session(document, "s5")["places"] = 20

    edit(copy / "programme" / "day2.yaml", day2)
    edit(copy / "programme" / "day1.yaml", day1)
    return copy


@pytest.fixture
def app(data, database_url, clock):  # type: ignore[no-untyped-def]
    conference, lexicon = load_conference(data)
    application = start_app(conference, lexicon, Store(database_url), clock,
                            organisers=frozenset({f"console:{ORGANISER}"}))
    yield application
    application.store.close()


def person(app: Application, name: str, lang: str = "en") -> ConsoleSession:
    return ConsoleSession(app, user=name, client_language=lang)


def question_id(answer: str) -> int:
    """The number of the question an answer names (q7)."""
    found = re.search(r"\bq(\d+)\b", answer)
    assert found, answer
    return int(found.group(1))


# --- questions ------------------------------------------------------------------------------

def test_two_people_vote_on_one_question_a_moderator_rejects_another(app, clock):
    clock.set(warsaw("2023-11-30T11:30"))
    ola, olena, tom = person(app, "ola77", "pl"), person(app, "olena", "uk"), person(app, "tom")
    asked = ola.ask("/ask s20 Jak pozyskać wolontariuszy do małego domu sąsiedzkiego?")
    assert "trafi najpierw do moderacji" in asked, asked
    first = question_id(asked)
    second = question_id(tom.ask("/ask s20 Is this panel being recorded?"))
    # nobody sees a question before a moderator approves it
    assert "Jak pozyskać" not in olena.ask("/questions s20")
    organiser = person(app, ORGANISER)
    waiting = organiser.ask("/questions s20")
    assert "Jak pozyskać" in waiting and f"[Approve → /approve q{first}]" in waiting
    assert "ola77" not in waiting  # anonymous in what anyone is shown
    assert "approved" in organiser.ask(f"/approve q{first}")
    assert "rejected" in organiser.ask(f"/reject q{second}")
    assert "not on the list" in tom.ask(f"/vote q{second}")

    assert f"q{first}" in olena.ask(f"/vote q{first}")
    assert f"q{first}" in tom.ask(f"/vote q{first}")
    again = tom.ask(f"/vote q{first}")
    assert f"/unvote q{first}" in again  # counted once; the answer offers to take it back
    listing = olena.ask("/questions s20")
    assert "Питання до" in listing and "2 голоси" in listing
    assert "Jak pozyskać wolontariuszy" in listing and "2" in listing.split("Jak pozyskać")[1]
    assert "recorded" not in listing
    assert app.store.questions.get(first).votes == 2  # type: ignore[union-attr]
    tom.ask(f"/unvote q{first}")
    assert app.store.questions.get(first).votes == 1  # type: ignore[union-attr]

    # the chair sees the top question first and marks it answered; it leaves the list
    chair_view = organiser.ask("/questions s20")
    assert chair_view.index("Jak pozyskać") < chair_view.index("/answered")
    assert "answered" in organiser.ask(f"/answered q{first}")
    assert "Jak pozyskać" not in olena.ask("/questions s20")


def test_a_moderator_from_the_data_and_open_qa(app, clock):
    clock.set(warsaw("2023-11-30T11:20"))
    asker, moderator = person(app, "iza", "pl"), person(app, "mod")
    moderator.ask("/my")  # the bot knows where to write to the moderator
    number = question_id(asker.ask("/ask s21 Gdzie szukać tłumaczy?"))
    phone = Phone()
    deliver(app, phone)
    (pushed,) = phone.of("mod")
    assert "New question to" in pushed and "/s21" in pushed and "Gdzie szukać" in pushed
    assert f"[Approve → /approve q{number}]" in pushed and phone.of("iza") == []
    # the moderator of s21 (moderators: [console:mod]) decides on s21 only
    assert "approved" in moderator.ask(f"/approve q{number}")
    other = question_id(asker.ask("/ask s20 Czy będzie nagranie?"))
    assert "only the organisers" in moderator.ask(f"/approve q{other}")
    # qa: open approves at once
    open_answer = person(app, "bob").ask("/ask s22 How do you avoid burnout?")
    assert "on the list" in open_answer
    assert "burnout" in person(app, "eve").ask("/questions s22")


def test_moderation_is_a_declared_role_refused_with_the_one_message(app, clock, caplog):
    roles = {name: app.dispatcher.roles.get(h) for name, h in app.dispatcher.commands.items()}
    assert {roles[c] for c in ("approve", "reject", "answered", "full", "open")} == {MODERATOR}
    assert roles["stats"] == roles["web"] == ORGANISER_ROLE
    clock.set(warsaw("2023-11-30T11:20"))
    asker, moderator = person(app, "iza", "pl"), person(app, "mod")
    mine = question_id(asker.ask("/ask s21 Czy będą napisy?"))
    theirs = question_id(asker.ask("/ask s20 Czy będą napisy?"))
    # s21's moderator (moderators: [console:mod]) sees and decides on s21's questions, and
    # says when its room is full
    assert "waits for your decision" in moderator.ask("/questions s21")
    assert "waits for your decision" not in moderator.ask("/questions s20")
    assert "marked full" in moderator.ask("/full s21")
    assert "places again" in moderator.ask("/open s21")
    # everything else: the organisers' one refusal, logged once without the account
    refusal = person(app, "stranger").ask("/announce")
    assert "only the organisers" in refusal
    for command in (f"/reject q{theirs}", "/full s20", "/answered q999", "/stats",
                    "/feedback s21"):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert moderator.ask(command) == refusal, command
        assert sum("refused" in r.getMessage() for r in caplog.records) == 1, command
        assert "user=mod:" not in caplog.text and "user=mod " not in caplog.text
    assert "rejected" in moderator.ask(f"/reject q{mine}")


def test_limits_and_the_window(app, clock):
    tom = person(app, "tom")
    clock.set(warsaw("2023-11-30T10:30"))
    assert "open 30 minutes before" in tom.ask("/ask s20 Too early?")
    clock.set(warsaw("2023-11-30T10:45"))
    for n in range(3):
        assert "moderators" in tom.ask(f"/ask s20 Question number {n}?")
    assert "3 questions" in tom.ask("/ask s20 A fourth one?")
    assert "500" in tom.ask("/ask s21 " + "x" * 501)
    clock.set(warsaw("2023-11-30T12:45"))
    assert "has ended" in tom.ask("/ask s21 Too late?")
    assert "does not take questions" in tom.ask("/ask s26 What is for lunch?")


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("pytanie do panelu o migracji: jak dotrzeć do nowych sąsiadów?", "pl", "s21"),
    ("question for s20: how do you fund a community centre?", "en", "s20"),
    ("питання до s22 — як не вигоріти?", "uk", "s22"),
    ("вопрос к панели о волонтерстве: как найти людей?", "uk", "s25"),
    ("Question to the panel about migration - is there a network?", "en", "s21"),
    ("Pytania do s21: czy będą materiały?", "pl", "s21"),
])
def test_free_text_questions_are_read_by_structure(app, clock, text, lang, expected):
    clock.set(warsaw("2023-11-30T12:00" if expected != "s25" else "2023-11-30T13:00"))
    answer = person(app, "ala", lang).ask(text)
    assert f"/{expected}" in answer
    assert {"pl": "Twoje pytanie", "uk": "Ваше питання", "en": "Your question"}[lang] in answer
    (question,) = app.store.questions.queue()
    assert question.session_id == expected
    assert question.text == text.split(":", 1)[-1].split("—", 1)[-1].split(" - ", 1)[-1].strip()


def test_without_a_session_the_one_on_the_agenda_is_meant_or_the_bot_asks(app, clock):
    clock.set(warsaw("2023-11-30T11:30"))
    ala = person(app, "ala", "pl")
    which = ala.ask("/ask Czy będą materiały?")
    assert "/ask s20" in which and "/ask s21" in which  # three panels run at once
    ala.ask("/ask s21")  # the button: the question waiting from before goes to s21
    (question,) = app.store.questions.queue()
    assert (question.session_id, question.text) == ("s21", "Czy będą materiały?")
    bob = person(app, "bob")
    bob.ask("/remind s22")
    bob.ask("/ask What helps most?")
    assert {q.session_id for q in app.store.questions.queue()} == {"s21", "s22"}


def test_a_bare_question_word_is_not_a_question_to_a_session(app, clock):
    clock.set(warsaw("2023-11-30T11:30"))
    answer = person(app, "ala").ask("Question: what is on now?")
    assert app.store.questions.queue() == [] and "/s20" in answer
    answer = person(app, "ala").ask("Question about lunch: when is it?")
    assert app.store.questions.queue() == [] and "14:20" in answer


def test_a_question_may_come_in_the_next_message(app, clock):
    clock.set(warsaw("2023-11-30T11:30"))
    ala = person(app, "ala")
    assert "next message" in ala.ask("/ask s20")
    assert "moderators" in ala.ask("Who funds you?")
    assert [q.text for q in app.store.questions.queue()] == ["Who funds you?"]


def test_every_button_fits_telegram(app, clock):
    clock.set(warsaw("2023-11-30T11:30"))
    for n in range(2):
        person(app, f"p{n}").ask(f"/ask s20 Question {n}?")
    replies = ConsoleSession(app, user=ORGANISER).send("/questions s20")
    replies += ConsoleSession(app, user="p0").send("/s20")
    commands = [b.command for r in replies for row in getattr(r, "buttons", ()) for b in row]
    assert "/approve q1" in commands and "/ask s20" in commands
    assert all(len(c.encode()) <= 64 for c in commands)
    reactions = [getattr(r, "reactions", {}) for r in replies]
    assert {"👍": "/approve q1"} in reactions
    assert decode(encode(replies)) == replies  # pushed messages keep their reactions
    assert [getattr(r, "reactions", {}) for r in decode(encode(replies))] == reactions


# --- places ---------------------------------------------------------------------------------

def test_full_reaches_the_subscribers_once_and_survives_a_restart(app, clock, data,
                                                                  database_url):
    clock.set(warsaw("2023-11-29T12:00"))
    ola, olena = person(app, "ola", "pl"), person(app, "olena", "uk")
    ola.ask("/remind s4")
    olena.ask("/remind s4")
    assert "only the organisers" in person(app, "ola").ask("/full s4")
    organiser = person(app, ORGANISER)
    told = organiser.ask("/full s4")
    assert "2 people" in told
    assert "already" in organiser.ask("/full s4")
    phone = Phone()
    deliver(app, phone)
    deliver(app, phone)
    (for_ola,) = phone.of("ola")
    (for_olena,) = phone.of("olena")
    assert "/s4" in for_ola and "/s5" in for_ola  # what else starts at 15:30
    assert "/s4" in for_olena
    assert "Places: 15" in person(app, "tom").ask("/s4")
    # kept like a live edit: another process (a new application on the database) sees it
    conference, lexicon = load_conference(data)
    other = start_app(conference, lexicon, Store(database_url), clock)
    try:
        listing = ConsoleSession(other, user="tom", client_language="en").ask("/programme 1")
        line = next(x for x in listing.splitlines() if "/s4" in x)
        assert "full" in line
    finally:
        other.store.close()
    assert "places again" in organiser.ask("/open s4")
    line = next(x for x in person(app, "tom").ask("/programme 1").splitlines() if "/s4" in x)
    assert "full" not in line


# --- interest -------------------------------------------------------------------------------

def test_interest_for_organisers_in_chat_and_on_the_command_line(app, database_url, data):
    for name, minutes in (("a", "15"), ("b", "off")):
        someone = person(app, name)
        someone.ask("/remind s4")
        someone.ask(f"/reminders {minutes}")
    assert "only the organisers" in person(app, "a").ask("/stats")
    stats = person(app, ORGANISER).ask("/stats")
    line = next(x for x in stats.splitlines() if "/s4" in x)
    assert "2 (1) / 15" in line
    assert stats.index("/s1 ") < stats.index("/s4") < stats.index("/s20")
    result = confbot("stats", env={"DATABASE_URL": database_url, "CONFBOT_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr
    row = next(x for x in result.stdout.splitlines() if x.startswith("s4 "))
    assert row.split()[3:6] == ["2", "1", "15"]


# --- feedback -------------------------------------------------------------------------------

def test_a_rating_prompt_after_the_session_ends_under_the_demo_clock(app, clock, data,
                                                                    database_url):
    clock.set(warsaw("2023-11-30T11:00"))
    olena, tom, quiet = person(app, "olena", "uk"), person(app, "tom"), person(app, "q")
    for someone in (olena, tom, quiet):
        someone.ask("/remind s20")
        someone.ask("/remind s26")  # lunch: never asked about
    assert "not ask" in quiet.ask("/feedback off")
    assert "You switched off" in quiet.ask("/feedback")
    assert "Після кожної сесії" in person(app, "q2", "uk").ask("/feedback увімкнути")
    phone = Phone()
    clock.set(warsaw("2023-11-30T12:40"))
    assert app.feedback_prompts.tick() == 0  # not over yet
    clock.set(warsaw("2023-11-30T12:46"))
    assert app.feedback_prompts.tick() == 2
    assert app.feedback_prompts.tick() == 0  # once
    deliver(app, phone)
    (prompt,) = phone.of("tom")
    assert "/s20" in prompt and "[5 → /rate s20 5]" in prompt
    (for_olena,) = phone.of("olena")
    assert "Як вам" in for_olena and phone.of("q") == []
    assert "4/5" in tom.ask("/rate s20 4")
    assert "comment" in tom.ask("Great speakers, too little time for questions.")
    olena.ask("/rate s20 5 Дуже корисно")
    clock.set(warsaw("2023-11-30T14:40"))
    assert app.feedback_prompts.tick() == 0  # lunch is not rated
    summary = person(app, ORGANISER).ask("/feedback s20")
    assert "2 ratings" in summary and "4.5" in summary
    assert "too little time" in summary and "Дуже корисно" in summary
    assert "only the organisers" in tom.ask("/feedback s20")
    result = confbot("feedback", "--csv",
                     env={"DATABASE_URL": database_url, "CONFBOT_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr
    rows = result.stdout.strip().splitlines()
    assert rows[0].startswith("session,title,score") and len(rows) == 3
    assert "olena" not in result.stdout and "tom" not in result.stdout
    result = confbot("feedback", env={"DATABASE_URL": database_url, "CONFBOT_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("s20      2 rating(s)  average 4.5  [1:0 2:0 3:0 4:1 5:1]")
    assert "Дуже корисно" in result.stdout


def test_no_prompt_in_the_quiet_hours(app, clock):
    clock.set(warsaw("2023-11-29T18:00"))
    person(app, "ala", "pl").ask("/remind s8")  # the evening meeting ends at 20:40
    clock.set(warsaw("2023-11-29T21:30"))  # the bot was down at 20:40
    assert app.feedback_prompts.tick() == 1
    phone = Phone()
    deliver(app, phone)
    assert phone.of("ala") == []
    clock.set(warsaw("2023-11-30T08:00"))
    deliver(app, phone)
    (prompt,) = phone.of("ala")
    assert "/rate s8 1" in prompt
    assert after_quiet(warsaw("2023-11-30T07:59"), WARSAW) == warsaw("2023-11-30T08:00")
    assert after_quiet(warsaw("2023-11-30T12:00"), WARSAW) == warsaw("2023-11-30T12:00")


# --- privacy --------------------------------------------------------------------------------

def test_forget_takes_votes_and_ratings_and_leaves_questions_without_author(app, clock):
    clock.set(warsaw("2023-11-30T12:00"))
    ala, bob = person(app, "ala"), person(app, "bob")
    number = question_id(ala.ask("/ask s22 Who pays for supervision?"))
    bob.ask(f"/vote q{number}")
    bob.ask("/rate s20 3 ok")
    bob.ask("/feedback off")
    bob_id = app.store.users.touch("console", "bob", now=clock.now()).id
    mine = export(app.store, bob_id)
    assert mine["ratings"] and mine["question_votes"] and mine["feedback_off"]
    assert "confirm" in bob.ask("/forget")
    bob.ask("/forget confirm")
    assert app.store.questions.get(number).votes == 0  # type: ignore[union-attr]
    assert app.store.ratings.all() == []
    ala_id = app.store.questions.get(number).author_id  # type: ignore[union-attr]
    assert ala_id is not None
    ala.ask("/forget confirm")
    kept = app.store.questions.get(number)
    assert kept is not None and kept.author_id is None and kept.text.startswith("Who pays")
    assert kept.status is QuestionStatus.APPROVED


# --- data -----------------------------------------------------------------------------------

def test_bad_participation_data_names_the_file_and_field(data):
    def bad(document: dict) -> None:  # type: ignore[type-arg]
        session(document, "s4")["places"] = "many"
        session(document, "s5")["qa"] = "sometimes"
        session(document, "s1")["moderators"] = ["signal:+48123"]

    edit(data / "programme" / "day1.yaml", bad)
    with pytest.raises(DataError) as error:
        load_conference(data)
    message = str(error.value)
    assert "programme/day1.yaml" in message
    assert "places" in message and "qa" in message and "moderators" in message


def test_the_retention_rule_keeps_questions_and_ratings_naming_nobody(app, clock):
    from bot.storage.erasure import purge

    clock.set(warsaw("2023-11-30T12:00"))
    ala = person(app, "ala")
    number = question_id(ala.ask("/ask s22 Is there a handbook?"))
    ala.ask(f"/vote q{number}")
    ala.ask("/rate s20 5 Inspiring")
    counts = purge(app.store, now=clock.now(), deletion_due=clock.now())
    assert counts["questions anonymised"] == 1 and counts["ratings anonymised"] == 1
    kept = app.store.questions.get(number)
    assert kept is not None and kept.author_id is None
    (rating,) = app.store.ratings.all()
    assert (rating.score, rating.comment) == (5, "Inspiring")
