"""The page (one HTML template, plain JS and CSS from ``static/``, nothing from the network) and the API docs,
with Swagger UI's assets served locally when the swagger-ui-bundle package is installed."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ..._version import __version__
from ..deps import SettingsDep

HERE = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


#: The page runs only its own script (no inline script, nothing from the network) and cannot be framed.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@router.get("/", response_class=HTMLResponse)
def index(request: Request, settings: SettingsDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {
        "version": __version__, "max_upload_mb": settings.max_upload_mb, "has_data": settings.data_dir is not None,
        "title": settings.title}, headers={"Content-Security-Policy": PAGE_CSP})


def swagger_dir() -> Path | None:
    """Swagger UI's files from the swagger-ui-bundle package, if installed (FastAPI's default loads a CDN)."""
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    folder = Path(swagger_ui_bundle.swagger_ui_path)
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def mount_static(app: FastAPI) -> None:
    """/static (the page's files) and, when available, /docs with local Swagger UI assets."""
    folder = swagger_dir()
    if folder is not None:  # before /static, which would otherwise catch /static/swagger/...
        app.mount("/static/swagger", StaticFiles(directory=folder), name="swagger")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    if folder is None:
        return  # no offline docs: /openapi.json stays, /docs is not offered

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")
