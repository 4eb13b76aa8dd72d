"""Who sees what: the one place that decides which cases, tasks, files, documents and staff accounts a staff
member may open.

A programme's cases belong to the organisations it names as processing organisations; nobody else
sees them, whatever their role. Every staff page, download and export takes its rows through a
`Scope` (listing queries filter by `scope.codes`) or through one of the loaders below (a resource in
a path), so no route can forget the check. Another organisation's resource answers exactly like a
missing one (404): its existence is not disclosed. The same holds for staff accounts: an
organisation's administrators manage their own organisation's people and nobody else's. Service requests
belong to the organisations in their route chain (`Scope.service_requests`), for handlers and coordinators.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException
from sqlalchemy import false
from sqlmodel import col, select

from models.documents import Document, DocumentKind
from models.grants.applications import Application
from models.grants.info_requests import Attachment
from models.grants.programme import Programme
from models.payments.batches import PaymentBatch
from models.payments.imports import BankReportImport
from models.payments.recovery import Recovery
from models.service_requests.requests import ServiceRequest, ServiceRoute
from models.serving.print_batches import PrintBatch
from models.staff import Role, User
from models.tasks import Task
from web.deps import ProgrammesDep, SessionDep, StaffDep
from web.ids import RowId
from web.services.auth import StaffUser

# Roles that work on case files; finance sees payments only (and has its own pages later).
CASE_ROLES = (Role.HANDLER, Role.DECIDER, Role.LEGAL, Role.COORDINATOR, Role.ADMIN)
# Roles that serve customers' service requests: handlers, and coordinators who triage and are escalated to.
SERVICE_ROLES = (Role.HANDLER, Role.COORDINATOR)


@dataclass(frozen=True)
class Scope:
    user: StaffUser
    programmes: tuple[Programme, ...]
    # The programmes whose grants the user's organisation pays (its finance staff see their payments).
    paid_programmes: tuple[Programme, ...] = ()

    @property
    def codes(self) -> list[str]:
        """The programmes whose cases the user's organisation processes."""
        return [p.code for p in self.programmes]

    @property
    def organisations(self) -> list[str]:
        """Every organisation working on those programmes (colleagues one may hand work to)."""
        return sorted({o for p in self.programmes for o in p.processing_organisations})

    def covers(self, programme_code: str | None) -> bool:
        return programme_code is not None and programme_code in self.codes

    @property
    def paid_codes(self) -> list[str]:
        """Finance's scope: the programmes whose payments, batches and bank reports the user may see."""
        return [p.code for p in self.paid_programmes] if self.user.has_any(Role.FINANCE) else []

    def pays(self, programme_code: str | None) -> bool:
        return programme_code is not None and programme_code in self.paid_codes

    @property
    def serves_requests(self) -> bool:
        return self.user.has_any(*SERVICE_ROLES)

    def service_requests(self) -> Any:
        """The condition a query of service requests filters by: those that are or were routed to the user's
        organisation (the route chain), for its handlers and coordinators; nothing for anyone else. Without
        the customer's consent a request is never referred on, so it is never in another organisation's chain."""
        if not self.serves_requests:
            return false()
        routed_here = select(ServiceRoute.request_id).where(
            ServiceRoute.organisation_code == self.user.organisation_code
        )
        return col(ServiceRequest.id).in_(routed_here)

    @property
    def reads_cases(self) -> bool:
        return self.user.has_any(*CASE_ROLES)

    def may_read(self, document: Document) -> bool:
        """Letters go to case workers of the processing organisations; print batches to their coordinators."""
        if not self.covers(document.programme_code):
            return False
        if document.kind == DocumentKind.PRINT_BATCH:
            return self.user.has_any(Role.COORDINATOR)
        if document.kind in (DocumentKind.PAYMENT_FILE, DocumentKind.BANK_REPORT):
            return False  # finance's files: through their own pages (`ScopedPaymentBatch`), never as documents
        return self.reads_cases


def scope_of(user: StaffUser, programmes: dict[str, Programme]) -> Scope:
    return Scope(
        user=user,
        programmes=tuple(p for p in programmes.values() if user.organisation_code in p.processing_organisations),
        paid_programmes=tuple(p for p in programmes.values() if p.paying_organisation == user.organisation_code),
    )


def current_scope(user: StaffDep, programmes: ProgrammesDep) -> Scope:
    return scope_of(user, programmes)


ScopeDep = Annotated[Scope, Depends(current_scope)]


def _not_found() -> HTTPException:
    return HTTPException(status_code=404)


def scoped_application(application_id: RowId, scope: ScopeDep, session: SessionDep) -> Application:
    application = session.get(Application, application_id)
    if application is None or not scope.covers(application.programme_code):
        raise _not_found()
    return application


def scoped_task(task_id: RowId, scope: ScopeDep, session: SessionDep) -> Task:
    task = session.get(Task, task_id)
    if task is None or not scope.covers(task.programme_code):
        raise _not_found()
    return task


def scoped_attachment(attachment_id: RowId, scope: ScopeDep, session: SessionDep) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    application = session.get(Application, attachment.application_id) if attachment else None
    if attachment is None or application is None or not scope.covers(application.programme_code):
        raise _not_found()
    return attachment


def scoped_document(document_id: RowId, scope: ScopeDep, session: SessionDep) -> Document:
    document = session.get(Document, document_id)
    if document is None or not scope.may_read(document):
        raise _not_found()
    return document


def scoped_print_batch(batch_id: RowId, scope: ScopeDep, session: SessionDep) -> PrintBatch:
    """A print batch of a programme the user's organisation processes, for its coordinators."""
    batch = session.get(PrintBatch, batch_id)
    if batch is None or not scope.covers(batch.programme_code) or not scope.user.has_any(Role.COORDINATOR):
        raise _not_found()
    return batch


def scoped_payment_batch(batch_id: RowId, scope: ScopeDep, session: SessionDep) -> PaymentBatch:
    """A payment batch of a programme the user's organisation pays, for its finance staff."""
    batch = session.get(PaymentBatch, batch_id)
    if batch is None or not scope.pays(batch.programme_code):
        raise _not_found()
    return batch


def scoped_finance_task(task_id: RowId, scope: ScopeDep, session: SessionDep) -> Task:
    """A finance task (the second check of a changed account) of a programme the user's organisation pays."""
    task = session.get(Task, task_id)
    if task is None or task.role != Role.FINANCE or not scope.pays(task.programme_code):
        raise _not_found()
    return task


def scoped_recovery(recovery_id: RowId, scope: ScopeDep, session: SessionDep) -> Recovery:
    """A recovery case of a programme the user's organisation pays, for its finance staff."""
    recovery = session.get(Recovery, recovery_id)
    if recovery is None or not scope.pays(recovery.programme_code):
        raise _not_found()
    return recovery


def scoped_bank_report(report_id: RowId, scope: ScopeDep, session: SessionDep) -> BankReportImport:
    """A bank report imported by finance of the user's organisation (or by the command line, for any)."""
    report = session.get(BankReportImport, report_id)
    importer = session.get(User, report.imported_by) if report and report.imported_by else None
    own = importer is None or importer.organisation_code == scope.user.organisation_code
    if report is None or not scope.user.has_any(Role.FINANCE) or not scope.paid_codes or not own:
        raise _not_found()
    return report


def scoped_service_request(request_id: RowId, scope: ScopeDep, session: SessionDep) -> ServiceRequest:
    """A service request that is or was routed to the user's organisation, for its handlers and coordinators."""
    found = session.exec(
        select(ServiceRequest).where(ServiceRequest.id == request_id, scope.service_requests())
    ).first()
    if found is None:
        raise _not_found()
    return found


def managed_user(user_id: RowId, admin: StaffDep, session: SessionDep) -> User:
    """A staff account this administrator may manage: one of their own organisation's (the role is the route's)."""
    user = session.get(User, user_id)
    if user is None or user.organisation_code != admin.organisation_code or not admin.has_any(Role.ADMIN):
        raise _not_found()
    return user


ScopedApplication = Annotated[Application, Depends(scoped_application)]
ScopedTask = Annotated[Task, Depends(scoped_task)]
ScopedAttachment = Annotated[Attachment, Depends(scoped_attachment)]
ScopedDocument = Annotated[Document, Depends(scoped_document)]
ScopedPrintBatch = Annotated[PrintBatch, Depends(scoped_print_batch)]
ScopedPaymentBatch = Annotated[PaymentBatch, Depends(scoped_payment_batch)]
ScopedFinanceTask = Annotated[Task, Depends(scoped_finance_task)]
ScopedRecovery = Annotated[Recovery, Depends(scoped_recovery)]
ScopedBankReport = Annotated[BankReportImport, Depends(scoped_bank_report)]
ManagedUser = Annotated[User, Depends(managed_user)]
ScopedServiceRequest = Annotated[ServiceRequest, Depends(scoped_service_request)]
