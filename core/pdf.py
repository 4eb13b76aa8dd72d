"""PDF rendering with WeasyPrint: archival PDF/A, tagged, and unable to fetch anything but our own files.

WeasyPrint would fetch any URL or file a document names; the fetcher below serves only files under
templates/documents/static/ and refuses everything else (other files, http, redirects) without
touching the network. Rendering is CPU work: callers run it in a process pool (`render_in_pool`).
"""

import asyncio
import mimetypes
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.settings import PROJECT_ROOT

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


# The back of a one-page letter's sheet: the letter's own page size, nothing printed.
BLANK_PAGE = '<!doctype html><html lang="fi"><head><style>@page { size: A4 }</style></head><body></body></html>'


def render_pdf(html: str, *, fetcher: URLFetcher | None = None) -> bytes:
    document = HTML(string=html, base_url=DOCUMENT_STATIC.as_uri() + "/", url_fetcher=fetcher or ProjectFilesOnly())
    pdf: bytes | None = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    assert pdf is not None
    return pdf


async def render_in_pool(pool: ProcessPoolExecutor, html: str) -> bytes:
    """Off the event loop: the worker keeps serving other tasks while a letter renders."""
    pdf: bytes = await asyncio.get_running_loop().run_in_executor(pool, render_pdf, html)
    return pdf


def render_pdf_batch(htmls: list[str]) -> bytes:
    """Several letters as one PDF (the post room prints one file), for a double-sided printer.

    Each letter starts on a sheet of its own (a blank back page after an odd page count), so folding
    and enveloping the sheets as they come puts one letter, and one address, in each envelope.
    """
    fetcher = ProjectFilesOnly()
    base_url = DOCUMENT_STATIC.as_uri() + "/"
    rendered = [HTML(string=html, base_url=base_url, url_fetcher=fetcher).render() for html in htmls]
    blank = HTML(string=BLANK_PAGE, base_url=base_url, url_fetcher=fetcher).render().pages[0]
    pages = []
    for document in rendered:
        pages += document.pages
        if len(document.pages) % 2:
            pages.append(blank)
    pdf: bytes | None = rendered[0].copy(pages).write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    assert pdf is not None
    return pdf
