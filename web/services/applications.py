"""Reading an application's state for the applicant's status page and the staff pages."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.documents import Document, DocumentKind
from models.grants.applications import Application, AssessmentRecord, TimelineEvent
from models.grants.decisions import Decision
from models.grants.info_requests import InfoRequest, InfoRequestStatus


@dataclass(frozen=True)
class ApplicationView:
    application: Application
    timeline: list[TimelineEvent]
    assessment: AssessmentRecord | None


def application_view(session: Session, application_id: int) -> ApplicationView | None:
    application = session.get(Application, application_id)
    if application is None:
        return None
    timeline = session.exec(
        select(TimelineEvent)
        .where(TimelineEvent.application_id == application_id)
        .order_by(col(TimelineEvent.at), col(TimelineEvent.id))
    ).all()
    assessment = session.exec(
        select(AssessmentRecord)
        .where(AssessmentRecord.application_id == application_id)
        .order_by(col(AssessmentRecord.round).desc())
    ).first()
    return ApplicationView(application=application, timeline=list(timeline), assessment=assessment)


def open_info_request(session: Session, application_id: int) -> InfoRequest | None:
    return session.exec(
        select(InfoRequest).where(
            InfoRequest.application_id == application_id, InfoRequest.status == InfoRequestStatus.OPEN
        )
    ).first()


def recent_applications(session: Session, programme_codes: list[str], limit: int = 100) -> list[Application]:
    if not programme_codes:
        return []
    return list(
        session.exec(
            select(Application)
            .where(col(Application.programme_code).in_(programme_codes))
            .order_by(col(Application.id).desc())
            .limit(limit)
        ).all()
    )


def decision_of(session: Session, application_id: int) -> Decision | None:
    return session.exec(select(Decision).where(Decision.application_id == application_id)).first()


def decision_letters(session: Session, application_id: int) -> list[Document]:
    """The decision letter as sent, one per dispatch day, newest first."""
    return list(
        session.exec(
            select(Document)
            .where(Document.application_id == application_id, Document.kind == DocumentKind.DECISION_LETTER)
            .order_by(col(Document.id).desc())
        ).all()
    )


def latest_letter(session: Session, application_id: int) -> Document | None:
    """The letter as last sent (a decision re-sent on another day has a newer, differently dated letter)."""
    return next(iter(decision_letters(session, application_id)), None)
