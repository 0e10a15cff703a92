"""The API's output schemas (input comes as multipart form fields): a job as the page and scripts see it —
no server paths, only names, hashes and links."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .stages import STAGES

FILES = {"json": "result.json", "video": "feedback.mp4", "report": "report.html", "timeline": "timeline.json"}


class InputPublic(BaseModel):
    name: str
    sha256: str
    kind: str  # upload | data | live (a live take's poses or kept camera video)


class JobPublic(BaseModel):
    id: str
    created: float
    status: str  # queued | running | done | failed
    stage: str
    stage_label: str
    progress: float
    error: str | None = None
    options: dict[str, Any]
    inputs: dict[str, InputPublic]
    summary: dict[str, Any] | None = None  # similarity, body_parts, flipped (everyone: the best person's)
    result: dict[str, Any] | None = None  # exactly `motionsim compare --json` (single-job view only)
    links: dict[str, str] = {}


class JobsPublic(BaseModel):
    data: list[JobPublic]
    count: int


def summary_of(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """similarity, body_parts, flipped; of everyone (``{"people": [...]}``): the best person's, with
    ``people`` (how many) and ``person`` (the best one's id)."""
    if not result:
        return None
    if "people" in result:
        scored = [p for p in result["people"] if "similarity" in p]
        best = max(scored, key=lambda p: p["similarity"]) if scored else {}
        return {"similarity": best.get("similarity"), "body_parts": best.get("body_parts"),
                "flipped": best.get("flipped"), "people": len(result["people"]), "person": best.get("person")}
    return {k: result[k] for k in ("similarity", "body_parts", "flipped")}


def job_public(job: dict[str, Any], with_result: bool = True) -> JobPublic:
    result = job.get("result")
    summary = summary_of(result)
    links = {kind: f"/api/jobs/{job['id']}/{name}" for kind, name in FILES.items() if kind in (job["files"] or {})}
    return JobPublic(
        id=job["id"], created=job["created"], status=job["status"], stage=job["stage"],
        stage_label=STAGES.get(job["stage"], (0, job["stage"]))[1], progress=job["progress"], error=job["error"],
        options=job["options"], inputs={k: InputPublic(**{f: v[f] for f in ("name", "sha256", "kind")})
                                        for k, v in job["inputs"].items()},
        summary=summary, result=result if with_result else None, links=links)
