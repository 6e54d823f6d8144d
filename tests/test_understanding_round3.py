"""Issue 19, third round: what fresh questions from new writers showed. Expected titles, times
and names come from data/."""

from __future__ import annotations

from bot.programme.model import Conference
from tests.conftest import Chat


def title(conference: Conference, session_id: str, lang: str) -> str:
    return conference.sessions[session_id].title[lang]


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
