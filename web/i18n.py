"""Finnish, Swedish and English from Babel catalogs (web/locales/<lang>/LC_MESSAGES/messages.po)."""

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import Request

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}
LOCALE_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGE_COOKIE = "lang"


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


@lru_cache
def translations(language: str) -> gettext.NullTranslations:
    # The .po files are compiled in memory at start-up: no build step, no .mo files to keep in sync.
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language not in LANGUAGES or not po_file.exists():
        return gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(language: str) -> gettext.NullTranslations:
    return translations(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def negotiate_language(request: Request) -> str:
    """?lang= first (the switch), then the remembered choice, then the browser's preference."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    header = request.headers.get("accept-language", "")
    preferred = [part.split(";")[0].strip().replace("-", "_") for part in header.split(",") if part.strip()]
    match = Locale.negotiate(preferred, list(LANGUAGES), sep="_") if preferred else None
    return str(match.language) if match else DEFAULT_LANGUAGE


# Number and date formats as used in Finland (Swedish as in Finland, English as in Ireland: 24-hour, d/m/y).
BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_IE"}


def babel_locale(language: str) -> str:
    return BABEL_LOCALES.get(language, BABEL_LOCALES[DEFAULT_LANGUAGE])
