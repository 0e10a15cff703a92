"""The JSON API, mirroring ``motionsim compare``: ``POST /api/compare`` takes two inputs and the CLI's options
and answers with a job (or, with ``?wait=true``, exactly ``compare --json``); jobs can be listed, polled,
downloaded and deleted."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response

from ...errors import PoseFormatError
from ...values import stride_length, unit_float, window_length
from ..cleanup import forget
from ..deps import LeasesDep, SettingsDep, StoreDep, WorkerDep
from ..models import FILES, JobPublic, JobsPublic, job_public
from ..uploads import InputRejected, list_data, remove_unused_uploads, resolve_data, save_upload

router = APIRouter(prefix="/api", tags=["api"])
MEDIA = {"json": "application/json", "video": "video/mp4", "report": "text/html", "timeline": "application/json"}
#: The report is one self-contained page (data URIs); sandboxed, its scripts run in an origin of their own.
REPORT_CSP = {"Content-Security-Policy": "sandbox allow-scripts; frame-ancestors 'none'"}
#: Longest ``person`` option accepted (``auto``, ``largest``, an index or two choices such as ``1,0``).
MAX_PERSON_CHARS = 64


def _option(check, value: str, flag: str):
    """The CLI's own validation and words (``argument --window: ...``)."""
    try:
        return check(str(value))
    except ValueError as exc:
        raise InputRejected(f"argument {flag}: {exc}") from None


async def _input(side: str, upload: UploadFile | None, name: str | None, settings, leases) -> dict[str, str]:
    if upload is not None and upload.filename:
        return await run_in_threadpool(save_upload, upload.file, upload.filename, settings.upload_dir,
                                       settings.max_upload_bytes, leases)
    if name:
        return await run_in_threadpool(resolve_data, name, settings.data_dir)
    raise InputRejected(f"no file {side.upper()}: upload one or pick one from the data folder")


def _with_everyone(person: str, everyone: str) -> str:
    """The --person of a job: ``person``, with ``all`` on the side ``everyone`` names ("a", "b" or "")."""
    from ...person_spec import person_choices, person_for

    side = everyone.strip().lower()
    if side not in ("", "a", "b"):
        raise InputRejected(f"everyone: expected a or b (the input whose people are all scored), got {everyone!r}")
    try:
        if side:
            choices = [person_for(person, 0), person_for(person, 1)]
            if "all" in choices:
                raise PoseFormatError(f"--person {person} and everyone {side}: choose everyone once")
            choices["ab".index(side)] = "all"
            person = ",".join(choices)
        person_choices(person, 2)  # all on both sides is refused here, in the CLI's words
    except PoseFormatError as exc:
        raise InputRejected(str(exc)) from None
    return person


@router.post("/compare", status_code=202, response_model=JobPublic,
             responses={200: {"description": "with wait=true: exactly `motionsim compare --json`"},
                        400: {"description": "bad input, in the CLI's words"}, 413: {"description": "too large"}})
async def compare(
    settings: SettingsDep, store: StoreDep, worker: WorkerDep, leases: LeasesDep,
    a: Annotated[UploadFile | None, File(description="first motion: a video or keypoint file")] = None,
    b: Annotated[UploadFile | None, File(description="second motion")] = None,
    a_name: Annotated[str | None, Form(description="or A's path relative to the --data folder")] = None,
    b_name: Annotated[str | None, Form(description="or B's path relative to the --data folder")] = None,
    window: Annotated[str, Form()] = "32",
    stride: Annotated[str, Form()] = "8",
    flip: Annotated[bool, Form()] = False,
    threshold: Annotated[str, Form()] = "0.4",
    person: Annotated[str, Form(description="auto, largest, central, an index, or A,B")] = "auto",
    feedback: Annotated[bool, Form(description="render the feedback video and the report")] = True,
    everyone: Annotated[str, Form(description="'a' or 'b': score everyone in that input (--person all)")] = "",
    wait: Annotated[bool, Query(description="answer with the result when done")] = False,
):
    """Compare A with B (``motionsim compare A B --window --stride [--flip] --json``) in the background."""
    if len(person) > MAX_PERSON_CHARS or not person.isprintable():
        raise InputRejected(f"argument --person: expected auto, largest, central, an index or two choices such as "
                            f"1,0, got {len(person)} characters")
    person = _with_everyone(person.strip() or "auto", everyone)
    options = {"window": _option(window_length, window, "--window"),
               "stride": _option(stride_length, stride, "--stride"), "flip": flip,
               "threshold": _option(unit_float, threshold, "--threshold"),
               "person": person, "feedback": feedback}
    saved: list[dict[str, str]] = []
    job = None
    try:  # the stored uploads are held (leases) until the job row that refers to them exists
        for side, upload, name in (("a", a, a_name), ("b", b, b_name)):
            saved.append(await _input(side, upload, name, settings, leases))
        job = store.create(options, dict(zip("ab", saved)))
    finally:
        leases.release(saved)
        if job is None:
            remove_unused_uploads(store, saved, settings.upload_dir, leases)
    worker.submit(job["id"])
    if not wait:
        return JSONResponse(job_public(store.get(job["id"]) or job).model_dump(), status_code=202)
    pause, job_id = 0.005, job["id"]
    while (job := store.get(job_id)) is not None and job["status"] not in ("done", "failed"):
        await asyncio.sleep(pause)
        pause = min(0.1, pause * 1.5)
    if job is None:
        raise HTTPException(404, f"comparison {job_id!r} was deleted before it finished")
    if job["status"] == "failed":
        status = 500 if (job["error"] or "").startswith("internal error") else 400
        return JSONResponse({"detail": job["error"], "job": job["id"]}, status_code=status)
    return JSONResponse(job["result"])


@router.get("/jobs", response_model=JobsPublic)
def list_jobs(store: StoreDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 200) -> JobsPublic:
    """The history, newest first (scores only; ``GET /api/jobs/{id}`` has the whole result)."""
    jobs = [job_public(j, with_result=False) for j in store.list(limit)]
    return JobsPublic(data=jobs, count=len(jobs))


def _job(store, job_id: str) -> dict:
    job = store.get(job_id)
    if job is None:
        raise HTTPException(404, f"no comparison {job_id[:40]!r}")
    return job


@router.get("/jobs/{job_id}", response_model=JobPublic)
def get_job(job_id: str, store: StoreDep) -> JobPublic:
    """Status, progress (0..1, by stage) and, when done, the result."""
    return job_public(_job(store, job_id))


@router.delete("/jobs/{job_id}", status_code=204)
def delete_job(job_id: str, store: StoreDep, settings: SettingsDep, leases: LeasesDep) -> Response:
    """Forget a comparison: its row, its rendered files and the uploads no other comparison uses."""
    job = _job(store, job_id)
    if job["status"] == "running":
        raise HTTPException(409, "this comparison is running; delete it when it has finished")
    forget(job, store, settings, leases)
    return Response(status_code=204)


def _download(kind: str):
    def download(job_id: str, store: StoreDep) -> FileResponse:
        path = (_job(store, job_id)["files"] or {}).get(kind)
        if not path or not Path(path).is_file():
            raise HTTPException(404, f"comparison {job_id!r} has no {FILES[kind]}")
        disposition = "attachment" if kind == "json" else "inline"
        return FileResponse(path, media_type=MEDIA[kind], filename=f"motionsim-{job_id}-{FILES[kind]}",
                            content_disposition_type=disposition, headers=REPORT_CSP if kind == "report" else None)
    download.__doc__ = f"The comparison's {FILES[kind]}."
    return download


for _kind, _name in FILES.items():
    router.add_api_route(f"/jobs/{{job_id}}/{_name}", _download(_kind), methods=["GET"], name=f"download_{_kind}",
                         response_class=FileResponse)


@router.get("/data")
def data_files(settings: SettingsDep) -> dict:
    """Files in the --data folder that can be picked by name (paths relative to it)."""
    return {"enabled": settings.data_dir is not None, "files": list_data(settings.data_dir, skip=settings.state_dir)}
