"""Temporal's remote codec endpoint, so operators can read a case's history in the Temporal UI.

Payloads in Temporal are encrypted (core/temporal.py); the UI sends them here (`POST /codec/decode`,
the remote codec protocol) and shows what comes back. The key never leaves this server. Only signed-in
administrators and coordinators may decode, only from the configured UI origin (CORS), and every use
is an audit event.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from core.temporal import EncryptionCodec
from models.audit import audit
from models.staff import Role
from web.deps import NotSignedIn, SessionDep, SettingsDep, current_staff
from web.services.auth import StaffUser

router = APIRouter(prefix="/codec", include_in_schema=False)
DECODERS = (Role.ADMIN, Role.COORDINATOR)


def _cors(request: Request, settings: SettingsDep) -> dict[str, str]:
    """CORS headers for the Temporal UI's origin only; any other origin gets none (the browser refuses)."""
    origin = request.headers.get("origin")
    if origin is None or origin != settings.temporal_ui_origin:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type, X-Namespace",
        "Vary": "Origin",
    }


@router.options("/decode")
def preflight(request: Request, settings: SettingsDep) -> Response:
    headers = _cors(request, settings)
    return Response(status_code=204 if headers else 403, headers=headers)


def decoder(request: Request, session: SessionDep, settings: SettingsDep) -> StaffUser:
    # Refusals carry the CORS headers too: the UI then shows "not permitted", not "could not connect".
    cors = _cors(request, settings)
    try:
        user = current_staff(request, session)
    except NotSignedIn as exc:  # a caller from the UI gets 401, not a redirect to a page
        raise HTTPException(status_code=401, detail="sign in as staff first", headers=cors) from exc
    if not user.has_any(*DECODERS):
        raise HTTPException(status_code=403, detail="decoding needs the admin or coordinator role", headers=cors)
    return user


@router.post("/decode")
async def decode(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    user: Annotated[StaffUser, Depends(decoder)],
    x_namespace: Annotated[str, Header(max_length=200)],  # a custom header: a cross-origin call must preflight
) -> Response:
    try:
        payloads = json_format.Parse(await request.body(), Payloads())
    except json_format.ParseError as exc:
        raise HTTPException(status_code=422, detail="the body is not Temporal's Payloads JSON") from exc
    try:
        decoded = await EncryptionCodec.from_base64(settings.payload_key).decode(payloads.payloads)
    except Exception as exc:  # a payload under another key, or tampered with
        raise HTTPException(status_code=422, detail="a payload could not be decoded with this server's key") from exc
    await run_in_threadpool(_audit, session, user, x_namespace, len(decoded))
    body = json_format.MessageToJson(Payloads(payloads=decoded))
    return Response(body, media_type="application/json", headers=_cors(request, settings))


def _audit(session: SessionDep, user: StaffUser, namespace: str, count: int) -> None:
    audit(
        session,
        action="payloads_decoded",
        application_id=None,
        actor_id=user.id,
        organisation_code=user.organisation_code,
        namespace=namespace,
        payloads=count,
    )
    session.commit()
