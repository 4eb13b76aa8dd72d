""" "Lost your link?": the applicant asks for the private status link again with reference and e-mail."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from web.csrf import require_csrf
from web.deps import NowDep, RelayDep, SessionDep, SettingsDep
from web.guards import lost_link_limit
from web.services.lost_link import resend_status_link
from web.templating import render

router = APIRouter(tags=["public"], include_in_schema=False)


@router.get("/lost-link", response_class=HTMLResponse)
def lost_link_form(request: Request) -> HTMLResponse:
    return render(request, "public/lost_link.html", {"sent": False, "reference": "", "email": ""})


@router.post("/lost-link", response_class=HTMLResponse, dependencies=[Depends(lost_link_limit), Depends(require_csrf)])
async def send_lost_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    relay: RelayDep,
    reference: Annotated[str, Form(max_length=40)],
    email: Annotated[str, Form(max_length=320)],
) -> HTMLResponse:
    queued = await run_in_threadpool(
        resend_status_link,
        session,
        reference=reference,
        email=email,
        now=now,
        base_url=settings.public_base_url,
        secret=settings.secret_key,
    )
    if queued:
        relay.wake()
    # The same page whether or not anything matched: it must not tell who has applied.
    return render(request, "public/lost_link.html", {"sent": True, "reference": "", "email": ""})
