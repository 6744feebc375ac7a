"""Packed against padded: forward and backward of an LSTM over batches of stdlib lines.

Each batch holds B lines of standard-library source (lengths 1 to 120 characters), padded
to the longest. --mode packed runs the layer on a PackedSequence (pack_padded_sequence with
enforce_sorted=False); --mode padded runs it over the padded batch and masks the outputs
(`sequence.masked_mean`), which is correct for one direction only. Without --mode both
are timed in this process (CPU seconds of the loop, the median of --repeats rounds, the
modes alternating) and written to results/bench_packing.json, which Chapter 6 quotes. A
benchmark of this machine, not a test: nothing asserts a time.

    python scripts/bench_packing.py                 # -> results/bench_packing.json
    python scripts/bench_packing.py --mode packed   # one mode, to time the whole process
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=("packed", "padded"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batches", type=int, default=40)
    ap.add_argument("--B", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    import numpy as np
    import torch
    from torch import nn

    from rnncourse.data import chardata
    from rnncourse.models import sequence

    torch.set_num_threads(args.threads)
    text = chardata.load_stdlib_corpus()
    vocab = chardata.Vocab(text)
    lines = [ln for ln in text.splitlines() if 1 <= len(ln) <= 120]
    torch.manual_seed(0)
    embed, lstm = nn.Embedding(len(vocab), 32), nn.LSTM(32, 64, batch_first=True)
    def run(mode: str) -> tuple[float, int, int]:
        batch_rng = np.random.default_rng(0)          # the same batches for both modes
        real = padded = 0
        start = time.process_time()
        for _ in range(args.batches):
            x, lengths = sequence.pad([vocab.encode(lines[i]) for i in
                                       batch_rng.integers(0, len(lines), size=args.B)])
            e = embed(x)
            out = sequence.pack(lstm, e, lengths)[0] if mode == "packed" else lstm(e)[0]
            sequence.masked_mean(out, lengths).sum().backward()
            real, padded = real + int(lengths.sum()), padded + x.numel()
        return time.process_time() - start, real, padded

    if args.mode:
        _, real, padded = run(args.mode)
        print(f"{args.mode}: {real} real steps of {padded} ({real / padded:.0%})")
        return
    times = {"packed": [], "padded": []}
    for _ in range(args.repeats):
        for mode in times:
            cpu, real, padded = run(mode)
            times[mode].append(round(cpu, 3))
    med = {m: float(np.median(t)) for m, t in times.items()}
    out = {"B": args.B, "batches": args.batches, "threads": args.threads, "H": 64, "E": 32,
           "real_steps": real, "padded_steps": padded, "cpu_s": times,
           "median_cpu_s": med, "packed_over_padded": round(med["packed"] / med["padded"], 2),
           "cpus": os.cpu_count(), "torch": torch.__version__}
    path = ROOT / "results" / "bench_packing.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"packed {med['packed']:.2f} s, padded {med['padded']:.2f} s: ratio "
          f"{out['packed_over_padded']}; real steps {real / padded:.0%}; wrote {path}")


if __name__ == "__main__":
    main()
