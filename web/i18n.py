"""The request's language: the switch, the remembered choice, or the browser's preference."""

from babel import Locale
from starlette.requests import Request

from core.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    babel_locale,
    formatting_gettext,
    formatting_ngettext,
    gettext_for,
)

__all__ = [
    "LANGUAGES",
    "N_",
    "babel_locale",
    "formatting_gettext",
    "formatting_ngettext",
    "gettext_for",
    "negotiate_language",
]

LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}  # the language switch
LANGUAGE_ENDONYMS = {"fi": "suomi", "sv": "svenska", "en": "English"}  # a language as a choice or a fact
# As dates are written in Finland, in Finnish and in Swedish alike (1.12.2026); English as in Ireland.
DATE_PATTERNS = {"fi": "d.M.yyyy", "sv": "d.M.yyyy"}
# A moment as each language writes it; English spells the month, as its dates do ("3 Dec 2026, 17:06"), so no
# reader takes 03/12 for the 12th of March.
DATETIME_PATTERNS = {"en": "d MMM yyyy, HH:mm"}
LANGUAGE_COOKIE = "lang"


def negotiate_language(request: Request) -> str:
    """?lang= first (the switch), then the remembered choice, then the browser's preference."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    header = request.headers.get("accept-language", "")
    preferred = [part.split(";")[0].strip().replace("-", "_") for part in header.split(",") if part.strip()]
    match = Locale.negotiate(preferred, list(LANGUAGES), sep="_") if preferred else None
    return str(match.language) if match else DEFAULT_LANGUAGE
