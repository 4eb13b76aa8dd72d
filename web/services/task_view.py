"""Everything a handler or decider needs on one page about a task and its application."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from models.audit import AuditEvent
from models.documents import Document
from models.grants.decisions import Decision, Proposal, grant_decision_of
from models.grants.info_requests import Attachment, InfoRequest
from models.payments.recovery import Recovery
from models.staff import User
from models.tasks import Task
from web.services.applications import ApplicationView, PaymentView, application_view, decision_letters, payment_of
from web.services.case_facts import CaseFacts, case_facts
from web.services.disagreements import is_real_discrepancy
from web.services.recoveries import can_open, recoveries_of
from web.services.rectifications import RequestView, contestable, contested_in_time, requests_of


@dataclass(frozen=True)
class CaseFile:
    view: ApplicationView
    proposals: list[Proposal]
    info_requests: list[InfoRequest]
    attachments: list[Attachment]
    decision: Decision | None
    audit: list[AuditEvent]
    people: dict[int, User]
    tasks: list[Task]
    letters: list[Document]  # the decision letter as sent, one per dispatch day, newest first
    facts: CaseFacts  # language, serving channel and address, the account with its bank, the masked identity code
    # Register and applicant disagreeing, from the latest assessment (a municipality named in the other
    # language is no disagreement, also in assessments stored before that was decided by code).
    discrepancies: list[dict[str, str]]
    payment: PaymentView | None = None  # an approved grant's payment, and a changed account being checked
    recoveries: list[Recovery] = field(default_factory=list)  # recovery cases on the paid grant
    can_open_recovery: bool = False  # paid, and no recovery case open
    rectifications: list[RequestView] = field(default_factory=list)  # requests for rectification, their rulings
    contestable: list[Decision] = field(default_factory=list)  # what a request registered by staff may be about

    @property
    def contested(self) -> set[int]:
        """Decisions a request in time was made against: the ruling decides when they are final."""
        return contested_in_time(self.rectifications)


def case_file(session: Session, application_id: int) -> CaseFile | None:
    view = application_view(session, application_id)
    if view is None:
        return None

    def rows(model, order):
        return list(session.exec(select(model).where(model.application_id == application_id).order_by(order)).all())

    proposals = rows(Proposal, col(Proposal.seq))
    audit_events = rows(AuditEvent, col(AuditEvent.id))
    tasks = rows(Task, col(Task.id))
    ids = {p.proposer_id for p in proposals} | {e.actor_id for e in audit_events if e.actor_id}
    ids |= {t.assignee_id for t in tasks if t.assignee_id}
    decision = session.exec(grant_decision_of(application_id)).first()
    if decision:
        ids |= {decision.presenter_id, decision.decider_id}
    people = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids))).all() if u.id}
    return CaseFile(
        view=view,
        proposals=proposals,
        info_requests=rows(InfoRequest, col(InfoRequest.seq)),
        attachments=rows(Attachment, col(Attachment.id)),
        decision=decision,
        audit=audit_events,
        people=people,
        tasks=tasks,
        letters=decision_letters(session, application_id),
        facts=case_facts(view.application),
        payment=payment_of(session, application_id),
        recoveries=recoveries_of(session, application_id),
        can_open_recovery=can_open(session, application_id) is not None,
        rectifications=requests_of(session, application_id),
        contestable=contestable(session, application_id),
        discrepancies=[
            d
            for d in (view.assessment.result.get("discrepancies", []) if view.assessment else [])
            if is_real_discrepancy(d)
        ],
    )
