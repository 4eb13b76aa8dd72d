"""One imported bank report (id `bank-report-<import id>`): applied once, then each payment's workflow is told
whether the bank paid or returned it."""

from temporalio import workflow
from temporalio.exceptions import FailureError

from workflows.options import DATABASE
from workflows.payments.grant_payment import GrantPaymentWorkflow
from workflows.payments.recovery import RecoveryWorkflow

with workflow.unsafe.imports_passed_through():
    from activities.payments.bank_reports import BankReportActivities
    from models.payments.payloads import AppliedReport, BankReportRef


@workflow.defn
class BankReportWorkflow:
    @workflow.run
    async def run(self, ref: BankReportRef) -> AppliedReport:
        applied = await workflow.execute_activity_method(BankReportActivities.apply, ref, **DATABASE)
        for signal in applied.signals:
            try:
                await workflow.get_external_workflow_handle(signal.workflow_id).signal(
                    GrantPaymentWorkflow.bank_outcome, signal.outcome
                )
            except FailureError as gone:  # the payment's workflow ended (cancelled): the record says what happened
                workflow.logger.warning("bank report %s: %s not told (%s)", ref.report_id, signal.workflow_id, gone)
        for repaid in applied.repayments:
            try:
                await workflow.get_external_workflow_handle(repaid.workflow_id).signal(
                    RecoveryWorkflow.repayment, repaid.notice
                )
            except FailureError as gone:
                workflow.logger.warning("bank report %s: %s not told (%s)", ref.report_id, repaid.workflow_id, gone)
        return applied
