"""What a municipal lawyer checks in every letter, in each language and for each outcome: the authority and
its delegation, the officials, a contact person, the electronic approval, the complete rectification
instruction, and for an approval the grant terms and the de minimis statement. Nothing in another language."""

import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from activities.serving.letter_template import address_lines, letter_html
from core.pdf import render_pdf
from core.settings import PROJECT_ROOT
from models.grants.eligibility import ReasonCode
from models.grants.programme import Programme
from tests.activities.test_decision_letter import facts

LANGUAGES = ("fi", "sv", "en")
# The figures the assessment stores for the reasons whose sentences state them.
CHECKS = {
    "HAS_EMPLOYEES": {"employees": "1", "laid_off_employees": "0", "other_working_owners": "0"},
    "NOT_FULL_TIME": {"annual_income_eur": "12000.00", "threshold_eur": "20000.00"},
    "WRONG_MUNICIPALITY": {"home_municipality": "Vantaa", "programme_municipality": "Espoo"},
    "DE_MINIMIS": {"total_with_grant_eur": "201000.00", "ceiling_eur": "200000.00"},
    "TURNOVER_DROP": {"turnover_drop": "0.2240", "threshold": "0.30"},
}
TEMPLATE = PROJECT_ROOT / "templates" / "documents" / "decision_letter.html"


def text_of(pdf: bytes) -> str:
    """Without any white space: a line may break anywhere ("2–" / "5 §"), and the words are what counts."""
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
    # The page footer ("ESP 2020/000123 · 1/3") sits between the words of a paragraph that runs over a page.
    return plain(re.sub(r"ESP 2020/000123 · \d+/\d+", "", " ".join(pages)))


def plain(text: str) -> str:
    return re.sub(r"\s+", "", text)


def template_sentences(language: str) -> list[str]:
    """The letter template's own sentences as they read in `language` (the longest part between placeholders)."""
    msgids = set(re.findall(r'_\("([^"]+)"', TEMPLATE.read_text(encoding="utf-8")))
    if language == "en":
        texts = list(msgids)
    else:
        with (PROJECT_ROOT / "web" / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalogue = read_po(handle)
        texts = [str(catalogue[m].string) for m in msgids if catalogue.get(m) and catalogue[m].string]
    return [max(re.split(r"%\(\w+\)s", text), key=len).strip() for text in texts]


def programme_sentences(programme: Programme, language: str) -> list[str]:
    p = programme
    texts = [p.title[language], p.legal_basis.text[language], p.deciding_authority.office[language]]
    texts += [t[language] for t in p.justifications.values()]
    for paragraphs in (p.grant_terms.use, p.grant_terms.payment, p.rectification.instruction):
        texts += paragraphs[language]
    return texts


def foreign(text: str, programme: Programme, language: str) -> list[str]:
    found = []
    for other in LANGUAGES:
        if other == language:
            continue
        for sentence in template_sentences(other) + programme_sentences(programme, other):
            if len(sentence) > 15 and plain(sentence) in text:
                found.append(sentence)
    return found


def letter(programme: Programme, language: str, outcome: str, reasons: list[str], *, pdf: bool = True) -> str:
    """The letter's words, from the PDF, or (faster, for the many reason variants) from the HTML it renders."""
    approve = outcome == "approve"
    html = letter_html(
        facts(
            programme,
            language=language,
            outcome=outcome,
            amount=Decimal("2000.00") if approve else Decimal("0.00"),
            reasons=reasons,
            checks=CHECKS,
            justification=programme.justification_in(language, approve=approve, reasons=reasons),
            decided_at=datetime(2020, 5, 4, 9, 0, tzinfo=UTC),
            channel="letter",
            address_lines=address_lines(
                "Maija Meikäläinen", {"street": "Tie 1", "postcode": "02100", "post_office": "Espoo"}, language
            ),
        )
    )
    if pdf:
        return text_of(render_pdf(html))
    body = html[html.index("<body") :]
    return plain(unescape(re.sub(r"<[^>]+>", " ", body)))


# Every language as a PDF for an approval and one rejection; every other reason from the rendered HTML.
CASES: list[tuple[str, str, list[str], bool]] = [(language, "approve", [], True) for language in LANGUAGES] + [
    (language, "reject", [str(code)], code == ReasonCode.TURNOVER_DROP) for language in LANGUAGES for code in ReasonCode
]


@pytest.mark.parametrize(
    ("language", "outcome", "reasons", "pdf"),
    CASES,
    ids=lambda v: "-".join(v) if isinstance(v, list) else ("pdf" if v is True else "html" if v is False else v),
)
def test_every_letter_says_what_the_law_requires_in_its_own_language_only(
    programme: Programme, language: str, outcome: str, reasons: list[str], pdf: bool
) -> None:
    text = letter(programme, language, outcome, reasons, pdf=pdf)
    p = programme

    must = [
        p.deciding_authority.office[language],  # the authority, as an authority
        p.deciding_authority.delegation[language],  # and its delegation
        "Tuula Decider",
        "Hanna Handler",
        f"{p.contact.name}, {p.contact.title[language]}, {p.contact.phone}, {p.contact.email}",
        p.rectification.authority[language],
        p.rectification.address[language],
        p.rectification.visiting_address[language],
        p.rectification.opening_hours[language],
        p.rectification.phone,
        p.rectification.email,
        *p.rectification.instruction[language],
        p.legal_basis.for_outcome(outcome == "approve")[language],  # only the provisions this decision applies
        p.justification_in(language, approve=outcome == "approve", reasons=reasons),
        "Maija Meikäläinen Tie 1 02100 ESPOO",
    ]
    if outcome == "approve":
        must += [*p.grant_terms.use[language], *p.grant_terms.information_and_receipts[language]]
        must += [*p.grant_terms.return_and_recovery[language], *p.grant_terms.payment[language]]
        must += [p.de_minimis.regulation[language], p.de_minimis.journal[language], "Toiminimi Virtanen (0112038-9)"]
    missing = [item for item in must if plain(item) not in text]
    assert missing == []
    if outcome == "reject":  # a rejection imposes no grant terms: it cites no sections on them
        assert plain(p.legal_basis.text[language]) not in text
    assert foreign(text, programme, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_electronic_approval_and_the_de_minimis_figures_are_stated(programme: Programme, language: str) -> None:
    text = letter(programme, language, "approve", [])
    electronic = {"fi": "hyväksytty sähköisesti", "sv": "godkänts elektroniskt", "en": "approved electronically"}
    assert plain(electronic[language]) in text
    ceiling = {"fi": "200 000,00 €", "sv": "200 000,00 €", "en": "€200,000.00"}
    assert plain(ceiling[language]) in text.replace("\u00a0", "")  # the programme's de minimis ceiling
    granted_on = {"fi": "4. toukokuuta 2020", "sv": "4 maj 2020", "en": "4 May 2020"}
    assert plain(granted_on[language]) in text


def test_a_demo_programme_s_letter_says_it_is_no_decision(programmes: dict[str, Programme]) -> None:
    from models.grants.programme import load_programmes

    demo = load_programmes(PROJECT_ROOT / "programmes", include_demo=True)["sole-entrepreneur-demo"]
    text = letter(demo, "fi", "approve", [])
    assert plain("DEMO — ei päätös") in text
    real = letter(programmes["sole-entrepreneur-2020"], "fi", "approve", [])
    assert "DEMO" not in real


def test_a_letter_that_would_lack_a_required_fact_is_not_made(programme: Programme) -> None:
    from activities.errors import MissingLetterFact

    without_figures = facts(programme, reasons=["DE_MINIMIS"], checks={})
    with pytest.raises(MissingLetterFact, match="DE_MINIMIS: total_with_grant_eur"):
        letter_html(without_figures)
    posted_without_address = facts(programme, channel="letter", address_lines=("Maija Meikäläinen",))
    with pytest.raises(MissingLetterFact, match="postal address"):
        letter_html(posted_without_address)
    no_swedish_contact = programme.model_copy(
        update={"contact": programme.contact.model_copy(update={"title": {"fi": "asiantuntija"}})}
    )
    with pytest.raises(MissingLetterFact, match="contact title in sv"):
        letter_html(facts(no_swedish_contact, language="sv"))


def test_a_letter_without_the_officials_titles_in_its_language_or_with_foreign_free_text_is_not_made(
    programme: Programme,
) -> None:
    from activities.errors import MissingLetterFact
    from activities.serving.letter_template import Signatory

    untitled = Signatory("Tuula Decider", {"fi": "elinkeinojohtaja"})
    with pytest.raises(MissingLetterFact, match="the decider Tuula Decider's title in sv"):
        letter_html(facts(programme, language="sv", decider=untitled, justification=""))
    finnish = "Hakemus hylätään, koska liikevaihto ei ole laskenut yli 30 prosenttia ja yritys on myös velkaa."
    with pytest.raises(MissingLetterFact, match="justification written in sv"):
        letter_html(facts(programme, language="sv", justification=finnish))
    assert "Tuula Decider, elinkeinojohtaja" in letter_html(
        facts(programme, language="fi", decider=untitled, justification=finnish)
    )


def test_a_printed_letter_before_its_posting_day_states_how_the_days_count_and_no_dates(programme: Programme) -> None:
    from activities.errors import MissingLetterFact

    undated = facts(
        programme,
        channel="letter",
        dispatched_on=None,
        deemed_received_on=None,
        last_day=None,
        address_lines=address_lines("Maija", {"street": "Tie 1", "postcode": "02100", "post_office": "Espoo"}, "en"),
    )
    text = unescape(re.sub(r"<[^>]+>", " ", letter_html(undated)))
    assert "deemed received 7 days after the day it was posted (the date of the postmark)" in text
    assert "within 14 days of that day" in text
    assert "The last day for the request is" not in text and "Deemed received" not in text
    with pytest.raises(MissingLetterFact, match="the day the e-mail is sent"):
        letter_html(facts(programme, dispatched_on=None, deemed_received_on=None, last_day=None))
