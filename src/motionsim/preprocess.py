"""Turn a `PoseSequence` into the model's input: the five body-part channel blocks of docs/method.md §2.

Pipeline: COCO-17 -> internal 15 joints -> fill missing joints -> Gaussian smoothing (sigma 2 frames) ->
scale to a canonical height (from bone lengths, not posture) -> per-part coordinates relative to each part's
reference joint (+ mid-hip velocity on the torso) = 38 channels -> z-normalisation with the checkpoint's statistics.
Flips act on the raw 38 channels, before z-normalisation.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import PoseFormatError, SequenceTooShortError
from .pose import PoseSequence, joint_present
from .skeleton import (
    BODY_PARTS,
    INTERNAL15_FROM_COCO17,
    INTERNAL15_INDEX,
    N_CHANNELS,
    PART_JOINTS,
    PART_REFERENCE,
    PART_SLICES,
    PART_SWAP,
    TORSO_SWAP,
)

#: Joints below this confidence count as missing (pose estimators report low scores for guessed joints).
DEFAULT_MIN_SCORE = 0.1
#: Canonical height every sequence is scaled to (the unit of the model's inputs): an upright body's
#: nose-to-ankle height, estimated from its bone lengths (`sequence_heights`).
DEFAULT_TARGET_HEIGHT = 1.0
SMOOTH_SIGMA = 2.0

# When a joint is missing in *every* frame, borrow the position of the nearest joint up its chain.
_FALLBACK: dict[str, tuple[str, ...]] = {
    "nose": ("neck",),
    "r_elbow": ("r_shoulder",), "r_wrist": ("r_elbow", "r_shoulder"),
    "l_elbow": ("l_shoulder",), "l_wrist": ("l_elbow", "l_shoulder"),
    "r_knee": ("r_hip",), "r_ankle": ("r_knee", "r_hip"),
    "l_knee": ("l_hip",), "l_ankle": ("l_knee", "l_hip"),
    "r_shoulder": ("neck",), "l_shoulder": ("neck",), "neck": ("mid_hip",),
    "r_hip": ("mid_hip",), "l_hip": ("mid_hip",), "mid_hip": ("neck",),
}


#: Each internal joint is the mean of two COCO-17 joints (the same one twice for a single joint): ``(a + b) / 2``
#: is what ``mean`` of the pair gives, and for ``a == b`` it is ``a`` exactly, so one vectorised step serves all.
_FROM_A = np.array([src[0] for src in INTERNAL15_FROM_COCO17])
_FROM_B = np.array([src[-1] for src in INTERNAL15_FROM_COCO17])


def take_joints(points: np.ndarray, index: np.ndarray | Sequence[int]) -> np.ndarray:
    """``points[..., index, :]`` of points shape=(..., J, 2), the same bytes 4-5x faster: on a C-contiguous
    array each joint's (x, y) moves as one item (numpy's fancy indexing copies them 2 numbers at a time)."""
    if points.ndim < 2 or points.shape[-1] != 2 or not points.flags.c_contiguous:
        return points[..., index, :]
    pairs = points.view(np.dtype((np.void, 2 * points.itemsize)))[..., 0]  # (..., J): one (x, y) per item
    index = np.asarray(index)
    return np.take(pairs, index, axis=-1).view(points.dtype).reshape(*points.shape[:-2], len(index), 2)


def to_internal15(seq: PoseSequence, min_score: float = DEFAULT_MIN_SCORE) -> tuple[np.ndarray, np.ndarray]:
    """COCO-17 -> the paper's 15-joint layout.

    Returns
    -------
    points : float32 array, shape=(T, 15, 2)
    present : bool array, shape=(T, 15); a derived joint (neck, mid_hip) is present when both sources are.
    """
    present17 = joint_present(seq.keypoints, seq.scores, min_score)
    points = coco_to_internal(seq.keypoints).astype(np.float32)
    return points, present17[:, _FROM_A] & present17[:, _FROM_B]


def coco_to_internal(points: np.ndarray) -> np.ndarray:
    """(..., 17, 2) COCO-17 coordinates -> (..., 15, 2) internal layout (neck, mid_hip = means of two joints)."""
    points = np.asarray(points)
    return (take_joints(points, _FROM_A) + take_joints(points, _FROM_B)) / 2


def frame_heights(points: np.ndarray) -> np.ndarray:
    """Per-frame nose-to-ankle extent, ankle-mean y - nose y: (..., T, 15, 2) -> (..., T).

    The scale measure before bone lengths (posture-dependent); kept as a last-resort fallback and as the
    reference the bone fractions are calibrated against.
    """
    ankles = [INTERNAL15_INDEX["r_ankle"], INTERNAL15_INDEX["l_ankle"]]
    return points[..., ankles, 1].mean(axis=-1) - points[..., INTERNAL15_INDEX["nose"], 1]


def fill_missing(points: np.ndarray, present: np.ndarray, source: str = "sequence") -> np.ndarray:
    """Fill missing joints from the previous frame, then backwards from the next (docs/method.md §2).

    A joint missing in every frame takes the position of its nearest present joint up the chain
    (wrist -> elbow -> shoulder...), so a cropped or hidden limb reads as "not moving", not as garbage.
    """
    if present.all():
        return points.copy()
    out = points.copy()
    t, j = present.shape
    idx = np.where(present, np.arange(t)[:, None], -1)
    prev = np.maximum.accumulate(idx, axis=0)  # last present frame at or before t
    idx_next = np.where(present, np.arange(t)[:, None], t)
    nxt = np.minimum.accumulate(idx_next[::-1], axis=0)[::-1]  # first present frame at or after t
    src = np.where(prev >= 0, prev, nxt)  # (T, J); == t where the joint never appears
    never = ~present.any(axis=0)
    cols = np.arange(j)[None, :].repeat(t, axis=0)
    ok = src < t
    out[ok] = points[src[ok], cols[ok]]
    if never.all():
        raise PoseFormatError(f"{source}: no body joint is ever present")
    for name in (n for n in _FALLBACK if never[INTERNAL15_INDEX[n]]):
        target = INTERNAL15_INDEX[name]
        for fb in _FALLBACK[name]:
            if not never[INTERNAL15_INDEX[fb]]:
                out[:, target] = out[:, INTERNAL15_INDEX[fb]]
                never[target] = False
                break
    if never.any():  # nothing up the chain either: sit at the centroid of the joints we have
        out[:, never] = out[:, ~never].mean(axis=1, keepdims=True)
    return out


#: Bones whose 2-D length sets the scale, with their typical fraction of the nose-to-ankle height of an upright
#: body. Left and right count as one bone (the longer); so do the two widths, which vanish together in a side
#: view. Fractions: median of (90th-percentile 2-D length / old nose-to-ankle height) over orthographic
#: renderings of the synthetic library in upright poses (tools/calibrate_scale.py, docs/scaling.md), so upright
#: people keep their old scale.
SCALE_BONES: tuple[tuple[tuple[tuple[str, str], float], ...], ...] = (
    ((("r_shoulder", "l_shoulder"), 0.1783), (("r_hip", "l_hip"), 0.0901)),
    ((("r_shoulder", "r_elbow"), 0.2187), (("l_shoulder", "l_elbow"), 0.2187)),
    ((("r_elbow", "r_wrist"), 0.1705), (("l_elbow", "l_wrist"), 0.1705)),
    ((("r_hip", "r_knee"), 0.2870), (("l_hip", "l_knee"), 0.2870)),
    ((("r_knee", "r_ankle"), 0.2885), (("l_knee", "l_ankle"), 0.2885)),
    ((("neck", "mid_hip"), 0.3508),),
)
_BONES = [(bone, fraction) for group in SCALE_BONES for bone, fraction in group]
_BONE_A = np.array([INTERNAL15_INDEX[a] for (a, _), _ in _BONES])
_BONE_B = np.array([INTERNAL15_INDEX[b] for (_, b), _ in _BONES])
_BONE_FRACTION = np.array([fraction for _, fraction in _BONES])
_GROUP_BONES = [list(range(k - len(g), k)) for k, g in zip(np.cumsum([len(g) for g in SCALE_BONES]), SCALE_BONES)]
#: Percentile over frames of each bone's 2-D length: projection only shortens a bone, so a high percentile
#: approaches its true length while ignoring the odd overlong detection.
BONE_PERCENTILE = 90.0


def _xy_length(v: np.ndarray, axis: int) -> np.ndarray:
    """``np.linalg.norm(v, axis=axis)`` for an axis of 2 coordinates, bit for bit (the same products, added in the
    same order), without numpy's slow reduction over a tiny axis (16x faster for 5,040 frames)."""
    x, y = np.moveaxis(v, axis, 0)
    return np.sqrt(x * x + y * y)


def sequence_heights(points: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """Posture-independent body height from 2-D bone lengths: (..., T, 15, 2) -> (...), NaN where unknown.

    Each bone group gives a height estimate (high-percentile length / its fraction of the height); the result is
    their upper median: projection only shortens bones, so up to half of the groups may be foreshortened by the
    view (arms and shoulders seen from the side) without lowering it. A nose-to-ankle extent instead would make
    a crawling or lying body 5-7x too large. ``present`` (..., T, 15) limits each bone to frames where both of
    its ends were detected (filled-in joints do not count).
    """
    lengths = _xy_length(take_joints(points, _BONE_A) - take_joints(points, _BONE_B), axis=-1)  # (..., T, bones)
    if present is not None:
        lengths = np.where(present[..., _BONE_A] & present[..., _BONE_B], lengths, np.nan)
    per_bone = _percentile_over_frames(lengths, BONE_PERCENTILE) / _BONE_FRACTION  # (..., n_bones)
    per_bone = np.where(per_bone > 0, per_bone, np.nan)  # zero-length bones carry no scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN group: none of its bones was seen
        estimates = np.stack([np.nanmax(per_bone[..., list(g)], axis=-1) for g in _GROUP_BONES], axis=0)
    stacked = np.sort(estimates, axis=0)  # NaN last
    n_valid = np.isfinite(stacked).sum(axis=0)
    upper_median = np.take_along_axis(stacked, (n_valid // 2)[None], axis=0)[0]
    return np.where(n_valid > 0, upper_median, np.nan)


def _percentile_over_frames(values: np.ndarray, q: float) -> np.ndarray:
    """``np.nanpercentile(values, q, axis=-2)`` (linear interpolation), vectorised: numpy's own loops over
    the columns when NaNs are present, which made this the slowest step of preprocessing."""
    if values.shape[-2] and np.isfinite(values).all():  # every column holds every frame: two order statistics
        return _percentile_all_finite(values, q)
    ordered = np.sort(values, axis=-2)  # NaN last
    n = np.isfinite(ordered).sum(axis=-2, keepdims=True)
    pos = np.maximum(n - 1, 0) * (q / 100.0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    frac = pos - lo
    low, high = np.take_along_axis(ordered, lo, axis=-2), np.take_along_axis(ordered, hi, axis=-2)
    out = (low + (high - low) * frac)[..., 0, :]
    return np.where(n[..., 0, :] > 0, out, np.nan)


def _percentile_all_finite(values: np.ndarray, q: float) -> np.ndarray:
    """`_percentile_over_frames` of values without NaN, bit for bit: the two order statistics it interpolates
    between found by partitioning instead of sorting every column (4x less work for 5,040 frames)."""
    n = values.shape[-2]
    pos = (n - 1) * (q / 100.0)
    lo = int(np.floor(pos))
    hi = min(lo + 1, n - 1)
    part = np.partition(values, sorted({lo, hi}), axis=-2)
    low, high = part[..., lo, :], part[..., hi, :]
    frac = np.full(low.shape, pos - lo, dtype=np.float64)  # an array, so the sum is float64 as in the general path
    return low + (high - low) * frac


def sequence_height(points: np.ndarray, present: np.ndarray | None = None) -> float:
    """Body height of one sequence (T, 15, 2) in input units; see `sequence_heights`.

    Falls back to the 90th percentile of the nose-to-ankle extent only when no bone was ever seen.
    """
    height = float(sequence_heights(points, present))
    if np.isfinite(height) and height > 1e-6:
        return height
    per_frame = frame_heights(points)
    per_frame = per_frame[per_frame > 0]
    return float(np.percentile(per_frame, 90)) if per_frame.size else 0.0


def smooth_over_time(points: np.ndarray, sigma: float = SMOOTH_SIGMA, axis: int = 0, truncate: float = 4.0,
                     ) -> np.ndarray:
    """Gaussian smoothing along ``axis`` (time), edges extended with the first and last frame.

    The same numbers as ``scipy.ndimage.gaussian_filter1d(points, sigma, axis, mode="nearest")`` to the last
    bit (its weights, its float64 sums in its order: the centre, then pairs from the outermost in; a test pins
    it), without importing scipy.ndimage, which alone took a quarter of a second of every command's start-up.
    Training (`motionsim.train.batches`) keeps scipy's: on its large batches the C loop is 4x faster.
    """
    radius = int(truncate * float(sigma) + 0.5)
    x = np.arange(-radius, radius + 1)
    weights = np.exp(-0.5 / (float(sigma) * float(sigma)) * x ** 2)
    weights /= weights.sum()
    moved = np.moveaxis(np.asarray(points), axis, 0)
    n = len(moved)
    padded = np.pad(moved.astype(np.float64), [(radius, radius)] + [(0, 0)] * (moved.ndim - 1), mode="edge")
    out = padded[radius:radius + n] * weights[radius]
    for d in range(radius, 0, -1):
        out += (padded[radius - d:radius - d + n] + padded[radius + d:radius + d + n]) * weights[radius + d]
    return np.moveaxis(out.astype(moved.dtype, copy=False), 0, axis)


def prepare_points(
    seq: PoseSequence,
    target_height: float = DEFAULT_TARGET_HEIGHT,
    min_score: float = DEFAULT_MIN_SCORE,
    smooth: bool = True,
) -> np.ndarray:
    """Internal-15 joints, gaps filled, smoothed and scaled to ``target_height``; shape=(T, 15, 2)."""
    points, present = to_internal15(seq, min_score)
    points = fill_missing(points, present, seq.source)
    if smooth and len(points) > 1:
        points = smooth_over_time(points, SMOOTH_SIGMA)
    height = sequence_height(points, present)
    if not np.isfinite(height) or height <= 1e-6:
        raise PoseFormatError(f"{seq.source}: the body has no extent (all joints at one point), cannot scale it")
    return (points * (target_height / height)).astype(np.float32)


def pad_frames(points: np.ndarray, n_frames: int) -> np.ndarray:
    """Hold the last pose until the sequence has ``n_frames`` frames (used for sequences shorter than w)."""
    if len(points) >= n_frames:
        return points
    pad = np.repeat(points[-1:], n_frames - len(points), axis=0)
    return np.concatenate([points, pad], axis=0)


def part_channels(points: np.ndarray) -> np.ndarray:
    """The 38 raw channels: each part relative to its reference joint, joint-major (x, y).

    ``points`` has shape (..., T, 15, 2); the result has shape (..., 38, T). The torso block ends with the
    mid-hip velocity (0 in the first frame), the only absolute motion the model sees, so translation of the
    whole body does not change the channels.
    """
    rel = take_joints(points, _CHANNEL_JOINTS) - take_joints(points, _CHANNEL_REFERENCES)  # (..., T, 18, 2)
    centre = points[..., PART_REFERENCE["torso"], :]
    velocity = np.zeros_like(centre)
    velocity[..., 1:, :] = centre[..., 1:, :] - centre[..., :-1, :]
    channels = np.concatenate([rel.reshape(*rel.shape[:-2], -1), velocity], axis=-1)  # the torso's block is last
    return np.swapaxes(channels, -1, -2).astype(np.float32, copy=False)


#: Each part's joints in `BODY_PARTS` order (the channels' order) and the reference joint each is taken from.
_CHANNEL_JOINTS = np.array([j for part in BODY_PARTS for j in PART_JOINTS[part]])
_CHANNEL_REFERENCES = np.array([PART_REFERENCE[part] for part in BODY_PARTS for _ in PART_JOINTS[part]])
assert BODY_PARTS[-1] == "torso"  # its mid-hip velocity closes the channels


def part_movement(channels: np.ndarray) -> np.ndarray:
    """How much each body part moves in raw channels (38, T): the mean distance of its joints from their mean
    position (relative to the part's reference joint, so travel does not count), shape=(5,) in `BODY_PARTS`
    order. The overall score weights the parts by it (`similarity.part_weights`)."""
    out = np.zeros(len(BODY_PARTS))
    for k, part in enumerate(BODY_PARTS):
        block = channels[PART_SLICES[part]][: 2 * len(PART_JOINTS[part])]  # the torso's velocity is left out
        joints = block.reshape(-1, 2, block.shape[-1]).astype(np.float64)  # (joints, xy, T)
        out[k] = _xy_length(joints - joints.mean(axis=-1, keepdims=True), axis=1).mean()
    return out


def mirror(channels: np.ndarray, parts: str = "body") -> np.ndarray:
    """Mirror raw part channels, shape=(..., 38, T). ``parts``: "body" (whole-body mirror image),
    "arms" or "legs" (swap and mirror only that pair of limbs). Applying the same flip twice is the identity.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(38, 5)).astype(np.float32)
    >>> bool(np.array_equal(mirror(mirror(x)), x))
    True
    """
    if parts not in ("body", "arms", "legs"):
        raise ValueError(f"parts must be 'body', 'arms' or 'legs', got {parts!r}")
    swapped = {"body": BODY_PARTS, "arms": ("right_arm", "left_arm"), "legs": ("right_leg", "left_leg")}[parts]
    out = channels.copy()
    for part in swapped:
        src = channels[..., PART_SLICES[PART_SWAP[part]], :]
        if part == "torso":  # swap left/right joints inside the torso (velocity stays last)
            joints = src.reshape(*src.shape[:-2], 7, 2, src.shape[-1])
            order = list(TORSO_SWAP) + [6]
            src = joints[..., order, :, :].reshape(src.shape)
        src = src.copy()
        src[..., 0::2, :] *= -1  # x channels are the even ones in every block
        out[..., PART_SLICES[part], :] = src
    return out


@dataclass(frozen=True)
class NormStats:
    """Per-channel mean and std of the training data (part of a checkpoint)."""

    mean: np.ndarray  # (38,)
    std: np.ndarray  # (38,)

    @staticmethod
    def identity() -> NormStats:
        return NormStats(np.zeros(N_CHANNELS, np.float32), np.ones(N_CHANNELS, np.float32))

    @staticmethod
    def from_channels(channels: np.ndarray, floor: float = 1e-4) -> NormStats:
        """Statistics over a stack of raw channels, shape=(N, 38, T); the std has a floor."""
        flat = np.moveaxis(channels, -2, 0).reshape(N_CHANNELS, -1)
        return NormStats(flat.mean(axis=1).astype(np.float32), np.maximum(flat.std(axis=1), floor).astype(np.float32))

    def normalize(self, channels: np.ndarray) -> np.ndarray:
        return ((channels - self.mean[:, None]) / self.std[:, None]).astype(np.float32)

    def denormalize(self, inputs: np.ndarray) -> np.ndarray:
        """The raw channels of a normalised model input (the inverse of `normalize`)."""
        return (inputs * self.std[:, None] + self.mean[:, None]).astype(np.float32)


def preprocess(
    seq: PoseSequence,
    stats: NormStats,
    target_height: float = DEFAULT_TARGET_HEIGHT,
    min_frames: int = 1,
    pad_short: bool = False,
    flip: str | None = None,
) -> np.ndarray:
    """PoseSequence -> normalised model input, shape=(38, T') with T' = max(T, min_frames) if padding.

    Raises `SequenceTooShortError` when T < ``min_frames`` and ``pad_short`` is False.
    """
    return preprocess_variants(seq, stats, target_height, min_frames, pad_short, (flip,))[0]


def preprocess_variants(
    seq: PoseSequence,
    stats: NormStats,
    target_height: float = DEFAULT_TARGET_HEIGHT,
    min_frames: int = 1,
    pad_short: bool = False,
    flips: Sequence[str | None] = (None,),
) -> list[np.ndarray]:
    """`preprocess` once per entry of ``flips`` (None: as filmed; "body", "arms", "legs": mirrored), sharing
    everything before the mirroring (the body flip of the NTU protocol needs both)."""
    seq.validate()
    points = prepare_points(seq, target_height)
    if len(points) < min_frames:
        if not pad_short:
            raise SequenceTooShortError(
                f"{seq.source}: has {len(points)} frames, shorter than the window ({min_frames}); "
                "use a smaller --window or --pad-short"
            )
        points = pad_frames(points, min_frames)
    channels = part_channels(points)
    return [stats.normalize(mirror(channels, flip) if flip else channels) for flip in flips]
