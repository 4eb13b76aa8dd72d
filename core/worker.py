"""The worker: every workflow and activity on one task queue, with real dependencies injected."""

from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.assessment import AssessmentActivities
from activities.grant_records import GrantRecordActivities
from activities.registry import LocalTradeRegister, TradeRegister
from core.db import Database
from models.programme import Programme
from workflows.grant_application import GrantApplicationWorkflow

WORKFLOWS = [GrantApplicationWorkflow]


def build_worker(
    client: Client,
    *,
    task_queue: str,
    db: Database,
    programmes: dict[str, Programme],
    register: TradeRegister | None = None,
    executor: ThreadPoolExecutor,
) -> Worker:
    records = GrantRecordActivities(db)
    assessment = AssessmentActivities(db, register or LocalTradeRegister(db), programmes)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[records.record_receipt, assessment.assess_application],
        activity_executor=executor,
    )
