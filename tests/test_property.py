"""Whatever anyone types, the bot answers, without an internal error, in well-formed HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core.messages import TextReply

ALLOWED_TAGS = {"b", "i", "code", "a"}
APOLOGY = "something went wrong"


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag not in ALLOWED_TAGS:
            self.errors.append(f"tag <{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if not self.open or self.open.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")


def well_formed(html: str) -> list[str]:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    if re.search(r"&(?!(amp|lt|gt|quot|#\d+|#x[0-9a-f]+);)", html):
        checker.errors.append("bare &")
    return checker.errors + [f"unclosed <{t}>" for t in checker.open]


texts = st.one_of(
    st.text(max_size=200),
    st.builds(lambda cmd, digits: f"{cmd} {digits}",
              st.sampled_from(["/programme", "/reminders", "/here", "/s", "dzień", "o", "at"]),
              st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4)),
    st.builds(lambda cmd, rest: f"{cmd} {rest}",
              st.sampled_from(["/now", "/next", "/today", "/programme", "/search", "/info",
                               "/lang", "/s12", "/s0", "/s999999999999", "!now", "/start",
                               "/help", "/about", "/x", "/where", "/venues", "/here"]),
              st.text(max_size=60)),
    st.sampled_from(["<b>", "</b>", "<script>alert(1)</script>", "&amp;", "& <", "/search <b>",
                     "co o 25:99?", "at 99 pm", "30.13", "dzień 0", "day 99", "%(x)s", "%s %d",
                     "/here 91 0", "/here 50.05 19.95", "/where s999", "how far is", "де?"]),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
# Everything a run ever found, checked on every run:
@example(text="\x00")  # PostgreSQL refuses NUL in text: found on PostgreSQL in CI
@example(text="\x8d\"\x00")
@example(text="/programme ²")
@example(text="/programme ٢")
@example(text="/reminders ²")
@example(text="/here ٥٠ ١٩")
@example(text="dzień ² o ³")
@example(text="co jest o ²:٣٠?")
@example(text="😀😀😀")
@example(text="?!…")
@example(text="co teraz? що зараз? что сейчас? what now?")
@example(text="shcho zaraz " * 400)
@example(text="хто " + "веде " * 300)
def test_any_text_gets_a_well_formed_answer(chat, text: str):
    replies = chat(lang="en").send(text)
    assert replies
    for reply in replies:
        if isinstance(reply, TextReply):
            assert APOLOGY not in reply.html, text
            assert reply.html.strip(), text
            assert well_formed(reply.html) == [], (text, reply.html)


def test_user_text_is_escaped(chat):
    reply = chat(lang="en").send("/search <b>x</b> & y")[0]
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in reply.html


def test_the_checker_catches_bad_html():
    assert well_formed("<b>open") and well_formed("a & b") and well_formed("<script>")
