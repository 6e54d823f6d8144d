"""The small interfaces the services (reminders, change notices, broadcasts) and the
handlers depend on, instead of the whole Application.

The Application implements `Services`; the handlers provide `PushMessages`. Nothing here
imports a service, a handler or a transport, so the dependencies point one way.
"""

from __future__ import annotations

from typing import Protocol

from bot.chat.speaker import Speaker
from bot.core.clock import Clock
from bot.core.messages import Reply
from bot.language.i18n import Catalogue
from bot.programme.diff import Change
from bot.programme.model import Conference, Session
from bot.storage import AnnouncementRecord, Store, UserRecord
from bot.storage.privacy import PrivacyPolicy


class PushMessages(Protocol):
    """How pushed messages read; the handlers provide it (see handlers/reminders.py)."""

    def reminder(self, speaker: Speaker, session: Session, previous: Session | None
                 ) -> list[Reply]: ...

    def change(self, speaker: Speaker, change: Change, session: Session | None
               ) -> list[Reply]: ...

    def broadcast_report(self, speaker: Speaker, announcement: AnnouncementRecord,
                         counts: dict[tuple[str, str, str], int]) -> list[Reply]: ...


class ReminderPlanner(Protocol):
    def plan(self, user: UserRecord, session: Session) -> None:
        """Schedule one person's reminder of one session (queue it at once when due)."""


class Services(Protocol):
    """What reminders, change notices and broadcasts use."""

    store: Store
    clock: Clock
    catalogue: Catalogue
    messages: PushMessages
    announce_rooms: dict[str, str]
    """platform -> a room where every broadcast is also posted once."""
    bot_usernames: dict[str, str]
    """platform -> the bot's user name there, once its transport knows it (deep links)."""
    privacy: PrivacyPolicy
    """The operator's privacy contact and the retention rule."""
    console_url: str | None
    """Where the organisers' web console is seen (CONFBOT_PUBLIC_URL), None when it is off."""

    @property
    def conference(self) -> Conference: ...

    def speaker_for(self, user: UserRecord, conference: Conference | None = None) -> Speaker:
        """How to speak to one person: their language, the programme, the clock."""

    def notify_queued(self) -> None:
        """Messages were queued: wake whoever delivers them."""

    @property
    def data_conference(self) -> Conference:
        """The programme as `data/` has it, without the live edits."""

    def refresh_overlay(self) -> list[Change]:
        """The live edits changed: serve them and tell whom they concern."""
