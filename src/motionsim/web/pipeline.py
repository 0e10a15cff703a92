"""One comparison job, as ``motionsim compare A B --json --video --report`` does it, with the same library
calls (`motionsim.io.load_poses`, `motionsim.compare`, `motionsim.render.feedback.write_feedback`) plus the
page's timeline; everyone in one input (``--person auto,all``) as ``compare_people`` and the group's feedback;
and the words of a failure, as the command line prints them. A live take's job (`live_save`) arrives already
scored: its result is kept and only its files are made (drawn on its kept camera video, if any)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputTooLargeError, describe

log = logging.getLogger("motionsim.web")

#: ``stage(name, fraction=0.0)``: called as each stage starts and as pose estimation advances.
StageCallback = Callable[..., None]
#: ``scored(result, files)``: called once the scores exist and are written (json, timeline), before the feedback
#: video and report are drawn, so the page can show the scores while it waits for the video.
ScoredCallback = Callable[[dict[str, Any], dict[str, str]], None]


def compute(job: dict[str, Any], out_dir: Path, stage: StageCallback,
            max_bytes: int | None = None, scored: ScoredCallback | None = None,
            ) -> tuple[dict[str, Any], dict[str, str]]:
    """(the result, exactly ``compare --json``; the paths of what was written: json, timeline, video, report).
    ``max_bytes``: the reading limit of keypoint files (`motionsim.io.load_pose`); ``scored``: told the result
    and the files written so far before the feedback is drawn."""
    from ..io import is_video, load_poses
    from ..person_spec import ALL, person_choices
    from ..render.backgrounds import FrameStore
    from ..render.feedback import source_video, write_feedback
    from ..similarity import compare
    from .timeline import page_timeline

    opts, inputs = job["options"], job["inputs"]
    paths = [inputs[k]["path"] for k in ("a", "b")]
    feedback = opts.get("feedback", True)
    stores = [FrameStore() if feedback and is_video(p) else None for p in paths]
    done = [0.0, 0.0]  # the two inputs are read side by side: progress is the mean of both
    stage("poses")

    def progress(side: int) -> Callable[[int, int | None], None]:
        def frames_done(count: int, total: int | None) -> None:
            if total:
                done[side] = min(count / total, 1.0)
                stage("poses", sum(done) / 2)
        return frames_done

    persons = person_choices(opts.get("person", "auto"), 2)
    seq_a, seq_b = load_poses(paths, persons, on_frames=[progress(0), progress(1)], keep_frames=stores,
                              max_bytes=max_bytes)
    stage("scoring")
    if ALL in persons:
        return _everyone(job, out_dir, stage, persons, [seq_a, seq_b], stores, scored)
    data = job.get("result") or compare(seq_a, seq_b, window=opts["window"], stride=opts["stride"],
                                        flip=opts["flip"]).to_dict()
    camera = inputs.get("camera", {}).get("path")  # a live take's kept camera video
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"json": str(out_dir / "result.json"), "timeline": str(out_dir / "timeline.json")}
    Path(files["json"]).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    fps = seq_a.fps or (data.get("fps") or {}).get("a")  # the feedback video's rate (render.video.output_fps)
    Path(files["timeline"]).write_text(json.dumps(page_timeline(data, opts["threshold"], fps)), encoding="utf-8")
    if scored is not None:
        scored(data, dict(files))
    if feedback:
        files.update(write_feedback(data, seq_a, seq_b, video=out_dir / "feedback.mp4", report=out_dir / "report.html",
                                    video_a=source_video(seq_a, paths[0]) or camera,
                                    video_b=source_video(seq_b, paths[1]),
                                    name_a=inputs["a"]["name"], name_b=inputs["b"]["name"],
                                    threshold=opts["threshold"], progress=False, on_stage=stage,
                                    frames_a=stores[0], frames_b=stores[1]))
    return data, files


def _everyone(job: dict[str, Any], out_dir: Path, stage: StageCallback, persons: list[str], seqs: list[Any],
              stores: list[Any], scored: ScoredCallback | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The job of ``compare A B --person auto,all --json --video --report``: ``{"people": [...]}``, the group's
    feedback video and report (no page timeline: each person has their own, in the report)."""
    from ..io import is_video
    from ..people_scores import compare_people
    from ..render.group import write_people_feedback

    opts, inputs = job["options"], job["inputs"]
    k = persons.index("all")
    data = compare_people(seqs[0], seqs[1], window=opts["window"], stride=opts["stride"], flip=opts["flip"]).to_dict()
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"json": str(out_dir / "result.json")}
    Path(files["json"]).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if scored is not None:
        scored(data, dict(files))
    if opts.get("feedback", True):
        paths = [inputs[s]["path"] for s in ("a", "b")]
        files.update(write_people_feedback(
            data, seqs[k], seqs[1 - k], side="ab"[k], video=out_dir / "feedback.mp4", report=out_dir / "report.html",
            group_video=paths[k] if is_video(paths[k]) else None,
            reference_video=paths[1 - k] if is_video(paths[1 - k]) else None,
            group_name=inputs["ab"[k]]["name"], reference_name=inputs["ab"[1 - k]]["name"],
            threshold=opts["threshold"], progress=False, on_stage=stage, group_frames=stores[k],
            reference_frames=stores[1 - k]))
    return data, files


def user_message(exc: Exception, job: dict[str, Any]) -> str:
    """What `motionsim compare` prints after ``motionsim: error:`` (`motionsim.errors.describe`), with the stored
    file names replaced by the names the user gave."""
    failure = describe(exc)
    if failure.internal:
        log.error("internal error", exc_info=exc)
    text = f"internal error: {failure.message}" if failure.internal else failure.message
    if isinstance(exc, InputTooLargeError):
        text += " (motionsim serve --max-input-mb raises it)"
    for item in job["inputs"].values():
        text = text.replace(item["path"], item["name"])
    return text
