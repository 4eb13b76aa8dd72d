"""SEPA credit-transfer files (ISO 20022 pain.001.001.09, or .03 where the bank still wants it) made with
`sepaxml` and validated against the schema it ships.

The file must be the same bytes however often it is made: a worker that dies after writing it and before
recording it writes it again on the retry, and finance approves exactly the file the bank gets. sepaxml
draws its message and payment-information ids at random and stamps the current time, so the ids saved
with the batch and its creation time are put in their place before the file is validated.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sepaxml import SepaTransfer
from sepaxml.validation import try_valid_xml

from models.grants.programme import HELSINKI

SCHEMAS = ("pain.001.001.09", "pain.001.001.03")


class InvalidPaymentFile(Exception):
    """The file does not validate against its schema: nobody may approve it."""


@dataclass(frozen=True)
class Debtor:
    """The paying municipality's account (settings)."""

    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str  # the decision number: the bank reports each payment back under it
    creditor_name: str
    iban: str
    bic: str | None
    amount: Decimal
    remittance: str


@dataclass(frozen=True)
class CreditTransferFile:
    msg_id: str
    created_at: datetime
    execution_date: date
    debtor: Debtor
    schema: str
    transfers: tuple[Transfer, ...]

    @property
    def total(self) -> Decimal:
        return sum((t.amount for t in self.transfers), Decimal("0.00"))


def cents(amount: Decimal) -> int:
    value = amount * 100
    if value != value.to_integral_value() or value <= 0:
        raise InvalidPaymentFile(f"{amount} is not a positive amount in whole cents")
    return int(value)


def credit_transfer_xml(file: CreditTransferFile) -> bytes:
    """The pain.001 document, valid against its XSD, the same bytes for the same batch."""
    if file.schema not in SCHEMAS:
        raise InvalidPaymentFile(f"unknown schema {file.schema}")
    if not file.transfers:
        raise InvalidPaymentFile("a payment file needs at least one transfer")
    sepa = SepaTransfer(
        {"name": file.debtor.name, "IBAN": file.debtor.iban, "BIC": file.debtor.bic, "batch": True, "currency": "EUR"},
        schema=file.schema,
    )
    for transfer in file.transfers:
        payment = {
            "name": transfer.creditor_name,
            "IBAN": transfer.iban,
            "amount": cents(transfer.amount),
            "execution_date": file.execution_date,
            "description": transfer.remittance,
            "endtoend_id": transfer.end_to_end_id,
        }
        if transfer.bic:
            payment["BIC"] = transfer.bic
        sepa.add_payment(payment)
    xml = _with_our_ids(sepa.export(validate=False), file)
    try:
        try_valid_xml(xml, file.schema)
    except Exception as invalid:  # sepaxml's ValidationError, with xmlschema's reason as its cause
        raise InvalidPaymentFile(f"{invalid}: {invalid.__cause__}") from invalid
    return xml


def _with_our_ids(xml: bytes, file: CreditTransferFile) -> bytes:
    namespace = f"urn:iso:std:iso:20022:tech:xsd:{file.schema}"
    ET.register_namespace("", namespace)
    root = ET.fromstring(xml)  # noqa: S314 (our own output, not input from outside)
    ns = {"p": namespace}
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", ns)
    assert header is not None
    _set(header, "p:MsgId", ns, file.msg_id)
    _set(header, "p:CreDtTm", ns, file.created_at.astimezone(HELSINKI).replace(microsecond=0).isoformat())
    for n, info in enumerate(root.findall("p:CstmrCdtTrfInitn/p:PmtInf", ns), start=1):
        _set(info, "p:PmtInfId", ns, f"{file.msg_id}-{n}")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>' + body


def _set(parent: ET.Element, path: str, ns: dict[str, str], text: str) -> None:
    node = parent.find(path, ns)
    assert node is not None, path
    node.text = text
