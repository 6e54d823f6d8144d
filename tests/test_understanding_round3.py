"""Issue 19, third round: what fresh questions from new writers showed. Expected titles, times
and names come from data/."""

from __future__ import annotations

import pytest

from bot.programme.model import Conference
from tests.conftest import Chat, warsaw
from tests.helpers import title


def test_a_word_of_a_title_is_not_a_typo_of_a_question_word(chat: Chat, conference: Conference):
    # "trends" is a word of a talk's title, not "ends" mistyped (which asks when things end)
    answer = chat(lang="en").ask("that talk about trends, global and local")
    assert title(conference, "s16", "en") in answer
    assert "ends on" not in answer


def test_a_part_of_a_block_named_alone_is_that_part(chat: Chat, conference: Conference):
    answer = chat(lang="en").ask("the seniors talk")  # a kind, and a word of one talk
    assert title(conference, "s10", "en") in answer
    assert title(conference, "s9", "en") not in answer  # not every talk


def test_ukrainian_in_latin_letters_with_words_shared_with_polish(chat: Chat,
                                                                   conference: Conference):
    session = chat(user="latin")
    answer = session.ask("do kotroi trivaje panel pro maly gminy?")
    assert title(conference, "s23", "uk") in answer and "14:20" in answer
    again = session.ask("a o kotrij?")  # short, and its small words are Polish too
    assert "12:50" in again and "Починається" in again


def test_yes_or_no_about_a_person_and_their_sessions(chat: Chat, conference: Conference):
    # Wojciech Matejko speaks on Thursday (s24), not on Wednesday
    yes = chat(lang="pl", user="p1").ask("czy Matejko występuje w czwartek?")
    assert yes.startswith("Tak.") and title(conference, "s24", "pl") in yes
    assert "Wojciech Matejko" in yes
    no = chat(lang="en", user="p2").ask("does Matejko speak on Wednesday?")
    assert no.startswith("No.")


def test_a_person_claimed_for_a_session_they_are_not_in(chat: Chat, conference: Conference):
    # Adam Markuszewski moderates the metropolis panel (s27), not the volunteering one (s25)
    answer = chat(lang="uk", user="p3").ask("Маркушевський модерує панель про волонтерство?")
    assert answer.startswith("Ні.") and title(conference, "s25", "uk") in answer


def test_a_question_asked_by_its_tone_is_a_yes_or_no(chat: Chat, conference: Conference):
    # the coffee break runs 10:55–11:15; "…?" with no question word asks yes or no
    answer = chat(lang="uk", user="p4").ask("перерва на каву об 11:30?")
    assert answer.startswith("Ні.") and title(conference, "s19", "uk") in answer
    # a follow-up opened by "and" asks the last question again, not yes or no
    session = chat(lang="en", user="p5")
    session.ask("when's the Nasza Ściana visit?")
    again = session.ask("and the one on Konfederacka?")
    assert not again.startswith(("Yes.", "No.")) and title(conference, "s5", "en") in again


def test_a_fact_asked_with_nothing_named_leans_on_the_conversation(chat: Chat,
                                                                    conference: Conference):
    session = chat(lang="uk", user="lean")
    session.ask("що таке People meet People?")
    answer = session.ask("а починається о котрій?")  # no "it", no conference word
    assert title(conference, "s6", "uk") in answer and "17:00" in answer
    assert "Початок конференції" not in answer


def test_a_reminder_set_for_what_was_just_talked_about(chat: Chat, app, conference: Conference):
    session = chat(lang="en", user="set")
    session.ask("when is the panel on metropolitan networks?")
    answer = session.ask("set a reminder 15 min before")
    assert title(conference, "s27", "en") in answer
    assert "Which session?" not in answer


def test_there_after_a_place_names_what_is_held_there(chat: Chat, conference: Conference):
    session = chat(lang="pl", user="there")
    session.ask("gdzie jest Świetlica Dębniki?")
    answer = session.ask("a o której tam wizyta?")
    assert title(conference, "s5", "pl") in answer and "15:30" in answer
    assert title(conference, "s4", "pl") not in answer


def test_with_whom_and_what_comes_behind_it(chat: Chat, conference: Conference):
    session = chat(lang="uk", user="behind")
    session.ask("коли панель про малі гміни?")
    after = session.ask("а що за ним?")
    assert title(conference, "s26", "uk") in after
    session = chat(lang="uk", user="with-whom")
    session.ask("що веде Ольга Глінська?")
    who = session.ask("з ким вона веде воркшоп?")
    assert "Joanna Grzymała-Moszczyńska" in who and title(conference, "s22", "uk") in who


@pytest.mark.parametrize(("lang", "question", "shown"), [
    ("pl", "co się zaczyna za pięć trzecia?", "14:55"),       # five to three: lunch ends at 15:00
    ("en", "what's on at twenty to three?", "14:40"),
    ("uk", "що йде без десяти третя?", "14:50"),
    ("pl", "co jest o czternastej?", "14:00"),
])
def test_clock_times_said_in_words(chat: Chat, app, lang: str, question: str, shown: str):
    app.clock.set(warsaw("2023-11-30T10:05"))
    answer = chat(lang=lang, user=f"clock-{question}").ask(question)
    assert shown in answer, answer


@pytest.mark.parametrize(("lang", "question", "shown"), [
    ("pl", "co będzie za dwie godziny?", "12:05"),
    ("ru", "что будет через три часа?", "13:05"),
    ("en", "what's on in two hours?", "12:05"),
])
def test_counts_said_in_words(chat: Chat, app, lang: str, question: str, shown: str):
    app.clock.set(warsaw("2023-11-30T10:05"))
    assert shown in chat(lang=lang, user=f"count-{question}").ask(question)


def test_a_kind_at_a_street_named_with_a_determiner(chat: Chat, conference: Conference):
    # "ta wizyta" (this visit) points at nothing said before: the street names the visit
    answer = chat(lang="pl", user="street").ask("a ta wizyta przy Konfederackiej, co to?")
    assert title(conference, "s5", "pl") in answer
    assert title(conference, "s4", "pl") not in answer


def test_where_someone_speaks_is_where_their_sessions_are(chat: Chat, conference: Conference):
    # "виступає" (speaks) is a verb here, not the kind "talk": Matejko's panel, not every talk
    answer = chat(lang="uk", user="speaks").ask("де виступає Войцех Матейко?")
    assert title(conference, "s24", "uk") in answer
    assert title(conference, "s9", "uk") not in answer


def test_a_topic_word_inside_a_title_names_the_session(chat: Chat, conference: Conference):
    # "room" asks about the conference rooms, but "modular community room" is a talk's title
    answer = chat(lang="en", user="room").ask("that modular community room talk")
    assert title(conference, "s12", "en") in answer
    assert "rooms of the individual sessions" not in answer


def test_words_naming_a_session_outweigh_whats_on(chat: Chat, conference: Conference):
    answer = chat(lang="en", user="whatson").ask("what's on in the Jazdów estate resilience talk")
    assert title(conference, "s11", "en") in answer
    assert "Now (" not in answer


def test_a_sessions_own_fact_not_the_topic_sharing_its_word(chat: Chat, conference: Conference):
    # "formie" also names the conference's format (an info page); here it asks the visit's
    answer = chat(lang="pl", user="form").ask("w jakiej formie jest wizyta w Świetlicy Dębniki?")
    assert title(conference, "s5", "pl") in answer
    assert "Tegoroczna konferencja" not in answer


def test_how_many_minutes_and_a_part_of_the_day(chat: Chat, conference: Conference):
    answer = chat(lang="en", user="minutes").ask("how many minutes is the lunch break in the "
                                                 "afternoon?")
    assert title(conference, "s26", "en") in answer and "40 minutes" in answer


@pytest.mark.parametrize(("lang", "question", "verdict", "session_id"), [
    # the metropolis panel (s27) is at 15:00, after lunch (14:20–15:00)
    ("pl", "czy panel o metropoliach jest przed obiadem?", "Nie.", "s27"),
    ("en", "is the metropolis panel after lunch?", "Yes.", "s27"),
    # the well-being workshop (s22) comes right after the coffee break (10:55–11:15)
    ("uk", "воркшоп про благополуччя одразу після перерви на каву?", "Так.", "s22"),
    # the small municipalities panel (s23) is not right after the coffee break
    ("en", "is the small municipalities panel right after the coffee break?", "No.", "s23"),
])
def test_before_or_after_another_session(chat: Chat, conference: Conference, lang: str,
                                         question: str, verdict: str, session_id: str):
    answer = chat(lang=lang, user=f"rel-{question}").ask(question)
    assert answer.startswith(verdict) and title(conference, session_id, lang) in answer, answer


def test_is_it_before_lunch_leans_on_the_conversation(chat: Chat, conference: Conference):
    session = chat(lang="en", user="rel-focus")
    session.ask("when is the panel on small municipalities?")
    answer = session.ask("is it before lunch?")
    assert answer.startswith("Yes.") and title(conference, "s23", "en") in answer
    assert title(conference, "s26", "en") in answer  # the session it was compared with


def test_what_follows_a_session_named_by_its_kind(chat: Chat, app, conference: Conference):
    # "обіду" names the lunch break (an inflected form) and the catering page shares the word;
    # "що після" asks what follows the lunch break
    app.clock.set(warsaw("2023-11-30T14:25"))
    answer = chat(lang="uk", user="after-lunch").ask("а що після обіду?")
    for session_id in ("s27", "s28", "s29"):
        assert title(conference, session_id, "uk") in answer


def test_where_exactly_is_it(chat: Chat, conference: Conference):
    session = chat(lang="pl", user="exactly")
    session.ask("o której zaczyna się wizyta w Skawinie?")
    answer = session.ask("a gdzie dokładnie to jest?")  # "to" (it) points back
    assert "ul. Sikorskiego 18, Skawina" in answer


def test_three_quarters_is_read_before_a_quarter(chat: Chat, app, conference: Conference):
    app.clock.set(warsaw("2023-11-30T10:05"))
    answer = chat(lang="uk", user="quarter").ask("что идёт в четверг без четверти три?")
    assert "14:45" in answer and title(conference, "s26", "uk") in answer


def test_a_session_found_by_a_speakers_organisation(chat: Chat, conference: Conference):
    # Iwona Piksa works at the town hall in Chrzanów; she speaks in s23
    answer = chat(lang="en", user="org").ask("the session with the people from Chrzanów")
    assert title(conference, "s23", "en") in answer


def test_a_reflexive_verb_in_latin_letters(chat: Chat, conference: Conference):
    answer = chat(user="tsya").ask("skolko dlitsya obed?")
    assert title(conference, "s26", "uk") in answer and "40" in answer


def test_show_me_all_is_a_request_not_a_topic(chat: Chat, conference: Conference):
    answer = chat(lang="pl", user="show").ask("pokaż wszystkie warsztaty")
    for session in conference.of_kind("workshop"):
        assert title(conference, session.id, "pl") in answer


def test_which_of_those_chooses_among_the_last_answer(chat: Chat, app, conference: Conference):
    app.clock.set(warsaw("2023-11-30T13:00"))
    session = chat(lang="en", user="which")
    listed = session.ask("what's on after lunch?")
    assert title(conference, "s28", "en") in listed
    chosen = session.ask("which of them is about whether the work makes sense?")
    assert title(conference, "s28", "en") in chosen
    assert title(conference, "s27", "en") not in chosen
    who = session.ask("and who moderates it?")
    assert "Katarzyna Sekutowicz" in who


def test_who_runs_a_visit_is_not_the_organisers_page(chat: Chat, conference: Conference):
    answer = chat(lang="uk", user="host").ask("хто організовує візит у Скавині?")
    assert title(conference, "s3", "uk") in answer


def test_a_question_word_inside_a_title(chat: Chat, conference: Conference):
    # "Self-Help" holds "help", which alone would open the help page
    answer = chat(lang="en", user="selfhelp").ask("more about the Cultural Self-Help Centre one")
    assert title(conference, "s24", "en") in answer and "What I can do" not in answer


@pytest.mark.parametrize(("lang", "question", "first_after"), [
    ("uk", "а що після відкриття?", "s15"),       # the opening (s14), then the inspiration block
    ("pl", "a po przerwie kawowej?", "s20"),      # the coffee break, then the 11:15 sessions
    ("uk", "a pislia obidu?", "s27"),             # Ukrainian in Latin letters: after lunch
])
def test_what_comes_after_a_session_named(chat: Chat, app, conference: Conference, lang: str,
                                          question: str, first_after: str):
    app.clock.set(warsaw("2023-11-30T10:00"))
    answer = chat(lang=lang, user=f"after-{question}").ask(question)
    assert title(conference, first_after, lang) in answer, answer
    first = conference.sessions[first_after]
    running_before = [s.id for s in conference.top_level(conference.walk())
                      if s.times_announced and s.span[1] <= first.span[0]
                      and title(conference, s.id, lang) in answer]
    assert running_before == [], answer  # what follows, not a part of the day


def test_a_clock_hour_word_read_as_typed(chat: Chat, app, conference: Conference):
    # "dziesiąta" (ten) must not be read as the close "dziewiąta" (nine)
    app.clock.set(warsaw("2023-11-30T08:05"))
    answer = chat(lang="pl", user="dziesiata").ask("co będzie za kwadrans dziesiąta?")
    assert "09:45" in answer


def test_one_polish_word_is_not_ukrainian_in_latin_letters(chat: Chat, conference: Conference):
    session = chat(lang="pl", user="adres")
    session.ask("kiedy jest wizyta w Świetlicy Dębniki?")
    answer = session.ask("a adres?")
    assert "ul. Konfederacka 4" in answer and "Adres" in answer


def test_rare_words_outweigh_common_ones(chat: Chat, conference: Conference):
    # "people" is in several titles; "Ława" and "Chrzanów" (speakers' towns) in one session
    answer = chat(lang="en", user="rare").ask("the session with the people from Ława and "
                                              "Chrzanów")
    assert title(conference, "s23", "en") in answer
    assert title(conference, "s6", "en") not in answer


def test_the_afternoon_one_picks_among_the_last_answer(chat: Chat, app, conference: Conference):
    # Krzysztof Mikołajewski speaks in s20 (11:15) and s27 (15:00)
    app.clock.set(warsaw("2023-11-30T12:55"))
    session = chat(lang="en", user="afternoon-one")
    session.ask("which sessions is Krzysztof Mikołajewski in?")
    who = session.ask("the afternoon one, who else is on it?")
    assert title(conference, "s27", "en") in who and "Adam Markuszewski" in who
    assert title(conference, "s20", "en") not in who


def test_what_talks_are_in_a_block(chat: Chat, conference: Conference):
    session = chat(lang="en", user="block")
    session.ask("when is the evening inspiration meeting?")
    talks = session.ask("what talks are in it?")
    for session_id in ("s9", "s10", "s11", "s12"):
        assert title(conference, session_id, "en") in talks
    assert title(conference, "s16", "en") not in talks  # a talk of another block


def test_a_topic_not_announced_outweighs_a_kind(chat: Chat, conference: Conference):
    # where to smoke is not announced; "перерву" (the break) is only when they would
    answer = chat(lang="uk", user="smoke").ask("чи можна покурити на Заблоцє під час перерви?")
    assert "не оголошено" in answer
    assert not answer.startswith(("Так.", "Ні."))


def test_what_happens_at_a_place_is_not_a_look_alike_topic(chat: Chat, conference: Conference):
    # "działo" (happens) looks like "udział" (participation, an info page)
    answer = chat(lang="pl", user="happens").ask("co się będzie działo w bibliotece w Skawinie?")
    assert title(conference, "s3", "pl") in answer
    assert "Udział i koszty" not in answer and title(conference, "s4", "pl") not in answer
