"""The fi and sv catalogs translate every string in the templates and the code, placeholders intact.

Refreshing the catalogs is described at the top of babel.cfg.
"""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from core.i18n import LOCALE_DIR, translations

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("fi", "sv")
# The same keywords as the extract command in babel.cfg (-k N_ -k translate).
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "translate": None}
PLACEHOLDER = re.compile(r"%\(([^)]*)\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z%]")


def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _po(language: str) -> Catalog:
    return _catalog(LOCALE_DIR / language / "LC_MESSAGES" / "messages.po", language)


def _template() -> Catalog:
    return _catalog(LOCALE_DIR / "messages.pot")


def _placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


def _extracted() -> dict[tuple[str, str | None], str]:
    """Extract the msgids now, exactly as `pybabel extract -F babel.cfg` would."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    found: dict[tuple[str, str | None], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault((msgid, context), f"{filename}:{lineno}")
    return found


def test_template_has_messages_from_templates_and_code() -> None:
    locations = {filename for message in _template() if message.id for filename, _line in message.locations}
    for expected in (
        "templates/public/apply.html",
        "templates/macros/reasons.html",
        "templates/staff/application.html",
        "templates/staff/dashboard.html",
        "templates/staff/login.html",
        "web/form_errors.py",
    ):
        assert expected in locations
    assert not any(name.startswith(".venv") for name in locations)


def _singular(text: str | tuple[str, ...] | list[str]) -> str:
    return text if isinstance(text, str) else text[0]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    catalog = _po(language)
    problems = []
    for message in _template():
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None or not translated.string:
            problems.append(f"untranslated: {message.id!r}")
            continue
        if translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        source, text = _singular(message.id), _singular(translated.string)
        if _placeholders(text) != _placeholders(source):
            problems.append(f"placeholders differ: {source!r} -> {text!r}")
            continue
        names = {match.group(1): "x" for match in PLACEHOLDER.finditer(source)}
        if names:
            try:
                text % names
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(f"cannot be filled in ({exc}): {translated.string!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_is_up_to_date_with_templates_and_code(language: str) -> None:
    """A new _("...") in a template or N_("...") in code fails here until it is extracted and translated."""
    catalog = _po(language)
    missing = [
        f"{where}: {msgid!r}"
        for (msgid, context), where in _extracted().items()
        if not getattr(catalog.get(msgid, context=context), "string", None)
    ]
    assert not missing, "Run the commands at the top of babel.cfg and translate:\n" + "\n".join(missing)


def test_languages_have_the_same_messages() -> None:
    ids = {(message.id, message.context) for message in _template() if message.id}
    for language in (*TRANSLATED, "en"):
        assert {(message.id, message.context) for message in _po(language) if message.id} == ids, language


@pytest.mark.parametrize("language", TRANSLATED)
def test_runtime_translations_are_loaded(language: str) -> None:
    assert translations(language).gettext("Send application") != "Send application"


def test_english_falls_back_to_the_msgid() -> None:
    assert translations("en").gettext("Send application") == "Send application"
