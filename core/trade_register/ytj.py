"""The business information system's open data API (YTJ, version 3; PRH and the Tax Administration): no key.

GET {base}/companies?businessId=1234567-8 answers 200 with `{"totalResults": 0, "companies": []}` for a
business it does not know (never 404), 429 when its shared limit (about 300 questions a minute for all
users) is reached, and 5xx when it is down. Codes are strings, except an address's `type`; an empty
optional field is left out, null or "". What the rules use is mapped in `entry_from_company`.

Asked once a day per business: the answer (found or not) is kept in `register_lookup` for the Helsinki
day, so a form's prefill, its submission and every assessment round share one question.
"""

import logging
from datetime import date
from typing import Any

import httpx
from sqlalchemy.exc import IntegrityError

from core.clock import helsinki_today
from core.db import Database
from core.trade_register import RegisterEntry, RegisterUnavailable, Situation
from models.grants.registry import RegisterLookup
from models.municipalities import municipality

log = logging.getLogger(__name__)

YTJ_URL = "https://avoindata.prh.fi/opendata-ytj-api/v3"

# Code list YRMU: the company forms the programmes know by our short codes.
COMPANY_FORMS = {"26": "tmi", "5": "ay", "13": "ky", "16": "oy", "17": "oyj", "14": "osk"}
# Code list REK: the registers in `registeredEntries`.
TRADE_REGISTER, PREPAYMENT_REGISTER, VAT_REGISTER, EMPLOYER_REGISTER = "1", "5", "6", "7"
# Code lists SELTILA, KONK and SANE.
SITUATIONS = {"SELTILA": Situation.LIQUIDATION, "KONK": Situation.BANKRUPTCY, "SANE": Situation.RESTRUCTURING}
FINNISH, VISITING_ADDRESS, POSTAL_ADDRESS = "1", 1, 2


class YtjTradeRegister:
    def __init__(self, db: Database, base_url: str = YTJ_URL, *, timeout_seconds: float = 5.0) -> None:
        self._db = db
        self._base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout_seconds)

    def lookup(self, business_id: str) -> RegisterEntry | None:
        today = helsinki_today()
        with self._db.session() as session:
            cached = session.get(RegisterLookup, (business_id, today))
            if cached is not None:
                return None if cached.entry is None else RegisterEntry.model_validate(cached.entry)
        entry = self._ask(business_id)
        self._remember(business_id, today, entry)
        return entry

    def _ask(self, business_id: str) -> RegisterEntry | None:
        try:
            response = httpx.get(
                f"{self._base_url}/companies",
                params={"businessId": business_id},
                headers={"Accept": "application/json"},
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:  # timeouts, refused connections, broken answers
            raise RegisterUnavailable(f"trade register: {type(exc).__name__}") from exc
        if response.status_code != 200:
            # 429 and 5xx pass with time; a 400 for a business ID our forms checked is the register's fault.
            raise RegisterUnavailable(f"trade register answered {response.status_code}")
        try:
            companies = response.json()["companies"]
        except (ValueError, KeyError, TypeError) as exc:
            raise RegisterUnavailable("trade register: an answer not in its published form") from exc
        found = [c for c in companies if (c.get("businessId") or {}).get("value") == business_id]
        return entry_from_company(found[0]) if found else None

    def _remember(self, business_id: str, day: date, entry: RegisterEntry | None) -> None:
        with self._db.session() as session:
            session.add(
                RegisterLookup(
                    business_id=business_id,
                    looked_up_on=day,
                    entry=None if entry is None else entry.model_dump(mode="json"),
                )
            )
            try:
                session.commit()
            except IntegrityError:  # another process asked at the same moment: its answer stands
                session.rollback()


def _current(items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Entries in force: no end date (a changed name or form keeps its old version with one)."""
    return [item for item in items or [] if not item.get("endDate")]


def _in_register(company: dict[str, Any], register: str) -> bool:
    return any(entry.get("register") == register for entry in _current(company.get("registeredEntries")))


def _finnish(descriptions: list[dict[str, Any]] | None) -> str:
    texts = {d.get("languageCode"): d.get("description") or "" for d in descriptions or []}
    return texts.get(FINNISH) or next(iter(texts.values()), "")


def _home_municipality(company: dict[str, Any]) -> str | None:
    """Where the business is: its visiting address's municipality (a postal address may be a box elsewhere)."""
    addresses = sorted(company.get("addresses") or [], key=lambda a: a.get("type") != VISITING_ADDRESS)
    for address in addresses:
        for office in address.get("postOffices") or []:
            known = municipality(office.get("municipalityCode"))
            if known is not None:
                return known.name_fi
    return None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def entry_from_company(company: dict[str, Any]) -> RegisterEntry:
    """One company of the API's answer as the rules read it."""
    business = company.get("businessId") or {}
    names = sorted(
        (n for n in _current(company.get("names")) if n.get("type") == "1"), key=lambda n: n.get("version", 1)
    )
    forms = sorted(_current(company.get("companyForms")), key=lambda f: f.get("version", 1))
    form = forms[0] if forms else {}
    line = company.get("mainBusinessLine") or {}
    situations = [
        SITUATIONS[s["type"]] for s in _current(company.get("companySituations")) if s.get("type") in SITUATIONS
    ]
    if company.get("endDate"):
        situations.append(Situation.CEASED)
    return RegisterEntry(
        business_id=business["value"],
        name=names[0]["name"] if names else "",
        company_form=COMPANY_FORMS.get(str(form.get("type")), _finnish(form.get("descriptions")).casefold()),
        home_municipality=_home_municipality(company),
        industry_code=line.get("type") or None,
        # When the business ID was given: a sole trader's start, a company's founding.
        registered_on=_date(business.get("registrationDate")) or _date(company.get("registrationDate")),
        employer_register=_in_register(company, EMPLOYER_REGISTER),
        prepayment_register=_in_register(company, PREPAYMENT_REGISTER),
        vat_register=_in_register(company, VAT_REGISTER),
        situations=situations,
    )
