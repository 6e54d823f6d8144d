"""A Bot API stand-in: a real HTTP server on loopback that python-telegram-bot talks to
through `base_url`. It parses form-encoded, multipart and JSON parameters as Telegram does,
serves getUpdates from a queue, records what the bot sends, and answers 429 (with
retry_after), 403 and 502 on demand — or 429 by itself above a global rate limit.
Like Telegram it refuses a message to a forum topic the chat does not have, a reply to a
message that does not exist (unless allowed), and an edit of a message it never sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SEND_METHODS = {"sendMessage", "sendVenue", "sendLocation", "sendDocument", "sendPhoto",
                "editMessageText", "editMessageReplyMarkup"}
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Confbot", "username": "confbot_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200
    """How the stand-in answered (429, 403, 502 … or 200)."""
    result: dict[str, Any] = field(default_factory=dict)
    """The message Telegram returned for a send (its message_id)."""
    refusal: str = ""
    """Telegram's description when it refused the call."""

    @property
    def chat_id(self) -> str:
        return str(self.params.get("chat_id", ""))


class BotApiStandIn:
    def __init__(self, token: str = "123456:TEST-TOKEN", *, global_limit: float | None = None,
                 latency: float = 0.0) -> None:
        self.token = token
        self.global_limit = global_limit
        """Sends per second accepted before answering 429 (None: no limit)."""
        self.latency = latency
        self.calls: list[Call] = []
        self.too_many: int = 0
        self.blocked_chats: set[str] = set()
        self._failures: dict[str, deque[tuple[int, int | None]]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update = 1
        self._next_message = 1000
        self._recent_sends: deque[float] = deque()
        self.topics: dict[str, set[int]] = {}
        """chat id -> the forum topics (message_thread_id) it has."""
        self.messages: dict[tuple[str, int], dict[str, Any]] = {}
        """(chat id, message id) -> every message in the stand-in's chats, as Telegram has it."""
        self.chat_types: dict[str, str] = {}
        self._polling = 0
        """getUpdates requests in progress: Telegram answers a second one with 409."""
        self.conflicts = 0
        self._released = False
        """The bot is stopping: getUpdates answers at once instead of holding the request."""
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- running ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> BotApiStandIn:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._new_update = asyncio.Event()
            app = web.Application(client_max_size=50 * 2**20)
            app.router.add_route("*", "/bot{token}/{method}", self._handle)
            app.router.add_post("/_test/push", self._control_push)
            app.router.add_get("/_test/wait", self._control_wait)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="bot-api-stand-in", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    @property
    def polling(self) -> int:
        """getUpdates requests being held open now."""
        with self._lock:
            return self._polling

    def release_pollers(self) -> None:
        """The bot is being stopped: answer the getUpdates held open now, and every later one
        at once, so stopping takes no long-poll timeout."""
        self._released = True
        if self._loop is not None and self._new_update is not None:
            self._loop.call_soon_threadsafe(self._new_update.set)

    # --- what tests do ------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        with self._lock:
            update_id = self._next_update
            self._next_update += 1
            self._updates.append({"update_id": update_id, **update})
        if self._loop is not None and self._new_update is not None:
            self._loop.call_soon_threadsafe(self._new_update.set)
        return update_id

    def user(self, user_id: int, language_code: str | None = "en") -> dict[str, Any]:
        person = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code:
            person["language_code"] = language_code
        return person

    def send_text(self, user_id: int, text: str, *, language_code: str | None = "en",
                  chat_id: int | None = None, chat_type: str = "private",
                  topic: int | None = None, reply_to: Call | None = None,
                  message_id: int | None = None, edited: bool = False) -> int:
        """A person writes (in a forum topic, in reply to one of the bot's messages; or
        edits message `message_id`); returns the message id."""
        message: dict[str, Any] = {
            "message_id": message_id or self._message_id(), "date": int(time.time()),
            "chat": {"id": chat_id or user_id, "type": chat_type,
                     **({"is_forum": True} if topic else {})},
            "from": self.user(user_id, language_code), "text": text}
        self.chat_types[str(chat_id or user_id)] = chat_type
        if topic is not None:
            self.topics.setdefault(str(chat_id or user_id), set()).add(topic)
            message.update(message_thread_id=topic, is_topic_message=True)
        if reply_to is not None:
            message["reply_to_message"] = reply_to.result
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if edited:
            message["edit_date"] = int(time.time())
        self.messages[(str(chat_id or user_id), message["message_id"])] = message
        self.push({"edited_message" if edited else "message": message})
        return int(message["message_id"])

    def send_location(self, user_id: int, latitude: float, longitude: float,
                      language_code: str | None = "en") -> int:
        return self.push({"message": {
            "message_id": self._message_id(), "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": self.user(user_id, language_code),
            "location": {"latitude": latitude, "longitude": longitude}}})

    def press(self, user_id: int, data: str, *, language_code: str | None = "en",
              on: Call | None = None) -> int:
        """Tap a button with this callback data (on the message `on` the bot sent, as it
        now looks, keyboard included)."""
        message = (self.messages.get((on.chat_id, on.result["message_id"])) if on is not None
                   else None) or {"message_id": self._message_id(), "date": int(time.time()),
                                  "chat": {"id": user_id, "type": "private"}, "text": "…",
                                  "from": BOT_USER}
        return self.push({"callback_query": {
            "id": f"cb{self._message_id()}", "from": self.user(user_id, language_code),
            "chat_instance": "ci", "data": data, "message": message}})

    def inline(self, user_id: int, query: str, *, language_code: str | None = "en") -> int:
        """Type `@<bot> query` in any chat."""
        return self.push({"inline_query": {
            "id": f"iq{self._message_id()}", "from": self.user(user_id, language_code),
            "query": query, "offset": ""}})

    def keyboard(self, call: Call) -> list[list[dict[str, Any]]]:
        """The inline keyboard of a message the bot sent, as it looks now (after edits)."""
        message = self.messages.get((call.chat_id, call.result["message_id"]), {})
        return list(message.get("reply_markup", {}).get("inline_keyboard", []))

    def fail_next(self, method: str, status: int, retry_after: int | None = None,
                  times: int = 1) -> None:
        """Answer the next `times` calls of a method with an error status."""
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend([(status, retry_after)] * times)

    def sent(self, chat_id: int | str | None = None, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls
                    if c.method in SEND_METHODS | {"answerCallbackQuery", "answerInlineQuery"}
                    and (method is None or c.method == method)
                    and (chat_id is None or c.chat_id == str(chat_id))]

    def wait_for(self, count: int, *, chat_id: int | str | None = None, method: str | None = None,
                 timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(chat_id, method)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        found = self.sent(chat_id, method)
        last = [(c.method, str(c.params.get("text", ""))[:60]) for c in found[-5:]]
        raise AssertionError(f"expected {count} call(s) {method or ''} to {chat_id}; got "
                             f"{len(found)}, the last: {last}")

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    # --- control endpoints, for a stand-in running in its own process (benchmarks) --------

    async def _control_push(self, request: web.Request) -> web.Response:
        """Queue updates: [{"user": 5, "text": "/now", "language_code": "pl"}, …]."""
        stamps = []
        for item in await request.json():
            stamps.append(time.monotonic())
            self.send_text(int(item["user"]), item["text"],
                           language_code=item.get("language_code", "en"))
        return web.json_response({"pushed": stamps})

    async def _control_wait(self, request: web.Request) -> web.Response:
        """Wait until `count` calls of `method` were made; answer with their times."""
        method, count = request.query["method"], int(request.query["count"])
        deadline = time.monotonic() + float(request.query.get("timeout", "30"))
        while time.monotonic() < deadline:
            calls = self.calls_of(method)
            if len(calls) >= count:
                break
            await asyncio.sleep(0.0005)
        calls = self.calls_of(method)
        since = int(request.query.get("since", "0"))
        return web.json_response({"count": len(calls), "too_many": self.too_many,
                                  "times": [c.at for c in calls[since:]],
                                  "chats": [c.chat_id for c in calls[since:]],
                                  "statuses": [c.status for c in calls[since:]]})

    # --- the server ---------------------------------------------------------------------

    def _message_id(self) -> int:
        with self._lock:
            self._next_message += 1
            return self._next_message

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, bytes] = {}
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                    params[key] = f"attach://{value.filename}"
                else:
                    params[key] = _json_or_text(value)
        return params, files

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await self._params(request)
        call = Call(method, params, time.monotonic(), files)
        with self._lock:
            self.calls.append(call)
            queued = self._failures.get(method)
            failure = queued.popleft() if queued else None
        if self.latency:
            await asyncio.sleep(self.latency)
        if failure is not None:
            call.status = failure[0]
            return _failure(*failure)
        if method in SEND_METHODS:
            if str(params.get("chat_id")) in self.blocked_chats:
                call.status = 403
                return _error(403, "Forbidden: bot was blocked by the user")
            if self._over_limit():
                call.status = 429
                return _failure(429, 1)
            refusal = self._refusal(method, params)
            if refusal:
                call.status, call.refusal = 400, refusal
                return _error(400, refusal)
        response = await self._answer(method, params)
        if method in SEND_METHODS and response.status == 200:
            call.result = json.loads(response.text or "{}").get("result") or {}
        return response

    def _refusal(self, method: str, params: dict[str, Any]) -> str:
        """What Telegram says when it refuses a send or an edit ("" when it would not)."""
        chat = str(params.get("chat_id", ""))
        thread = params.get("message_thread_id")
        if thread is not None and int(thread) not in self.topics.get(chat, set()):
            return "Bad Request: message thread not found"
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and (chat, int(reply.get("message_id", 0))) not in \
                self.messages and not reply.get("allow_sending_without_reply"):
            return "Bad Request: message to be replied not found"
        if method.startswith("edit") and (chat, int(params.get("message_id") or 0)) \
                not in self.messages:
            return "Bad Request: message to edit not found"
        return ""

    def _over_limit(self) -> bool:
        if self.global_limit is None:
            return False
        now = time.monotonic()
        with self._lock:
            while self._recent_sends and self._recent_sends[0] <= now - 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= self.global_limit:
                self.too_many += 1
                return True
            self._recent_sends.append(now)
            return False

    async def _answer(self, method: str, params: dict[str, Any]) -> web.Response:
        if method == "getMe":
            return _ok(BOT_USER)
        if method == "getUpdates":
            with self._lock:
                if self._polling:
                    self.conflicts += 1
                    return _error(409, "Conflict: terminated by other getUpdates request; make "
                                       "sure that only one bot instance is running")
                self._polling += 1
            try:
                return _ok(await self._get_updates(params))
            finally:
                with self._lock:
                    self._polling -= 1
        if method in ("deleteWebhook", "setWebhook", "setMyCommands", "setMyDescription",
                      "setMyShortDescription", "answerCallbackQuery", "sendChatAction",
                      "answerInlineQuery",
                      "close", "logOut"):
            return _ok(True)
        if method == "getMyCommands":
            return _ok([])
        if method.startswith("edit"):
            message = self.messages[(str(params.get("chat_id")), int(params["message_id"]))]
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            if "text" in params:
                message["text"] = params["text"]
            return _ok(message)
        if method in SEND_METHODS:
            chat = params.get("chat_id")
            message = {"message_id": self._message_id(), "date": int(time.time()),
                       "chat": {"id": int(chat) if str(chat).lstrip("-").isdigit() else 0,
                                "type": self.chat_types.get(str(chat), "private")},
                       "from": BOT_USER, "text": str(params.get("text", ""))}
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            if params.get("message_thread_id") is not None:
                message["message_thread_id"] = int(params["message_thread_id"])
                message["is_topic_message"] = True
            self.messages[(str(chat), message["message_id"])] = message
            return _ok(message)
        return _error(404, "Not Found: method not found")

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                pending = list(self._updates[: int(params.get("limit") or 100)])
            if pending or self._released or time.monotonic() >= deadline:
                return pending
            assert self._new_update is not None
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(),
                                       timeout=max(0.0, deadline - time.monotonic()))


def _json_or_text(value: str) -> Any:
    if value[:1] in "{[" or value in ("true", "false"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None
           ) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def _failure(status: int, retry_after: int | None) -> web.Response:
    if status == 429:
        return _error(429, f"Too Many Requests: retry after {retry_after or 1}",
                      {"retry_after": retry_after or 1})
    if status == 403:
        return _error(403, "Forbidden: bot was blocked by the user")
    if status >= 500:
        return web.Response(status=status, text="<html><body>Bad Gateway</body></html>",
                            content_type="text/html")
    return _error(status, "Bad Request")


def main() -> None:
    """Run in its own process: print the port, serve until standard input closes."""
    import argparse
    import sys

    parser = argparse.ArgumentParser()
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--limit", type=float, default=None,
                        help="sends a second before answering 429")
    args = parser.parse_args()
    stand_in = BotApiStandIn(args.token, global_limit=args.limit).start()
    print(stand_in.port, flush=True)
    sys.stdin.read()
    stand_in.stop()


if __name__ == "__main__":
    main()
