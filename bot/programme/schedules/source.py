"""Where a schedule comes from: a file, or an http(s) URL fetched with a conditional GET."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.programme.schedules import c3voc_json, frab
from bot.programme.schedules.frab import NotASchedule
from bot.programme.schedules.raw import MAX_BYTES, RawSchedule, screened

USER_AGENT = "confbot (conference assistant; schedule import)"


class SourceError(Exception):
    """The schedule cannot be read from its place: the message says why."""


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def parse(content: bytes) -> RawSchedule:
    """Recognise the format from the content (XML or JSON) and read it; events with a field
    that cannot be used are left out and reported."""
    if len(content) > MAX_BYTES:
        raise NotASchedule(f"the schedule is {len(content) / 2**20:.1f} MB; at most "
                           f"{MAX_BYTES // 2**20} MB is read")
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return screened(frab.parse(content))
    if head in (b"{", b"["):
        return screened(c3voc_json.parse(content))
    raise NotASchedule("neither XML (frab schedule.xml) nor JSON (C3VOC / pretalx schedule.json)")


@dataclass
class ScheduleSource:
    """One schedule location; `read()` gives new content, or None when it has not changed."""

    location: str
    timeout: float = 20.0
    etag: str | None = None
    last_modified: str | None = None
    _file_state: tuple[int, int] | None = None

    @property
    def is_url(self) -> bool:
        return is_url(self.location)

    def read(self, *, if_changed: bool = False) -> bytes | None:
        """The content; with if_changed, None when the server or the file says it is the same."""
        return self._fetch(if_changed) if self.is_url else self._read_file(if_changed)

    def _read_file(self, if_changed: bool) -> bytes | None:
        path = Path(self.location)
        try:
            stat = path.stat()
            state = (stat.st_mtime_ns, stat.st_size)
            if if_changed and state == self._file_state:
                return None
            if stat.st_size > MAX_BYTES:
                raise SourceError(f"is {stat.st_size / 2**20:.1f} MB; at most "
                                  f"{MAX_BYTES // 2**20} MB is read")
            content = path.read_bytes()
        except OSError as error:
            raise SourceError(f"cannot be read ({error.strerror or error})") from None
        self._file_state = state
        return content

    def _fetch(self, if_changed: bool) -> bytes | None:
        request = urllib.request.Request(self.location, headers={"User-Agent": USER_AGENT})
        if if_changed and self.etag:
            request.add_header("If-None-Match", self.etag)
        if if_changed and self.last_modified:
            request.add_header("If-Modified-Since", self.last_modified)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                content: bytes = response.read(MAX_BYTES + 1)
                headers = response.headers
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return None
            raise SourceError(f"the server answered {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            raise SourceError(f"cannot be fetched ({reason})") from None
        if len(content) > MAX_BYTES:
            raise SourceError(f"is larger than {MAX_BYTES // 2**20} MB; at most that is read")
        self.etag = headers.get("ETag") or self.etag
        self.last_modified = headers.get("Last-Modified") or self.last_modified
        return content
