"""The Arabic catalogue is complete (no empty or fuzzy entry), keeps every placeholder, and the
compiled .mo says the same as the .po."""

import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "ar" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _unquote(line: str) -> str:
    text = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def po_entries() -> list[dict]:
    """Each entry as {"flags": set, "msgid": str, "msgstr": [str, …]}, with "msgctxt" and
    "msgid_plural" when it has them (header included)."""
    entries, entry, key = [], None, None
    for line in PO.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,"):
            if entry is None or entry.get("msgstr"):
                entry = {"flags": set(), "msgid": "", "msgstr": []}
                entries.append(entry)
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith(("msgid ", "msgctxt ")):
            # A new entry starts unless this line continues one begun by its flags (or, for the
            # msgid, by its msgctxt).
            started = entry is not None and not entry.get("msgstr") and not entry["msgid"]
            if not started or (line.startswith("msgctxt") and "msgctxt" in entry):
                entry = {"flags": set(), "msgid": "", "msgstr": []}
                entries.append(entry)
            key = "msgid" if line.startswith("msgid ") else "msgctxt"
            entry[key] = _unquote(line)
        elif line.startswith("msgid_plural"):
            key = "msgid_plural"
            entry[key] = _unquote(line)
        elif line.startswith("msgstr"):
            key = "msgstr"
            entry["msgstr"].append(_unquote(line))
        elif line.startswith('"') and entry is not None:
            if key == "msgstr":
                entry["msgstr"][-1] += _unquote(line)
            else:
                entry[key] += _unquote(line)
    return entries


def test_catalogue_has_entries():
    assert len(po_entries()) > 100


def test_no_entry_is_fuzzy_or_empty():
    problems = [entry["msgid"] for entry in po_entries() if "fuzzy" in entry["flags"] or not all(entry["msgstr"])]
    assert problems == []


def test_translations_keep_every_placeholder():
    problems = [
        entry["msgid"]
        for entry in po_entries()[1:]
        if any(sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(entry["msgid"])) for s in entry["msgstr"])
    ]
    assert problems == []


def _compiled(catalogue: gettext.GNUTranslations, entry: dict) -> str:
    if "msgctxt" in entry:
        return catalogue.pgettext(entry["msgctxt"], entry["msgid"])
    return catalogue.gettext(entry["msgid"])


def test_compiled_catalogue_matches_the_po():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = [
        entry["msgid"]
        for entry in po_entries()[1:]
        if "msgid_plural" not in entry and _compiled(catalogue, entry) != entry["msgstr"][0]
    ]
    assert stale == []
