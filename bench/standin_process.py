"""A Bot API stand-in in its own process, driven over HTTP, so that measuring a bot does not
share a processor (or Python's GIL) with the server it talks to."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class RemoteStandIn:
    def __init__(self, token: str = "123456:TEST-TOKEN", limit: float | None = None) -> None:
        self.token = token
        command = [sys.executable, "-m", "tests.telegram_standin", "--token", token]
        if limit is not None:
            command += ["--limit", str(limit)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def push(self, items: list[dict[str, Any]]) -> list[float]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/_test/push", data=json.dumps(items).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            pushed: list[float] = json.load(answer)["pushed"]
            return pushed

    def wait(self, method: str, count: int, since: int = 0, timeout: float = 300
             ) -> dict[str, Any]:
        url = (f"http://127.0.0.1:{self.port}/_test/wait?method={method}&count={count}"
               f"&since={since}&timeout={timeout}")
        with urllib.request.urlopen(url, timeout=timeout + 10) as answer:
            waited: dict[str, Any] = json.load(answer)
            return waited

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(10)
