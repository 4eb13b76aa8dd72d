"""The public list of decisions: what was decided, by which authority, and until when members of the
municipality may request rectification. No personal data (web/services/public_decisions.py)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from web.deps import ProgrammesDep, SessionDep
from web.services.public_decisions import published_decisions
from web.templating import render

router = APIRouter(tags=["public"], include_in_schema=False)


@router.get("/decisions", response_class=HTMLResponse)
def decision_list(
    request: Request,
    session: SessionDep,
    programmes: ProgrammesDep,
    programme: Annotated[str, Query(max_length=80)] = "",
    page: Annotated[str, Query(max_length=100)] = "1",
) -> HTMLResponse:
    if programme and programme not in programmes:
        raise HTTPException(status_code=404, detail="programme")
    # A page past either end is the nearest page: a list, not a form to correct.
    number = int(page) if page.isdigit() else 1
    listing = published_decisions(session, programmes, programme_code=programme or None, page=number)
    context = {"listing": listing, "programmes": list(programmes.values()), "chosen": programme}
    return render(request, "public/decisions.html", context)
