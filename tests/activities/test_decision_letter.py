"""Decision letters: the figures and dates they state, PDF/A with tags and fonts, and nothing fetched."""

import io
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from pypdf import PdfReader

from activities.serving.letter_template import LetterFacts, Signatory, address_lines, letter_html, mask_iban
from core.pdf import DOCUMENT_STATIC, ProjectFilesOnly, RefusedURL, render_in_pool, render_pdf
from models.grants.programme import Programme
from tests.workflow_helpers import TITLES


def facts(programme: Programme, **changes: Any) -> LetterFacts:
    values: dict[str, Any] = {
        "language": "en",
        "programme": programme,
        "number": "ESP 2020/000123",
        "outcome": "reject",
        "amount": Decimal("0.00"),
        "decided_at": datetime(2020, 5, 4, 9, 0, tzinfo=UTC),
        "justification": "Turnover fell less than required.",
        "reasons": ["TURNOVER_DROP"],
        "checks": {"TURNOVER_DROP": {"turnover_drop": "0.2240", "threshold": "0.30"}},
        "presenter": Signatory("Hanna Handler", dict(TITLES)),
        "decider": Signatory("Tuula Decider", dict(TITLES)),
        "reference": "ESP-2020-000042",
        "applicant_name": "Maija Meikäläinen",
        "business_name": "Toiminimi Virtanen",
        "business_id": "0112038-9",
        "iban": "FI2112345600000785",
        "channel": "email",
        "dispatched_on": date(2020, 5, 4),
        "deemed_received_on": date(2020, 5, 7),
        "last_day": date(2020, 5, 22),
    }
    values.update(changes)
    return LetterFacts(**values)


def text_of(pdf: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)


def test_rejection_gives_each_reason_with_its_figures_and_the_last_day(programme: Programme) -> None:
    text = text_of(render_pdf(letter_html(facts(programme))))
    assert "ESP 2020/000123" in text
    assert "Turnover fell 22.4 %; more than 30.0 % is required." in text
    assert "22 May 2020" in text  # the last day for rectification
    assert "Espoo City Board" in text
    assert "Hanna Handler" in text and "Tuula Decider" in text


def test_approval_masks_the_account(programme: Programme) -> None:
    approved = facts(programme, outcome="approve", amount=Decimal("2000.00"), reasons=[], language="fi")
    text = text_of(render_pdf(letter_html(approved)))
    assert "2 000,00 €" in text.replace("\u00a0", " ")
    assert "**** **** **** **07 85" in text and "12345600000785" not in text.replace(" ", "")
    assert "22. toukokuuta 2020" in text


@pytest.mark.parametrize(
    ("language", "legal_basis", "address"),
    [
        ("fi", "kunnan kautta myönnettävästä tuesta (199/2020)", "Espoon kaupungin kirjaamo, PL 12"),
        ("sv", "som beviljas ensamföretagare via kommunen (199/2020)", "Esbo stads registratorskontor, PB 12"),
        ("en", "to sole entrepreneurs through municipalities (199/2020)", "City of Espoo Registry, P.O. Box 12"),
    ],
)
def test_programme_texts_are_cited_in_the_letters_language(
    programme: Programme, language: str, legal_basis: str, address: str
) -> None:
    html = letter_html(facts(programme, language=language))
    assert legal_basis in html and address in html
    others = {"fi": "Valtioneuvoston", "sv": "Statsrådets", "en": "Government Decree"}
    assert not [word for lang, word in others.items() if lang != language and word in html]


def test_letter_is_pdf_a_tagged_with_embedded_fonts(programme: Programme) -> None:
    reader = PdfReader(io.BytesIO(render_pdf(letter_html(facts(programme)))))
    catalog: Any = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])  # tagged for assistive technology
    assert "/StructTreeRoot" in catalog
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert "pdfaid" in xmp.rdf_root.toxml()  # PDF/A identification
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            descriptor = font.get_object()
            if "/DescendantFonts" in descriptor:
                descriptor = descriptor["/DescendantFonts"][0].get_object()
            descendant = descriptor
            file_keys = set(descendant["/FontDescriptor"].get_object().keys())
            assert file_keys & {"/FontFile", "/FontFile2", "/FontFile3"}, "font not embedded"


def test_mask_iban_shows_only_the_last_four() -> None:
    assert mask_iban("FI21 1234 5600 0007 85") == "**** **** **** **07 85"


class _Recorder(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"secret")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def trap() -> Any:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_nothing_named_in_the_letter_is_fetched_and_html_is_text(programme: Programme, trap: str) -> None:
    payloads = [
        '<img src="file:///etc/passwd">',
        '<img src="http://169.254.169.254/latest/meta-data/">',
        f'<img src="{trap}/redirect">',
        f'<link rel="stylesheet" href="{trap}/style.css"><b>bold</b>',
    ]
    hostile = " ".join(payloads)
    fetcher = ProjectFilesOnly()
    letter = facts(
        programme,
        applicant_name=hostile,
        business_name=hostile,
        justification=hostile,
        reference=hostile,
        presenter=Signatory(hostile, {"en": hostile}),
        decider=Signatory(hostile, {"en": hostile}),
        business_id=hostile,
        number=hostile,
    )
    pdf = render_pdf(letter_html(letter), fetcher=fetcher)

    assert _Recorder.hits == []
    assert fetcher.refused == []  # escaped: nothing even looked like a resource to fetch
    text = text_of(pdf)
    assert '<img src="file:///etc/passwd">' in text
    assert "<b>bold</b>" in text
    assert "root:x:0:0" not in text


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://169.254.169.254/", "https://example.com/x.png"])
def test_the_fetcher_refuses_everything_outside_our_files(url: str) -> None:
    fetcher = ProjectFilesOnly()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_refuses_a_redirecting_url_without_following_it(trap: str) -> None:
    with pytest.raises(RefusedURL):
        ProjectFilesOnly().fetch(f"{trap}/redirect")
    assert _Recorder.hits == []


def test_the_fetcher_serves_the_letter_assets(tmp_path: Any) -> None:
    asset = DOCUMENT_STATIC / "letter.css"
    response = ProjectFilesOnly().fetch(asset.as_uri())
    assert response.status == 200
    escape = (DOCUMENT_STATIC / ".." / ".." / ".." / "pyproject.toml").as_uri()
    with pytest.raises(RefusedURL):
        ProjectFilesOnly().fetch(escape)


async def test_rendering_runs_in_a_process_pool(programme: Programme) -> None:
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        pdf = await render_in_pool(pool, letter_html(facts(programme)))
    finally:
        pool.shutdown()
    assert pdf.startswith(b"%PDF-")
    assert "ESP 2020/000123" in text_of(pdf)


def test_the_address_block_sits_in_the_window_of_a_c5_envelope(programme: Programme) -> None:
    lines = address_lines(
        "Maja Andersson",
        {"street": "Storgatan 1", "postcode": "11122", "post_office": "Stockholm", "country": "SE"},
        "sv",
    )
    pdf = render_pdf(letter_html(facts(programme, language="sv", address_lines=lines)))

    found: list[tuple[str, float, float]] = []
    page = PdfReader(io.BytesIO(pdf)).pages[0]

    def visitor(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():  # where the text starts on the page: its matrix within the current transformation
            found.append((text.strip(), tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visitor)
    assert lines == ("Maja Andersson", "Storgatan 1", "11122 STOCKHOLM", "SVERIGE")
    height_mm = float(page.mediabox.height) * 25.4 / 72
    for line in lines:
        [(x, y)] = [(x, y) for text, x, y in found if text == line]
        x_mm, from_top_mm = x * 25.4 / 72, height_mm - y * 25.4 / 72
        assert 19.5 <= x_mm <= 25, line  # the window starts 20 mm from the left edge...
        assert 45 <= from_top_mm <= 85, line  # ...and spans 45 to 85 mm from the top


def test_a_finnish_address_has_no_country_line() -> None:
    assert address_lines("Maija", {"street": "Tie 1", "postcode": "02100", "post_office": "Espoo"}, "fi") == (
        "Maija",
        "Tie 1",
        "02100 ESPOO",
    )


@pytest.mark.parametrize(
    ("drop", "shown"),
    [
        ("0.6785", "67.9 %"),  # 9 800,00 € → 3 150,50 € a month: half up, as a person computes it
        ("0.2245", "22.5 %"),  # half up, not to even (22.4 %)
        ("0.3004", "30.04 %"),  # next to the threshold one more decimal shows which side it is on
        ("0.2996", "29.96 %"),
    ],
)
def test_percentages_are_rounded_as_a_reader_checks_them(programme: Programme, drop: str, shown: str) -> None:
    checks = {"TURNOVER_DROP": {"turnover_drop": drop, "threshold": "0.30"}}
    html = letter_html(facts(programme, checks=checks))
    assert f"Turnover fell {shown}; more than 30.0 % is required." in html.replace("\u00a0", " ")
