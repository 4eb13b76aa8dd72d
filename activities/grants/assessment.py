"""The automatic eligibility assessment: gathers the facts, runs the pure rules, stores the result."""

from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select
from temporalio import activity

from activities.grants.records import load_application
from core.db import Database
from core.trade_register import TradeRegister
from models.grants.applications import Application, AssessmentRecord, Stage, add_timeline_event
from models.grants.decisions import BudgetLedger
from models.grants.eligibility import Assessment, RegistryFacts, SubmittedApplication, assess
from models.grants.payloads import AssessApplicationInput, AssessmentOutcome
from models.grants.programme import Programme


def _outcome(record: AssessmentRecord) -> AssessmentOutcome:
    return AssessmentOutcome(
        eligible=record.eligible,
        reasons=list(record.reasons),
        turnover_drop=None if record.turnover_drop is None else Decimal(record.turnover_drop),
        rules_version=record.rules_version,
    )


class AssessmentActivities:
    def __init__(self, db: Database, register: TradeRegister, programmes: dict[str, Programme]) -> None:
        self._db = db
        self._register = register
        self._programmes = programmes

    @activity.defn(name="assess_application")
    def assess_application(self, request: AssessApplicationInput) -> AssessmentOutcome:
        """Runs the rules once per round; a retried round returns what the first run stored."""
        with self._db.session() as session:
            stored = self._stored(session, request)
            if stored is not None:
                return _outcome(stored)
            application = load_application(session, request.application_id)
            programme = self._programmes[application.programme_code]
            submitted = SubmittedApplication.model_validate(
                {**application.form, "submitted_at": application.submitted_at}
            )
            facts = self.registry_facts(session, application, submitted, ask_register=not request.register_unavailable)
            assessment = assess(submitted, facts, programme)
            record = self._record(request, application, submitted, facts, assessment)
            # The status stays as it is: "assessed" means "in the handlers' queue", so it is written with
            # the handler task (TaskActivities.open_task), never before the task exists.
            session.add(record)
            add_timeline_event(session, application.id or 0, f"assessed:{request.round}", "assessed")
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                stored = self._stored(session, request)
                if stored is None:
                    raise
                return _outcome(stored)
            return _outcome(record)

    def registry_facts(
        self, session: Session, application: Application, submitted: SubmittedApplication, *, ask_register: bool = True
    ) -> RegistryFacts:
        """What the registers and our records say. A register that does not answer fails the activity
        (RegisterUnavailable): it is retried, and the workflow gives up on the register after a while."""
        facts: dict[str, Any] = {}
        business_id = submitted.business.business_id
        entry = self._register.lookup(business_id) if business_id and ask_register else None
        if entry is not None:
            facts.update(
                business_name=entry.name or None,
                company_form=entry.company_form,
                home_municipality=entry.home_municipality,
                industry_code=entry.industry_code,
                started_on=entry.registered_on,
                employees=entry.employees,
                tax_debt=entry.tax_debt,
                employer_register=entry.employer_register,
                situations=[str(situation) for situation in entry.situations],
            )
        # A pre-check only: the decision reserves the money, and that is where the budget is enforced.
        programme = self._programmes[application.programme_code]
        ledger = session.get(BudgetLedger, programme.code)
        facts["budget_remaining"] = programme.budget_eur - (ledger.reserved if ledger else 0)
        # One grant per person: applications by the same person that arrived earlier and still stand
        # (one the applicant withdrew is not "already applied").
        facts["prior_applications"] = session.exec(
            select(func.count())
            .select_from(Application)
            .where(
                Application.person_digest == application.person_digest,
                Application.programme_code == application.programme_code,
                col(Application.id) < (application.id or 0),
                Application.status != Stage.WITHDRAWN,
            )
        ).one()
        return RegistryFacts.model_validate(facts)

    @staticmethod
    def _stored(session: Session, request: AssessApplicationInput) -> AssessmentRecord | None:
        return session.exec(
            select(AssessmentRecord).where(
                AssessmentRecord.application_id == request.application_id,
                AssessmentRecord.round == request.round,
            )
        ).first()

    @staticmethod
    def _record(
        request: AssessApplicationInput,
        application: Application,
        submitted: SubmittedApplication,
        facts: RegistryFacts,
        assessment: Assessment,
    ) -> AssessmentRecord:
        return AssessmentRecord(
            application_id=application.id or 0,
            round=request.round,
            eligible=assessment.eligible,
            reasons=[str(code) for code in assessment.reasons],
            turnover_drop=None if assessment.turnover_drop is None else str(assessment.turnover_drop),
            rules_version=assessment.rules_version,
            result=assessment.model_dump(mode="json"),
            inputs={
                "application": submitted.model_dump(mode="json"),
                "registry": facts.model_dump(mode="json"),
                "register_checked": not request.register_unavailable,
            },
        )
