"""Commands and free-text intents -> handlers; the Context every handler receives.

Each feature module in `handlers/` owns one Router; `handlers/__init__.py` includes them all.
Handlers return replies instead of sending them, so every transport and every test drives them
the same way. A route declares who may use it (`organisers_only=True`, or `role=`); the
dispatcher's `Access` decides and refuses everyone else with one message.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bot.chat.services import PushMessages, ReminderPlanner, Services
from bot.chat.speaker import Speaker
from bot.core.logids import who
from bot.core.messages import COMMAND_PREFIXES, Incoming, Reply, TextReply
from bot.language.i18n import N_, Catalogue
from bot.storage import Store, UserRecord
from bot.understanding.dialogue import focus_after
from bot.understanding.parser import Intent, Understanding

_COMMAND = re.compile(r"^[/!]([\w]+)(?:@\S+)?(?:\s+(.*))?$", re.DOTALL)
log = logging.getLogger(__name__)
ORGANISER = "organiser"
"""The role of the people in ORGANISERS (or the Matrix organiser room)."""
REFUSED = N_("Sorry, only the organisers can do that. If you are one, ask to be added to the "
             "organisers list.")


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
    access: Access = field(default_factory=lambda: Access())
    """Who may do what (set by the dispatcher)."""
    confirmations: dict[str, Confirmation] = field(default_factory=dict)
    """What /send and /cancel mean for each kind of pending action (set by the dispatcher)."""

    def may(self, role: str | None) -> bool:
        """The sender has `role` (None: everyone has it)."""
        return self.access.allows(self, role)

    def refuse(self, role: str | None = ORGANISER) -> TextReply:
        """The one answer to someone who may not use a route (logged once, pseudonymously)."""
        return self.access.refuse(self, role)


HandlerResult = Reply | Sequence[Reply]
Handler = Callable[[Context], HandlerResult]
H = TypeVar("H", bound=Handler)
CACHE_SIZE = 2048
ConversationStep = Callable[[Context], HandlerResult | None]
"""A step of a conversation: sees plain text first, answers None when it is not its turn."""


class Access:
    """The roles a route may require, each a check of the Context; pluggable (`grant`)."""

    def __init__(self) -> None:
        self.roles: dict[str, Callable[[Context], bool]] = {ORGANISER: lambda ctx: ctx.organiser}

    def grant(self, role: str, check: Callable[[Context], bool]) -> None:
        """Declare a role (e.g. "moderator") and how to tell who has it."""
        self.roles[role] = check

    def allows(self, ctx: Context, role: str | None) -> bool:
        """Whether the sender has `role`; a role nobody granted is held by no one."""
        if role is None:
            return True
        check = self.roles.get(role)
        return check is not None and check(ctx)

    def refuse(self, ctx: Context, role: str | None = ORGANISER) -> TextReply:
        words = ctx.incoming.text.split(maxsplit=1)
        log.warning("platform=%s user=%s: refused %s: not %s", ctx.incoming.platform,
                    who(ctx.incoming.platform, ctx.incoming.user_id),
                    words[0][:40] if words else "-",
                    "an organiser" if role == ORGANISER else f"a {role}")
        return TextReply(ctx._(REFUSED))


@dataclass(frozen=True)
class Confirmation:
    """What a kind of pending action (an announcement, a live edit) does on /send and /cancel."""

    send: Handler
    """Do it (or say why it cannot be done now)."""
    drop: Callable[[Context], None]
    """Forget the feature's own state of it."""
    role: str | None = None
    """Who may confirm it."""


def _role(organisers_only: bool, role: str | None) -> str | None:
    return ORGANISER if organisers_only else role


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
    conversations: list[tuple[ConversationStep, str | None]] = field(default_factory=list)
    confirmations: dict[str, Confirmation] = field(default_factory=dict)
    roles: dict[Handler, str] = field(default_factory=dict)
    """The role each restricted handler requires."""
    grants: dict[str, Callable[[Context], bool]] = field(default_factory=dict)
    """Roles this feature defines, with their checks (the dispatcher's Access gets them)."""

    def grant(self, role: str, check: Callable[[Context], bool]) -> None:
        """Define a role (e.g. "moderator") for the routes of every feature: its holders are
        those for whom `check(ctx)` is true."""
        self.grants[role] = check

    def conversation(self, *, organisers_only: bool = False, role: str | None = None
                     ) -> Callable[[ConversationStep], ConversationStep]:
        """Register the step function of a multi-message exchange; people without the role
        never reach it (their text goes on to the other routes)."""
        def register(handler: ConversationStep) -> ConversationStep:
            self.conversations.append((handler, _role(organisers_only, role)))
            return handler
        return register

    def confirms(self, kind: str, send: Handler, drop: Callable[[Context], None], *,
                 organisers_only: bool = False, role: str | None = None) -> None:
        """Declare what /send and /cancel do for a pending action of `kind`."""
        self.confirmations[kind] = Confirmation(send, drop, _role(organisers_only, role))

    def command(self, *names: str, organisers_only: bool = False,
                role: str | None = None) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self._restrict(handler, organisers_only, role)
            for name in names:
                self.commands[name] = handler
            return handler
        return register

    def pattern(self, regex: str, *, organisers_only: bool = False,
                role: str | None = None) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self._restrict(handler, organisers_only, role)
            self.patterns.append((re.compile(regex, re.IGNORECASE), handler))
            return handler
        return register

    def _restrict(self, handler: Handler, organisers_only: bool, role: str | None) -> None:
        required = _role(organisers_only, role)
        if required is not None:
            self.roles[handler] = required

    def intent(self, *names: str, organisers_only: bool = False,
               role: str | None = None) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self._restrict(handler, organisers_only, role)
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
        self.roles = {h: role for router in routers for h, role in router.roles.items()}
        self.confirmations: dict[str, Confirmation] = {}
        self.access = Access()
        grants: dict[str, Callable[[Context], bool]] = {}
        for router in routers:
            _merge(router, grants, router.grants)
            _merge(router, self.commands, router.commands)
            _merge(router, self.intents, router.intents)
            _merge(router, self.confirmations, router.confirmations)
            self.patterns.extend(router.patterns)
        for role, check in grants.items():
            self.access.grant(role, check)
        for required in ("unknown", "unknown_command"):
            if required not in self.intents:
                raise ValueError(f"no handler for the '{required}' intent")
        self._answers: OrderedDict[tuple[object, ...], list[Reply]] = OrderedDict()

    def forget_answers(self) -> None:
        """The programme changed: no reused answer may outlive it."""
        self._answers.clear()

    def dispatch(self, ctx: Context) -> list[Reply]:
        ctx.access, ctx.confirmations = self.access, self.confirmations
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
            for conversation, role in self.conversations:
                result = conversation(ctx) if ctx.may(role) else None
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
        role = self.roles.get(handler)
        if not ctx.may(role):
            return [ctx.refuse(role)]
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


V = TypeVar("V")


def _merge(router: Router, table: dict[str, V], routes: dict[str, V]) -> None:
    clash = set(table) & set(routes)
    if clash:
        raise ValueError(f"router {router.name}: {sorted(clash)} registered twice")
    table.update(routes)


def as_list(result: HandlerResult) -> list[Reply]:
    """A handler may return one reply or several."""
    if isinstance(result, Sequence):
        return list(result)
    return [result]
