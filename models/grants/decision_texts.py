"""What a programme's decision letters must say, as data (Administrative Procedure Act 44–47 §, 49 a–49 g §;
Act on Discretionary Government Transfers 14, 20–28 §; de minimis regulation Article 6(1)).

Every text is written per language (fi, sv, en): the letter is wholly in the applicant's language.
"""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

Texts = dict[str, str]  # language → text
Paragraphs = dict[str, list[str]]  # language → paragraphs


def in_language(texts: Texts, language: str) -> str:
    """A programme text in the reader's language, else in English, else in the first language given."""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def paragraphs_in(texts: Paragraphs, language: str) -> list[str]:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), [])


class DecidingAuthority(BaseModel):
    """Who decides, as an authority: the office holder by delegation, and where the delegation is written."""

    office: Texts  # "Espoon kaupungin elinkeinojohtaja"
    delegation: Texts  # "Espoon kaupungin hallintosääntö 45 § 1 mom. 7 kohta"

    def office_in(self, language: str) -> str:
        return in_language(self.office, language)


class ContactPerson(BaseModel):
    """Who answers questions about the decision (Administrative Procedure Act 44 § 1 mom. 4 kohta)."""

    name: str
    title: Texts
    phone: str
    email: str


class LegalBasis(BaseModel):
    """The provisions applied, and the days between which they are in force for this programme.

    A letter cites only the provisions its decision applies: a rejection imposes no grant terms, so it
    does not cite the sections on use, information and recovery (`rejection`, when given).
    """

    text: Texts
    rejection: Texts = {}
    valid_from: date
    valid_until: date

    def for_outcome(self, approve: bool) -> Texts:
        return self.text if approve or not self.rejection else self.rejection

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


class GrantTerms(BaseModel):
    """The terms every approval states (the decree's 5 § with the Transfers Act 7 § 3 mom.)."""

    use: Paragraphs  # what the grant may be used for, and the eligible-cost period
    information_and_receipts: Paragraphs  # 14 §
    return_and_recovery: Paragraphs  # 20–22 §, 24–28 §
    payment: Paragraphs  # the expected payment date, the payer, what to do if the account is wrong


class DeMinimis(BaseModel):
    """The regulation the aid is granted under; the DE_MINIMIS rule checks this ceiling."""

    regulation: Texts  # the full title
    journal: Texts  # the Official Journal reference
    ceiling_eur: Decimal


class Rectification(BaseModel):
    """Where and how a rectification request is made: the body above the official who decided."""

    authority: Texts
    address: Texts  # postal address
    visiting_address: Texts
    email: str
    phone: str
    opening_hours: Texts
    # The instruction's paragraphs: time limit and its counting, contents, risk, who may request, no direct appeal.
    instruction: Paragraphs

    def authority_in(self, language: str) -> str:
        return in_language(self.authority, language)

    def address_in(self, language: str) -> str:
        return in_language(self.address, language)


class RecoveryTerms(BaseModel):
    """What a recovery decision states besides the shared parts: the provisions, how to pay, and interest
    (Act on Discretionary Government Transfers 21–22 § recovery, 24 § interest, 25 § penalty interest)."""

    legal_basis: Texts
    due_days: int = 30  # days from the decision to the due date
    hearing_days: int = 14  # days the grantee has to explain before the decision (Administrative Procedure Act 34 §)
    payee: Texts  # the account holder the repayment goes to, as named in each language
    iban: str
    bic: str
    interest: Paragraphs
