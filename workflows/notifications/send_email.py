"""One queued e-mail (workflow id `mail-<digest of its key>`): the relay may start it twice, it runs once."""

from temporalio import workflow

from workflows.options import MAIL

with workflow.unsafe.imports_passed_through():
    from activities.notifications.mail import MailActivities
    from models.notifications import QueuedEmailRef


@workflow.defn
class SendEmailWorkflow:
    @workflow.run
    async def run(self, ref: QueuedEmailRef) -> None:
        await workflow.execute_activity_method(MailActivities.send_queued_email, ref, **MAIL)
