"""The console: talk to the bot in a terminal or through a pipe; also the test harness."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TextIO

from bot.app import Application
from bot.core.logids import who
from bot.core.messages import Address, Incoming, Reply
from bot.core.plaintext import plain_text
from bot.language.i18n import negotiate

log = logging.getLogger(__name__)

class ConsoleSession:
    """One person at the console: send text, get replies (what tests drive, too)."""

    def __init__(self, app: Application, user: str = "console",
                 client_language: str | None = None) -> None:
        self.app = app
        self.user = user
        self.client_language = client_language
        self._counter = 0

    def send(self, text: str) -> list[Reply]:
        self._counter += 1
        incoming = Incoming(platform="console", user_id=self.user, chat_id=self.user, text=text,
                            client_language=self.client_language,
                            message_id=str(self._counter))
        return self.app.handle(incoming)

    def ask(self, text: str) -> str:
        """Send a message and return the replies as the console prints them."""
        return "\n\n".join(plain_text(reply) for reply in self.send(text))


class ConsoleTransport:
    """The terminal (or a pipe) as a transport: one person, replies and pushed messages."""

    platform = "console"

    def __init__(self, app: Application, session: ConsoleSession,
                 stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
        self.app, self.session, self.stdin, self.stdout = app, session, stdin, stdout
        self.interactive = stdin.isatty()
        self.outbox_chat: str | None = session.user

    def _prompt(self) -> None:
        if self.interactive:
            self.stdout.write("> ")
            self.stdout.flush()

    async def run(self) -> None:
        """Read one message per line until end of input; prompt only on a terminal."""
        loop = asyncio.get_running_loop()
        if self.interactive:
            lang = negotiate(self.app.conference.languages,
                             client=self.session.client_language)
            self.stdout.write(self.app.catalogue[lang].gettext(
                "Type /start, /help or a question; Ctrl-D to leave.") + "\n")
        while True:
            self._prompt()
            line = await loop.run_in_executor(None, self.stdin.readline)
            if not line:
                break
            text = line.strip()
            if text:
                self.stdout.write(self.session.ask(text) + "\n\n")
                self.stdout.flush()
        log.info("console: end of input for user=%s", who("console", self.session.user))

    async def deliver(self, address: Address, replies: list[Reply],
                      message_id: int | None = None) -> None:
        text = "\n\n".join(plain_text(reply) for reply in replies)
        self.stdout.write(("\n" if self.interactive else "") + text + "\n\n")
        self._prompt()
        self.stdout.flush()
