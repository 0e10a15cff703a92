"""The model that ships in the package: it loads, it is trained, and it tells different motions apart."""

import numpy as np
import pytest

import motionsim
from motionsim.model.checkpoint import default_model_path, load_model, untrained_checkpoint
from motionsim.synth.camera import View
from motionsim.synth.sampler import render


@pytest.fixture(scope="module")
def shipped():
    path = default_model_path()
    assert path is not None, "the package must ship models/bpe_default.safetensors"
    return load_model(path)


def test_shipped_model_is_small_and_documents_its_training(shipped):
    assert default_model_path().stat().st_size < 5 * 1024 * 1024
    record = shipped.training
    assert record["trained"] is True and record["data"] == "synth"
    runs = [m["training"] for m in record["members"]] if "members" in record else [record]  # a weight average
    for run in runs:
        assert run["data"] == "synth"
        for key in ("step", "val_loss", "seconds", "config"):
            assert key in run


def test_compare_uses_the_shipped_model_by_default():
    """On onnxruntime unless PyTorch is asked for; the same model either way."""
    walk = render("walk", None, "nora", View(yaw=0.3))
    assert motionsim.compare(walk, walk, stride=8).model == "bpe_default.onnx"
    assert motionsim.compare(walk, walk, stride=8, backend="torch").model == "bpe_default.safetensors"


def test_separates_clearly_different_motions(shipped):
    """Same squat on two held-out bodies and cameras vs a squat and a wave: the pair of squats must score
    clearly higher, overall and on the legs."""
    squat_a = render("squat", None, "nora", View(yaw=0.4))
    squat_b = render("squat", None, "omar", View(yaw=-0.8, pitch=0.15))
    wave = render("wave_right", None, "omar", View(yaw=-0.8, pitch=0.15))
    same = motionsim.compare(squat_a, squat_b, model=shipped, stride=4)
    other = motionsim.compare(squat_a, wave, model=shipped, stride=4)
    assert same.similarity > other.similarity + 0.2
    assert same.body_parts["right_leg"] > other.body_parts["right_leg"]


def test_trained_beats_random_weights_on_retrieval(shipped):
    """Rank 4 held-out motions seen on another body and camera: the trained model gets every one right
    and gives the true match a wider margin than the same network with random weights."""
    names = ["squat", "wave_right", "front_kick", "jumping_jack"]
    queries = [render(n, None, "nora", View(yaw=0.3)) for n in names]
    gallery = [render(n, None, "petra", View(yaw=-1.0, pitch=-0.15)) for n in names]
    rand = untrained_checkpoint(seed=0)
    rand.stats, rand.target_height = shipped.stats, shipped.target_height

    def scores(ckpt):
        return np.array([[motionsim.compare(q, g, model=ckpt, stride=4, timeline=False).similarity
                          for g in gallery] for q in queries])

    trained, random_w = scores(shipped), scores(rand)
    assert (trained.argmax(axis=1) == np.arange(len(names))).all()

    def margin(s):
        return float(np.mean(np.diag(s) - np.where(np.eye(len(s), dtype=bool), -np.inf, s).max(axis=1)))

    assert margin(trained) > margin(random_w)


def test_names_the_changed_part_across_bodies_and_cameras():
    """One characteristic variable that moves one body part, the second clip worn by another held-out body
    and seen from another camera (the small synthetic benchmark's trials): the shipped model gives the
    changed part the lowest score more often than joint distance, and far above chance (0.2)."""
    from motionsim.evaluate.synth_methods import build_synth_methods
    from motionsim.evaluate.synth_tasks import SIZES, build_tasks, render_all
    from motionsim.evaluate.synthetic import method_part_scores

    tasks = build_tasks(SIZES["small"])
    trials = [t for t in tasks.part_trials if not t[5]]  # other body and camera
    used = sorted({i for a, b, *_ in trials for i in (a, b)})
    seqs = render_all([tasks.renderings[i] for i in used])
    accuracy = {}
    for method in build_synth_methods(["bpe", "joint_distance"]):
        feats = dict(zip(used, method.prepare(seqs)))
        score = method_part_scores(method)
        hits = []
        for a, b, part, *_ in trials:
            parts = score(feats[a], feats[b])
            hits.append(min(parts, key=parts.get) == part)
        accuracy[method.name] = np.mean(hits)
    assert len(trials) >= 10
    assert accuracy["bpe"] >= 0.5 and accuracy["bpe"] > accuracy["joint_distance"]
