"""The form filled in from the trade register after sign-in: the businesses the person may apply for (from
the Mandates service) and the chosen one's register facts. A register that does not answer leaves the form
for the applicant to fill in; it never stops them applying."""

from dataclasses import dataclass, field
from typing import get_args

from stdnum.fi import ytunnus

from core.mandates import Mandates, MandatesUnavailable
from core.trade_register import RegisterEntry, RegisterUnavailable, TradeRegister
from models.grants.application_form import CompanyForm
from models.identification import IdentifiedPerson

FORM_COMPANY_FORMS = get_args(CompanyForm)  # the register has no "light": such a business has no ID


@dataclass(frozen=True)
class BusinessChoice:
    business_id: str
    name: str


@dataclass
class Prefill:
    businesses: list[BusinessChoice] = field(default_factory=list)
    chosen: str | None = None  # the business ID the values came from
    values: dict[str, str] = field(default_factory=dict)
    register_down: bool = False


def register_values(entry: RegisterEntry) -> dict[str, str]:
    """The form's fields the register answers, as the form writes them."""
    values = {"business.business_id": entry.business_id, "business.name": entry.name}
    if entry.company_form in FORM_COMPANY_FORMS:
        values["business.company_form"] = entry.company_form
    if entry.home_municipality:
        values["business.home_municipality"] = entry.home_municipality
    if entry.industry_code:
        values["business.industry_code"] = entry.industry_code
    if entry.registered_on:
        values["business.started_on"] = entry.registered_on.isoformat()
    return {name: value for name, value in values.items() if value}


def prefill_for(person: IdentifiedPerson, register: TradeRegister, mandates: Mandates, chosen: str | None) -> Prefill:
    """What to offer and fill in: the chosen business (any valid business ID: the register is public), or the
    person's only business."""
    result = Prefill()
    try:
        business_ids = mandates.businesses(person.personal_id)
    except MandatesUnavailable:
        business_ids = []
    entries: dict[str, RegisterEntry | None] = {}
    for business_id in business_ids:
        try:
            entries[business_id] = register.lookup(business_id)
        except RegisterUnavailable:
            result.register_down = True
            entries[business_id] = None
        entry = entries[business_id]
        result.businesses.append(BusinessChoice(business_id, entry.name if entry and entry.name else business_id))
    wanted = chosen.strip() if chosen else (business_ids[0] if len(business_ids) == 1 else None)
    if not wanted or not ytunnus.is_valid(wanted):
        return result
    wanted = ytunnus.format(wanted)
    if wanted not in entries:
        try:
            entries[wanted] = register.lookup(wanted)
        except RegisterUnavailable:
            result.register_down = True
            return result
    entry = entries[wanted]
    if entry is not None:
        result.chosen, result.values = wanted, register_values(entry)
    return result
