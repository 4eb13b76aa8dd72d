"""Who may apply for a business: the rule, and the rights a person holds (Suomi.fi Mandates' terms).

A sole trader's business is the person: only its owner applies for it. A company (ay, ky, oy, osk) applies
through a person who may act for it: its representative in the trade register, or someone the company gave
a mandate (in Suomi.fi Mandates, the mandate to apply for grants). A light entrepreneur has no business
ID and applies as themselves.
"""

from enum import StrEnum

from sqlmodel import Field, SQLModel

from core.i18n import N_


class ActingRight(StrEnum):
    OWNER = "owner"  # the sole trader themself
    REPRESENTATIVE = "representative"  # may sign for the company (trade register)
    MANDATE = "mandate"  # was given the mandate to apply for grants for the business


NOT_THE_OWNER = N_(
    "Only the owner of a sole trader's business can apply for it, and the register does not name you as the "
    "owner of this business. Check the business ID, or ask the owner to apply."
)
NO_RIGHT_TO_ACT = N_(
    "You cannot apply for this company: you are not its representative in the trade register and it has not "
    "given you a mandate to apply for grants. The company's representative can give you the mandate in "
    "Suomi.fi Mandates (suomi.fi/mandates), or apply themselves."
)


def acting_refusal(company_form: str, rights: set[ActingRight]) -> str | None:
    """Why the person may not apply for the business (a msgid), or None when they may."""
    if company_form == "light":
        return None
    if company_form == "tmi":
        return None if ActingRight.OWNER in rights else NOT_THE_OWNER
    return None if rights & {ActingRight.REPRESENTATIVE, ActingRight.MANDATE} else NO_RIGHT_TO_ACT


def acting_basis(company_form: str, rights: set[ActingRight]) -> ActingRight | None:
    """The right an allowed application rests on, the strongest first (recorded with it)."""
    usable = {ActingRight.OWNER} if company_form == "tmi" else {ActingRight.REPRESENTATIVE, ActingRight.MANDATE}
    return next((right for right in ActingRight if right in rights & usable), None)


class RecordedRight(SQLModel, table=True):
    """A right to act for a business as recorded here: the simulated Mandates service's data (seeded for the
    demo businesses and the simulated identification's test people)."""

    __tablename__ = "recorded_right"

    business_id: str = Field(primary_key=True, max_length=9)
    personal_id: str = Field(primary_key=True, max_length=11)
    right: str = Field(primary_key=True, max_length=20)  # an ActingRight
