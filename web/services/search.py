"""Finding applications for staff: by reference, business ID, personal identity code or name.

One box takes any of them; what was typed decides which key it is. A personal identity code is
matched by its digest (`Application.person_digest`, the same HMAC the intake stores), so the code
itself is never stored, logged or put in a URL: the search form posts, and its description for the
page and the audit names the key, not the code.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, or_, select
from stdnum.fi import hetu, ytunnus

from core.i18n import N_
from models.grants.applications import Application
from models.tasks import ACTIVE_STATUSES, Task
from web.services.intake import person_digest

# ESP-2020-000123: the programme's prefix, the year it arrived and the application's number.
REFERENCE = re.compile(r"[A-ZÅÄÖ0-9]+-\d{4}-\d{6}")
MIN_NAME_LENGTH = 2
PAGE_ROWS = 200


class SearchKey(StrEnum):
    REFERENCE = "reference"
    BUSINESS_ID = "business_id"
    PERSONAL_ID = "personal_id"
    NAME = "name"


class QueryRefused(ValueError):
    """Nothing searchable was typed (the message says why)."""


@dataclass(frozen=True)
class SearchQuery:
    key: SearchKey
    value: str  # normalised; for a personal identity code its digest, never the code

    @property
    def shown(self) -> str | None:
        """What may be written back on the page and into the audit: everything but an identity code."""
        return None if self.key == SearchKey.PERSONAL_ID else self.value


@dataclass(frozen=True)
class SearchRow:
    application: Application
    task: Task | None  # its active task, if any: where the work on it is


def parse_query(text: str, *, secret: str) -> SearchQuery:
    typed = " ".join(text.split())
    if not typed:
        raise QueryRefused(N_("Type a reference, a business ID, a personal identity code or a name."))
    upper = typed.upper()
    if hetu.is_valid(upper):
        return SearchQuery(SearchKey.PERSONAL_ID, person_digest(hetu.compact(upper), secret))
    if ytunnus.is_valid(typed):
        return SearchQuery(SearchKey.BUSINESS_ID, ytunnus.format(ytunnus.compact(typed)))
    if REFERENCE.fullmatch(upper):
        return SearchQuery(SearchKey.REFERENCE, upper)
    if len(typed) < MIN_NAME_LENGTH:
        raise QueryRefused(N_("A name needs at least two letters."))
    return SearchQuery(SearchKey.NAME, typed)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    session: Session, query: SearchQuery, *, programme_codes: list[str], limit: int = PAGE_ROWS
) -> list[SearchRow]:
    """Applications of the given programmes (the caller's scope) that match, newest first."""
    if not programme_codes:
        return []
    statement = select(Application).where(col(Application.programme_code).in_(programme_codes))
    match query.key:
        case SearchKey.PERSONAL_ID:
            statement = statement.where(Application.person_digest == query.value)
        case SearchKey.BUSINESS_ID:
            statement = statement.where(Application.business_id == query.value)
        case SearchKey.REFERENCE:
            statement = statement.where(Application.reference == query.value)
        case SearchKey.NAME:
            pattern = _like(query.value)
            statement = statement.where(
                or_(
                    col(Application.applicant_name).ilike(pattern, escape="\\"),
                    col(Application.business_name).ilike(pattern, escape="\\"),
                )
            )
    newest_first = statement.order_by(col(Application.submitted_at).desc(), col(Application.id).desc())
    applications = list(session.exec(newest_first.limit(limit)))
    tasks = _active_tasks(session, applications)
    return [SearchRow(application=a, task=tasks.get(a.id)) for a in applications]


def _active_tasks(session: Session, applications: list[Application]) -> dict[int | None, Task]:
    """Each application's active task (there is at most one), in one query."""
    ids = [a.id for a in applications]
    tasks = session.exec(
        select(Task).where(col(Task.application_id).in_(ids), col(Task.status).in_(ACTIVE_STATUSES))
    ).all()
    return {t.application_id: t for t in tasks}
