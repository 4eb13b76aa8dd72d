"""Plain-text e-mails from templates/email/, in the applicant's language."""

from datetime import date
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.i18n import babel_locale, formatting_gettext
from core.settings import PROJECT_ROOT

# Plain text, never HTML: nothing to escape, and no template can switch it on by accident.
_env = Environment(
    loader=FileSystemLoader(PROJECT_ROOT / "templates" / "email"),
    autoescape=False,  # noqa: S701
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render_email(template_name: str, language: str, **context: Any) -> tuple[str, str]:
    """(subject, body) of `templates/email/<name>.txt`; the template sets `subject`."""
    template = _env.get_template(f"{template_name}.txt")

    def local_date(value: date) -> str:
        return format_date(value, "long", locale=babel_locale(language))

    module = template.make_module({"_": formatting_gettext(language), "local_date": local_date, **context})
    subject = str(getattr(module, "subject", "")).strip()
    return subject, str(module).strip() + "\n"
