"""The API documentation: open in development, for signed-in administrators everywhere else.

Swagger UI and ReDoc load their scripts from this server (the files ship in the `fastapi-offline`
package, mounted at /docs-static by the app), so the pages work without internet.
"""

from importlib.resources import files

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
ASSETS = files("fastapi_offline") / "static"
ASSETS_URL = "/docs-static"


@router.get("/openapi.json")
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", response_class=HTMLResponse)
def swagger() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="grantdesk API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
    )


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="grantdesk API",
        redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
