"""The Russian catalogue is complete and compiled: no English string in the Russian UI."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import nastavnik

LOCALE = Path(nastavnik.__file__).parent / "locale" / "ru" / "LC_MESSAGES"
_ENTRY = re.compile(r'^msgid "(?P<id>.*)"\n(?:"(?P<more>.*)"\n)*', re.MULTILINE)


def _entries() -> list[tuple[str, str]]:
    """(flags/comment block, entry text) for every non-header entry of django.po."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    blocks = [b for b in text.split("\n\n") if "msgid" in b and not b.startswith("#~")]
    return [(b, b) for b in blocks[1:]]


def _unquote(block: str, key: str) -> str:
    match = re.search(rf'^{key} ((?:".*"\n?)+)', block, re.MULTILINE)
    if match is None:
        return ""
    return "".join(re.findall(r'"(.*)"', match.group(1))).encode().decode("unicode_escape")


def test_no_entry_is_fuzzy_or_untranslated():
    problems = []
    for block, _ in _entries():
        msgid = _unquote(block, "msgid")
        if "#, fuzzy" in block or ", fuzzy" in block:
            problems.append(f"fuzzy: {msgid}")
        # Plural forms may be wrapped over several lines, starting with an empty "".
        translations = [_unquote(block, "msgstr")] + [
            "".join(re.findall(r'"(.*)"', form))
            for form in re.findall(r'^msgstr\[\d\] ((?:".*"\n?)+)', block, re.MULTILINE)
        ]
        if not any(translations):
            problems.append(f"untranslated: {msgid}")
    assert problems == []


def test_compiled_catalogue_matches_the_source():
    catalogue = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    stale = []
    for block, _ in _entries():
        if "msgid_plural" in block:
            continue
        msgid = _unquote(block, "msgid").encode("latin-1", "backslashreplace").decode("utf-8")
        msgctxt = _unquote(block, "msgctxt")
        expected = _unquote(block, "msgstr").encode("latin-1", "backslashreplace").decode("utf-8")
        got = catalogue.pgettext(msgctxt, msgid) if msgctxt else catalogue.gettext(msgid)
        if got != expected:
            stale.append(msgid)
    assert stale == [], "run `nastavnik compilemessages` (django.mo is stale)"
