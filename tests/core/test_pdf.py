"""PDFs with WeasyPrint: a print batch puts each letter on sheets of its own for a double-sided printer."""

import io

from pypdf import PdfReader

from core.pdf import render_pdf_batch


def letter(text: str, pages: int) -> str:
    breaks = '<p style="break-before: page">…</p>' * (pages - 1)
    return f'<!doctype html><html lang="fi"><body><p>{text}</p>{breaks}</body></html>'


def test_a_letter_with_an_odd_number_of_pages_gets_a_blank_back() -> None:
    pdf = render_pdf_batch([letter("first", 1), letter("second", 2), letter("third", 3)])

    texts = [(page.extract_text() or "").strip() for page in PdfReader(io.BytesIO(pdf)).pages]

    assert len(texts) == 2 + 2 + 4
    assert [i for i, text in enumerate(texts) if text in ("first", "second", "third")] == [0, 2, 4]
    assert texts[1] == "" and texts[7] == ""  # the backs of the first and the third letter's last sheet
