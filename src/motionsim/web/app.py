"""`create_app(settings)`: the FastAPI application of ``motionsim serve``. Nothing is built at import time; the
store and the worker live from startup to shutdown (``with TestClient(app)`` runs both)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .._version import __version__
from .history import Store
from .routes import api, pages
from .safety import BodyLimit, SameOrigin
from .settings import Settings
from .uploads import InputRejected
from .worker import Worker

#: Room for the form fields and multipart framing around two files at the per-file limit.
FORM_SLACK = 64 * 1024


def create_app(settings: Settings) -> FastAPI:
    """The app: API under /api, the page at /, offline docs at /docs (when swagger-ui-bundle is installed)."""
    settings.make_dirs()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.db_path)
        app.state.store, app.state.worker = store, Worker(settings, store)
        app.state.worker.start()
        yield
        app.state.worker.stop()
        store.close()

    app = FastAPI(title="motionsim", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Per-body-part motion similarity. `POST /api/compare` answers like "
                  "`motionsim compare --json`.")
    app.state.settings = settings
    app.include_router(api.router)
    app.include_router(pages.router)
    pages.mount_static(app)
    app.add_exception_handler(InputRejected, _rejected)
    limit = 2 * settings.max_upload_bytes + FORM_SLACK
    app.add_middleware(BodyLimit, limit=limit, message=f"upload larger than the limit of {settings.max_upload_mb:g} "
                       f"MB per file (motionsim serve --max-upload-mb raises it)")
    app.add_middleware(SameOrigin)
    return app


async def _rejected(request: Request, exc: Exception) -> JSONResponse:
    status = exc.status if isinstance(exc, InputRejected) else 400
    return JSONResponse({"detail": str(exc)}, status_code=status)
