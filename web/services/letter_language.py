"""Before an action that a decision letter will carry: is it in the applicant's language, and can the letter
name its officials in that language? Refused at the form, so no letter is held back later for it."""

from sqlmodel import Session, col, select

from core.i18n import N_
from models.appeals.requests import RectificationRequest
from models.grants.applications import Application
from models.grants.decisions import Proposal
from models.staff import User
from models.tasks import Task
from models.text_language import written_in

WRONG_LANGUAGE = N_(
    "This text seems to be in another language than the applicant's. The letter and the e-mails are wholly "
    "in the applicant's language: write it in that language."
)
UNTITLED = N_(
    "The decision letter names the presenter and the decider with their office in the applicant's language "
    "(%(language)s), which is missing for: %(names)s. Each of them sets it under Account, or their "
    "organisation's administrator under Users; then decide."
)


UNTITLED_RULING = N_(
    "The ruling letter names you, who presented the ruling, with your office in the requester's language "
    "(%(language)s), which is missing. Set it under Account (or ask your organisation's administrator); "
    "then record the ruling."
)


WRONG_LANGUAGE_RULING = N_(
    "The grounds seem to be in another language than the requester's (%(language)s). The ruling letter is "
    "wholly in their language: write the grounds in it."
)


def ruling_refusal(session: Session, task: Task, user_id: int, grounds: str) -> tuple[str, str] | None:
    """Why the ruling letter could not be made as typed (a msgid, and the requester's language to fill in):
    the presenting legal officer has no office in that language, or the grounds are in another one."""
    request = session.exec(
        select(RectificationRequest).where(RectificationRequest.workflow_id == task.workflow_id)
    ).first()
    user = session.get(User, user_id)
    if request is None or user is None:
        return None
    if not user.titles.get(request.language, "").strip():
        return UNTITLED_RULING, request.language
    if grounds.strip() and not written_in(grounds, request.language):
        return WRONG_LANGUAGE_RULING, request.language
    return None


def _application(session: Session, task: Task) -> Application | None:
    return session.get(Application, task.application_id) if task.application_id is not None else None


def written_in_applicants_language(session: Session, task: Task, text: str) -> bool:
    """What reaches the applicant (a justification, a question) is in their language (Language Act 10 §)."""
    application = _application(session, task)
    return application is None or written_in(text, application.language)


def untitled_signatories(session: Session, task: Task, decider_id: int) -> tuple[str, list[str]]:
    """The applicant's language, and the decider and latest proposal's presenter who have no title in it."""
    application = _application(session, task)
    if application is None:
        return "", []
    proposal = session.exec(
        select(Proposal).where(Proposal.application_id == application.id).order_by(col(Proposal.seq).desc())
    ).first()
    ids = [decider_id] + ([proposal.proposer_id] if proposal else [])
    people = [session.get(User, user_id) for user_id in dict.fromkeys(ids)]
    language = application.language
    return language, [p.full_name for p in people if p is not None and not p.titles.get(language, "").strip()]
