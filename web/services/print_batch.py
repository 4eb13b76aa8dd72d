"""The post room's print batch: letters for applicants who did not consent to e-mail, dated and sent today.

One batch per programme, so a batch belongs to the organisations processing that programme and to
nobody else (web/scope.py).
"""

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
from models.documents import Document, DocumentKind
from models.programme import Programme
from models.time_limits import Channel
from web.services.auth import StaffUser


@dataclass(frozen=True)
class BatchResult:
    documents: list[Document]
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


def create_print_batches(
    session: Session,
    store: FileStore,
    *,
    programmes: dict[str, Programme],
    programme_codes: list[str],
    user: StaffUser,
    now: datetime,
) -> BatchResult:
    """Today's batch for each programme with letters waiting; how many letters went into them."""
    documents: list[Document] = []
    letters = 0
    for code in programme_codes:
        decisions = pending_letters(session, [code])
        if decisions:
            documents.append(_batch(session, store, programmes[code], decisions, user=user, now=now))
            letters += len(decisions)
    return BatchResult(documents=documents, letters=letters)


def _batch(
    session: Session,
    store: FileStore,
    programme: Programme,
    decisions: list[Decision],
    *,
    user: StaffUser,
    now: datetime,
) -> Document:
    """Renders each waiting letter with today's posting date, archives it, and joins them for printing.

    Posting today makes each decision deemed received on the 7th day; the letters say so.
    """
    posted_on = helsinki_today(now)
    htmls = []
    for decision in decisions:
        facts = letter_facts(session, decision, programme, Channel.LETTER, posted_on)
        html = letter_html(facts)
        htmls.append(html)
        if stored_letter(session, decision.id or 0, posted_on) is None:
            archive(
                session,
                store,
                pdf=render_pdf(html),
                kind=LETTER,
                version=posted_on.isoformat(),
                language=facts.language,
                programme_code=programme.code,
                decision=decision,
            )
        record_service(session, decision, facts, now)
        add_timeline_event(session, decision.application_id, f"decision_sent:{posted_on}", "decision_sent")
        audit(
            session,
            action="decision_posted",
            application_id=decision.application_id,
            actor_id=user.id,
            organisation_code=user.organisation_code,
            number=decision.number,
        )
    batch = archive(
        session,
        store,
        pdf=render_pdf_batch(htmls),
        kind=DocumentKind.PRINT_BATCH,
        version=now.isoformat(),
        language="fi",
        programme_code=programme.code,
    )
    session.commit()
    return batch


def print_batches(session: Session, programme_codes: list[str], limit: int = 20) -> list[Document]:
    """The latest batches of the given programmes (the caller's scope)."""
    return list(
        session.exec(
            select(Document)
            .where(Document.kind == DocumentKind.PRINT_BATCH, col(Document.programme_code).in_(programme_codes))
            .order_by(col(Document.id).desc())
            .limit(limit)
        ).all()
    )
