"""Matrix end to end against a real Synapse started on loopback by the tests."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.app import Application
from bot.core.config import ConfigError
from bot.core.messages import Address, TextReply
from bot.storage import Store
from bot.transports.matrix import MatrixTransport
from tests.conftest import warsaw
from tests.harness import RunningBot
from tests.helpers import start_app
from tests.matrix_person import EncryptedPerson, Person
from tests.synapse_server import Synapse

pytestmark = pytest.mark.slow  # a real Synapse and the bot running against it

BOT = "confbot"


@pytest.fixture(scope="session")
def synapse(synapse: Synapse) -> Synapse:
    """The session's Synapse (tests/synapse_server.py), with the bot's account registered."""
    synapse.register(BOT, "bot-password")
    return synapse


def bot_id(synapse: Synapse) -> str:
    return f"@{BOT}:localhost"


def transport_for(app: Application, synapse: Synapse, **options) -> MatrixTransport:  # type: ignore[no-untyped-def]
    return MatrixTransport(app, synapse.url, bot_id(synapse), password="bot-password",
                           sync_timeout_ms=500, **options)


@pytest.fixture
def matrix_app(loaded, database_url: str, clock) -> Iterator[Application]:  # type: ignore[no-untyped-def]
    application = start_app(loaded[0], loaded[1], Store(database_url), clock)
    yield application
    application.store.close()


@pytest.fixture
def bot(matrix_app: Application, synapse: Synapse) -> Iterator[RunningBot]:
    with RunningBot(matrix_app, transport_for(matrix_app, synapse)) as running:
        yield running


# --- the stories ------------------------------------------------------------------------------

def test_a_user_invites_the_bot_and_asks(bot: RunningBot, synapse: Synapse):
    alice = Person(synapse, "alice")
    room = alice.room(bot_id(synapse))
    alice.wait_joined(room, bot_id(synapse))
    alice.say(room, "co teraz?")
    answer, offer = alice.wait_for(room, bot_id(synapse), 2)
    content = answer["content"]
    assert content["msgtype"] == "m.notice"
    assert "Teraz (10:05)" in content["body"]
    assert content["format"] == "org.matrix.custom.html" and "<b>" in content["formatted_body"]
    assert "!s16" in content["body"] and "/s16" not in content["body"]
    assert "!lang uk" in offer["content"]["body"]          # first contact: the language choice
    alice.say(room, "що далі?")
    later = alice.wait_for(room, bot_id(synapse), 3)[-1]["content"]["body"]
    assert "10:20" in later and "через 15 хвилин" in later  # no second offer: remembered


def test_directions_arrive_as_a_location(bot: RunningBot, synapse: Synapse, matrix_app):
    alice = Person(synapse, "alice")
    room = alice.room(bot_id(synapse))
    alice.wait_joined(room, bot_id(synapse))
    alice.say(room, "jak dojechać do Skawiny?")
    events = alice.wait_for(room, bot_id(synapse), 2)
    location = next(e["content"] for e in events if e["content"]["msgtype"] == "m.location")
    skawina = matrix_app.conference.venues["skawina-library"].coordinates
    geo = f"geo:{skawina.lat:.5f},{skawina.lon:.5f}"
    assert location["geo_uri"] == geo
    assert location["org.matrix.msc3488.location"]["uri"] == geo


def test_a_restart_neither_repeats_nor_misses(matrix_app: Application, synapse: Synapse):
    alice = Person(synapse, "alice")
    with RunningBot(matrix_app, transport_for(matrix_app, synapse)):
        room = alice.room(bot_id(synapse))
        alice.wait_joined(room, bot_id(synapse))
        alice.say(room, "/now")
        before = len(alice.wait_for(room, bot_id(synapse), 2))
    devices_before = bot_devices(synapse)
    alice.say(room, "!next")                                   # while the bot is down
    with RunningBot(matrix_app, transport_for(matrix_app, synapse)):
        answered = alice.wait_for(room, bot_id(synapse), before + 1)
        assert "10:20" in answered[-1]["content"]["body"]      # the missed one, answered
        alice.say(room, "!lang")                               # answered after any repeat
        after = alice.wait_for(room, bot_id(synapse), before + 2)
        assert len(after) == before + 2 and "10:20" not in after[-1]["content"]["body"]
    assert bot_devices(synapse) == devices_before              # no new device per start


def bot_devices(synapse: Synapse) -> int:
    return synapse.request("GET", "/_synapse/admin/v2/users/"
                           + urllib.parse.quote(bot_id(synapse)) + "/devices",
                           token=synapse.admin_token)["total"]


def test_in_a_room_only_commands_and_mentions(bot: RunningBot, synapse: Synapse):
    alice, bob = Person(synapse, "alice"), Person(synapse, "bob")
    room = alice.room(bot_id(synapse), bob.user_id, direct=False)
    bob.join(room)
    alice.wait_joined(room, bot_id(synapse))
    alice.say(room, "co teraz?")
    alice.say(room, "!now")                   # answered in order: after "co teraz?", if at all
    alice.wait_for(room, bot_id(synapse), 1)
    alice.say(room, f"{BOT}: when is lunch?")
    answers = alice.wait_for(room, bot_id(synapse), 2)
    assert len(answers) == 2                  # "co teraz?" had no answer
    assert "14:20–15:00" in answers[-1]["content"]["body"]


def test_a_non_organiser_cannot_announce(bot: RunningBot, synapse: Synapse):
    alice = Person(synapse, "alice")
    room = alice.room(bot_id(synapse))
    alice.wait_joined(room, bot_id(synapse))
    alice.say(room, "!announce")
    answer = alice.wait_for(room, bot_id(synapse), 1)[0]["content"]["body"]
    assert "only the organisers" in answer or "tylko organizatorzy" in answer


def test_organisers_by_power_level_in_the_organiser_room(matrix_app, synapse: Synapse):
    anna, bob = Person(synapse, "anna"), Person(synapse, "bob")
    organisers = anna.room(bot_id(synapse), bob.user_id, direct=False)  # anna: level 100
    bob.join(organisers)
    transport = transport_for(matrix_app, synapse, organiser_room=organisers)
    with RunningBot(matrix_app, transport):
        anna.wait_joined(organisers, bot_id(synapse))
        deadline = time.monotonic() + 10
        while f"matrix:{anna.user_id}" not in matrix_app.room_organisers:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert f"matrix:{bob.user_id}" not in matrix_app.room_organisers
        dm = anna.room(bot_id(synapse))
        anna.wait_joined(dm, bot_id(synapse))
        anna.say(dm, "!announce")
        answer = anna.wait_for(dm, bot_id(synapse), 1)[0]["content"]["body"]
        assert "Write the announcement" in answer or "Napisz ogłoszenie" in answer


# --- delivery ---------------------------------------------------------------------------------

def test_a_resent_message_is_removed_as_a_duplicate(bot: RunningBot, synapse: Synapse):
    alice = Person(synapse, "alice")
    room = alice.room(bot_id(synapse))
    alice.wait_joined(room, bot_id(synapse))
    reply = [TextReply("Obiad o 14:30.")]
    bot.run(bot.transport.deliver(Address("matrix", room), reply, message_id=4242))
    bot.run(bot.transport.deliver(Address("matrix", room), reply, message_id=4242))
    bot.run(bot.transport.deliver(Address("matrix", room), [TextReply("Kawa o 15:00.")],
                                  message_id=4243))      # sent after any repeat of the first
    alice.wait_for(room, bot_id(synapse), 2)
    assert [e["content"]["body"] for e in alice.events_from(room, bot_id(synapse))] == [
        "Obiad o 14:30.", "Kawa o 15:00."]


def test_rate_limits_are_honoured_and_nothing_is_lost(bot: RunningBot, synapse: Synapse):
    alice = Person(synapse, "alice")
    room = alice.room(bot_id(synapse))
    alice.wait_joined(room, bot_id(synapse))
    synapse.set_unlimited(bot_id(synapse), False)              # Synapse's default: 0.2/s, 10
    try:
        for number in range(12):
            bot.run(bot.transport.deliver(Address("matrix", room),
                                          [TextReply(f"message {number}")], message_id=number))
    finally:
        synapse.set_unlimited(bot_id(synapse), True)
    bodies = [e["content"]["body"] for e in alice.wait_for(room, bot_id(synapse), 12)]
    assert bodies == [f"message {n}" for n in range(12)]


# --- end-to-end encryption --------------------------------------------------------------------

@pytest.fixture
def people(tmp_path: Path, synapse: Synapse) -> Iterator[Callable[[str], EncryptedPerson]]:
    made: list[EncryptedPerson] = []

    def person(name: str) -> EncryptedPerson:
        made.append(EncryptedPerson(synapse, name, tmp_path / f"keys-{name}-{len(made)}"))
        return made[-1]

    yield person
    for someone in made:
        someone.close()


def encrypted_dm(person: EncryptedPerson, synapse: Synapse) -> str:
    room = person.dm(bot_id(synapse))
    person.wait_joined(room, bot_id(synapse))
    return room


def test_an_encrypted_dm_works_like_a_plain_one(bot: RunningBot, synapse: Synapse, people,
                                               matrix_app: Application, clock):
    bot.transport.intake.rate = 50  # type: ignore[attr-defined]  # a quick conversation, no flood
    alice = people("alice")
    room = encrypted_dm(alice, synapse)
    alice.say(room, "co teraz?")
    answer, offer = alice.wait_for(room, bot_id(synapse), 2)
    assert answer.decrypted and offer.decrypted
    assert answer.content["msgtype"] == "m.notice" and "Teraz (10:05)" in answer.content["body"]
    assert "<b>" in answer.content["formatted_body"] and "!s16" in answer.content["body"]
    assert "!lang uk" in offer.content["body"]
    alice.say(room, "що далі?")
    later = alice.wait_for(room, bot_id(synapse), 3)[-1]
    assert later.decrypted and "через 15 хвилин" in later.content["body"]
    alice.say(room, "!lang en")
    alice.say(room, "how do I get to Skawina?")
    events = alice.wait_for(room, bot_id(synapse), 6)
    location = next(s for s in events if s.content["msgtype"] == "m.location")
    skawina = matrix_app.conference.venues["skawina-library"].coordinates
    assert location.decrypted
    assert location.content["geo_uri"] == f"geo:{skawina.lat:.5f},{skawina.lon:.5f}"
    alice.say(room, "!ics s20")
    file = next(s for s in alice.wait_for(room, bot_id(synapse), 7)
                if s.content["msgtype"] == "m.file")
    assert "url" not in file.content and file.content["file"]["url"].startswith("mxc://")
    assert b"UID:s20@" in alice.download_file(file.content)
    alice.say(room, "!remind s20")
    count = len(alice.wait_for(room, bot_id(synapse), 8))
    clock.set(warsaw("2023-11-30T11:00"))
    bot.call(bot.app.reminders.tick)
    reminder = alice.wait_for(room, bot_id(synapse), count + 1)[-1]
    assert reminder.decrypted and "starts in 15 minutes" in reminder.content["body"]
    matrix_app.room_organisers = frozenset({f"matrix:{alice.user_id}"})
    alice.say(room, "!announce")
    answer = alice.wait_for(room, bot_id(synapse), count + 2)[-1]
    assert "Write the announcement" in answer.content["body"]
    # Nothing the bot wrote there was in plain text.
    assert set(alice.raw_types(room, bot_id(synapse))) == {"m.room.encrypted"}


def test_keys_survive_a_restart(matrix_app: Application, synapse: Synapse, people,
                                loaded, database_url: str, clock):
    alice = people("alice")
    with RunningBot(matrix_app, transport_for(matrix_app, synapse)):
        room = encrypted_dm(alice, synapse)
        alice.say(room, "!now")
        before = len(alice.wait_for(room, bot_id(synapse), 2))
    devices_before = bot_devices(synapse)
    alice.say(room, "!next")          # while the bot is down, with the room key it already has
    # A new process: a new application and transport on the same database.
    restarted = start_app(loaded[0], loaded[1], Store(database_url), clock)
    try:
        with RunningBot(restarted, transport_for(restarted, synapse)):
            missed = alice.wait_for(room, bot_id(synapse), before + 1)[-1]
            assert missed.decrypted and "10:20" in missed.content["body"]
            alice.say(room, "!now")
            again = alice.wait_for(room, bot_id(synapse), before + 2)[-1]
            assert again.decrypted and "10:05" in again.content["body"]
    finally:
        restarted.store.close()
    assert bot_devices(synapse) == devices_before              # the same device, same keys
    assert all(seen.readable for seen in alice.from_(room, bot_id(synapse)))


def test_pushed_messages_to_an_encrypted_room_are_encrypted_once(bot: RunningBot,
                                                                 synapse: Synapse, people):
    alice, bob = people("alice"), people("bob")
    announce = alice.dm(bot_id(synapse), bob.user_id, direct=False)  # an encrypted group room
    bob.run(bob.client.join(announce))
    alice.wait_joined(announce, bot_id(synapse))
    bob.wait_joined(announce, bot_id(synapse))
    reply = [TextReply("Obiad o 14:30.")]
    bot.run(bot.transport.deliver(Address("matrix", announce), reply, message_id=4343))
    bot.run(bot.transport.deliver(Address("matrix", announce), reply, message_id=4343))
    bot.run(bot.transport.deliver(Address("matrix", announce), [TextReply("Kawa o 15:00.")],
                                  message_id=4344))      # sent after any repeat of the first
    for person in (alice, bob):
        seen = person.wait_for(announce, bot_id(synapse), 2)
        assert [s.content["body"] for s in seen] == ["Obiad o 14:30.", "Kawa o 15:00."]
        assert all(s.decrypted for s in seen)
    assert alice.raw_types(announce, bot_id(synapse)) == ["m.room.encrypted"] * 2


def test_a_message_answered_when_its_late_key_arrives(bot: RunningBot, synapse: Synapse,
                                                      people):
    alice = people("alice")
    room = encrypted_dm(alice, synapse)
    alice.say(room, "!lang en")
    alice.wait_for(room, bot_id(synapse), 2)        # the answer, and the language offer
    alice.say_without_key(room, "!now")
    time.sleep(2)                                   # the bot has the message, not the key
    assert len(alice.from_(room, bot_id(synapse))) == 2
    alice.release_late_key()
    answer = alice.wait_for(room, bot_id(synapse), 3)[-1]
    assert answer.decrypted and "10:05" in answer.content["body"]


def test_a_key_that_never_comes_gets_one_request_to_resend(matrix_app: Application,
                                                           synapse: Synapse, people):
    alice = people("alice")
    with RunningBot(matrix_app, transport_for(matrix_app, synapse, keys_wait=2)):
        room = encrypted_dm(alice, synapse)
        alice.say(room, "!lang en")
        alice.wait_for(room, bot_id(synapse), 2)
        alice.say_without_key(room, "!now")
        alice.say(room, "!next")                    # same missing key: one notice for both
        notice = alice.wait_for(room, bot_id(synapse), 3)[-1]
        assert notice.decrypted and "Please send it again" in notice.content["body"]
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            alice.sync(300)
        assert len(alice.from_(room, bot_id(synapse))) == 3          # no loop of notices
        alice.rotate_key(room)                      # Element would share a new key on resend
        alice.say(room, "!now")
        answer = alice.wait_for(room, bot_id(synapse), 4)[-1]
        assert answer.decrypted and "10:05" in answer.content["body"]


# --- Matrix conventions -----------------------------------------------------------------------

def group_room(alice: Person, bob: Person, synapse: Synapse) -> str:
    room = alice.room(bot_id(synapse), bob.user_id, direct=False)
    bob.join(room)
    alice.wait_joined(room, bot_id(synapse))
    return room


@pytest.mark.slow
def test_in_a_room_answers_are_rich_replies_that_mention_the_asker(bot: RunningBot,
                                                                    synapse: Synapse):
    alice, bob = Person(synapse, "alice"), Person(synapse, "bob")
    room = group_room(alice, bob, synapse)
    asked = alice.say(room, "!now")
    (answer,) = alice.wait_for(room, bot_id(synapse), 1)
    content = answer["content"]
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": asked}}
    assert content["m.mentions"] == {"user_ids": [alice.user_id]}
    assert "(10:05)" in content["body"]
    deadline = time.monotonic() + 10                     # and the question was marked read
    while bot_id(synapse) not in alice.receipts(room).get(asked, {}).get("m.read", {}):
        assert time.monotonic() < deadline, alice.receipts(room)
        time.sleep(0.2)


@pytest.mark.slow
def test_a_question_in_a_thread_is_answered_in_the_thread(bot: RunningBot, synapse: Synapse):
    alice, bob = Person(synapse, "alice"), Person(synapse, "bob")
    room = group_room(alice, bob, synapse)
    root = bob.say(room, "who is going to the lunch?")
    asked = alice.say(room, "!next", **{"m.relates_to": {"rel_type": "m.thread",
                                                         "event_id": root}})
    (answer,) = alice.wait_for(room, bot_id(synapse), 1)
    relation = answer["content"]["m.relates_to"]
    assert relation["rel_type"] == "m.thread" and relation["event_id"] == root
    assert relation["m.in_reply_to"] == {"event_id": asked}
    assert relation["is_falling_back"] is False


@pytest.mark.slow
def test_addressing_is_a_mention_not_a_word_in_a_sentence(bot: RunningBot, synapse: Synapse):
    alice, bob = Person(synapse, "alice"), Person(synapse, "bob")
    room = group_room(alice, bob, synapse)
    alice.say(room, f"I asked the {BOT} yesterday about lunch")
    alice.say(room, "Bot, when is lunch?", **{"m.mentions": {"user_ids": [bot_id(synapse)]}})
    (answer,) = alice.wait_for(room, bot_id(synapse), 1)
    assert "14:20–15:00" in answer["content"]["body"]
    pill = f'<a href="https://matrix.to/#/{bot_id(synapse)}">Bot</a>: co teraz?'
    alice.say(room, "Bot: co teraz?", format="org.matrix.custom.html", formatted_body=pill)
    answers = alice.wait_for(room, bot_id(synapse), 2)
    assert "Teraz (10:05)" in answers[-1]["content"]["body"]
    time.sleep(1.0)                                   # the sentence above got no answer
    assert len(alice.events_from(room, bot_id(synapse))) == 2


@pytest.mark.slow
def test_reacting_with_a_bell_sets_the_reminder(bot: RunningBot, synapse: Synapse,
                                                matrix_app: Application):
    alice = Person(synapse, "alice")
    room = alice.room(bot_id(synapse))
    alice.wait_joined(room, bot_id(synapse))
    alice.say(room, "!s20")
    details = alice.wait_for(room, bot_id(synapse), 2)[0]
    assert "React 🔔 to send !remind s20" in details["content"]["body"] or \
        "Zareaguj 🔔, aby wysłać !remind s20" in details["content"]["body"]
    alice.react(room, details["event_id"], "🔔")
    confirmation = alice.wait_for(room, bot_id(synapse), 3)[-1]["content"]["body"]
    assert "!unremind s20" in confirmation
    person = matrix_app.store.users.known("matrix", alice.user_id)
    assert person is not None and matrix_app.store.subscriptions.of(person.id) == ["s20"]


@pytest.mark.slow
def test_the_bot_follows_a_room_upgrade(bot: RunningBot, synapse: Synapse,
                                        matrix_app: Application):
    alice = Person(synapse, "alice")
    room = alice.room(bot_id(synapse))
    alice.wait_joined(room, bot_id(synapse))
    alice.say(room, "!now")
    alice.wait_for(room, bot_id(synapse), 2)
    new_room = alice.call("POST", f"/rooms/{urllib.parse.quote(room)}/upgrade",
                          {"new_version": "10"})["replacement_room"]
    alice.call("POST", f"/rooms/{urllib.parse.quote(new_room)}/invite",
               {"user_id": bot_id(synapse)})      # what Element offers for a private room
    alice.wait_joined(new_room, bot_id(synapse))
    deadline = time.monotonic() + 10
    while (person := matrix_app.store.users.known("matrix", alice.user_id)) is None \
            or person.chat_id != new_room:
        assert time.monotonic() < deadline, person
        time.sleep(0.1)
    alice.say(new_room, "!next")
    assert "10:20" in alice.wait_for(new_room, bot_id(synapse), 1)[-1]["content"]["body"]


@pytest.mark.slow
def test_a_revoked_token_means_a_new_login(bot: RunningBot, synapse: Synapse,
                                           matrix_app: Application):
    alice = Person(synapse, "alice")
    room = alice.room(bot_id(synapse))
    alice.wait_joined(room, bot_id(synapse))
    alice.say(room, "!now")
    alice.wait_for(room, bot_id(synapse), 2)
    session = json.loads(matrix_app.store.state.get(f"matrix:{bot_id(synapse)}:session") or "{}")
    synapse.request("POST", "/_matrix/client/v3/logout", {}, session["access_token"])
    alice.say(room, "!next")
    assert "10:20" in alice.wait_for(room, bot_id(synapse), 3, timeout=30)[-1]["content"]["body"]


@pytest.mark.slow
def test_a_revoked_token_without_a_password_stops_with_a_clear_error(matrix_app: Application,
                                                                      synapse: Synapse):
    login = synapse.request("POST", "/_matrix/client/v3/login", {
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": BOT},
        "password": "bot-password"})
    synapse.request("POST", "/_matrix/client/v3/logout", {}, login["access_token"])
    transport = MatrixTransport(matrix_app, synapse.url, bot_id(synapse),
                                access_token=login["access_token"],
                                device_id=login["device_id"], sync_timeout_ms=500)
    with pytest.raises(ConfigError) as error:
        asyncio.run(asyncio.wait_for(transport.run(), 30))
    assert error.value.variable == "MATRIX_PASSWORD"
    assert "M_UNKNOWN_TOKEN" in str(error.value)


@pytest.mark.slow
def test_an_edit_is_answered_only_when_its_meaning_changed(bot: RunningBot, synapse: Synapse):
    alice = Person(synapse, "alice")
    room = alice.room(bot_id(synapse))
    alice.wait_joined(room, bot_id(synapse))
    asked = alice.say(room, "kiedy jest obiad?")
    alice.wait_for(room, bot_id(synapse), 2)               # the answer and the language offer

    def edit(text: str) -> None:
        alice.say(room, f"* {text}", **{"m.new_content": {"msgtype": "m.text", "body": text},
                                        "m.relates_to": {"rel_type": "m.replace",
                                                         "event_id": asked}})

    edit("kiedy jest  obiad")                               # a typo fixed: same meaning
    edit("!next")                                           # a new question
    answers = alice.wait_for(room, bot_id(synapse), 3)
    assert "10:20" in answers[-1]["content"]["body"]
    assert answers[-1]["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": asked}}
    time.sleep(1.0)
    assert len(alice.events_from(room, bot_id(synapse))) == 3


@pytest.mark.slow
def test_the_bot_shows_it_is_typing_while_it_answers(matrix_app: Application,
                                                      synapse: Synapse):
    import threading

    released = threading.Event()
    handle = matrix_app.handle

    def held_handle(incoming, **options):  # type: ignore[no-untyped-def]
        released.wait(15)               # the answer waits until the test saw the typing notice
        return handle(incoming, **options)

    matrix_app.handle = held_handle     # type: ignore[method-assign]
    alice = Person(synapse, "alice")
    with RunningBot(matrix_app, transport_for(matrix_app, synapse)):
        room = alice.room(bot_id(synapse))
        alice.wait_joined(room, bot_id(synapse))
        since = alice.call("GET", "/sync?timeout=0")["next_batch"]
        alice.say(room, "!now")
        deadline = time.monotonic() + 15
        typing: list[str] = []
        while bot_id(synapse) not in typing:
            assert time.monotonic() < deadline, "no typing notice"
            sync = alice.call("GET", f"/sync?timeout=1000&since={since}")
            since = sync["next_batch"]
            joined = sync.get("rooms", {}).get("join", {}).get(room, {})
            for event in joined.get("ephemeral", {}).get("events", []):
                if event["type"] == "m.typing":
                    typing = event["content"]["user_ids"]
        assert alice.events_from(room, bot_id(synapse)) == []   # typing came before the answer
        released.set()
        alice.wait_for(room, bot_id(synapse), 1)


@pytest.mark.slow
def test_confbot_run_exits_2_naming_the_password_when_the_token_is_revoked(
        synapse: Synapse, tmp_path: Path, database_url: str):
    from tests.test_cli import confbot

    login = synapse.request("POST", "/_matrix/client/v3/login", {
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": BOT},
        "password": "bot-password"})
    synapse.request("POST", "/_matrix/client/v3/logout", {}, login["access_token"])
    result = confbot("run", cwd=tmp_path, env={
        "DATABASE_URL": database_url, "MATRIX_HOMESERVER": synapse.url,
        "MATRIX_USER_ID": bot_id(synapse), "MATRIX_ACCESS_TOKEN": login["access_token"],
        "MATRIX_DEVICE_ID": login["device_id"]})
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("confbot: cannot start: configuration: MATRIX_PASSWORD:"), last
    assert login["access_token"] not in result.stderr               # no secret in the log


@pytest.mark.slow
def test_a_reaction_after_a_restart_still_sets_the_reminder(matrix_app: Application,
                                                            synapse: Synapse):
    alice = Person(synapse, "alice")
    with RunningBot(matrix_app, transport_for(matrix_app, synapse)):
        room = alice.room(bot_id(synapse))
        alice.wait_joined(room, bot_id(synapse))
        alice.say(room, "!s20")
        details = alice.wait_for(room, bot_id(synapse), 2)[0]
    with RunningBot(matrix_app, transport_for(matrix_app, synapse)):
        alice.react(room, details["event_id"], "🔔")
        assert "!unremind s20" in alice.wait_for(room, bot_id(synapse), 3)[-1]["content"]["body"]
    person = matrix_app.store.users.known("matrix", alice.user_id)
    assert person is not None and matrix_app.store.subscriptions.of(person.id) == ["s20"]
