"""The post room's print batch: letters for applicants who did not consent to e-mail, dated and sent today."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from activities.grant_records import add_timeline_event
from activities.letters import LETTER, archive, letter_facts, record_service, stored_letter
from core.clock import helsinki_today
from core.letters import letter_html
from core.pdf import render_pdf, render_pdf_batch
from core.storage import FileStore
from models.audit import audit
from models.decisions import Decision
from models.documents import Document
from models.programme import Programme
from models.time_limits import Channel
from web.services.auth import StaffUser

PRINT_BATCH = "print_batch"


@dataclass(frozen=True)
class BatchResult:
    document: Document
    letters: int


def pending_letters(session: Session, programme_codes: list[str]) -> list[Decision]:
    return list(
        session.exec(
            select(Decision)
            .where(
                Decision.channel == Channel.LETTER,
                col(Decision.sent_at).is_(None),
                col(Decision.programme_code).in_(programme_codes),
            )
            .order_by(col(Decision.id))
        ).all()
    )


def create_print_batch(
    session: Session, store: FileStore, *, programmes: dict[str, Programme], programme_codes: list[str],
    user: StaffUser, now: datetime,
) -> BatchResult | None:
    """Renders each waiting letter with today's posting date, archives it, and joins them for printing.

    Posting today makes each decision deemed received on the 7th day; the letters say so.
    """
    decisions = pending_letters(session, programme_codes)
    if not decisions:
        return None
    posted_on = helsinki_today(now)
    htmls = []
    for decision in decisions:
        facts = letter_facts(session, decision, programmes[decision.programme_code], Channel.LETTER, posted_on)
        html = letter_html(facts)
        htmls.append(html)
        if stored_letter(session, decision.id or 0, posted_on) is None:
            archive(session, store, pdf=render_pdf(html), kind=LETTER, version=posted_on.isoformat(),
                    language=facts.language, decision=decision)
        record_service(session, decision, facts, now)
        add_timeline_event(session, decision.application_id, f"decision_sent:{posted_on}", "decision_sent")
        audit(session, action="decision_posted", application_id=decision.application_id, actor_id=user.id,
              organisation_code=user.organisation_code, number=decision.number)
    batch = archive(session, store, pdf=render_pdf_batch(htmls), kind=PRINT_BATCH, version=now.isoformat(),
                    language="fi")
    session.commit()
    return BatchResult(document=batch, letters=len(decisions))


def print_batches(session: Session, limit: int = 20) -> list[Document]:
    return list(
        session.exec(
            select(Document).where(Document.kind == PRINT_BATCH).order_by(col(Document.id).desc()).limit(limit)
        ).all()
    )
