"""`create_app(settings)`: the FastAPI application of ``motionsim serve``. Nothing is built at import time; the
store and the worker live from startup to shutdown (``with TestClient(app)`` runs both).

At startup the state folder is taken (`history.hold_state`: one server per folder), the history is checked
(`history.check_history`: a corrupt or emptied database stops the start with one line), the leftovers of a
killed server are removed (`cleanup.clean_at_start`) and the worker starts (jobs left unfinished run again, up
to ``max_attempts`` times; the retention policy runs). The Live page's shared state (`live_hub.LiveHub`: its
references and the count of takes running) lives as long."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .._version import __version__
from .cleanup import clean_at_start
from .history import Store, check_history, hold_state, release_state
from .live_hub import LiveHub
from .routes import api, live, pages
from .safety import BodyLimit, HostCheck, SameOrigin, SecurityHeaders, TokenAuth
from .settings import Settings
from .uploads import InputRejected, UploadLeases
from .worker import Worker

#: Room for the form fields and multipart framing around two files at the per-file limit.
FORM_SLACK = 64 * 1024


def create_app(settings: Settings) -> FastAPI:
    """The app: API under /api, the page at /, the Live page at /live, offline docs at /docs (when
    swagger-ui-bundle is installed)."""
    settings.make_dirs()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hold_state(settings.state_dir)
        try:
            check_history(settings.db_path, settings.results_dir, settings.upload_dir)
            store = Store(settings.db_path)
            clean_at_start(store, settings)
            app.state.store, app.state.worker = store, Worker(settings, store, app.state.leases)
            app.state.live = LiveHub(settings, store, app.state.leases)
            app.state.worker.start()
            yield
            app.state.live.close()
            app.state.worker.stop()
            store.close()
        finally:
            release_state(settings.state_dir)

    app = FastAPI(title="motionsim", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Per-body-part motion similarity. `POST /api/compare` answers like "
                  "`motionsim compare --json`.")
    app.state.settings, app.state.leases = settings, UploadLeases()
    app.include_router(api.router)
    app.include_router(live.router)
    app.include_router(pages.router)
    pages.mount_static(app)
    app.add_exception_handler(InputRejected, _rejected)
    app.add_exception_handler(RequestValidationError, _invalid)
    limit = 2 * settings.max_upload_bytes + FORM_SLACK
    app.add_middleware(BodyLimit, limit=limit, message=f"upload larger than the limit of {settings.max_upload_mb:g} "
                       f"MB per file (motionsim serve --max-upload-mb raises it)")
    app.add_middleware(SameOrigin)
    if settings.token:
        app.add_middleware(TokenAuth, token=settings.token, port=settings.port)
    app.add_middleware(HostCheck, host=settings.host, port=settings.port)
    app.add_middleware(SecurityHeaders)  # outermost: every answer, refusals included, carries the headers
    return app


async def _rejected(request: Request, exc: Exception) -> JSONResponse:
    status = exc.status if isinstance(exc, InputRejected) else 400
    return JSONResponse({"detail": str(exc)}, status_code=status)


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    """A field or query parameter of the wrong type, as one line (``query limit: Input should be ...``)."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    words = "; ".join(f"{' '.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors[:3])
    return JSONResponse({"detail": words or "invalid request"}, status_code=422)
