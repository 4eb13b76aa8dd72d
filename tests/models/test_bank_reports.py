"""Bank reports read: which transfer, paid or returned and why, on which day; hostile or foreign files refused."""

from datetime import date
from decimal import Decimal

import pytest

from models.payments.bank_reports import BankReportUnreadable, Outcome, ReportKind, read_bank_report
from runtime.simulation.bank import Sent, debit_notification, repayment_notification, status_report

SENT = [
    Sent("GRANTDESK-0000000001", "ESP 2020/000001", "2000.00"),
    Sent("GRANTDESK-0000000001", "ESP 2020/000002", "2000.00"),
]


def test_a_status_report_says_which_transfers_were_paid_and_which_returned_with_the_reason() -> None:
    report = read_bank_report(status_report(SENT, {"ESP 2020/000002": "RJCT"}, date(2020, 6, 3)))

    assert report.kind == ReportKind.STATUS
    paid, returned = report.lines
    assert (paid.outcome, paid.end_to_end_id, paid.original_msg_id, paid.on) == (
        Outcome.PAID, "ESP 2020/000001", "GRANTDESK-0000000001", date(2020, 6, 3)
    )  # fmt: skip
    assert (returned.outcome, returned.reason, returned.amount) == (
        Outcome.REJECTED, "AC01 – incorrect account number", Decimal("2000.00")
    )  # fmt: skip


def test_a_status_report_refusing_the_whole_file_names_the_message() -> None:
    xml = (
        b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.002.001.03'><CstmrPmtStsRpt><GrpHdr><MsgId>R1</MsgId>"
        b"<CreDtTm>2020-06-03T10:00:00</CreDtTm></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>GRANTDESK-0000000001"
        b"</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId><GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd>"
        b"</Rsn></StsRsnInf></OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>"
    )
    [line] = read_bank_report(xml).lines
    assert (line.outcome, line.end_to_end_id, line.original_msg_id) == (Outcome.REJECTED, None, "GRANTDESK-0000000001")
    assert line.reason == "FF01 – invalid file format"


def test_a_debit_notification_books_payments_and_returns() -> None:
    report = read_bank_report(debit_notification(SENT, date(2020, 6, 4), returned={"ESP 2020/000002": "AC04"}))

    assert report.kind == ReportKind.NOTIFICATION
    assert [(line.outcome, line.on) for line in report.lines] == [
        (Outcome.PAID, date(2020, 6, 4)),
        (Outcome.REJECTED, date(2020, 6, 4)),
    ]
    assert report.lines[1].reason == "AC04 – closed account"


def test_money_in_with_a_creditor_reference_is_a_repayment() -> None:
    [line] = read_bank_report(repayment_notification("RF861000000042", "2000.00", date(2020, 9, 1))).lines
    assert (line.outcome, line.creditor_reference, line.amount) == (
        Outcome.REPAID,
        "RF861000000042",
        Decimal("2000.00"),
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not xml at all", "not well-formed"),
        (b"<!DOCTYPE d [<!ENTITY a 'a'><!ENTITY b '&a;&a;'>]><Document>&b;</Document>", "Forbidden"),
        (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.09'><CstmrCdtTrfInitn/></Document>", "neither"),
        (b"<Document><CstmrPmtStsRpt><GrpHdr><MsgId>x</MsgId></GrpHdr></CstmrPmtStsRpt></Document>", "original"),
        (b"<Document><BkToCstmrDbtCdtNtfctn><GrpHdr/><Ntfctn/></BkToCstmrDbtCdtNtfctn></Document>", "no booked"),
        (b"<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Ntry><Sts>BOOK</Sts><BookgDt><Dt>32.13.2020</Dt></BookgDt>"
         b"<NtryDtls><TxDtls/></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>", "not a date"),
        (b"x" * (5 * 1024 * 1024 + 1), "larger than"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_report_we_read_is_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(BankReportUnreadable, match=reason):
        read_bank_report(data)
