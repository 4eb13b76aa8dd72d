"""Bank accounts: IBANs checked by schwifty (check digits, SEPA area) and the bank's name and BIC from its registry."""

from dataclasses import dataclass

from schwifty import IBAN


@dataclass(frozen=True)
class BankAccount:
    iban: str  # grouped in fours, as printed on a bank statement
    bank_name: str | None  # None: the bank registry behind schwifty does not know the bank
    bic: str | None


def sepa_iban(value: str) -> str:
    """The IBAN in its compact form, or ValueError: not an IBAN, or outside the SEPA area."""
    try:
        iban = IBAN(value)
    except ValueError as exc:
        raise ValueError("not a valid IBAN") from exc
    if not iban.in_sepa_zone:
        raise ValueError("the account must be in the SEPA area")
    return str(iban.compact)


def bank_account(iban: str) -> BankAccount:
    try:
        parsed = IBAN(iban)
    except ValueError:
        # Accounts are validated on the form; an unreadable one is shown as stored, with no bank to name.
        return BankAccount(iban=iban, bank_name=None, bic=None)
    return BankAccount(
        iban=parsed.formatted,
        bank_name=parsed.bank_name or None,
        bic=str(parsed.bic) if parsed.bic else None,
    )
