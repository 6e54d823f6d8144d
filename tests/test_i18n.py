"""The catalogues are complete, consistent with the code, and really load."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot import PROJECT_ROOT
from bot.language.i18n import Catalogue, I18nError
from bot.programme.yaml_data import load_conference
from tests.helpers import DATA_DIR

LOCALES = PROJECT_ROOT / "locales"
LANGUAGES = load_conference(DATA_DIR)[0].languages
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|</?\w+>|(?<!\w)/[a-z]+\b")


def catalog(lang: str):
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def messages(lang: str):
    return [m for m in catalog(lang) if m.id]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang: str):
    problems = []
    for message in messages(lang):
        strings = message.string if message.pluralizable else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_messages_have_the_forms_of_their_language(lang: str):
    forms = catalog(lang).num_plurals
    assert forms == {"pl": 3, "uk": 3, "en": 2}.get(lang, forms)
    for message in messages(lang):
        if message.pluralizable:
            assert len(message.string) == forms and all(message.string), message.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_tags_and_commands_survive_translation(lang: str):
    for message in messages(lang):
        source = message.id[0] if message.pluralizable else message.id
        strings = message.string if message.pluralizable else (message.string,)
        wanted = sorted(PLACEHOLDER.findall(source))
        for text in strings:
            if "%(num)d" not in source and message.pluralizable:
                continue
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (lang, source, text)


def test_catalogues_match_the_code(tmp_path: Path):
    """Every string in the code is in the catalogues (run `make update` when this fails)."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(PROJECT_ROOT / "babel.cfg"), "-k", "N_", "--no-location", "-o", str(pot),
                    str(PROJECT_ROOT)], check=True, capture_output=True, cwd=PROJECT_ROOT)
    with pot.open("rb") as handle:
        in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    for lang in LANGUAGES:
        in_catalogue = {m.id if isinstance(m.id, str) else m.id[0] for m in messages(lang)}
        assert in_code - in_catalogue == set(), f"{lang}: missing from the catalogue"
        assert in_catalogue - in_code == set(), f"{lang}: no longer used in the code"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_locale_really_loads(lang: str):
    """Babel falls back silently when a .mo is missing; the Catalogue must not."""
    translator = Catalogue([lang], ZoneInfo("Europe/Warsaw"))[lang]
    assert translator.gettext("not announced") != "not announced"


def test_a_missing_catalogue_stops_start_up(tmp_path: Path):
    with pytest.raises(I18nError, match="the catalogue for language 'de' is missing"):
        Catalogue(["de"], ZoneInfo("Europe/Warsaw"), locales_dir=tmp_path)


def test_babel_command_runs():
    assert subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--help"],
                          capture_output=True).returncode == 0
