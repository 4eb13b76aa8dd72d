"""What a decision rests on besides the rules: who the applicant is, how the decision reaches them, where
the money goes. The account is shown in full with its bank, so the account paid is never one nobody saw;
the personal identity code is masked until someone asks to see it, and that look is audited.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from models.audit import audit
from models.grants.applications import Application
from models.payments.accounts import BankAccount, bank_account
from models.time_limits import Channel
from web.services.auth import StaffUser

PERSONAL_ID_SHOWN = "personal_id_shown"


@dataclass(frozen=True)
class PostalAddress:
    street: str
    postcode: str
    post_office: str
    country: str  # ISO 3166 alpha-2, "FI"


@dataclass(frozen=True)
class CaseFacts:
    language: str
    channel: Channel  # how the decision will be served: e-mail with the applicant's consent, else post
    email: str
    address: PostalAddress | None  # None on applications from before the form asked for it
    account: BankAccount
    masked_personal_id: str


def masked_personal_id(personal_id: str) -> str:
    """The date of birth and century sign stay (010180-); the individual number and check mark do not."""
    return f"{personal_id[:7]}****" if len(personal_id) >= 7 else "****"


def postal_address(applicant: dict[str, Any]) -> PostalAddress | None:
    address = applicant.get("address")
    if not isinstance(address, dict) or not any(address.values()):
        return None
    return PostalAddress(
        street=str(address.get("street") or ""),
        postcode=str(address.get("postcode") or ""),
        post_office=str(address.get("post_office") or ""),
        country=str(address.get("country") or "FI"),
    )


def case_facts(application: Application) -> CaseFacts:
    applicant: dict[str, Any] = application.form.get("applicant", {})
    return CaseFacts(
        language=application.language,
        # The same rule as serving (activities/serving/delivery.py): e-mail only with the applicant's consent.
        channel=Channel.EMAIL if applicant.get("email_consent") else Channel.LETTER,
        email=application.email,
        address=postal_address(applicant),
        account=bank_account(str(application.form.get("payment", {}).get("iban", ""))),
        masked_personal_id=masked_personal_id(str(applicant.get("personal_id", ""))),
    )


def reveal_personal_id(session: Session, *, application: Application, user: StaffUser) -> str:
    """The code in full, for the caller only; who looked, when and at which application goes to the audit."""
    personal_id = str(application.form.get("applicant", {}).get("personal_id", ""))
    audit(
        session,
        action=PERSONAL_ID_SHOWN,
        application_id=application.id,
        actor_id=user.id,
        organisation_code=user.organisation_code,
    )
    session.commit()
    return personal_id
