"""Search by each key, and the CSV/XLSX exports: within the caller's organisation, audited, no identity codes."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import select

from core.clock import helsinki_today
from core.db import Database
from core.settings import Settings
from models.audit import AuditEvent
from models.grants.programme import Programme
from tests.casework import PASSWORD, PEOPLE, days, file_application, open_task, seed_people, with_te_programme
from tests.support import IN_2020_WINDOW
from tests.web_helpers import csrf_from, sign_in
from web.app import create_app
from web.services.exports import defused

MAIJA, MATTI = "131052-308T", "010190-123M"
FORMULA = '=HYPERLINK("http://evil.example","Click")'


@dataclass
class Office:
    client: TestClient
    db: Database
    ids: dict[str, int]  # maija, matti, formula (the grant, processed by E), te (a TE-only programme)

    def as_(self, who: str) -> None:
        self.client.cookies.clear()
        assert sign_in(self.client, PEOPLE[who][0], PASSWORD).status_code == 303

    def token(self) -> str:
        return csrf_from(self.client.get("/staff/search").text)

    def search(self, q: str) -> str:
        response = self.client.post("/staff/search", data={"csrf_token": self.token(), "q": q})
        assert response.status_code == 200, response.text
        return response.text

    def exported(self, what: str, **params: str) -> bytes:
        if what == "search":
            response = self.client.post("/staff/search/export", data={"csrf_token": self.token(), **params})
        else:
            response = self.client.get("/staff/queue/export", params=params)
        assert response.status_code == 200, response.text
        assert response.headers["content-disposition"].startswith("attachment;")
        return response.content

    def audit(self) -> list[AuditEvent]:
        with self.db.session() as session:
            return list(session.exec(select(AuditEvent).where(AuditEvent.action == "list_exported")).all())


@pytest.fixture
def office(
    db: Database, settings: Settings, programmes: dict[str, Programme], programme: Programme
) -> Iterator[Office]:
    seed_people(db)
    catalogue = with_te_programme(programmes, programme)
    ids = {
        "maija": file_application(db, programme, applicant__personal_id=MAIJA),
        "matti": file_application(
            db,
            programme,
            applicant__personal_id=MATTI,
            applicant__name="Matti Virtanen",
            business__name="Virtasen Verhoomo",
            business__business_id="2617416-4",
        ),
        "formula": file_application(
            db,
            programme,
            applicant__personal_id="311299-1236",
            business__name=FORMULA,
            business__business_id="1572860-0",
        ),
        # The same person and business applying to the TE Office's own programme.
        "te": file_application(db, catalogue["te-grant"], applicant__personal_id=MAIJA),
    }
    today = helsinki_today()
    open_task(db, ids["maija"], due_on=today - days(1))
    open_task(db, ids["matti"], kind="decide", due_on=today + days(5))
    open_task(db, ids["formula"])
    open_task(db, ids["te"], due_on=today - days(3))
    app = create_app(settings, db=db, programmes=catalogue, clock=lambda: IN_2020_WINDOW, run_relay=False)
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        yield Office(client=client, db=db, ids=ids)


def references(db: Database, *keys: str, ids: dict[str, int]) -> set[str]:
    from models.grants.applications import Application

    with db.session() as session:
        rows = [session.get(Application, ids[key]) for key in keys]
        return {row.reference for row in rows if row is not None and row.reference is not None}


def found(page: str) -> set[str]:
    return {part.split('">', 1)[1].split("<", 1)[0] for part in page.split('<a href="/staff/applications/')[1:]}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (MAIJA, {"maija"}),
        ("131052-308t ", {"maija"}),  # as typed, in lower case with a space
        ("0112038-9", {"maija"}),
        ("2617416-4", {"matti"}),
        ("matti virt", {"matti"}),  # the applicant's name, in part, in any case
        ("Verhoomo", {"matti"}),  # or the business's
        ("virtanen", {"maija", "matti"}),  # Maija's business is Toiminimi Virtanen
        ("ESP-2020-{formula}", {"formula"}),
    ],
)
def test_search_by_each_key(office: Office, q: str, expected: set[str]) -> None:
    office.as_("handler")
    q = q.format(formula=f"{office.ids['formula']:06d}")
    assert found(office.search(q)) == references(office.db, *expected, ids=office.ids)


def test_search_sees_only_the_callers_organisations_programmes(office: Office) -> None:
    office.as_("handler")
    mine = found(office.search(MAIJA))
    assert mine == references(office.db, "maija", ids=office.ids)  # not the TE programme's application

    office.as_("te_handler")
    assert found(office.search(MAIJA)) == references(office.db, "te", ids=office.ids)
    assert found(office.search("0112038-9")) == references(office.db, "te", ids=office.ids)
    assert found(office.search("Matti")) == set()


def test_the_identity_code_is_neither_kept_nor_logged(office: Office) -> None:
    office.as_("handler")
    page = office.search(MAIJA)
    assert "Searched by personal identity code." in page
    office.exported("search", q=MAIJA, format="csv")
    [event] = office.audit()
    assert event.detail["filters"] == {"by": "personal_id", "value": None}
    with office.db.session() as session:
        everything = " ".join(str(e.detail) for e in session.exec(select(AuditEvent)).all())
    assert MAIJA not in everything and MAIJA.lower() not in everything


def test_search_needs_a_query_and_the_csrf_token(office: Office) -> None:
    office.as_("handler")
    refused = office.client.post("/staff/search?lang=en", data={"csrf_token": office.token(), "q": " "})
    assert refused.status_code == 422
    assert "Type a reference, a business ID, a personal identity code or a name." in refused.text
    short = office.client.post("/staff/search", data={"csrf_token": office.token(), "q": "x"})
    assert short.status_code == 422 and 'value="x"' in short.text  # what was typed stays in the box
    assert office.client.post("/staff/search", data={"q": "Virtanen"}).status_code == 403


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_queue_export_as_csv_and_xlsx_holds_the_pages_rows(office: Office) -> None:
    office.as_("handler")
    ours = references(office.db, "maija", "matti", "formula", ids=office.ids)
    theirs = references(office.db, "te", ids=office.ids)

    rows = read_csv(office.exported("queue", format="csv"))
    assert rows[0][:3] == ["Reference", "Received", "Business"]
    assert {r[0] for r in rows[1:]} == ours and not theirs & {r[0] for r in rows[1:]}
    maija = next(r for r in rows if r[0] in references(office.db, "maija", ids=office.ids))
    assert maija[1] == "2020-05-02 10:00"  # Helsinki time
    assert maija[10] == (helsinki_today() - days(1)).isoformat() and maija[11] == "yes"

    sheet = read_xlsx(office.exported("queue", format="xlsx"))
    assert sheet[0] == rows[0]
    assert {r[0] for r in sheet[1:]} == ours
    received = next(r for r in sheet if r[0] == maija[0])[1]
    assert received == datetime(2020, 5, 2, 10, 0)  # a date cell, not text

    for data in (office.exported("queue", format="csv"), office.exported("queue", format="xlsx")):
        for code in (MAIJA, MATTI, "311299-1236"):
            assert code.encode() not in data


def test_queue_export_follows_the_filters_and_is_audited(office: Office) -> None:
    office.as_("decider")
    rows = read_csv(office.exported("queue", format="csv", role="decider"))
    assert [r[0] for r in rows[1:]] == sorted(references(office.db, "matti", ids=office.ids))
    [event] = office.audit()
    assert event.actor_id is not None and event.organisation_code == "E"
    assert event.detail == {
        "list": "queue",
        "format": "csv",
        "filters": {"status": None, "assignee": None, "organisation": None, "due_before": None, "role": "decider"},
        "rows": 1,
    }


def test_another_organisation_exports_nothing_of_ours(office: Office) -> None:
    office.as_("te_handler")
    rows = read_csv(office.exported("queue", format="csv"))
    assert [r[0] for r in rows[1:]] == sorted(references(office.db, "te", ids=office.ids))
    sheet = read_xlsx(office.exported("search", q="0112038-9", format="xlsx"))
    assert [r[0] for r in sheet[1:]] == sorted(references(office.db, "te", ids=office.ids))


def test_search_export_in_both_formats(office: Office) -> None:
    office.as_("handler")
    expected = references(office.db, "maija", "matti", ids=office.ids)
    assert {r[0] for r in read_csv(office.exported("search", q="Virtanen", format="csv"))[1:]} == expected
    assert {r[0] for r in read_xlsx(office.exported("search", q="Virtanen", format="xlsx"))[1:]} == expected
    assert [(e.detail["format"], e.detail["rows"]) for e in office.audit()] == [("csv", 2), ("xlsx", 2)]
    assert office.audit()[0].detail["filters"] == {"by": "name", "value": "Virtanen"}


def test_cells_that_would_run_as_formulas_are_defused(office: Office) -> None:
    office.as_("handler")
    q = f"ESP-2020-{office.ids['formula']:06d}"
    [_, row] = read_csv(office.exported("search", q=q, format="csv"))
    assert row[3] == "'" + FORMULA
    [_, cells] = read_xlsx(office.exported("search", q=q, format="xlsx"))
    assert cells[3] == "'" + FORMULA  # a text cell, not a formula
    assert office.exported("search", q=q, format="xlsx").count(b"<f>") == 0


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+358 40 123", "'+358 40 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Virtanen = ok", "Virtanen = ok"),
        ("", ""),
    ],
)
def test_defused(text: str, written: str) -> None:
    assert defused(text) == written


def test_an_unknown_format_is_refused_naming_the_field(office: Office) -> None:
    office.as_("handler")
    response = office.client.get("/staff/queue/export?format=pdf&lang=en")
    assert response.status_code == 422
    assert "<code>format</code>" in response.text
    assert office.audit() == []


def test_the_decide_queue_shows_due_dates_and_marks_the_overdue(office: Office) -> None:
    office.as_("handler")
    page = office.client.get("/staff/queue?lang=en").text
    late = format_date(helsinki_today() - days(1), "medium", locale="en_IE")  # as the English page writes it
    assert f'{late} <strong class="tag overdue">overdue</strong>' in page
    assert page.count('class="tag overdue"') == 1  # the TE programme's late task is not ours to see

    office.as_("decider")
    page = office.client.get("/staff/queue?role=decider&lang=en").text
    due = format_date(helsinki_today() + days(5), "medium", locale="en_IE")
    assert f"<td>{due}</td>" in page
    assert 'class="tag overdue"' not in page
    assert "/staff/queue/export?role=decider&amp;format=csv" in page
