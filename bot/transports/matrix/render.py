"""Replies as Matrix message content: `body` in plain text, `formatted_body` in the HTML subset
the Matrix specification allows, with /commands written as !commands (Element keeps / for
itself) in the text only, never in the markup."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

from bot.core.messages import Button, LocationReply, TextReply
from bot.core.plaintext import plain_text

_SLASH_COMMAND = re.compile(r"(?<![\w/:.])/([a-z][a-z0-9_]*)")

ALLOWED_TAGS = frozenset({
    "font", "del", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p", "a", "ul", "ol",
    "sup", "sub", "li", "b", "i", "u", "strong", "em", "s", "code", "hr", "br", "div", "table",
    "thead", "tbody", "tr", "th", "td", "caption", "pre", "span", "img", "details", "summary",
    "mx-reply"})
"""The tags of the Matrix specification (client-server API, "m.room.message msgtypes")."""
ALLOWED_ATTRIBUTES = {
    "font": frozenset({"data-mx-bg-color", "data-mx-color", "color"}),
    "span": frozenset({"data-mx-bg-color", "data-mx-color", "data-mx-spoiler", "data-mx-maths"}),
    "a": frozenset({"target", "href"}),
    "img": frozenset({"width", "height", "alt", "title", "src"}),
    "ol": frozenset({"start"}),
    "code": frozenset({"class"}),
    "div": frozenset({"data-mx-maths"}),
}
VOID_TAGS = frozenset({"br", "hr", "img"})
LINK_SCHEMES = ("https:", "http:", "ftp:", "mailto:", "magnet:", "matrix:")


def bang_commands(text: str) -> str:
    """Element takes a leading / for its own commands, so Matrix users type !now."""
    return _SLASH_COMMAND.sub(r"!\1", text)


class _MatrixHtml(HTMLParser):
    """Rewrites reply HTML: allowed tags and attributes only, every tag closed, commands
    rewritten in text nodes, line breaks as <br>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            return  # an unknown tag is left out; its text stays
        kept = []
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()) or value is None:
                continue
            if name == "href" and not value.lower().startswith(LINK_SCHEMES):
                continue
            kept.append(f' {name}="{escape(value, quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.open and self.open[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.open:
            return  # a stray end tag
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        self.out.append(escape(bang_commands(data), quote=False).replace("\n", "<br>"))

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out)


def matrix_html(html: str) -> str:
    """The reply's HTML as a valid Matrix `formatted_body`."""
    parser = _MatrixHtml()
    parser.feed(html)
    return parser.result()


def text_content(reply: TextReply, notes: list[Markup] | None = None,
                 bot_id: str | None = None) -> dict[str, object]:
    """A text reply as an m.notice; its buttons become commands to type (one for the private
    chat names the bot, as a pill, to write to), and `notes` (e.g. what a reaction does) are
    added as lines of their own."""
    lines = [Markup(reply.html)]
    for row in reply.buttons:
        lines.append(Markup(" · ").join(_button(button, bot_id) for button in row))
    lines.extend(notes or [])
    html = Markup("\n").join(lines)
    return {"msgtype": "m.notice", "body": bang_commands(plain_text(TextReply(html))),
            "format": "org.matrix.custom.html", "formatted_body": matrix_html(str(html))}


def _button(button: Button, bot_id: str | None) -> Markup:
    if button.private and bot_id:
        return Markup('%s: <a href="https://matrix.to/#/%s">%s</a> <code>%s</code>') % (
            button.label, bot_id, bot_id, button.command)
    return Markup("%s: <code>%s</code>") % (button.label, button.command)


def location_content(reply: LocationReply) -> dict[str, object]:
    """A venue as an m.location with its geo: URI (and the extensible-events fields)."""
    geo = f"geo:{reply.latitude:.5f},{reply.longitude:.5f}"
    description = f"{reply.title}, {reply.address}".strip(", ")
    return {"msgtype": "m.location", "body": f"{description} ({geo})", "geo_uri": geo,
            "org.matrix.msc3488.location": {"uri": geo, "description": description},
            "org.matrix.msc3488.asset": {"type": "m.pin"},
            "org.matrix.msc1767.text": description}
