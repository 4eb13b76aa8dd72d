"""Decision letters as HTML (templates/documents/), ready for core.pdf: escaped, translated, dated."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from activities.errors import MissingLetterFact
from core.i18n import babel_locale, formatting_gettext
from core.settings import PROJECT_ROOT
from models.grants.decision_texts import in_language, paragraphs_in
from models.grants.programme import HELSINKI, Programme
from models.text_language import written_in

_env = Environment(
    loader=FileSystemLoader(PROJECT_ROOT / "templates" / "documents"),
    autoescape=select_autoescape(["html"], default=True),  # names and texts from applicants are data, not markup
    undefined=StrictUndefined,
)


def mask_iban(iban: str) -> str:
    """Only the last four characters show: FI21 **** **** **** 0785 → "**** **** **** **** 0785"-like."""
    compact = iban.replace(" ", "")
    masked = "*" * (len(compact) - 4) + compact[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


@dataclass(frozen=True)
class Signatory:
    """A presenter or decider: the letter names them with their office in its own language."""

    name: str
    titles: dict[str, str]

    def signature(self, language: str) -> str:
        return f"{self.name}, {self.titles[language]}"


@dataclass(frozen=True)
class LetterFacts:
    """Everything a decision letter says, gathered by the activity that renders it."""

    language: str
    programme: Programme
    number: str
    outcome: str
    amount: Decimal
    decided_at: datetime
    justification: str
    reasons: list[str]
    checks: dict[str, dict[str, str]]
    presenter: Signatory
    decider: Signatory
    reference: str
    applicant_name: str
    business_name: str
    business_id: str | None
    iban: str
    channel: str
    # None in a printed letter until the post room confirms the day it left: the letter then states how
    # the time limit counts from the posting day instead of the days themselves.
    dispatched_on: date | None
    deemed_received_on: date | None
    last_day: date | None
    # The recipient block printed in the envelope's window: name, street, postcode and town, country.
    address_lines: tuple[str, ...] = ()


def address_lines(name: str, address: dict[str, str] | None, language: str) -> tuple[str, ...]:
    """As Posti wants it: postcode and post office on one line in capitals; the country only from abroad."""
    if not address:
        return (name,)
    lines = [name, address["street"], f"{address['postcode']} {address['post_office'].upper()}"]
    country = address.get("country", "FI")
    if country != "FI":
        lines.append(str(Locale.parse(babel_locale(language)).territories.get(country, country)).upper())
    return tuple(lines)


# The figures each reason's sentence states: without them the sentence would say "?" or "0,00 €".
FIGURES_OF_REASON = {
    "HAS_EMPLOYEES": ("employees", "laid_off_employees", "other_working_owners"),
    "WRONG_MUNICIPALITY": ("home_municipality", "programme_municipality"),
    "DE_MINIMIS": ("total_with_grant_eur", "ceiling_eur"),
    "NOT_FULL_TIME": ("threshold_eur",),
}


@dataclass(frozen=True)
class Dispatch:
    """How and when a letter leaves, and so the days its rectification period counts by (None: not yet known)."""

    channel: str
    dispatched_on: date | None
    deemed_received_on: date | None
    last_day: date | None


def common_missing(
    *,
    programme: Programme,
    language: str,
    legal_basis: dict[str, str],
    signatories: dict[str, Signatory],
    free_texts: list[str],
    dispatch: Dispatch,
    address_lines: tuple[str, ...],
) -> list[str]:
    """What any decision letter would lack: the authority, contact, legal basis and rectification texts in its
    language, its officials' titles, free text in its language, and how it leaves."""
    p = programme
    texts = {
        "deciding authority": p.deciding_authority.office,
        "delegation": p.deciding_authority.delegation,
        "contact title": p.contact.title,
        "legal basis": legal_basis,
        "rectification authority": p.rectification.authority,
        "rectification address": p.rectification.address,
        "registry hours": p.rectification.opening_hours,
    }
    missing = [f"{name} in {language}" for name, text in texts.items() if not text.get(language)]
    if not p.rectification.instruction.get(language):
        missing.append(f"rectification instruction in {language}")
    for role, person in signatories.items():
        if not person.titles.get(language):
            missing.append(f"the {role} {person.name}'s title in {language}")
    if any(text and not written_in(text, language) for text in free_texts):
        missing.append(f"a justification written in {language}")
    if dispatch.channel == "letter" and len(address_lines) < 3:
        missing.append("the recipient's postal address")
    if dispatch.channel == "email" and dispatch.dispatched_on is None:
        missing.append("the day the e-mail is sent")
    return missing


def missing_facts(facts: LetterFacts) -> list[str]:
    """What the letter would lack: the common facts, the grant's figures, each reason's."""
    p, language = facts.programme, facts.language
    missing = common_missing(
        programme=p,
        language=language,
        legal_basis=p.legal_basis.for_outcome(facts.outcome == "approve"),
        signatories={"decider": facts.decider, "presenter": facts.presenter},
        free_texts=[facts.justification],
        dispatch=Dispatch(facts.channel, facts.dispatched_on, facts.deemed_received_on, facts.last_day),
        address_lines=facts.address_lines,
    )
    if facts.outcome == "approve":
        terms = p.grant_terms
        for name, paragraphs in (
            ("use", terms.use),
            ("payment", terms.payment),
            ("recovery", terms.return_and_recovery),
        ):
            if not paragraphs.get(language):
                missing.append(f"grant terms ({name}) in {language}")
        if not (p.de_minimis.regulation.get(language) and p.de_minimis.journal.get(language)):
            missing.append(f"de minimis regulation in {language}")
        if facts.amount <= 0 or not facts.iban:
            missing.append("amount and account")
    else:
        if not facts.reasons:
            missing.append("reasons for the rejection")
        for code in facts.reasons:
            detail = facts.checks.get(code, {})
            missing += [f"{code}: {key}" for key in FIGURES_OF_REASON.get(code, ()) if key not in detail]
    return missing


def base_context(
    *, language: str, programme: Programme, decided_at: datetime, decider: Signatory, presenter: Signatory
) -> dict[str, Any]:
    """What every decision letter's template uses: formatting in its language, the authority, contact,
    officials and the rectification instruction (templates/documents/_letter.html)."""
    locale = babel_locale(language)

    def day(value: date) -> str:
        return format_date(value, "long", locale=locale)

    def euros(value: Decimal | str) -> str:
        return format_currency(Decimal(value), "EUR", locale=locale)

    return {
        "_": formatting_gettext(language),
        "lang": language,
        "day": day,
        "euros": euros,
        "decided_on": decided_at.astimezone(HELSINKI).date(),
        "decider": decider.signature(language),
        "presenter": presenter.signature(language),
        "grantor": programme.grantor_in(language),
        "rectification": programme.rectification,
        "authority": in_language(programme.deciding_authority.office, language),
        "contact": programme.contact,
        "text": lambda texts: in_language(texts, language),
        "paragraphs": lambda texts: paragraphs_in(texts, language),
    }


def render_letter(template: str, context: dict[str, Any]) -> str:
    return _env.get_template(template).render(context)


def percent_in(language: str) -> Callable[..., str]:
    locale = babel_locale(language)

    def percent(value: Decimal | str, threshold: Decimal | str | None = None) -> str:
        """Rounded half up, as a person checks it (67.852 % → 67.9 %); to two decimals next to the threshold,
        so a fall of 30.04 % reads "30.04 %", visibly not "more than 30 %" only when it is not."""
        share = Decimal(value)
        near = (
            threshold is not None and share != Decimal(threshold) and abs(share - Decimal(threshold)) < Decimal("0.001")
        )
        places, pattern = (Decimal("0.0001"), "#,##0.00 %") if near else (Decimal("0.001"), "#,##0.0 %")
        return format_percent(share.quantize(places, ROUND_HALF_UP), pattern, locale=locale, decimal_quantization=False)

    return percent


def letter_html(facts: LetterFacts) -> str:
    """The letter, or MissingLetterFact naming what it would lack."""
    missing = missing_facts(facts)
    if missing:
        raise MissingLetterFact(f"decision {facts.number}: the letter would lack " + "; ".join(missing))
    context: dict[str, Any] = {
        **base_context(
            language=facts.language,
            programme=facts.programme,
            decided_at=facts.decided_at,
            decider=facts.decider,
            presenter=facts.presenter,
        ),
        "f": facts,
        "percent": percent_in(facts.language),
        "masked_iban": mask_iban(facts.iban),
        "title": facts.programme.title_in(facts.language),
        "terms": facts.programme.grant_terms,
        "de_minimis": facts.programme.de_minimis,
        "undertaking": undertaking(facts.business_name, facts.business_id),
    }
    return render_letter("decision_letter.html", context)


def undertaking(business_name: str, business_id: str | None) -> str:
    """The grantee is the undertaking, named as in the registers."""
    return f"{business_name} ({business_id})" if business_id else business_name
