"""The Store: one database, seen through one small store per concern."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.storage.console import ConsoleStore
from bot.storage.database import make_engine, upgrade
from bot.storage.dialogue import DialogueStore
from bot.storage.edits import EditStore
from bot.storage.inbox import InboxStore
from bot.storage.interest import Interest, interest
from bot.storage.notices import Notices
from bot.storage.outbox import OutboxStore
from bot.storage.questions import QuestionStore
from bot.storage.ratings import RatingStore
from bot.storage.state import StateStore
from bot.storage.subscriptions import SubscriptionStore
from bot.storage.unanswered import UnansweredLog
from bot.storage.updates import SeenUpdateStore
from bot.storage.users import UserStore


class Store:
    """The only way the core reads and writes the database: people (`users`), their chosen
    sessions (`subscriptions`), pushed messages and announcements (`outbox`), organisers' live
    edits of the programme (`edits`), small named values (`state`), unanswered questions and
    one-time notes."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.state = StateStore(self._sessions)
        self.outbox = OutboxStore(self._sessions)
        self.edits = EditStore(self._sessions)
        self.users = UserStore(self.engine, self._sessions)
        self.updates = SeenUpdateStore(self._sessions)
        self.inbox = InboxStore(self._sessions)
        """Platform updates recorded before they are acknowledged, until answered."""
        self.subscriptions = SubscriptionStore(self._sessions,
                                               before_read=self.users.flush_soft_changes)
        self.unanswered = UnansweredLog(self.engine)
        """Questions the bot could not place: text, language, time; never who asked."""
        self.dialogue = DialogueStore(self._sessions)
        """What the last answers of each conversation were about (for follow-ups)."""
        self.notices = Notices(self.engine)
        self.console = ConsoleStore(self._sessions)
        """The web console's sign-in links, browser sessions and organiser-made topics."""
        """One-time notes already shown to a person."""
        self.questions = QuestionStore(self._sessions)
        """Questions put to sessions, their moderation and votes."""
        self.ratings = RatingStore(self._sessions)
        """How people rated sessions, and who wants no rating prompts."""

    def interest(self) -> dict[str, Interest]:
        """session id -> how many people chose it, and how many will be reminded."""
        self.users.flush_soft_changes()
        return interest(self.engine)

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        self.users.flush_soft_changes()
        self.engine.dispose()
