"""Programme changes: compare the programme with the last one the bot knew, by stable session
id, and tell every subscriber of a moved, relocated, cancelled or restored session, or of a new
organisers' note, in their language. A session cancelled live keeps its subscribers (it may
come back; its reminder is not sent meanwhile); one removed from the data loses them.

The last known programme is a snapshot in the database, so whichever process notices a change
first (the running bot, or `confbot reload`) sends the notices, and only once.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace

from bot.chat.services import Services
from bot.delivery.sender import encode
from bot.programme.diff import Change, diff, snapshot
from bot.programme.model import Conference, Session
from bot.storage import MessageKind

log = logging.getLogger(__name__)

SNAPSHOT_KEY = "programme_snapshot"


def apply_programme(services: Services, conference: Conference) -> list[Change]:
    """Make `conference` the known programme; queue notices for what changed since the last."""
    store = services.store
    new = snapshot(conference)
    stored = store.state.get(SNAPSHOT_KEY)
    changes = diff(json.loads(stored), new) if stored else []
    now = services.clock.now()
    queued = 0
    told: list[Change] = []
    for change in changes:
        before = queued
        session: Session | None = conference.sessions.get(change.session_id)
        for user, _ in store.subscriptions.subscribers(change.session_id):
            if not user.chat_id:
                continue
            speaker = services.speaker_for(user, conference)
            replies = services.messages.change(speaker, change, session)
            key = f"change:{user.id}:{change.session_id}:{change.fingerprint}"
            if store.outbox.enqueue(dedupe_key=key, kind=MessageKind.CHANGE,
                                    platform=user.platform, chat_id=user.chat_id,
                                    user_id=user.id, payload=encode(replies), now=now):
                queued += 1
        told.append(replace(change, notices=queued - before))
        if change.vanished:
            store.subscriptions.drop_session(change.session_id)
        log.info("programme change: session %s %s", change.session_id,
                 "cancelled" if change.cancelled else
                 ", ".join(k for k, v in (("moved", change.moved), ("relocated", change.relocated),
                                          ("restored", change.restored), ("noted", change.noted))
                           if v))
    store.state.set(SNAPSHOT_KEY, json.dumps(new, sort_keys=True))
    if queued:
        services.notify_queued()
    if changes:
        log.info("programme: %d change(s), %d notice(s) queued", len(changes), queued)
    return told
