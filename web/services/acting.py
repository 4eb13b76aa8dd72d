"""May the signed-in person apply for the business the form names? Asked before an application is accepted.

The company form is the trade register's when it answers (a declared "tmi" does not make an oy a sole
trader's business); if the register is down the declared form stands, and the assessment checks it later.
"""

from dataclasses import dataclass

from core.i18n import N_
from core.mandates import Mandates, MandatesUnavailable
from core.trade_register import RegisterUnavailable, TradeRegister
from models.grants.application_form import ApplicationForm
from models.identification import IdentifiedPerson
from models.mandates import ActingRight, acting_basis, acting_refusal

MANDATES_DOWN = N_("Your right to act for the business could not be checked just now. Try again in a few minutes.")


@dataclass(frozen=True)
class ActingRefused(Exception):
    reason: str  # a msgid
    field: str = "business.business_id"
    retry_later: bool = False


def check_right_to_apply(
    person: IdentifiedPerson, form: ApplicationForm, register: TradeRegister, mandates: Mandates
) -> ActingRight | None:
    """The right on which the person applies for the form's business (None: a light entrepreneur, for
    themselves); raises ActingRefused with the reason when they may not."""
    business = form.business
    if not business.business_id:
        return None  # a light entrepreneur applies as themselves
    company_form: str = business.company_form
    try:
        entry = register.lookup(business.business_id)
    except RegisterUnavailable:
        entry = None
    if entry is not None:
        company_form = entry.company_form
    try:
        rights = mandates.rights(person.personal_id, business.business_id)
    except MandatesUnavailable:
        raise ActingRefused(MANDATES_DOWN, retry_later=True) from None
    reason = acting_refusal(company_form, rights)
    if reason is not None:
        raise ActingRefused(reason)
    return acting_basis(company_form, rights)
