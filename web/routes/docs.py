"""The API documentation: open in development, for signed-in administrators everywhere else.

The schema lists every route, so outside dev it is not handed to strangers.
"""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from models.staff import Role
from web.deps import SessionDep, SettingsDep, current_staff


def docs_access(request: Request, session: SessionDep, settings: SettingsDep) -> None:
    if settings.is_dev:
        return
    user = current_staff(request, session)  # not signed in: to the sign-in page
    if not user.has_any(Role.ADMIN):
        raise HTTPException(status_code=404)


router = APIRouter(include_in_schema=False, dependencies=[Depends(docs_access)])


@router.get("/openapi.json")
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", response_class=HTMLResponse)
def swagger() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="grantdesk API")


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title="grantdesk API")
