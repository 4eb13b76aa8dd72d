"""The YTJ adapter against a local stand-in for the open data API (v3), answering as its published
description says: 200 with the company, 200 with no companies for an unknown business, 429 when the
shared limit is reached, 5xx when it is down; and each field the eligibility rules use, mapped."""

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from core.db import Database
from core.trade_register import RegisterUnavailable, Situation
from core.trade_register.ytj import YtjTradeRegister
from models.grants.registry import RegisterLookup

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ytj"
NOT_FOUND = {"totalResults": 0, "companies": []}


class FakeYtj(ThreadingHTTPServer):
    """Answers GET /opendata-ytj-api/v3/companies?businessId=…; `trouble` makes it misbehave."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []
        self.trouble: str | None = None  # "429", "503", "slow", "garbage"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/opendata-ytj-api/v3"


class _Handler(BaseHTTPRequestHandler):
    server: FakeYtj

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        business_id = parse_qs(parts.query).get("businessId", [""])[0]
        self.server.requests.append(business_id)
        trouble = self.server.trouble
        if parts.path != "/opendata-ytj-api/v3/companies":
            return self._send(404, "text/plain", b"Not Found")
        if trouble == "429":
            return self._send(429, "text/plain", b"Too many requests")
        if trouble == "503":
            return self._send(503, "application/json", b'{"timestamp":"x","message":"down","errorcode":9}')
        if trouble == "slow":
            time.sleep(1.5)
        if trouble == "garbage":
            return self._send(200, "text/html", b"<html>maintenance</html>")
        fixture = FIXTURES / f"{business_id}.json"
        body = fixture.read_bytes() if fixture.exists() else json.dumps(NOT_FOUND).encode()
        return self._send(200, "application/json", body)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ytj() -> Iterator[FakeYtj]:
    server = FakeYtj()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def register(ytj: FakeYtj, sqlite_db: Database) -> YtjTradeRegister:
    return YtjTradeRegister(sqlite_db, ytj.url, timeout_seconds=0.5)


def test_a_sole_trader_is_mapped_field_by_field(register: YtjTradeRegister) -> None:
    entry = register.lookup("2471871-1")

    assert entry is not None
    assert entry.business_id == "2471871-1"
    assert entry.name == "Metsäpalvelu Koivu"  # the current trade name, not the ended one or an auxiliary name
    assert entry.company_form == "tmi"  # YRMU 26
    assert entry.home_municipality == "Espoo"  # the visiting address's municipality (049), not the P.O. box's
    assert entry.industry_code == "02200"
    assert entry.registered_on == date(2010, 4, 1)  # when the business ID was given
    assert (entry.prepayment_register, entry.vat_register) == (True, True)
    assert entry.employer_register is False  # its employer registration ended
    assert entry.situations == []  # the restructuring ended in 2016


def test_a_company_in_liquidation_and_an_employer(register: YtjTradeRegister) -> None:
    entry = register.lookup("1572860-0")

    assert entry is not None
    assert (entry.company_form, entry.home_municipality) == ("oy", "Espoo")  # ESBO is Espoo
    assert entry.employer_register is True and entry.prepayment_register is False
    assert entry.situations == [Situation.LIQUIDATION]


def test_an_unknown_business_is_not_found_and_not_asked_again_today(
    register: YtjTradeRegister, ytj: FakeYtj, sqlite_db: Database
) -> None:
    assert register.lookup("3100012-6") is None
    assert register.lookup("3100012-6") is None

    assert ytj.requests == ["3100012-6"]
    with sqlite_db.session() as session:
        [kept] = session.exec(select(RegisterLookup)).all()
    assert (kept.business_id, kept.entry) == ("3100012-6", None)


def test_a_business_is_asked_once_a_day(register: YtjTradeRegister, ytj: FakeYtj) -> None:
    first = register.lookup("2471871-1")
    ytj.trouble = "503"  # the register is down now, but today's answer is kept
    assert register.lookup("2471871-1") == first
    assert ytj.requests == ["2471871-1"]


@pytest.mark.parametrize("trouble", ["429", "503", "slow", "garbage"])
def test_a_register_that_cannot_answer_is_unavailable_not_not_found(
    register: YtjTradeRegister, ytj: FakeYtj, sqlite_db: Database, trouble: str
) -> None:
    ytj.trouble = trouble
    with pytest.raises(RegisterUnavailable):
        register.lookup("2471871-1")
    with sqlite_db.session() as session:
        assert session.exec(select(RegisterLookup)).all() == []  # nothing kept: asked again next time

    ytj.trouble = None
    entry = register.lookup("2471871-1")
    assert entry is not None and entry.name == "Metsäpalvelu Koivu"


def test_a_register_that_is_not_there_is_unavailable(sqlite_db: Database) -> None:
    nowhere = YtjTradeRegister(sqlite_db, "http://127.0.0.1:9/opendata-ytj-api/v3", timeout_seconds=0.5)
    with pytest.raises(RegisterUnavailable):
        nowhere.lookup("2471871-1")
