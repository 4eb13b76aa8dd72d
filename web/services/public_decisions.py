"""The public list of decisions (Local Government Act 140 §): published without personal data.

Only the columns below are ever read: number, day, programme, kind and outcome, and for a ruling on
rectification the body that ruled and what it amended the decision to. Never the justification (free text
may name the applicant), the amount of one person's recovery, or anything of the application.
A member of the municipality is deemed to know of a decision 7 days after it was published here.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from models.grants.decisions import Decision, DecisionKind
from models.grants.programme import Programme
from models.time_limits import members_last_day

PAGE_ROWS = 50


@dataclass(frozen=True)
class PublishedDecision:
    number: str
    published_on: date
    programme: Programme
    kind: str  # grant | recovery | ruling
    outcome: str  # approve | reject; a ruling's: dismiss | reject | amend
    members_last_day: date  # the last day a member may request rectification (appeal, against a ruling)
    body: str | None = None  # a ruling's: the body that ruled, as the minutes name it
    new_outcome: str | None = None  # an amending ruling's: approve | reject

    def body_in(self, language: str) -> str | None:
        """The body in the page's language when it is the programme's (the one named for rectification);
        another body as the minutes name it."""
        authority = self.programme.rectification.authority
        if self.body is not None and self.body.strip().casefold() in {t.strip().casefold() for t in authority.values()}:
            return self.programme.rectification.authority_in(language)
        return self.body

    @property
    def is_ruling(self) -> bool:
        return self.kind == DecisionKind.RULING


@dataclass(frozen=True)
class DecisionList:
    rows: list[PublishedDecision]
    page: int
    pages: int


def published_decisions(
    session: Session, programmes: dict[str, Programme], *, programme_code: str | None, page: int
) -> DecisionList:
    """The programmes' published decisions, newest first, a page at a time."""
    codes = [programme_code] if programme_code else list(programmes)
    published = col(Decision.published_on).is_not(None) & col(Decision.programme_code).in_(codes)
    total = session.exec(select(func.count()).select_from(Decision).where(published)).one()
    pages = max(1, -(-total // PAGE_ROWS))
    page = min(max(page, 1), pages)
    columns = (Decision.number, Decision.published_on, Decision.programme_code, Decision.kind, Decision.outcome)
    ruling = sa.case((col(Decision.kind) == DecisionKind.RULING, col(Decision.details)), else_=sa.null())
    found = session.execute(
        sa.select(*(col(c) for c in columns), ruling)
        .where(published)
        .order_by(col(Decision.published_on).desc(), col(Decision.seq).desc())
        .offset((page - 1) * PAGE_ROWS)
        .limit(PAGE_ROWS)
    ).all()
    rows = []
    for number, published_on, code, kind, outcome, details in found:
        programme = programmes[code]
        ruled = details or {}
        rows.append(
            PublishedDecision(
                number=number,
                published_on=published_on,
                programme=programme,
                kind=kind,
                outcome=outcome,
                members_last_day=members_last_day(published_on, programme, kind),
                body=ruled.get("body"),
                new_outcome=ruled.get("new_outcome"),
            )
        )
    return DecisionList(rows=rows, page=page, pages=pages)
