"""The worker: every workflow and activity on one task queue, with real dependencies injected."""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from activities.appeals.rectification import RectificationActivities
from activities.appeals.window import AppealWindowActivities
from activities.grants.assessment import AssessmentActivities
from activities.grants.decisions import DecisionActivities
from activities.grants.info_requests import InfoRequestActivities
from activities.grants.receipts import ReceiptActivities
from activities.grants.records import GrantRecordActivities
from activities.notifications.mail import MailActivities
from activities.payments.bank import BankConnection, OutgoingFolder
from activities.payments.bank_reports import BankReportActivities
from activities.payments.batches import PaymentBatchActivities
from activities.payments.payments import PaymentActivities
from activities.payments.recovery import RecoveryActivities
from activities.service_requests.mail import ServiceMailActivities
from activities.service_requests.records import ServiceRequestActivities
from activities.serving.delivery import DeliveryActivities
from activities.serving.print_batch import PrintBatchActivities
from activities.tasks import TaskActivities
from core.db import Database
from core.mail import FileMailer, Mailer, SmtpMailer
from core.pdf import end_with
from core.settings import Settings
from core.storage import LocalFileStore
from core.trade_register import TradeRegister
from core.trade_register.configured import trade_register_from
from models.appeals.courts import administrative_court
from models.grants.programme import Programme
from models.payments.sepa import Debtor
from workflows.appeals.rectification import RectificationWorkflow
from workflows.appeals.window import AppealWindowWorkflow
from workflows.grants.application import GrantApplicationWorkflow
from workflows.notifications.send_email import SendEmailWorkflow
from workflows.payments.bank_report import BankReportWorkflow
from workflows.payments.grant_payment import GrantPaymentWorkflow
from workflows.payments.payment_batch import PaymentBatchWorkflow
from workflows.payments.payment_run import PaymentRunWorkflow
from workflows.payments.recovery import RecoveryWorkflow
from workflows.service_requests.service_request import ServiceRequestWorkflow
from workflows.serving.decision import ServeDecisionWorkflow
from workflows.serving.print_batch import PrintBatchWorkflow

WORKFLOWS = [
    GrantApplicationWorkflow,
    ServeDecisionWorkflow,
    PrintBatchWorkflow,
    SendEmailWorkflow,
    GrantPaymentWorkflow,
    PaymentRunWorkflow,
    PaymentBatchWorkflow,
    BankReportWorkflow,
    RecoveryWorkflow,
    AppealWindowWorkflow,
    RectificationWorkflow,
    ServiceRequestWorkflow,
]


def service_request_activities(db: Database, mailer: Mailer, settings: Settings) -> list[Any]:
    """The service request family's activities, with their settings."""
    records = ServiceRequestActivities(
        db,
        terms=settings.service_terms,
        network_organisation=settings.service_network_organisation,
        confirm_days=settings.service_confirmation_days,
        feedback_days=settings.service_feedback_days,
    )
    mail = ServiceMailActivities(
        db,
        mailer,
        base_url=settings.public_base_url,
        secret=settings.secret_key,
        terms=settings.service_terms,
        network_organisation=settings.service_network_organisation,
        confirm_days=settings.service_confirmation_days,
    )
    return [
        records.begin,
        records.record_confirmation,
        records.expire,
        records.route,
        records.refer,
        records.open_task,
        records.accept,
        records.record_message,
        records.record_meeting,
        records.close,
        records.reopen,
        records.record_feedback,
        mail.ask_confirmation,
        mail.send_receipt,
        mail.send_reply,
        mail.send_invitation,
        mail.tell_referred,
        mail.ask_feedback,
        mail.tell_holder,
        mail.alert,
    ]


def pdf_pool() -> ProcessPoolExecutor:
    """PDF rendering processes, started on first use. Spawned, not forked: the worker runs threads. They import
    only `core.pdf` (its functions are what they are given); run the worker as `python -m runtime worker`, so
    they do not import the command line's main module either (multiprocessing skips a package's __main__)."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=2, mp_context=context, initializer=end_with, initargs=(os.getpid(),))


@lru_cache
def shared_pdf_pool() -> ProcessPoolExecutor:
    return pdf_pool()


def mailer_from(settings: Settings) -> Mailer:
    if settings.mail_backend == "smtp":
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    return FileMailer(settings.mail_dir, settings.mail_from)


def build_worker(
    client: Client,
    *,
    settings: Settings,
    db: Database,
    programmes: dict[str, Programme],
    executor: ThreadPoolExecutor,
    mailer: Mailer | None = None,
    register: TradeRegister | None = None,
    task_queue: str | None = None,
    pdf_pool: ProcessPoolExecutor | None = None,
    bank: BankConnection | None = None,
) -> Worker:
    records = GrantRecordActivities(db)
    assessment = AssessmentActivities(db, register or trade_register_from(settings, db), programmes)
    tasks = TaskActivities(db)
    decisions = DecisionActivities(db, programmes)
    mailer = mailer or mailer_from(settings)
    info = InfoRequestActivities(db, mailer, programmes, base_url=settings.public_base_url, secret=settings.secret_key)
    receipts = ReceiptActivities(db, mailer, programmes, base_url=settings.public_base_url, secret=settings.secret_key)
    pool = pdf_pool or shared_pdf_pool()
    store = LocalFileStore(settings.documents_dir)
    print_batches = PrintBatchActivities(db, store, programmes, pool)
    delivery = DeliveryActivities(
        db, store, mailer, programmes, pool, base_url=settings.public_base_url, secret=settings.secret_key
    )
    mail = MailActivities(db, mailer)
    payments = PaymentActivities(db, mailer, programmes, base_url=settings.public_base_url, secret=settings.secret_key)
    debtor = Debtor(
        name=settings.payment_debtor_name, iban=settings.payment_debtor_iban, bic=settings.payment_debtor_bic
    )
    batches = PaymentBatchActivities(
        db,
        store,
        programmes,
        bank or OutgoingFolder(settings.bank_outgoing_dir),
        debtor=debtor,
        schema=settings.payment_file_schema,
    )
    bank_reports = BankReportActivities(db, store)
    windows = AppealWindowActivities(db, programmes)
    # The court is checked here, at start-up: a misnamed one stops the worker before any ruling needs it.
    administrative_court(settings.administrative_court)
    rectifications = RectificationActivities(db, programmes, court=settings.administrative_court)
    recoveries = RecoveryActivities(
        db, mailer, programmes, base_url=settings.public_base_url, secret=settings.secret_key
    )
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            records.record_receipt,
            receipts.send_receipt,
            records.update_stage,
            assessment.assess_application,
            tasks.open_task,
            tasks.close_task,
            decisions.record_proposal,
            decisions.return_proposal,
            decisions.finalize_decision,
            info.open_info_request,
            info.send_info_request,
            info.remind,
            info.expire,
            info.cancel,
            info.record_answer,
            delivery.choose_channel,
            delivery.queue_for_post,
            delivery.send_decision_email,
            print_batches.claim_letters,
            print_batches.render_print_batch,
            print_batches.mark_posting,
            print_batches.record_posting,
            mail.send_queued_email,
            payments.create_payment,
            payments.ask_for_account,
            payments.record_account_change,
            payments.check_account_change,
            payments.approve_account_change,
            payments.cancel_payment,
            batches.open_batches,
            batches.write_file,
            batches.record_approval,
            batches.release,
            batches.cancel,
            bank_reports.apply,
            windows.open_window,
            windows.record_final,
            rectifications.review,
            rectifications.record_ruling,
            rectifications.withdraw_approval,
            rectifications.ruling_served,
            recoveries.start_hearing,
            recoveries.record_explanation,
            recoveries.finalize,
            recoveries.record_repayment,
            *service_request_activities(db, mailer, settings),
        ],
        activity_executor=executor,
    )
