"""Finnish, Swedish and English from Babel catalogs (web/locales/<lang>/LC_MESSAGES/messages.po).

Used by the web pages and by the activities that write to applicants (e-mails, and later letters).
"""

import gettext
from collections.abc import Callable
from functools import lru_cache
from io import BytesIO
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core.settings import PROJECT_ROOT

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
LOCALE_DIR = PROJECT_ROOT / "web" / "locales"
# Number and date formats as used in Finland (Swedish as in Finland, English as in Ireland: 24-hour, d/m/y).
BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_IE"}


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


def formatting_gettext(language: str) -> Callable[..., str]:
    """`_("Open until %(time)s.", time=...)`: translate first, then fill in."""
    gettext_ = gettext_for(language).gettext

    def translate(message: str, **values: Any) -> str:
        text = gettext_(message)
        return text % values if values else text

    return translate


def formatting_ngettext(language: str) -> Callable[..., str]:
    """`ngettext("%(num)s day", "%(num)s days", n)`: the form for n, translated, with `num` (and any other
    values) filled in, as Jinja's own ngettext does."""
    ngettext_ = gettext_for(language).ngettext

    def translate(singular: str, plural: str, n: int, **values: Any) -> str:
        return ngettext_(singular, plural, n) % {"num": n, **values}

    return translate


def babel_locale(language: str) -> str:
    return BABEL_LOCALES.get(language, BABEL_LOCALES[DEFAULT_LANGUAGE])
