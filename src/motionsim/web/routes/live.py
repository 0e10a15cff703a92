"""The Live page: the page itself (``/live``), its references (``POST /api/live/references``: an upload or a
``--data`` pick, read once; ``GET .../{id}/video``: the reference video the page plays) and the WebSocket of a
take (``/api/live/ws``, `live_socket`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile, WebSocket
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from ..._version import __version__
from ...render.colors import legend, scale_stops
from ...render.frames import HEAD_BONES, PART_BONES
from ...skeleton import BODY_PARTS, PART_LABELS
from ..deps import LeasesDep, SettingsDep
from ..live_hub import VIDEO_TYPES, LiveHub
from ..live_runner import MAX_FRAME_BYTES
from ..live_save import THRESHOLD
from ..live_socket import live_take
from ..uploads import InputRejected, remove_unused_uploads, resolve_data, save_upload
from .api import MAX_PERSON_CHARS
from .pages import PAGE_CSP, templates

router = APIRouter()
#: Seconds of the count-down before a take starts.
COUNTDOWN = 3


def page_config(settings) -> dict:
    """What live.js needs, given once in the page: the colour scale of `render.colors` (red-yellow-green, as the
    feedback video), the bones of each part, the limits and the frame size to send."""
    return {"threshold": THRESHOLD, "scale": [[s, c] for s, c in scale_stops(THRESHOLD)],
            "neutral": "#c8c8c8", "parts": list(BODY_PARTS), "labels": {p: PART_LABELS[p] for p in BODY_PARTS},
            "bones": {p: [list(b) for b in PART_BONES[p]] for p in BODY_PARTS},
            "head_bones": [list(b) for b in HEAD_BONES],
            "legend": [{"score": s, "label": label} for s, label, _ in legend(THRESHOLD)],
            "countdown": COUNTDOWN, "max_live": settings.max_live, "frame_width": 640, "frame_height": 480,
            "jpeg_quality": 0.7, "in_flight": 2, "max_frame_bytes": MAX_FRAME_BYTES,
            "max_upload_mb": settings.max_upload_mb, "has_data": settings.data_dir is not None}


@router.get("/live", response_class=HTMLResponse, include_in_schema=False)
def live_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "live.html", {
        "version": __version__, "title": settings.title, "has_data": settings.data_dir is not None,
        "config": page_config(settings)}, headers={"Content-Security-Policy": PAGE_CSP})


def _hub(request: Request) -> LiveHub:
    return request.app.state.live


@router.post("/api/live/references", tags=["live"])
async def add_reference(
    request: Request, settings: SettingsDep, leases: LeasesDep,
    file: Annotated[UploadFile | None, File(description="the reference: a video or keypoint file")] = None,
    name: Annotated[str | None, Form(description="or its path relative to the --data folder")] = None,
    person: Annotated[str, Form(description="who to follow in a reference video: auto, largest, central or an "
                                            "index")] = "auto",
) -> JSONResponse:
    """Read a reference for live takes (pose estimation for a video, cached) and keep it; answers its id, name,
    frames, fps, size, the address of its video (a video reference) and its poses."""
    from ...errors import MotionsimError
    from ...resample import resample
    from ..pipeline import user_message

    person = person.strip() or "auto"
    if len(person) > MAX_PERSON_CHARS or not person.isprintable() or "," in person:
        raise InputRejected("argument --person: expected auto, largest, central or an index for the reference")
    if file is not None and file.filename:
        item = await run_in_threadpool(save_upload, file.file, file.filename, settings.upload_dir,
                                       settings.max_upload_bytes, leases)
    elif name:
        item = await run_in_threadpool(resolve_data, name, settings.data_dir)
    else:
        raise InputRejected("no reference: upload one or pick one from the data folder")
    hub, kept = _hub(request), False
    try:
        from ...io import load_pose

        try:
            poses = await run_in_threadpool(load_pose, item["path"], person=person, cache=True, quiet=True,
                                            max_bytes=settings.max_input_bytes)
        except MotionsimError as exc:
            raise InputRejected(user_message(exc, {"inputs": {"b": item}})) from None
        at_model_rate = len(resample(poses))
        if at_model_rate < 32:
            raise InputRejected(f"{item['name']}: {at_model_rate} frames at the model's 30 fps, shorter than one "
                                f"window (32 frames, about a second): too short to follow")
        reference = hub.add(item, poses, person)
        kept = True
    finally:
        if not kept:
            leases.release([item])
            remove_unused_uploads(request.app.state.store, [item], settings.upload_dir, leases)
    return JSONResponse(await run_in_threadpool(reference.public))


@router.get("/api/live/references/{reference_id}/video", tags=["live"])
def reference_video(reference_id: str, request: Request) -> FileResponse:
    """The reference video, for the page to play beside the camera (range requests supported)."""
    reference = _hub(request).get(reference_id)
    if reference is None or not reference.is_video:
        raise HTTPException(404, f"no reference video {reference_id[:40]!r}")
    path = Path(reference.input["path"])
    return FileResponse(path, media_type=VIDEO_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                        content_disposition_type="inline")


@router.websocket("/api/live/ws")
async def live_socket(websocket: WebSocket) -> None:
    await live_take(websocket)
