"""PDF rendering with WeasyPrint: archival PDF/A, tagged, and unable to fetch anything but our own files.

WeasyPrint would fetch any URL or file a document names; the fetcher below serves only files under
templates/documents/static/ and refuses everything else (other files, http, redirects) without
touching the network. Rendering is CPU work: callers run it in a process pool (`render_in_pool`).
The rendering processes import this module and nothing more (no settings, no Temporal, no ORM):
each is a WeasyPrint and little else.
"""

import asyncio
import io
import mimetypes
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import pikepdf
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.paths import PROJECT_ROOT

DOCUMENT_STATIC = PROJECT_ROOT / "templates" / "documents" / "static"
# Archival (PDF/A-2) and accessible: the "a" level carries the structure tags screen readers use.
PDF_VARIANT = "pdf/a-2a"


class RefusedURL(ValueError):
    pass


class ProjectFilesOnly(URLFetcher):
    def __init__(self, root: Path = DOCUMENT_STATIC) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=False)
        self._root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parsed = urlparse(url)
        path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
        if path is None or not path.is_relative_to(self._root) or not path.is_file():
            self.refused.append(url)
            raise RefusedURL(f"refused to fetch {url!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type}, 200)


@lru_cache(maxsize=1)
def _fonts() -> FontConfiguration:
    """One font configuration for every document a process renders. WeasyPrint makes a new one per document by
    default, and each kept a Pango font map alive: a rendering process grew by about 0.23 MB a letter, without
    end (a campaign's worth of letters is hundreds of MB). Our documents use the system's fonts, no @font-face."""
    return FontConfiguration()


def render_pdf(html: str, *, fetcher: URLFetcher | None = None) -> bytes:
    document = HTML(string=html, base_url=DOCUMENT_STATIC.as_uri() + "/", url_fetcher=fetcher or ProjectFilesOnly())
    pdf: bytes | None = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, font_config=_fonts())
    assert pdf is not None
    return pdf


async def render_in_pool(pool: ProcessPoolExecutor, html: str) -> bytes:
    """Off the event loop: the worker keeps serving other tasks while a letter renders."""
    pdf: bytes = await asyncio.get_running_loop().run_in_executor(pool, render_pdf, html)
    return pdf


async def render_all_in_pool(pool: ProcessPoolExecutor, htmls: list[str]) -> list[bytes]:
    """Many letters at once, in their order: every rendering process of the pool busy, not one at a time."""
    return list(await asyncio.gather(*(render_in_pool(pool, html) for html in htmls)))


def join_for_print(letters: list[bytes]) -> bytes:
    """Letters already rendered, as one PDF for a double-sided printer (the post room prints one file).

    Each letter starts on a sheet of its own (a blank back page after an odd page count), so folding
    and enveloping the sheets as they come puts one letter, and one address, in each envelope. Joined
    page by page with qpdf, not laid out again: 500 letters join in seconds with flat memory (laying them
    all out in one WeasyPrint document took about 2 MB a letter). The archival copies are the letters
    themselves; this file is for the printer.
    """
    joined = pikepdf.Pdf.new()
    for letter in letters:
        pages = pikepdf.Pdf.open(io.BytesIO(letter)).pages
        joined.pages.extend(pages)
        if len(joined.pages) % 2:
            box = pages[-1].mediabox
            joined.add_blank_page(page_size=(float(box[2] - box[0]), float(box[3] - box[1])))
    out = io.BytesIO()
    joined.save(out)
    return out.getvalue()


ORPHAN_CHECK_SECONDS = 1.0


def end_with(worker_pid: int) -> None:
    """A rendering process's initializer: it ends when its worker is gone, even killed with SIGKILL. Each holds
    both ends of its own task pipe, so it would otherwise wait for work forever, an orphan."""

    def watch() -> None:
        while os.getppid() == worker_pid:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="end-with-worker", daemon=True).start()
