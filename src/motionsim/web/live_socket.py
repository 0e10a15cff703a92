"""The Live page's WebSocket (``/api/live/ws``): one take per connection.

The protocol (docs/web.md, "The Live page"):

1. The app's guards have run (host, token, same origin; a refusal closes with code 1008 and its reason). With
   ``max_live`` takes running, the socket is closed at once with code 1013 ("try again later").
2. The page sends ``{"type": "start", "reference": ID, "mode": "follow"|"free", "keep_video": false}`` (a text
   message). The server sets the take up (the `LiveSession` on the reference, the pose estimator, as `extract`
   runs it) and answers ``{"type": "ready", ...}``.
3. The page sends frames as binary messages: a 4-byte little-endian number of its own, then a JPEG
   (`live_runner.check_frame`: at most 1 MB and 1920x1080). Each frame the pipeline takes is answered with
   ``{"type": "frame", "seq", "frame", "size", "pose", "score", "parts", "processed", "dropped"}``: ``pose`` the
   COCO-17 joints found, ``score`` the line of ``motionsim live --json-lines`` (when the frame completes a
   window), ``parts`` its part scores by the body part as filmed. The server keeps only the newest frame: an
   answer to frame ``seq`` means every earlier frame is done with (answered or dropped), so the page sends the
   next frame when an answer arrives or one of its two slots is free.
4. ``{"type": "stop", "save": true}`` ends the take: saved as a comparison in the history (``{"type": "saved",
   "job": ID, "live": {...}}``, `live_save.save_take`) or discarded (``"save": false``); then the server closes
   with 1000. A closed tab or a lost connection discards the take; so does a bad message, closed with 1003
   (not a frame or not JSON), 1009 (too big) or 1008 (no frame for `IDLE_SECONDS`), each with its reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from ..errors import MotionsimError, describe
from ..live.session import MODES
from .live_runner import (
    MAX_FRAME_BYTES,
    MAX_FRAME_PIXELS,
    MAX_PENDING_ANSWERS,
    MAX_TEXT_BYTES,
    FrameRefused,
    TakeRunner,
    check_frame,
    now,
)
from .safety import close_reason

log = logging.getLogger("motionsim.web")

#: A take with no message from the page for this long is ended (not saved).
IDLE_SECONDS = 20.0
#: How long the page has to send its start message.
START_SECONDS = 30.0


class Closing(Exception):
    """End the connection with this close code and reason (after sending ``{"type": "error"}`` when ``tell``)."""

    def __init__(self, code: int, reason: str, tell: bool = True) -> None:
        super().__init__(reason)
        self.code, self.reason, self.tell = code, reason, tell


@dataclass
class _Link:
    """The socket and what the answers' sender found out."""

    websocket: WebSocket
    open: bool = True
    error: dict[str, Any] | None = None  # a fatal error the take's thread posted


async def _send(link: _Link, message: dict[str, Any]) -> None:
    if link.open:
        try:
            await link.websocket.send_text(json.dumps(message, separators=(",", ":")))
        except (WebSocketDisconnect, RuntimeError, OSError):
            link.open = False


async def _close(link: _Link, code: int, reason: str) -> None:
    if link.open:
        link.open = False
        try:
            await link.websocket.close(code, close_reason(reason))
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass


async def _start_message(websocket: WebSocket) -> dict[str, Any]:
    try:
        message = await asyncio.wait_for(websocket.receive(), START_SECONDS)
    except asyncio.TimeoutError:
        raise Closing(1008, f"no start message within {START_SECONDS:g} s") from None
    if message["type"] == "websocket.disconnect":
        raise Closing(1000, "the page left before the take started", tell=False)
    start = _control(message)
    if start.get("type") != "start":
        raise Closing(1003, "expected a start message first")
    if not isinstance(start.get("reference"), str) or len(start["reference"]) > 64:
        raise Closing(1003, "the start message names no reference")
    if start.get("mode", "follow") not in MODES:
        raise Closing(1003, f"mode must be one of {', '.join(MODES)}")
    if not isinstance(start.get("keep_video", False), bool):
        raise Closing(1003, "keep_video must be true or false")
    return start


def _control(message: dict[str, Any]) -> dict[str, Any]:
    """A text message as a JSON object (at most `MAX_TEXT_BYTES`)."""
    text = message.get("text")
    if text is None:
        raise Closing(1003, "expected a JSON text message here, got binary data")
    if len(text) > MAX_TEXT_BYTES:
        raise Closing(1009, f"a text message of {len(text)} characters: at most {MAX_TEXT_BYTES}")
    try:
        value = json.loads(text)
    except ValueError:
        raise Closing(1003, "a text message that is not JSON") from None
    if not isinstance(value, dict):
        raise Closing(1003, "a text message that is not a JSON object")
    return value


async def _forward(link: _Link, answers: asyncio.Queue) -> None:
    """Send the take's answers as they come; a fatal error is sent, then the socket closed with its code."""
    while (message := await answers.get()) is not None:
        if message["type"] == "error":
            link.error = message
            await _send(link, {"type": "error", "message": message["message"]})
            await _close(link, message["code"], message["message"])
            return
        await _send(link, message)


async def _frames(link: _Link, runner: TakeRunner) -> bool:
    """Hand the frames to the runner until the page says stop; returns whether to save."""
    websocket, last = link.websocket, now()
    while True:
        try:
            message = await asyncio.wait_for(websocket.receive(), 1.0)
        except asyncio.TimeoutError:
            if link.error is not None:
                raise Closing(link.error["code"], link.error["message"], tell=False) from None
            if now() - last > IDLE_SECONDS:
                raise Closing(1008, f"no frame for {IDLE_SECONDS:g} s: the take ended without being saved") from None
            continue
        last = now()
        if message["type"] == "websocket.disconnect":
            raise Closing(message.get("code") or 1006, "the connection was lost", tell=False)
        if link.error is not None:
            raise Closing(link.error["code"], link.error["message"], tell=False)
        data = message.get("bytes")
        if data is not None:
            try:
                seq, jpeg = check_frame(data)
            except FrameRefused as exc:
                raise Closing(exc.code, str(exc)) from None
            runner.put(seq, jpeg, last)
            continue
        control = _control(message)
        if control.get("type") != "stop":
            raise Closing(1003, f"unknown message type {str(control.get('type'))[:40]!r}")
        return control.get("save", True) is not False


async def live_take(websocket: WebSocket) -> None:
    """Run one take over ``websocket`` (see the module doc)."""
    app = websocket.app
    settings, hub = app.state.settings, app.state.live
    await websocket.accept()
    link = _Link(websocket)
    if not hub.enter():
        takes = "take is" if settings.max_live == 1 else "takes are"
        await _send(link, {"type": "busy", "message": f"the server is busy: {settings.max_live} live {takes} running "
                                                      f"(motionsim serve --max-live); try again in a moment"})
        await _close(link, 1013, f"busy: {settings.max_live} live {takes} running; try again in a moment")
        return
    reference = runner = sender = None
    saved = False
    try:
        start = await _start_message(websocket)
        reference = hub.get(start["reference"])
        if reference is None:
            raise Closing(1008, "unknown reference (the server forgot it or restarted): choose it again")
        hub.use(reference)
        loop, answers = asyncio.get_running_loop(), asyncio.Queue()

        def offer(message: dict[str, Any]) -> None:  # on the loop: never more than MAX_PENDING_ANSWERS waiting
            if message["type"] == "error" or answers.qsize() < MAX_PENDING_ANSWERS:
                answers.put_nowait(message)

        def post(message: dict[str, Any]) -> None:  # from the take's thread
            try:
                loop.call_soon_threadsafe(offer, message)
            except RuntimeError:  # the loop has closed: the server is stopping
                pass

        mode, keep_video = start.get("mode", "follow"), bool(start.get("keep_video", False))
        runner = TakeRunner(reference.poses, mode, post, keep_video=keep_video, video_dir=settings.upload_dir)
        try:
            await asyncio.to_thread(runner.start)
        except MotionsimError as exc:
            raise Closing(1011, f"the take could not start: {exc}") from None
        await _send(link, {"type": "ready", "mode": mode, "keep_video": keep_video, "fps": 30.0,
                           "reference": {"id": reference.id, "frames": len(reference.poses),
                                         "fps": reference.poses.fps or 30.0},
                           "limits": {"frame_bytes": MAX_FRAME_BYTES, "frame_pixels": MAX_FRAME_PIXELS}})
        sender = asyncio.create_task(_forward(link, answers))
        save = await _frames(link, runner)
        await asyncio.to_thread(runner.stop)
        answers.put_nowait(None)
        await sender
        if link.error is not None:
            raise Closing(link.error["code"], link.error["message"], tell=False)
        if not save:
            runner.discard()  # (the thread has ended: the recording is gone before the page hears of it)
            await _send(link, {"type": "discarded"})
            await _close(link, 1000, "take discarded")
            return
        saved = await _save(link, runner, reference, mode, app)
        await _close(link, 1000, "take saved" if saved else "take not saved")
    except Closing as exc:
        if exc.tell:
            await _send(link, {"type": "error", "message": exc.reason})
        log.info("live take ended: %s", exc.reason)
        await _close(link, exc.code, exc.reason)
    finally:
        if sender is not None and not sender.done():
            sender.cancel()
        if runner is not None and not saved:
            runner.discard()
        if reference is not None:
            hub.done_with(reference)
        hub.leave()


async def _save(link: _Link, runner: TakeRunner, reference: Any, mode: str, app: Any) -> bool:
    """Save the take (in a thread: it is scored as compare scores it) and tell the page which job it became."""
    from .live_save import save_take

    state = app.state
    await _send(link, {"type": "saving"})
    try:
        take = runner.finish()
        video, runner.video_path = runner.video_path, None  # save_take owns it now
        job_id = await asyncio.to_thread(save_take, take, reference, mode=mode, video=video, settings=state.settings,
                                         store=state.store, leases=state.leases, worker=state.worker)
    except Exception as exc:  # noqa: BLE001 - told to the page in the CLI's words
        failure = describe(exc)
        if failure.internal:
            log.error("saving a live take failed", exc_info=exc)
        await _send(link, {"type": "error", "message": f"the take was not saved: {failure.message}"})
        return False
    await _send(link, {"type": "saved", "job": job_id, "live": take.live_block()})
    return True
