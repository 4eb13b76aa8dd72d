"""JSON request bodies with exact numbers: 0.1 stays 0.1, and a number too small for a float is not 0.

The standard parser turns every JSON number with a fraction into a float, so `0.000…0001` with
20,000 zeros silently became 0 and passed as an amount. Parsed as Decimal, it keeps every digit and
the amount's own rule (at most two decimals) refuses it.
"""

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


class ExactJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                # Raised as a JSON error so it is a 422 on the body like any other malformed JSON, not a 400.
                raise json.JSONDecodeError("the body is not UTF-8", "", exc.start) from exc
            self._json = json.loads(text, parse_float=Decimal)
        return self._json


class ExactJSONRoute(APIRoute):
    """Use as `APIRouter(route_class=ExactJSONRoute)` for routes that take money in JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(ExactJSONRequest(request.scope, request.receive))

        return exact
