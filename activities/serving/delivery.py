"""Serving a decision: the letter by e-mail (with consent) or to the post room's print batch."""

import asyncio
import re
from concurrent.futures import ProcessPoolExecutor
from datetime import date

from sqlmodel import Session, select
from temporalio import activity

from activities.grants.records import load_application
from activities.heartbeat import heartbeating
from activities.serving.letters import (
    LETTER,
    archive,
    dispatch_of,
    letter_of,
    recipient_of,
    record_service,
    stored_letter,
)
from core.clock import helsinki_today
from core.db import Database
from core.emails import render_email
from core.mail import Attachment, Mailer, OutgoingEmail
from core.pdf import render_in_pool
from core.storage import FileStore
from models.audit import audit
from models.grants.applications import add_timeline_event
from models.grants.decisions import Decision, DecisionKind, grant_decision_of
from models.grants.programme import Programme
from models.grants.status_links import status_link
from models.notifications import EmailLog
from models.serving.payloads import Served, ServingRef
from models.time_limits import Channel
from models.types import utcnow

# The e-mail that carries each kind of decision's letter (templates/email/).
EMAIL_TEMPLATES: dict[str, str] = {DecisionKind.RECOVERY: "recovery_decision", DecisionKind.RULING: "ruling"}


class DeliveryActivities:
    def __init__(
        self,
        db: Database,
        store: FileStore,
        mailer: Mailer,
        programmes: dict[str, Programme],
        pool: ProcessPoolExecutor,
        *,
        base_url: str,
        secret: str,
    ) -> None:
        self._db, self._store, self._mailer, self._programmes = db, store, mailer, programmes
        self._pool, self._base_url, self._secret = pool, base_url, secret

    @activity.defn(name="choose_channel")
    def choose_channel(self, ref: ServingRef) -> str:
        """E-mail only with the recipient's consent (the applicant's, or a member's for a ruling on their
        request); otherwise a letter by post."""
        with self._db.session() as session:
            recipient = recipient_of(session, self._decision(session, ref))
            return Channel.EMAIL if recipient.email_consent and recipient.email else Channel.LETTER

    @activity.defn(name="queue_for_post")
    def queue_for_post(self, ref: ServingRef) -> None:
        """The decision waits for the post room's next print batch, which dates it and tells the workflow."""
        with self._db.session() as session:
            decision = self._decision(session, ref)
            if decision.letter_held is not None:  # set aside by a batch; a handler has seen to what it lacked
                decision.letter_held, decision.print_batch_id = None, None
                session.add(decision)
            if decision.channel != Channel.LETTER or decision.serving_workflow_id is None:
                decision.channel = Channel.LETTER
                decision.serving_workflow_id = activity.info().workflow_id
                session.add(decision)
                add_timeline_event(session, ref.application_id, *_to_post_event(decision))
            session.commit()

    @activity.defn(name="send_decision_email")
    async def send_decision_email(self, ref: ServingRef) -> Served:
        """Sent at most once per decision: the Message-ID is the decision's, and a sent one is not sent again."""
        async with heartbeating():
            prepared = await asyncio.to_thread(self._prepare_email, ref)
            if prepared is None:  # sent already: a retry after the send succeeded
                return await asyncio.to_thread(self._served, ref)
            email, letter_html_text, dispatched_on = prepared
            pdf = await asyncio.to_thread(self._letter_pdf, ref, dispatched_on)
            if pdf is None:
                pdf = await render_in_pool(self._pool, letter_html_text)
                await asyncio.to_thread(self._archive_letter, ref, dispatched_on, pdf)
            filename = re.sub(r"[^A-Za-z0-9]+", "-", email.message_id.strip("<>").split("@")[0]) + ".pdf"
            await self._mailer.send(
                OutgoingEmail(
                    to=email.to,
                    subject=email.subject,
                    text=email.text,
                    message_id=email.message_id,
                    attachments=[Attachment(filename=filename, content_type="application/pdf", data=pdf)],
                )
            )
            await asyncio.to_thread(self._record_sent, ref, dispatched_on.isoformat())
        activity.logger.info("decision e-mail sent for application %s", ref.application_id)
        return Served(channel=Channel.EMAIL, dispatched_on=dispatched_on)

    def _served(self, ref: ServingRef) -> Served:
        with self._db.session() as session:
            decision = self._decision(session, ref)
            assert decision.sent_at is not None
            return Served(channel=Channel.EMAIL, dispatched_on=helsinki_today(decision.sent_at))

    def _prepare_email(self, ref: ServingRef) -> tuple[OutgoingEmail, str, date] | None:
        with self._db.session() as session:
            decision = self._decision(session, ref)
            key = f"decision:{decision.id}"
            log = session.exec(select(EmailLog).where(EmailLog.key == key)).first()
            if decision.sent_at is not None or (log is not None and log.sent_at is not None):
                return None
            application = load_application(session, ref.application_id)
            recipient = recipient_of(session, decision)
            programme = self._programmes[application.programme_code]
            dispatched_on = helsinki_today()
            letter = letter_of(session, decision, programme, Channel.EMAIL, dispatched_on)
            status_url = (
                status_link(self._base_url, ref.application_id, self._secret, recipient.language)
                if recipient.is_applicant
                else None
            )
            subject, text = render_email(
                EMAIL_TEMPLATES.get(decision.kind, "decision"),
                recipient.language,
                name=recipient.name,
                reference=application.reference,
                approved=decision.outcome == "approve",
                number=decision.number,
                received_on=letter.dispatch.deemed_received_on,
                last_day=letter.dispatch.last_day,
                status_url=status_url,
            )
            if recipient.email is None:
                raise ValueError(f"decision {decision.number}: the recipient has no e-mail address")
            message_id = f"<decision.{decision.id}.{re.sub(r'[^A-Za-z0-9]', '', decision.number)}@grantdesk>"
            if log is None:
                session.add(
                    EmailLog.about_application(
                        key=key,
                        application_id=ref.application_id,
                        to_address=recipient.email,
                        subject=subject,
                        message_id=message_id,
                    )
                )
                session.commit()
            email = OutgoingEmail(to=recipient.email, subject=subject, text=text, message_id=message_id)
            return email, letter.html, dispatched_on

    def _letter_pdf(self, ref: ServingRef, dispatched_on: date) -> bytes | None:
        with self._db.session() as session:
            decision = self._decision(session, ref)
            document = stored_letter(session, decision.id or 0, dispatched_on)
            return None if document is None else self._store.get(document.storage_key)

    def _archive_letter(self, ref: ServingRef, dispatched_on: date, pdf: bytes) -> None:
        with self._db.session() as session:
            decision = self._decision(session, ref)
            if stored_letter(session, decision.id or 0, dispatched_on) is None:
                archive(
                    session,
                    self._store,
                    pdf=pdf,
                    kind=LETTER,
                    version=dispatched_on.isoformat(),
                    language=recipient_of(session, decision).language,
                    programme_code=decision.programme_code,
                    decision=decision,
                )
                session.commit()

    def _record_sent(self, ref: ServingRef, dispatched_on_iso: str) -> None:
        with self._db.session() as session:
            decision = self._decision(session, ref)
            application = load_application(session, ref.application_id)
            programme = self._programmes[application.programme_code]
            dispatch = dispatch_of(Channel.EMAIL, date.fromisoformat(dispatched_on_iso), programme, decision.kind)
            now = utcnow()
            record_service(session, decision, dispatch, now)
            log = session.exec(select(EmailLog).where(EmailLog.key == f"decision:{decision.id}")).one()
            log.sent_at = now
            session.add(log)
            add_timeline_event(session, ref.application_id, *_sent_event(decision))
            audit(
                session,
                action="decision_sent",
                application_id=ref.application_id,
                channel="email",
                key=f"decision_sent:{decision.id}",
            )
            session.commit()

    @staticmethod
    def _decision(session: Session, ref: ServingRef) -> Decision:
        """The decision being served: by its number, or (serving workflows started before it was passed on)
        the application's grant decision."""
        query = (
            select(Decision).where(Decision.number == ref.decision_number)
            if ref.decision_number
            else grant_decision_of(ref.application_id)
        )
        decision = session.exec(query).first()
        if decision is None or decision.application_id != ref.application_id:
            raise ValueError(f"application {ref.application_id} has no decision {ref.decision_number or ''}")
        return decision


def _sent_event(decision: Decision) -> tuple[str, str]:
    """The applicant's timeline says a decision was sent; a grant decision's event keeps its old key."""
    if decision.kind == DecisionKind.GRANT:
        return "decision_sent", "decision_sent"
    kind = "ruling_sent" if decision.kind == DecisionKind.RULING else "recovery_sent"
    return f"decision_sent:{decision.number}", kind


def _to_post_event(decision: Decision) -> tuple[str, str]:
    if decision.kind == DecisionKind.GRANT:
        return "decision_to_post", "decision_to_post"
    return f"decision_to_post:{decision.number}", "decision_to_post"
