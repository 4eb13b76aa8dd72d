"""The queue and search results as tables to export, in the reader's language and the pages' own words.

Statuses and task kinds are named by the same macros the pages use (templates/macros/), so a list
taken away says what the page said. No column holds a personal identity code.
"""

from datetime import date
from typing import Any

from markupsafe import Markup

from core.i18n import formatting_gettext
from web.services.exports import Cell, Table
from web.services.search import SearchRow
from web.services.tasks import QueueRow
from web.templating import templates


class PageWords:
    """The pages' words for statuses and kinds, outside a page."""

    def __init__(self, language: str) -> None:
        self._ = formatting_gettext(language)
        values = {"_": self._, "lang": language}
        self._labels: Any = templates.env.get_template("macros/labels.html").make_module(values)
        self._reasons: Any = templates.env.get_template("macros/reasons.html").make_module(values)

    @staticmethod
    def _plain(markup: Markup) -> str:
        return str(markup.unescape()).strip()

    def stage(self, status: str) -> str:
        return self._plain(self._reasons.status_text(status))

    def task_kind(self, kind: str) -> str:
        return self._plain(self._labels.task_kind(kind))

    def task_status(self, status: str) -> str:
        return self._plain(self._labels.task_status(status))


def queue_table(rows: list[QueueRow], *, language: str, today: date) -> Table:
    w = PageWords(language)
    _ = w._
    columns = [
        _("Reference"),
        _("Received"),
        _("Business"),
        _("Business ID"),
        _("Applicant"),
        _("Stage"),
        _("Task"),
        _("Status"),
        _("Assignee"),
        _("Assignee's organisation"),
        _("Due"),
        _("Overdue"),
    ]
    body: list[list[Cell]] = []
    for row in rows:
        a, t, person = row.application, row.task, row.assignee
        overdue = t.due_on is not None and t.due_on < today
        body.append(
            [
                a.reference,
                a.submitted_at,
                a.business_name,
                a.business_id,
                a.applicant_name,
                w.stage(a.status),
                w.task_kind(t.kind),
                w.task_status(t.status),
                person.full_name if person else None,
                person.organisation_code if person else None,
                t.due_on,
                _("yes") if overdue else _("no"),
            ]
        )
    return Table(name="queue", columns=columns, rows=body)


def search_table(rows: list[SearchRow], *, language: str) -> Table:
    w = PageWords(language)
    _ = w._
    columns = [
        _("Reference"),
        _("Received"),
        _("Applicant"),
        _("Business"),
        _("Business ID"),
        _("Programme"),
        _("Stage"),
        _("Task"),
        _("Due"),
    ]
    body: list[list[Cell]] = [
        [
            row.application.reference,
            row.application.submitted_at,
            row.application.applicant_name,
            row.application.business_name,
            row.application.business_id,
            row.application.programme_code,
            w.stage(row.application.status),
            w.task_kind(row.task.kind) if row.task else None,
            row.task.due_on if row.task else None,
        ]
        for row in rows
    ]
    return Table(name="search", columns=columns, rows=body)
