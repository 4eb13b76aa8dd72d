"""ASGI middleware: a cap on request bodies, and security headers on every response (the 413 included)."""

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
CSP = (
    b"content-security-policy",
    b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
)
# The interactive API docs run inline scripts and workers; they still fetch nothing from elsewhere
# (ReDoc's "powered by" logo from a CDN included). Every other page gets the strict policy.
CSP_EXEMPT = ("/docs", "/redoc")
DOCS_CSP = (
    b"content-security-policy",
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data: blob:; worker-src 'self' blob:; font-src 'self' data:; frame-ancestors 'none'",
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# Status pages, staff pages, letters and attachments hold personal data: no browser or proxy keeps a copy.
NO_STORE = (b"cache-control", b"no-store")
CACHEABLE = ("/static/", "/docs-static/")


class BodySizeLimit:
    """Refuses bodies over `max_bytes` with 413, whether or not Content-Length tells the truth."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Paths (regular expressions) that take files get their own, larger limit.
        self.larger = [(re.compile(pattern), limit) for pattern, limit in (larger or {}).items()]

    def _limit(self, path: str) -> int:
        return next((limit for pattern, limit in self.larger if pattern.fullmatch(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await _too_large(send, scope["path"])
            return
        if declared is None and scope["method"] not in ("GET", "HEAD"):
            await self._chunked(scope, receive, send, max_bytes)
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await _too_large(send, scope["path"])

    async def _chunked(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        """A body of unknown length is read up to the limit first: over it, a 413 before any parser runs.

        (Raising from inside `receive`, as for declared lengths, would reach the app's body parser,
        which turns any error into a 400.)
        """
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > max_bytes:
                await _too_large(send, scope["path"])
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


class _BodyTooLarge(Exception):
    pass


TOO_LARGE_JSON = b'{"detail":[{"field":"body","message":"request body is too large","type":"too_large"}]}'
# A browser's form gets a page, in the three languages: the refusal comes before the app could know the reader's.
TOO_LARGE_PAGE = """<!doctype html>
<html lang="fi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Liian suuri – För stort – Too large</title><link rel="stylesheet" href="/static/style.css"></head>
<body><main id="main">
<h1>Lomake oli liian suuri lähetettäväksi</h1>
<p>Lyhennä tekstiä tai liitteitä ja lähetä uudelleen.
Palaa selaimen takaisin-painikkeella: kirjoittamasi on yleensä tallessa.</p>
<h2 lang="sv">Formuläret var för stort för att skickas</h2>
<p lang="sv">Förkorta texten eller bilagorna och skicka igen. Gå tillbaka med webbläsarens bakåtknapp.</p>
<h2 lang="en">The form was too large to send</h2>
<p lang="en">Shorten the text or the attachments and send again. Go back with your browser's Back button.</p>
</main></body></html>
""".encode()


async def _too_large(send: Send, path: str) -> None:
    """413 as the API documents it, or as a page for a browser's form."""
    api = path.startswith(("/api/", "/codec/"))
    body, content_type = (TOO_LARGE_JSON, b"application/json") if api else (TOO_LARGE_PAGE, b"text/html; charset=utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Outermost, so every answer has them, including those other middleware give on their own (413)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    def _headers(self, path: str) -> list[tuple[bytes, bytes]]:
        headers = list(SECURITY_HEADERS)
        headers.append(DOCS_CSP if path.startswith(CSP_EXEMPT) else CSP)
        if self.hsts:
            headers.append(HSTS)
        if not path.startswith(CACHEABLE):
            headers.append(NO_STORE)
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        headers = self._headers(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + headers
            await send(message)

        await self.app(scope, receive, with_headers)
