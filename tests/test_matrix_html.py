"""Matrix formatting without a homeserver: every kind of reply and pushed message, rendered as
Matrix content, parses as valid Matrix HTML (tests/matrix_person.py checks it with
html.parser, independently of the renderer)."""

from __future__ import annotations

from markupsafe import Markup

from bot.app import Application
from bot.core.messages import Button, Incoming, TextReply
from bot.programme.diff import Change, snapshot
from bot.transports.matrix.conventions import addressed_text, reply_relation, thread_root
from bot.transports.matrix.render import matrix_html, text_content
from tests.conftest import warsaw
from tests.matrix_person import assert_valid_matrix_html, html_problems

ASKED = ["/start", "/help", "/now", "/next", "/today", "/programme", "/programme 2", "/s12",
         "/s20", "/venues", "/where zablocie", "/info", "/about", "/lang", "/my",
         "/remind s20", "/my", "/unremind s20", "/reminders", "/search film", "/privacy",
         "/nonsense", "when is lunch?", "co teraz?", "що далі?", "where is Skawina?",
         "/search <b>x</b> & y"]


def test_the_old_corruption_is_gone():
    formatted = text_content(TextReply(Markup('<b>Now</b> see /s12 at '
                                              '<a href="https://example.org/a/b">the map</a>')))
    assert formatted["formatted_body"] == ('<b>Now</b> see !s12 at '
                                           '<a href="https://example.org/a/b">the map</a>')
    assert formatted["body"] == "Now see !s12 at the map (https://example.org/a/b)"
    assert html_problems("<b>x<!b>") != []                  # what the old rewrite produced
    assert html_problems("<b>x") == ["<b> never closed"]
    assert html_problems("<blink>x</blink>") != []


def test_markup_outside_the_spec_is_dropped_and_tags_are_closed():
    assert matrix_html('<b>a<script>alert(1)</script><i>b') == "<b>aalert(1)<i>b</i></b>"
    assert matrix_html('<a href="javascript:x()" onclick="y">c</a>') == "<a>c</a>"
    assert matrix_html("a\nb</i>") == "a<br>b"


def test_every_reply_and_pushed_message_is_valid_matrix_html(app: Application, clock):
    clock.set(warsaw("2023-11-30T10:05"))
    seen = 0
    for text in ASKED:
        replies = app.handle(Incoming("matrix", "@alice:localhost", "!dm:localhost", text))
        for reply in replies:
            if isinstance(reply, TextReply):
                assert_valid_matrix_html(text_content(reply, [Markup("React 🔔 to send !x")]))
                seen += 1
    user = app.store.users.known("matrix", "@alice:localhost")
    assert user is not None
    speaker = app.speaker_for(user)
    session = app.conference.sessions["s20"]
    pushed = list(app.messages.reminder(speaker, session, None))
    before = snapshot(app.conference)["s20"]
    moved = {**before, "start": "2023-11-30T11:30:00+00:00", "cancelled": False}
    for change in (Change("s20", before, moved), Change("s20", before, None),
                   Change("s20", before, {**before, "cancelled": True})):
        pushed += app.messages.change(speaker, change, session)
    for reply in pushed:
        if isinstance(reply, TextReply):
            assert_valid_matrix_html(text_content(reply))
            seen += 1
    assert seen > len(ASKED)


def test_buttons_render_as_commands_in_code():
    content = text_content(TextReply(Markup("<b>S</b>"), ((Button("Remind", "/remind s20"),
                                                          Button("<Mine>", "/my")),)))
    assert content["formatted_body"] == ("<b>S</b><br>Remind: <code>!remind s20</code> · "
                                         "&lt;Mine&gt;: <code>!my</code>")


BOT = "@confbot:localhost"


def test_addressing_by_structure_not_by_substring():
    def address(body: str, **extra: object) -> str | None:
        return addressed_text({"body": body, **extra}, BOT, ("confbot", "confbot"))

    assert address("I asked the confbot yesterday") is None
    assert address("confbot is great, isn't it") is None
    assert address("confbot: when is lunch?") == "when is lunch?"
    assert address("Confbot, co teraz?") == "co teraz?"
    assert address("!now") == "!now"
    assert address(f"hey {BOT} when is lunch?") == "hey when is lunch?"
    assert address("Conf: when is lunch?", **{"m.mentions": {"user_ids": [BOT]}}) \
        == "Conf: when is lunch?"
    pill = f'<a href="https://matrix.to/#/{BOT}">Conf</a>: when?'
    assert address("Conf: when?", formatted_body=pill) == "Conf: when?"
    assert address("confbot when?", **{"m.mentions": {}}) is None


def test_replies_attach_to_the_question_and_stay_in_its_thread():
    assert reply_relation("$q", None, rich=True) == {"m.in_reply_to": {"event_id": "$q"}}
    assert reply_relation("$q", None, rich=False) is None
    assert reply_relation("$q", "$root", rich=True) == {
        "rel_type": "m.thread", "event_id": "$root", "is_falling_back": False,
        "m.in_reply_to": {"event_id": "$q"}}
    assert thread_root({"m.relates_to": {"rel_type": "m.thread", "event_id": "$r"}}) == "$r"
    assert thread_root({"m.relates_to": {"m.in_reply_to": {"event_id": "$r"}}}) is None


def test_a_button_for_the_private_chat_names_the_bot_as_a_pill():
    content = text_content(TextReply(Markup("In private, please."),
                                     ((Button("Continue privately", "/remind s20",
                                              private=True),),)), bot_id=BOT)
    assert_valid_matrix_html(content)
    assert content["formatted_body"] == (
        'In private, please.<br>Continue privately: <a href="https://matrix.to/#/'
        '@confbot:localhost">@confbot:localhost</a> <code>!remind s20</code>')


def test_reactions_and_private_buttons_survive_the_outbox():
    from bot.delivery.sender import decode, encode

    reply = TextReply(Markup("<b>S20</b>"), ((Button("Remind me", "/remind s20", private=True),),),
                      {"🔔": "/remind s20"})
    (back,) = decode(encode([reply]))
    assert isinstance(back, TextReply)
    assert back.buttons == reply.buttons and dict(back.reactions) == {"🔔": "/remind s20"}
    (old,) = decode('[{"type": "text", "html": "x", "buttons": [[{"label": "a", '
                    '"command": "/a"}]]}]')                   # queued by an older version
    assert isinstance(old, TextReply) and old.buttons == ((Button("a", "/a"),),)
