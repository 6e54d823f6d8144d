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
    """What recent messages meant, by (chat, message id)."""

    def __init__(self, app: Application, kept: int = KEPT) -> None:
        self.app, self.kept = app, kept
        self._meanings: OrderedDict[Hashable, object] = OrderedDict()

    def is_new(self, key: Hashable, text: str, edited: bool) -> bool:
        """Remember what a message means; True unless it is an edit that means the same."""
        if text.lstrip().startswith(("/", "!")):
            meaning: object = " ".join(text.lower().split())
        else:
            meaning = replace(self.app.understanding.interpret(text, self.app.clock.now()),
                              moments=[])
        previous = self._meanings.pop(key, None)
        self._meanings[key] = meaning
        while len(self._meanings) > self.kept:
            self._meanings.popitem(last=False)
        return not edited or previous != meaning
