"""Edited messages, for every transport: an edit is answered when it changes what the message
means (a new question), never when it only fixes a typo; the meanings of the most recent
messages are remembered, nothing else."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace

from bot.app import Application

KEPT = 2048


class Meanings:
    """What recent messages said, by (chat, message id); their meanings are compared only
    when one is edited, so an ordinary message costs no extra parse."""

    def __init__(self, app: Application, kept: int = KEPT) -> None:
        self.app, self.kept = app, kept
        self._texts: OrderedDict[Hashable, str] = OrderedDict()

    def is_new(self, key: Hashable, text: str, edited: bool) -> bool:
        """Remember a message's text; True unless it is an edit that means the same."""
        previous = self._texts.pop(key, None)
        self._texts[key] = text
        while len(self._texts) > self.kept:
            self._texts.popitem(last=False)
        return not edited or previous is None or self._meaning(previous) != self._meaning(text)

    def _meaning(self, text: str) -> object:
        if text.lstrip().startswith(("/", "!")):
            return " ".join(text.lower().split())
        now = self.app.clock.now()
        return replace(self.app.understanding.interpret(text, now), moments=[])
