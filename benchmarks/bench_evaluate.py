"""How long `motionsim evaluate ntu` takes at the AMT set's scale: ~1,600 clips of 60-120 frames and 20,093
pairs (toy NTU-format data from `motionsim.evaluate.toy`). Untrained networks stand in for trained ones:
the cost does not depend on the weights.

    .venv/bin/python benchmarks/bench_evaluate.py [--clips-per-action 229] [--pairs 20093] [--frame-step 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from motionsim.evaluate import MethodOptions, evaluate_ntu, save_baseline, untrained_baseline
from motionsim.evaluate.report import format_table
from motionsim.evaluate.toy import ACTIONS, write_toy_benchmark
from motionsim.model import save_model
from motionsim.model.checkpoint import untrained_checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips-per-action", type=int, default=229)  # 7 actions x 229 = 1,603 clips
    parser.add_argument("--pairs", type=int, default=20093)
    parser.add_argument("--frame-step", type=int, default=1)
    parser.add_argument("--methods", default="joint_angles,joint_distance,lstm,whole_body,bpe")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (our CI machines have 2 cores)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        toy = write_toy_benchmark(tmp, clips_per_action=args.clips_per_action, n_pairs=args.pairs, seed=0)
        print(f"wrote {len(toy.actions)} clips ({len(ACTIONS)} actions), {args.pairs} pairs "
              f"in {time.perf_counter() - start:.1f} s")
        options = MethodOptions(
            bpe_model=save_model(untrained_checkpoint(seed=0), tmp / "bpe.safetensors"),
            whole_body_model=save_baseline(untrained_baseline("whole_body"), tmp / "wb.safetensors"),
            lstm_model=save_baseline(untrained_baseline("lstm"), tmp / "lstm.safetensors"),
            frame_step=args.frame_step)
        start = time.perf_counter()
        ev = evaluate_ntu(toy.skeletons, toy.pairs, args.methods.split(","), options, progress=True)
        total = time.perf_counter() - start
        print(format_table(ev))
        print(f"total {total:.1f} s, of which loading clips {total - sum(r.seconds for r in ev.results):.1f} s "
              f"(torch threads: {torch.get_num_threads()})")


if __name__ == "__main__":
    main()
