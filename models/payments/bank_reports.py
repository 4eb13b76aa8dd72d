"""What the bank says about our transfers: a payment status report (pain.002) or a debit/credit notification
(camt.054), read into one list of outcomes.

Only the few fields that say which transfer and what happened are read, whichever version of the message
it is (the namespace is ignored). The file comes from outside: it is parsed with defusedxml, which refuses
entity tricks (billion laughs, external entities), and anything unreadable is a `BankReportUnreadable`
naming what is wrong.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from core.i18n import N_

MAX_REPORT_BYTES = 5 * 1024 * 1024
# pain.002 transaction statuses: settled (paid), rejected; the others (ACTC, ACCP, ACSP, PDNG …) change nothing.
PAID_STATUSES = {"ACSC", "ACCC"}
REJECTED_STATUSES = {"RJCT"}
# The reasons a bank gives most often (ISO 20022 ExternalStatusReason1Code / return reasons), in words.
REASONS = {
    "AC01": N_("incorrect account number"),
    "AC04": N_("closed account"),
    "AC06": N_("blocked account"),
    "AG01": N_("transaction forbidden on this account"),
    "AM04": N_("insufficient funds"),
    "AM05": N_("duplicate payment"),
    "BE04": N_("creditor address missing"),
    "BE05": N_("unrecognised initiating party"),
    "FF01": N_("invalid file format"),
    "MD07": N_("account holder deceased"),
    "MS02": N_("reason not specified by the creditor"),
    "MS03": N_("reason not specified by the bank"),
    "RC01": N_("incorrect BIC"),
    "RR01": N_("debtor account or identification missing"),
}


class ReportKind(StrEnum):
    STATUS = "pain.002"
    NOTIFICATION = "camt.054"


class Outcome(StrEnum):
    PAID = "paid"
    REJECTED = "rejected"
    ACCEPTED = "accepted"  # on its way: nothing changes
    REPAID = "repaid"  # money in with a creditor reference: a recovered grant paid back


class BankReportUnreadable(Exception):
    """The file is not a report this system reads; the message says why."""


@dataclass(frozen=True)
class ReportLine:
    outcome: Outcome
    end_to_end_id: str | None  # None with a message id: the whole original message (a rejected file)
    original_msg_id: str | None
    on: date | None
    reason: str | None = None
    amount: Decimal | None = None
    creditor_reference: str | None = None  # RF reference of a repayment


@dataclass(frozen=True)
class BankReport:
    kind: ReportKind
    message_id: str
    lines: tuple[ReportLine, ...]


def reason_for_reader(reason: str | None, translate: Callable[[str], str]) -> str:
    """A stored reason ("AC01 – incorrect account number") in the reader's language, by its code."""
    code = (reason or "").split(" ")[0]
    return f"{code} – {translate(REASONS[code])}" if code in REASONS else (reason or "")


def reason_text(code: str | None, extra: str | None = None) -> str | None:
    if not code and not extra:
        return None
    words = REASONS.get(code or "", "")
    return " – ".join(part for part in (code, words, extra) if part)


def read_bank_report(data: bytes) -> BankReport:
    if len(data) > MAX_REPORT_BYTES:
        raise BankReportUnreadable(f"the file is larger than {MAX_REPORT_BYTES // (1024 * 1024)} MB")
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as bad:
        raise BankReportUnreadable(f"not well-formed XML ({bad})") from None
    _strip_namespaces(root)
    body = root[0] if root.tag == "Document" and len(root) else root
    if body.tag == "CstmrPmtStsRpt":
        return _status_report(body)
    if body.tag == "BkToCstmrDbtCdtNtfctn":
        return _notification(body)
    raise BankReportUnreadable(f"a {body.tag} message is neither a pain.002 status report nor a camt.054 notification")


def _strip_namespaces(root: Element) -> None:
    for element in root.iter():
        if "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]


def _text(element: Element | None, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    text = found.text.strip() if found is not None and found.text else None
    return text or None


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise BankReportUnreadable(f"{value!r} is not a date") from None


def _amount(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise BankReportUnreadable(f"{value!r} is not an amount") from None


def _status_report(body: Element) -> BankReport:
    message_id = _text(body, "GrpHdr/MsgId") or ""
    reported_on = _day(_text(body, "GrpHdr/CreDtTm"))
    group = body.find("OrgnlGrpInfAndSts")
    if group is None:
        raise BankReportUnreadable("the status report names no original message (OrgnlGrpInfAndSts)")
    original = _text(group, "OrgnlMsgId")
    lines: list[ReportLine] = []
    for info in body.iter("TxInfAndSts"):
        status = _text(info, "TxSts") or ""
        lines.append(
            ReportLine(
                outcome=_outcome_of(status),
                end_to_end_id=_text(info, "OrgnlEndToEndId"),
                original_msg_id=original,
                on=_day(_text(info, "AccptncDtTm")) or reported_on,
                reason=reason_text(_text(info, "StsRsnInf/Rsn/Cd"), _text(info, "StsRsnInf/AddtlInf")),
                amount=_amount(_text(info, "OrgnlTxRef/Amt/InstdAmt")),
            )
        )
    group_status = _text(group, "GrpSts") or ""
    if not lines and group_status in REJECTED_STATUSES:  # the whole file was refused
        reason = reason_text(_text(group, "StsRsnInf/Rsn/Cd"), _text(group, "StsRsnInf/AddtlInf"))
        lines.append(ReportLine(Outcome.REJECTED, None, original, reported_on, reason))
    if not lines:
        raise BankReportUnreadable("the status report has no transaction statuses")
    return BankReport(ReportKind.STATUS, message_id, tuple(lines))


def _outcome_of(status: str) -> Outcome:
    if status in PAID_STATUSES:
        return Outcome.PAID
    if status in REJECTED_STATUSES:
        return Outcome.REJECTED
    return Outcome.ACCEPTED


def _notification(body: Element) -> BankReport:
    message_id = _text(body, "GrpHdr/MsgId") or ""
    lines: list[ReportLine] = []
    for entry in body.iter("Ntry"):
        status = _text(entry, "Sts/Cd") or _text(entry, "Sts") or ""
        if status != "BOOK":
            continue  # pending or information only: the money has not moved
        booked = _day(_text(entry, "BookgDt/Dt") or _text(entry, "BookgDt/DtTm"))
        direction = _text(entry, "CdtDbtInd")
        for details in entry.iter("TxDtls"):
            lines.append(_notified(details, direction, booked))
    if not lines:
        raise BankReportUnreadable("the notification has no booked transactions")
    return BankReport(ReportKind.NOTIFICATION, message_id, tuple(lines))


def _notified(details: Element, direction: str | None, booked: date | None) -> ReportLine:
    end_to_end = _text(details, "Refs/EndToEndId")
    original = _text(details, "Refs/MsgId")
    amount = _amount(_text(details, "Amt") or _text(details, "AmtDtls/TxAmt/Amt"))
    returned = details.find("RtrInf")
    if returned is not None:  # our transfer came back
        reason = reason_text(_text(returned, "Rsn/Cd"), _text(returned, "AddtlInf"))
        return ReportLine(Outcome.REJECTED, end_to_end, original, booked, reason, amount)
    if direction == "DBIT":
        return ReportLine(Outcome.PAID, end_to_end, original, booked, None, amount)
    reference = _text(details, "RmtInf/Strd/CdtrRefInf/Ref")
    return ReportLine(Outcome.REPAID, end_to_end, original, booked, None, amount, creditor_reference=reference)
