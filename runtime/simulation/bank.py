"""A stand-in for the bank, the one outside party the tests and the campaign simulation cannot reach: it reads
the pain.001 files released to the outgoing folder and answers with the reports a Finnish bank sends back, a
pain.002 status report or a camt.054 debit notification, with the outcome the caller chooses for each transfer."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PAIN_002 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"
CAMT_054 = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"


@dataclass(frozen=True)
class Sent:
    msg_id: str
    end_to_end_id: str
    amount: str


def sent_transfers(file: Path) -> list[Sent]:
    """What a released file asks the bank to pay."""
    root = ET.fromstring(file.read_bytes())  # noqa: S314 (the project's own file)
    namespace = root.tag.split("}")[0][1:]
    ns = {"p": namespace}
    msg_id = root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=ns) or ""
    return [
        Sent(
            msg_id=msg_id,
            end_to_end_id=tx.findtext("p:PmtId/p:EndToEndId", namespaces=ns) or "",
            amount=tx.findtext("p:Amt/p:InstdAmt", namespaces=ns) or "",
        )
        for tx in root.iterfind(".//p:CdtTrfTxInf", ns)
    ]


def status_report(transfers: list[Sent], outcomes: dict[str, str], on: date, reason: str = "AC01") -> bytes:
    """pain.002: each transfer ACSC (paid) or RJCT (with `reason`), as `outcomes` says (default ACSC)."""
    statuses = "".join(
        f"<TxInfAndSts><OrgnlEndToEndId>{t.end_to_end_id}</OrgnlEndToEndId>"
        f"<TxSts>{outcomes.get(t.end_to_end_id, 'ACSC')}</TxSts>"
        + (f"<StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn></StsRsnInf>" if outcomes.get(t.end_to_end_id) == "RJCT" else "")
        + f"<OrgnlTxRef><Amt><InstdAmt Ccy='EUR'>{t.amount}</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>"
        for t in transfers
    )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><Document xmlns='{PAIN_002}'><CstmrPmtStsRpt>"
        f"<GrpHdr><MsgId>BANK-{transfers[0].msg_id[-6:]}-{on:%Y%m%d}</MsgId><CreDtTm>{on}T16:00:00</CreDtTm></GrpHdr>"
        f"<OrgnlGrpInfAndSts><OrgnlMsgId>{transfers[0].msg_id}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>"
        f"<GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>"
        f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>{transfers[0].msg_id}-1</OrgnlPmtInfId>{statuses}</OrgnlPmtInfAndSts>"
        f"</CstmrPmtStsRpt></Document>"
    ).encode()


def debit_notification(transfers: list[Sent], on: date, returned: dict[str, str] | None = None) -> bytes:
    """camt.054: each transfer booked as a debit on `on`, or (those in `returned`) credited back with the reason."""
    entries = []
    for t in transfers:
        reason = (returned or {}).get(t.end_to_end_id)
        refs = f"<Refs><MsgId>{t.msg_id}</MsgId><EndToEndId>{t.end_to_end_id}</EndToEndId></Refs>"
        back = f"<RtrInf><Rsn><Cd>{reason}</Cd></Rsn></RtrInf>" if reason else ""
        entries.append(
            f"<Ntry><Amt Ccy='EUR'>{t.amount}</Amt><CdtDbtInd>{'CRDT' if reason else 'DBIT'}</CdtDbtInd>"
            f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{on}</Dt></BookgDt>"
            f"<NtryDtls><TxDtls>{refs}<Amt Ccy='EUR'>{t.amount}</Amt>{back}</TxDtls></NtryDtls></Ntry>"
        )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><Document xmlns='{CAMT_054}'><BkToCstmrDbtCdtNtfctn>"
        f"<GrpHdr><MsgId>NTF-{on:%Y%m%d}</MsgId><CreDtTm>{on}T18:00:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>1</Id><Acct><Id><IBAN>FI2112345600000785</IBAN></Id></Acct>{''.join(entries)}</Ntfctn>"
        f"</BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()


def repayment_notification(reference: str, amount: str, on: date) -> bytes:
    """camt.054: money in with a creditor (RF) reference: a recovered grant paid back."""
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><Document xmlns='{CAMT_054}'><BkToCstmrDbtCdtNtfctn>"
        f"<GrpHdr><MsgId>NTF-IN-{on:%Y%m%d}</MsgId><CreDtTm>{on}T18:00:00</CreDtTm></GrpHdr><Ntfctn><Id>2</Id>"
        f"<Ntry><Amt Ccy='EUR'>{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
        f"<BookgDt><Dt>{on}</Dt></BookgDt><NtryDtls><TxDtls><Amt Ccy='EUR'>{amount}</Amt>"
        f"<RmtInf><Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>"
        f"</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()
