"""Hand the untranslated messages of a catalog to a translator and take their work back.

    scripts/i18n todo nl todo-nl.json     every untranslated or fuzzy msgid, as {msgid: ""}
    scripts/i18n apply nl todo-nl.json    write the filled-in translations into nl's messages.po
    i18n_catalog.py english-plurals        give en's plural messages their English forms (run
                                          by scripts/i18n: an empty plural compiles as blank)

Plural messages appear as {msgid: ["singular", "plural"]}. Placeholders ({name}) must be kept;
``apply`` refuses a translation whose placeholders differ from its msgid's.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _po(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


def _read(lang: str):  # type: ignore[no-untyped-def]
    with _po(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def todo(lang: str, out: Path) -> int:
    catalog = _read(lang)
    pending: dict[str, object] = {}
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            key = message.id if isinstance(message.id, str) else message.id[0]
            pending[key] = ["", ""] if isinstance(message.id, tuple) else ""
    out.write_text(json.dumps(pending, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(pending)} messages to translate into {lang}: {out}")
    return 0


def apply(lang: str, source: Path) -> int:
    translations: dict[str, str | list[str]] = json.loads(source.read_text(encoding="utf-8"))
    catalog = _read(lang)
    problems = []
    applied = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else (message.id[0] if message.id else "")
        value = translations.get(key)
        if not key or not value:
            continue
        values = value if isinstance(value, list) else [value]
        if any(set(PLACEHOLDER.findall(v)) != set(PLACEHOLDER.findall(key)) for v in values if v):
            problems.append(key)
            continue
        message.string = tuple(values) if isinstance(message.id, tuple) else values[0]
        message.flags.discard("fuzzy")
        applied += 1
    with _po(lang).open("wb") as handle:
        write_po(handle, catalog, ignore_obsolete=True)
    print(f"{applied} translations written into {lang}")
    for key in problems:
        print(f"placeholders differ, not applied: {key!r}", file=sys.stderr)
    return 1 if problems else 0


def english_plurals() -> int:
    """English needs no translation, except that an empty plural entry would be compiled and
    shown as blank text: give each its msgid's two forms."""
    catalog = _read("en")
    filled = 0
    for message in catalog:
        if message.id and isinstance(message.id, tuple) and not all(message.string):
            message.string = tuple(message.id)
            filled += 1
    if filled:
        with _po("en").open("wb") as handle:
            write_po(handle, catalog, ignore_obsolete=True)
    return 0


def main(argv: list[str]) -> int:
    if argv == ["english-plurals"]:
        return english_plurals()
    if len(argv) != 3 or argv[0] not in ("todo", "apply"):
        print(__doc__, file=sys.stderr)
        return 2
    action, lang, path = argv
    return todo(lang, Path(path)) if action == "todo" else apply(lang, Path(path))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
