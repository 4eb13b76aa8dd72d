"""Recovery decision letters (templates/documents/recovery_letter.html): the same authority, officials and
rectification instruction as every decision letter, with what is recovered and why, and how to repay it:
the amount, the due date, the municipality's account and the creditor reference (RF, ISO 11649)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from schwifty import IBAN
from stdnum import iso11649

from activities.errors import MissingLetterFact
from activities.serving.letter_template import (
    Dispatch,
    Signatory,
    base_context,
    common_missing,
    render_letter,
    undertaking,
)
from core.i18n import N_, formatting_gettext
from models.grants.programme import Programme

TITLE = N_("Recovery of the grant: %(programme)s")


@dataclass(frozen=True)
class RecoveryLetterFacts:
    language: str
    programme: Programme
    number: str
    decided_at: datetime
    decider: Signatory
    presenter: Signatory  # the handler who opened the recovery case
    reference: str  # the application's
    applicant_name: str
    business_name: str
    business_id: str | None
    grant_number: str
    paid_amount: Decimal
    paid_on: date
    amount: Decimal
    reason: str
    justification: str
    due_on: date
    creditor_reference: str
    dispatch: Dispatch
    hearing_due_on: date | None = None  # the grantee was heard: the day they could explain by
    explained_on: date | None = None  # and the day they did
    address_lines: tuple[str, ...] = ()

    # The names the shared layout (_letter.html) reads.
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


def missing_recovery_facts(facts: RecoveryLetterFacts) -> list[str]:
    p, language = facts.programme, facts.language
    missing = common_missing(
        programme=p,
        language=language,
        legal_basis=p.recovery.legal_basis,
        signatories={"decider": facts.decider, "presenter": facts.presenter},
        free_texts=[facts.reason, facts.justification],
        dispatch=facts.dispatch,
        address_lines=facts.address_lines,
    )
    if not p.recovery.interest.get(language):
        missing.append(f"interest terms in {language}")
    if not p.recovery.payee.get(language):
        missing.append(f"the payee's name in {language}")
    if facts.amount <= 0 or facts.amount > facts.paid_amount:
        missing.append("an amount between one cent and the amount paid")
    if not facts.reason.strip():
        missing.append("the grounds for the recovery")
    if not iso11649.is_valid(facts.creditor_reference):
        missing.append("a valid creditor reference")
    return missing


def recovery_letter_html(facts: RecoveryLetterFacts) -> str:
    missing = missing_recovery_facts(facts)
    if missing:
        raise MissingLetterFact(f"recovery decision {facts.number}: the letter would lack " + "; ".join(missing))
    context: dict[str, Any] = {
        **base_context(
            language=facts.language,
            programme=facts.programme,
            decided_at=facts.decided_at,
            decider=facts.decider,
            presenter=facts.presenter,
        ),
        "f": facts,
        "title": formatting_gettext(facts.language)(TITLE, programme=facts.programme.title_in(facts.language)),
        "terms": facts.programme.recovery,
        "payee_account": IBAN(facts.programme.recovery.iban).formatted,
        "reference": iso11649.format(facts.creditor_reference),
        "undertaking": undertaking(facts.business_name, facts.business_id),
    }
    return render_letter("recovery_letter.html", context)
