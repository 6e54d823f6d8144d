"""Information topics organisers add in the web console, laid over `data/info.yaml` like the
live edits over the programme, and exported as YAML for `data/` after the event."""

from __future__ import annotations

import re
from dataclasses import replace

import yaml

from bot.language.textmatch import fold
from bot.programme.model import Conference, InfoTopic
from bot.storage.console import TopicRecord


def with_topics(conference: Conference, records: list[TopicRecord]) -> Conference:
    """The conference with the console's topics added (one of the same id replaces the
    data's)."""
    if not records:
        return conference
    added = [InfoTopic(r.topic_id, r.title, r.body,
                       {lang: tuple(words) for lang, words in r.keywords.items()})
             for r in records]
    ids = {topic.id for topic in added}
    return replace(conference, info=(*(t for t in conference.info if t.id not in ids), *added))


def topic_id(title: str, taken: set[str]) -> str:
    """A short id from a title ('Where is the cloakroom?' -> where-is-the-cloakroom)."""
    base = re.sub(r"[^a-z0-9]+", "-", fold(title).encode("ascii", "ignore").decode()).strip("-")
    base = base[:40].strip("-") or "topic"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def export_topics_yaml(records: list[TopicRecord]) -> str:
    """The console's topics as entries for `data/info.yaml`."""
    topics = [{"id": r.topic_id, "title": r.title, "body": r.body, "keywords": r.keywords}
              for r in records]
    header = ("# Information topics added in the web console. Append them to 'topics' in\n"
              "# data/info.yaml (and check each language's keywords).\n")
    return header + yaml.safe_dump({"topics": topics}, allow_unicode=True, sort_keys=False,
                                   width=100)
