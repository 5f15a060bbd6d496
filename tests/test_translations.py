"""The Dutch and French catalogues are complete: every string the code and templates mark
for translation has a translation, none is fuzzy, and placeholders match. This test is
the build's check: a new string without its translations fails `make test`.

To fix a failure: `make translations-update`, translate the new entries in
matchmaker/translations/{nl,fr}/LC_MESSAGES/messages.po, then `make translations`.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "matchmaker" / "translations"
LANGUAGES = ("nl", "fr")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")


pytestmark = pytest.mark.database_independent


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings marked in the code right now (not the committed template)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract",
                    "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                    "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        return read_po(handle)


def _catalogue(language: str):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _strings(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _placeholders(text: str) -> set[str]:
    return {"".join(match) for match in PLACEHOLDER.findall(text)}


def test_strings_are_extracted(extracted):
    ids = {message.id if isinstance(message.id, str) else message.id[0]
           for message in extracted if message.id}
    # Templates, views, forms and reference data all feed the catalogue.
    assert {"Log in", "Textile", "Internal sharing"} <= ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(extracted, language):
    catalogue = _catalogue(language)
    missing, fuzzy = [], []
    for message in extracted:
        if not message.id:
            continue
        entry = catalogue.get(message.id)
        if entry is None or not all(_strings(entry.string)):
            missing.append(message.id)
        elif entry.fuzzy:
            fuzzy.append(message.id)
    assert not missing, (f"{len(missing)} strings without a {language} translation "
                         f"(run `make translations-update` and translate them): {missing[:20]}")
    assert not fuzzy, f"fuzzy {language} translations to review: {fuzzy[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match(language):
    wrong = []
    for message in _catalogue(language):
        if not message.id or not message.string:
            continue
        source = set().union(*(_placeholders(s) for s in _strings(message.id)))
        for translated in _strings(message.string):
            if _placeholders(translated) - source or (
                    not isinstance(message.id, tuple) and _placeholders(translated) != source):
                wrong.append((message.id, translated))
    assert not wrong, f"{language}: placeholders differ from the English: {wrong[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_compiles(language):
    """The .mo file `make` builds is there and as new as its source."""
    po = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, \
        f"{mo} is missing or older than its .po: run `make translations`"
