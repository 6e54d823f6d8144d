"""Commands and free-text intents -> handlers; the Context every handler receives.

Each feature module in `handlers/` owns one Router; `handlers/__init__.py` includes them all.
Handlers return replies instead of sending them, so every transport and every test drives them
the same way.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bot.chat.services import PushMessages, ReminderPlanner, Services
from bot.chat.speaker import Speaker
from bot.core.messages import COMMAND_PREFIXES, Incoming, Reply
from bot.language.i18n import Catalogue
from bot.storage import Store, UserRecord
from bot.understanding.dialogue import focus_after
from bot.understanding.parser import Intent, Understanding

_COMMAND = re.compile(r"^[/!]([\w]+)(?:@\S+)?(?:\s+(.*))?$", re.DOTALL)


@dataclass
class Context(Speaker):
    """What a handler knows about the message it answers and the world around it."""

    incoming: Incoming
    user: UserRecord
    understanding: Understanding
    catalogue: Catalogue
    store: Store
    services: Services
    """For handlers that start work beyond one reply (broadcasts)."""
    reminders: ReminderPlanner
    organiser: bool = False
    """The sender may broadcast (ORGANISERS)."""
    remember_language: bool = True
    """False when the message's language says nothing about the person (a text they are
    composing for others)."""
    args: str = ""
    match: re.Match[str] | None = None
    intent: Intent | None = None
    forgotten: bool = False
    """The person was erased while answering (/forget): remember nothing more about them."""


HandlerResult = Reply | Sequence[Reply]
Handler = Callable[[Context], HandlerResult]
H = TypeVar("H", bound=Handler)
CACHE_SIZE = 2048


def same_for_everyone(handler: H) -> H:
    """Mark a handler whose answer depends only on the words, the language and the minute
    (not on who asks): the dispatcher may reuse its replies within that minute."""
    setattr(handler, "same_for_everyone", True)  # noqa: B010 (a mark read by getattr)
    return handler


@dataclass
class Router:
    """The routes of one feature: commands (/now, !now), command patterns (/s12) and intents."""

    name: str
    commands: dict[str, Handler] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], Handler]] = field(default_factory=list)
    intents: dict[str, Handler] = field(default_factory=dict)
    conversations: list[Callable[[Context], HandlerResult | None]] = field(default_factory=list)

    def conversation(self, handler: Callable[[Context], HandlerResult | None]
                     ) -> Callable[[Context], HandlerResult | None]:
        """Register a step of a multi-message exchange: it sees plain text first and answers
        None when the person is not in that exchange."""
        self.conversations.append(handler)
        return handler

    def command(self, *names: str) -> Callable[[H], H]:
        def register(handler: H) -> H:
            for name in names:
                self.commands[name] = handler
            return handler
        return register

    def pattern(self, regex: str) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self.patterns.append((re.compile(regex, re.IGNORECASE), handler))
            return handler
        return register

    def intent(self, *names: str) -> Callable[[H], H]:
        def register(handler: H) -> H:
            for name in names:
                self.intents[name] = handler
            return handler
        return register


@dataclass(frozen=True)
class Features:
    """What the handlers give the application: their routes, the pushed messages, and the
    platform menus."""

    routers: Sequence[Router]
    messages: PushMessages
    command_menu: tuple[tuple[str, str], ...] = ()
    """(command, untranslated description) for platform menus."""
    descriptions: tuple[str, str] = ("", "")
    """(long, short) untranslated bot descriptions, with %(name)s for the conference."""


class Dispatcher:
    """All routers together; finds the handler for a message and normalises its replies."""

    def __init__(self, routers: Sequence[Router]) -> None:
        self.commands: dict[str, Handler] = {}
        self.patterns: list[tuple[re.Pattern[str], Handler]] = []
        self.intents: dict[str, Handler] = {}
        self.conversations = [c for router in routers for c in router.conversations]
        for router in routers:
            for table, routes in ((self.commands, router.commands),
                                  (self.intents, router.intents)):
                clash = set(table) & set(routes)
                if clash:
                    raise ValueError(f"router {router.name}: {sorted(clash)} registered twice")
                table.update(routes)
            self.patterns.extend(router.patterns)
        for required in ("unknown", "unknown_command"):
            if required not in self.intents:
                raise ValueError(f"no handler for the '{required}' intent")
        self._answers: OrderedDict[tuple[object, ...], list[Reply]] = OrderedDict()

    def forget_answers(self) -> None:
        """The programme changed: no reused answer may outlive it."""
        self._answers.clear()

    def dispatch(self, ctx: Context) -> list[Reply]:
        text = ctx.incoming.text.strip()
        match = _COMMAND.match(text) if text.startswith(COMMAND_PREFIXES) else None
        handler: Handler | None
        if ctx.incoming.location is not None and "location" in self.intents:
            ctx.intent = Intent("location")
            handler = self.intents["location"]
        elif match:
            name, ctx.args = match.group(1).lower(), (match.group(2) or "").strip()
            handler = self.commands.get(name) or self._pattern_handler(ctx, name)
            if handler is None:
                ctx.intent = Intent("unknown_command", query=name)
                handler = self.intents["unknown_command"]
        else:
            for conversation in self.conversations:
                result = conversation(ctx)
                if result is not None:
                    return as_list(result)
            focus = ctx.store.dialogue.recall(ctx.user.id, ctx.incoming.chat_id, ctx.now)
            ctx.intent = (ctx.understanding.interpret(text, ctx.now, focus) if text
                          else Intent("unknown"))
            handler = self.intents.get(ctx.intent.name) or self.intents["unknown"]
            replies = self._answer(ctx, handler, text)
            if not ctx.forgotten:  # what the answer was about: the ground for a follow-up
                ctx.store.dialogue.remember(ctx.user.id, ctx.incoming.chat_id,
                                            focus_after(ctx.conference, ctx.intent, ctx.now),
                                            ctx.now)
            return replies
        return self._answer(ctx, handler, text)

    def _answer(self, ctx: Context, handler: Handler | None, text: str) -> list[Reply]:
        assert handler is not None  # every branch found one
        if (not getattr(handler, "same_for_everyone", False) or ctx.incoming.location
                or (ctx.intent is not None and ctx.intent.from_dialogue)):
            return as_list(handler(ctx))
        key = (handler, text, ctx.lang, int(ctx.now.timestamp() // 60))
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = as_list(handler(ctx))
            if len(self._answers) > CACHE_SIZE:
                self._answers.popitem(last=False)
        return list(answer)

    def _pattern_handler(self, ctx: Context, name: str) -> Handler | None:
        """The handler of a command pattern (/s12) that matches, remembering the match."""
        for pattern, candidate in self.patterns:
            ctx.match = pattern.fullmatch(name)
            if ctx.match:
                return candidate
        return None


def as_list(result: HandlerResult) -> list[Reply]:
    """A handler may return one reply or several."""
    if isinstance(result, Sequence):
        return list(result)
    return [result]
