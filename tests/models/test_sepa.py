"""Payment files: valid against the official XSD (sepaxml ships pain.001.001.09 and .03), the sums right to
the cent, the ids ours, and the same bytes every time the same batch is written."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sepaxml.validation import try_valid_xml

from models.payments.sepa import (
    SCHEMAS,
    CreditTransferFile,
    Debtor,
    InvalidPaymentFile,
    Transfer,
    credit_transfer_xml,
)

DEBTOR = Debtor(name="Espoon kaupunki", iban="FI2112345600000785", bic="NDEAFIHH")
AMOUNTS = [Decimal("2000.00"), Decimal("1999.99"), Decimal("0.01"), Decimal("2000.00")]
IBANS = ["FI4950009420028730", "FI1410093000123458", "FI7944052020036082", "DE89370400440532013000"]


def batch_file(schema: str = "pain.001.001.09", **changes: object) -> CreditTransferFile:
    values: dict[str, object] = {
        "msg_id": "GRANTDESK-0000000007",
        "created_at": datetime(2020, 6, 1, 9, 30, tzinfo=UTC),
        "execution_date": date(2020, 6, 2),
        "debtor": DEBTOR,
        "schema": schema,
        "transfers": tuple(
            Transfer(
                end_to_end_id=f"ESP 2020/{n:06d}",
                creditor_name=name,
                iban=iban,
                bic=None,
                amount=amount,
                remittance=f"Yksinyrittäjien toimintatuki ESP 2020/{n:06d}",
            )
            for n, (name, iban, amount) in enumerate(
                zip(["Toiminimi Virtanen", "Åke Öberg", "Kahvila Ö", "Design <&> Co"], IBANS, AMOUNTS, strict=True),
                start=1,
            )
        ),
    }
    values.update(changes)
    return CreditTransferFile(**values)  # type: ignore[arg-type]


def _tree(xml: bytes, schema: str) -> tuple[ET.Element, dict[str, str]]:
    return ET.fromstring(xml), {"p": f"urn:iso:std:iso:20022:tech:xsd:{schema}"}  # noqa: S314 (our own file)


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_file_validates_against_the_official_schema_and_sums_to_the_cent(schema: str) -> None:
    xml = credit_transfer_xml(batch_file(schema))

    try_valid_xml(xml, schema)  # raises on any schema violation
    root, ns = _tree(xml, schema)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", ns)
    assert header is not None
    amounts = [Decimal(a.text or "") for a in root.iterfind(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", ns)]
    assert amounts == AMOUNTS
    assert Decimal(header.findtext("p:CtrlSum", namespaces=ns) or "") == sum(AMOUNTS) == Decimal("6000.00")
    assert header.findtext("p:NbOfTxs", namespaces=ns) == "4"
    assert header.findtext("p:MsgId", namespaces=ns) == "GRANTDESK-0000000007"
    assert header.findtext("p:CreDtTm", namespaces=ns) == "2020-06-01T12:30:00+03:00"
    ends = [e.text for e in root.iterfind(".//p:EndToEndId", ns)]
    assert ends == ["ESP 2020/000001", "ESP 2020/000002", "ESP 2020/000003", "ESP 2020/000004"]
    assert [p.text for p in root.iterfind(".//p:PmtInf/p:PmtInfId", ns)] == ["GRANTDESK-0000000007-1"]


def test_the_same_batch_gives_the_same_bytes() -> None:
    assert credit_transfer_xml(batch_file()) == credit_transfer_xml(batch_file())


def test_names_and_texts_are_escaped_and_kept_to_the_sepa_character_set() -> None:
    xml = credit_transfer_xml(batch_file())
    root, ns = _tree(xml, "pain.001.001.09")
    names = [n.text for n in root.iterfind(".//p:Cdtr/p:Nm", ns)]
    assert names == ["Toiminimi Virtanen", "Ake Oberg", "Kahvila O", "Design <&> Co"]
    assert b"Design &lt;&amp;&gt; Co" in xml


@pytest.mark.parametrize(
    "changes",
    [
        {"transfers": ()},
        {"schema": "pain.001.001.02"},
        {"transfers": (Transfer("X", "N", IBANS[0], None, Decimal("0.005"), "r"),)},
        {"transfers": (Transfer("X", "N", IBANS[0], None, Decimal("0"), "r"),)},
        {"transfers": (Transfer("X" * 36, "N", IBANS[0], None, Decimal("1.00"), "r"),)},  # EndToEndId is Max35Text
    ],
)
def test_a_file_that_would_not_validate_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidPaymentFile):
        credit_transfer_xml(batch_file(**changes))  # type: ignore[arg-type]
