"""The programme's standard justification texts, in the language the decision letter will be written in."""

from dataclasses import dataclass

from models.grants.programme import Programme
from web.services.task_view import CaseFile


@dataclass(frozen=True)
class Justifications:
    language: str  # the applicant's: the letter, and so the justification, is wholly in it
    suggested: str  # pre-filled: the approval text, or the texts of the reasons the assessment found
    approve: str
    by_reason: dict[str, str]


def standard_justifications(programme: Programme, case: CaseFile) -> Justifications:
    language = case.view.application.language
    assessment = case.view.assessment
    eligible = assessment is None or assessment.eligible
    reasons = list(assessment.reasons) if assessment is not None else []
    return Justifications(
        language=language,
        suggested=programme.justification_in(language, approve=eligible, reasons=reasons),
        approve=programme.justification_in(language, approve=True),
        by_reason={
            key: programme.justification_in(language, approve=False, reasons=[key])
            for key in programme.justifications
            if key != "approve"
        },
    )
