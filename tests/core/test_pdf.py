"""PDFs with WeasyPrint: a print batch puts each letter on sheets of its own for a double-sided printer."""

import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import psutil
from pypdf import PdfReader

from core.pdf import join_for_print, render_pdf


def letter(text: str, pages: int) -> str:
    breaks = '<p style="break-before: page">…</p>' * (pages - 1)
    return f'<!doctype html><html lang="fi"><body><p>{text}</p>{breaks}</body></html>'


def test_a_letter_with_an_odd_number_of_pages_gets_a_blank_back() -> None:
    pdf = join_for_print(
        [render_pdf(letter("first", 1)), render_pdf(letter("second", 2)), render_pdf(letter("third", 3))]
    )

    texts = [(page.extract_text() or "").strip() for page in PdfReader(io.BytesIO(pdf)).pages]

    assert len(texts) == 2 + 2 + 4
    assert [i for i, text in enumerate(texts) if text in ("first", "second", "third")] == [0, 2, 4]
    assert texts[1] == "" and texts[7] == ""  # the backs of the first and the third letter's last sheet


def test_the_blank_backs_are_the_size_of_the_letter_before_them() -> None:
    a5 = '<!doctype html><html lang="fi"><head><style>@page { size: A5 }</style></head><body><p>A5</p></body></html>'

    pages = PdfReader(io.BytesIO(join_for_print([render_pdf(a5)]))).pages

    assert len(pages) == 2
    assert (pages[1].mediabox.width, pages[1].mediabox.height) == (pages[0].mediabox.width, pages[0].mediabox.height)
    assert round(float(pages[0].mediabox.width)) == 420  # A5 is 148 mm wide: 420 points


def _growth_over(letters: int) -> float:
    """In a rendering process of its own: MB its resident memory grew over `letters` renderings, after a warm-up."""
    html = letter("Päätös", 2)
    for _ in range(20):
        render_pdf(html)
    before = psutil.Process().memory_info().rss
    for _ in range(letters):
        render_pdf(html)
    return (psutil.Process().memory_info().rss - before) / 2**20


def test_a_rendering_process_does_not_grow_with_every_letter() -> None:
    # A new font configuration per document grew a process by ~0.23 MB a letter (23 MB here); now flat.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        grown = pool.submit(_growth_over, 100).result()

    assert grown < 8
