"""The training objective (docs/method.md §4): per-part motion quadruplet losses with the variation term, skeleton and
view triplets, cross reconstruction of the 3 motions x 2 bodies x 2 views and the foot velocity loss; one
batch in, a dict of weighted losses out. Also the validation pass that measures them on held-out data.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..model.bpe import BPEModel
from ..preprocess import NormStats
from ..skeleton import BODY_PARTS, PART_SLICES
from . import losses
from .batches import BatchSource, normalise, renderings_to_channels
from .config import TrainConfig
from .targets import PartTargets, part_targets

# A batch holds renderings X[i, j, k]: i the motion (0 m, 1 m'' its variation, 2 m' another motion), j the
# skeleton (body), k the camera (view); "other setup" = the other body seen from the other camera.
MOTION_RENDERINGS = {"motion": (0, 0, 0), "motion_other_setup": (0, 1, 1), "variation": (1, 0, 0),
                     "variation_other_setup": (1, 1, 1), "other_motion": (2, 1, 1)}
# (anchor, positive, semi-positive) triples, each against other_motion, as in the authors' code
QUADRUPLETS = (("motion_other_setup", "motion", "variation_other_setup"),
               ("variation_other_setup", "variation", "motion_other_setup"),
               ("variation", "variation_other_setup", "motion"),
               ("motion", "motion_other_setup", "variation"))
# cross reconstruction: motion i's code from rendering MOTION_SOURCES[i], skeleton j's from SKELETON_SOURCES[j],
# view k's from VIEW_SOURCES[k]
MOTION_SOURCES = ((0, 0, 0), (1, 0, 0), (2, 1, 1))
SKELETON_SOURCES = ((0, 0, 0), (2, 1, 1))
VIEW_SOURCES = ((0, 0, 0), (2, 1, 1))


def batch_losses(model: BPEModel, x: torch.Tensor, variation: torch.Tensor, cfg: TrainConfig,
                 stats: tuple[torch.Tensor, torch.Tensor], parts: PartTargets | None = None) -> dict[str, torch.Tensor]:
    """All losses of one batch; ``x`` has shape (B, 3, 2, 2, 38, T), normalised; ``parts``: per-part
    targets (None: the paper's whole-body ones)."""
    b = x.shape[0]

    def pick(keys: list[tuple[int, int, int]]) -> torch.Tensor:
        return torch.cat([x[:, i, j, k] for i, j, k in keys])

    out: dict[str, torch.Tensor] = {}
    # ---- motion embeddings of the five renderings the quadruplets use
    motion_input = pick(list(MOTION_RENDERINGS.values()))
    sim_loss, norm_total, nce, shared = 0.0, 0.0, 0.0, 0.0
    motion_codes: dict[str, torch.Tensor] = {}
    for p, part in enumerate(BODY_PARTS):
        codes = model.encode_motion(motion_input, part)  # (5B, C, T/8)
        motion_codes[part] = codes
        flat = dict(zip(MOTION_RENDERINGS, codes.flatten(1).split(b)))
        var = variation if parts is None else parts.variation[:, p]
        weight = None if parts is None else parts.negative_weight[:, p]
        for anchor, pos, semi in QUADRUPLETS:
            sim_loss = sim_loss + losses.motion_quadruplet_loss(
                flat[anchor], flat[pos], flat[semi], flat["other_motion"], var, cfg.motion_margin, cfg.variation_alpha,
                cfg.variation_beta, use_variation=not cfg.no_variation_loss, negative_weight=weight) / len(QUADRUPLETS)
        if weight is not None and cfg.shared_part_weight > 0:
            shared = shared + losses.shared_part_loss(flat["motion"], flat["other_motion"], 1.0 - weight)
            if parts.ignore is not None:  # every other pair of items that moves this part the same way
                shared = shared + losses.shared_pairs_loss(flat["motion"], flat["motion_other_setup"],
                                                           parts.ignore[..., p])
        norm_total = norm_total + losses.norm_loss(codes.flatten(1))
        if cfg.contrastive_weight > 0:
            ignore = None if parts is None or parts.ignore is None else parts.ignore[..., p]
            nce = nce + losses.info_nce(flat["motion"], flat["motion_other_setup"], cfg.contrastive_temperature, ignore)
    n_parts = len(BODY_PARTS)
    out["similarity"] = cfg.similarity_weight * sim_loss / n_parts
    out["norm"] = cfg.norm_weight * norm_total / n_parts
    if parts is not None and cfg.shared_part_weight > 0:
        out["shared_part"] = cfg.shared_part_weight * shared / n_parts
    if cfg.contrastive_weight > 0:
        out["contrastive"] = cfg.contrastive_weight * nce / n_parts
    # ---- skeleton and view triplets (bodies and views must separate, so they carry no motion): each body
    # (view) seen twice, the second time in another motion and view (body), must beat the other body (view)
    body_renderings = [(0, 0, 0), (2, 0, 1), (0, 1, 0), (2, 1, 1)]  # body 0, body 0 again, body 1, body 1 again
    body_input = pick(body_renderings)
    body_codes = {p: model.encode_skeleton(body_input, p).flatten(1).split(b) for p in BODY_PARTS}
    static = 0.0
    for p in BODY_PARTS:
        body0, body0_again, body1, body1_again = body_codes[p]
        static = static + F.triplet_margin_loss(body0, body0_again, body1, margin=cfg.static_margin)
        static = static + F.triplet_margin_loss(body1_again, body1, body0_again, margin=cfg.static_margin)
    view_renderings = [(0, 0, 0), (2, 1, 0), (0, 0, 1), (2, 1, 1)]  # view 0, view 0 again, view 1, view 1 again
    view0, view0_again, view1, view1_again = model.encode_view(pick(view_renderings)).flatten(1).split(b)
    static = static / n_parts + F.triplet_margin_loss(view0, view0_again, view1, margin=cfg.static_margin)
    static = static + F.triplet_margin_loss(view1_again, view1, view0_again, margin=cfg.static_margin)
    out["static"] = cfg.static_weight * static
    # ---- cross reconstruction of all 12 renderings (eq. 5) and foot velocity
    if not cfg.no_reconstruction:
        combos = [(i, j, k) for i in range(3) for j in range(2) for k in range(2)]
        target = pick(combos)  # (12B, 38, T)
        views = model.encode_view(pick(list(VIEW_SOURCES))).split(b)
        rec, recon = 0.0, {}
        position = {key: n for n, key in enumerate(MOTION_RENDERINGS.values())}
        skeleton_input = pick(list(SKELETON_SOURCES))
        for part in BODY_PARTS:
            encoded = motion_codes[part].split(b)
            # motion codes of MOTION_SOURCES come from the quadruplet forward pass where available
            motion_of = [encoded[position[key]] if key in position
                         else model.encode_motion(x[:, key[0], key[1], key[2]], part) for key in MOTION_SOURCES]
            skeleton_of = model.encode_skeleton(skeleton_input, part).split(b)
            motion = torch.cat([motion_of[i] for i, _, _ in combos])
            skeleton = torch.cat([skeleton_of[j] for _, j, _ in combos])
            view = torch.cat([views[k] for _, _, k in combos])
            recon[part] = model.decode(motion, skeleton, view, part)
            rec = rec + F.mse_loss(recon[part], target[:, PART_SLICES[part]])
        out["reconstruction"] = cfg.reconstruction_weight * rec / n_parts
        if cfg.foot_weight > 0:
            mean, std = stats

            def raw(t: torch.Tensor, part: str) -> torch.Tensor:
                sl = PART_SLICES[part]
                return t * std[sl, None] + mean[sl, None]

            out["foot"] = cfg.foot_weight * losses.foot_loss(
                (raw(recon["right_leg"], "right_leg"), raw(recon["left_leg"], "left_leg")),
                (raw(target[:, PART_SLICES["right_leg"]], "right_leg"), raw(target[:, PART_SLICES["left_leg"]],
                                                                               "left_leg")),
                raw(recon["torso"], "torso"), raw(target[:, PART_SLICES["torso"]], "torso"))
    out["total"] = sum(out.values())
    return out


def make_batch(source: BatchSource, cfg: TrainConfig, stats: NormStats, rng: np.random.Generator,
               augment: bool = True) -> tuple[torch.Tensor, torch.Tensor, PartTargets | None]:
    """One batch as model input (B, 3, 2, 2, 38, T), var(m, m'') (B,) and the per-part targets."""
    batch = source.sample_batch(cfg.batch_size, rng)
    channels = renderings_to_channels(batch.renderings, cfg if augment else None, rng if augment else None)
    variation = torch.as_tensor(batch.variation, dtype=torch.float32)
    return torch.from_numpy(normalise(channels, stats)), variation, part_targets(variation, batch, cfg)


@torch.no_grad()
def validate(model: BPEModel, val: BatchSource, cfg: TrainConfig, stats: NormStats,
             stats_t: tuple[torch.Tensor, torch.Tensor], rng: np.random.Generator) -> dict[str, float]:
    """Mean losses on held-out characters and motions, plus the motion triplet accuracy: how often the same
    motion on another body and view is closer than another motion (per part)."""
    model.eval()
    totals: dict[str, float] = {}
    correct = 0.0
    for _ in range(cfg.val_batches):
        x, var, parts = make_batch(val, cfg, stats, rng, augment=True)
        for k, v in batch_losses(model, x, var, cfg, stats_t, parts).items():
            totals[f"val_{k}"] = totals.get(f"val_{k}", 0.0) + float(v) / cfg.val_batches
        for part in BODY_PARTS:
            z = {k: model.encode_motion(x[:, i, j, kk], part).flatten(1) for k, (i, j, kk) in MOTION_RENDERINGS.items()}
            same = losses.cosine_distance(z["motion"], z["motion_other_setup"])
            ok = same < losses.cosine_distance(z["motion"], z["other_motion"])
            correct += float(ok.float().mean()) / (cfg.val_batches * len(BODY_PARTS))
    totals["val_triplet_acc"] = correct
    return totals
