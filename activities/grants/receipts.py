"""The receipt e-mail: the applicant learns at once that the application arrived and how to follow it."""

from sqlmodel import Session
from temporalio import activity

from activities.notifications.applicant_mail import ApplicantMail
from core.clock import helsinki_today
from core.db import Database
from core.emails import render_email
from core.mail import Mailer
from models.grants.applications import Application
from models.grants.payloads import ApplicationRef
from models.grants.programme import Programme
from models.grants.status_links import status_link


class ReceiptActivities:
    def __init__(
        self, db: Database, mailer: Mailer, programmes: dict[str, Programme], *, base_url: str, secret: str
    ) -> None:
        self._mail = ApplicantMail(db, mailer)
        self._programmes, self._base_url, self._secret = programmes, base_url, secret

    @activity.defn(name="send_receipt")
    async def send_receipt(self, ref: ApplicationRef) -> None:
        """Once per application (the key), however often the relay or this activity runs."""

        def compose(session: Session, application: Application) -> tuple[str, str]:
            programme = self._programmes[application.programme_code]
            return render_email(
                "receipt",
                application.language,
                name=application.applicant_name,
                reference=application.reference,
                programme=programme.title_in(application.language),
                submitted_on=helsinki_today(application.submitted_at),
                by_post=not application.form["applicant"].get("email_consent"),
                status_url=status_link(self._base_url, ref.application_id, self._secret, application.language),
            )

        if await self._mail.send_once(f"receipt:{ref.application_id}", ref.application_id, compose):
            activity.logger.info("sent the receipt of application %s", ref.application_id)
