"""Ruling letters (templates/documents/ruling_letter.html): the body's ruling on a rectification request, with
the instruction for appealing to the administrative court within 30 days.

An amending ruling is the decision now: amended to an approval it states the grant, its terms and the de
minimis statement, as a decision letter would; amended to a rejection, its reasons with their figures.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from activities.errors import MissingLetterFact
from activities.serving.letter_template import (
    Dispatch,
    Signatory,
    base_context,
    common_missing,
    mask_iban,
    percent_in,
    render_letter,
    undertaking,
)
from core.i18n import N_, formatting_gettext
from models.appeals.courts import COURT_APPEAL_DAYS, AdministrativeCourt
from models.appeals.requests import Ruling
from models.grants.programme import Programme

MINUTES_DAY = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}\b")
TITLE = N_("Ruling on a request for rectification: %(programme)s")


@dataclass(frozen=True)
class RulingLetterFacts:
    language: str
    programme: Programme
    number: str
    decided_at: datetime
    presenter: Signatory  # the legal officer who prepared the ruling
    body: str  # the body that ruled, as the minutes name it
    meeting_ref: str
    met_on: date
    reference: str  # the application's
    applicant_name: str
    business_name: str
    business_id: str | None
    requester_name: str
    by_member: bool  # a member of the municipality asked, not the party
    received_on: date
    late: bool
    demand: str
    original_number: str
    original_outcome: str
    ruling: str  # a Ruling
    justification: str
    court: AdministrativeCourt
    dispatch: Dispatch
    new_outcome: str | None = None  # amended: approve | reject
    amount: Decimal = Decimal("0.00")
    reasons: tuple[str, ...] = ()
    checks: dict[str, dict[str, str]] | None = None
    iban: str = ""
    address_lines: tuple[str, ...] = ()

    @property
    def minutes_name_the_day(self) -> bool:
        """The minutes' reference starts with the meeting's day, as "12.10.2020 § 345" does: not said twice."""
        return MINUTES_DAY.match(self.meeting_ref.strip()) is not None

    @property
    def channel(self) -> str:
        return self.dispatch.channel

    @property
    def dispatched_on(self) -> date | None:
        return self.dispatch.dispatched_on

    @property
    def deemed_received_on(self) -> date | None:
        return self.dispatch.deemed_received_on

    @property
    def last_day(self) -> date | None:
        return self.dispatch.last_day


def missing_ruling_facts(facts: RulingLetterFacts) -> list[str]:
    p, language = facts.programme, facts.language
    approve = facts.ruling == Ruling.AMEND and facts.new_outcome == "approve"
    missing = common_missing(
        programme=p,
        language=language,
        legal_basis=p.legal_basis.for_outcome(approve),
        signatories={"presenter": facts.presenter},
        free_texts=[facts.justification],
        dispatch=facts.dispatch,
        address_lines=facts.address_lines,
    )
    if not facts.court.name.get(language) or not facts.court.address.get(language):
        missing.append(f"the administrative court's name and address in {language}")
    if not (facts.body.strip() and facts.meeting_ref.strip()):
        missing.append("the body that ruled and its minutes' reference")
    if not facts.justification.strip():
        missing.append("the grounds of the ruling")
    if facts.ruling == Ruling.AMEND and facts.new_outcome == "reject" and not facts.reasons:
        missing.append("reasons for the rejection")
    if approve and (facts.amount <= 0 or not facts.iban):
        missing.append("amount and account")
    return missing


def ruling_letter_html(facts: RulingLetterFacts) -> str:
    missing = missing_ruling_facts(facts)
    if missing:
        raise MissingLetterFact(f"ruling {facts.number}: the letter would lack " + "; ".join(missing))
    context: dict[str, Any] = {
        **base_context(
            language=facts.language,
            programme=facts.programme,
            decided_at=facts.decided_at,
            decider=facts.presenter,
            presenter=facts.presenter,
        ),
        "authority": facts.body,  # the body ruled, not the official who made the decision ruled on
        "f": facts,
        "title": formatting_gettext(facts.language)(TITLE, programme=facts.programme.title_in(facts.language)),
        "terms": facts.programme.grant_terms,
        "de_minimis": facts.programme.de_minimis,
        "percent": percent_in(facts.language),
        "masked_iban": mask_iban(facts.iban) if facts.iban else "",
        "undertaking": undertaking(facts.business_name, facts.business_id),
        "court": facts.court,
        "court_days": COURT_APPEAL_DAYS,
    }
    return render_letter("ruling_letter.html", context)
