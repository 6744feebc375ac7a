"""Benchmark: characters/second of forward + backward, batched NumPy BPTT vs a min-char-rnn loop.

The baseline is written in the style of Karpathy's min-char-rnn: column vectors, one
sequence at a time (batch of one), dicts indexed by time step. The batched version is
`rnncourse.scratch.charlm.model_loss` with one-hot inputs (the same model) on B sequences at once.
Both do forward + backward of a tanh RNN with V=65, H=100, T=25 and no clipping.

Thread counts must be fixed before NumPy is imported, so this script sets
OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS (and friends) from --threads
first. Several values (--threads 1,2) run one subprocess per value.

    python scripts/bench_bptt.py --threads 1,2 --batch 32
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def parse() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default="1", help="comma-separated thread counts")
    ap.add_argument("--batch", type=int, default=32, help="batch size B of the batched run")
    ap.add_argument("--V", type=int, default=65)
    ap.add_argument("--H", type=int, default=100)
    ap.add_argument("--T", type=int, default=25)
    ap.add_argument("--seconds", type=float, default=2.0, help="time budget per method")
    return ap.parse_args()


def min_char_loss(inputs, targets, hprev, Wxh, Whh, Why, bh, by):
    """Forward + backward on one sequence, min-char-rnn style (column vectors, dicts)."""
    import numpy as np

    vocab_size = Wxh.shape[1]
    xs, hs, ps = {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab_size, 1))
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
        ys = Why @ hs[t] + by
        e = np.exp(ys - np.max(ys))
        ps[t] = e / np.sum(e)
        loss += -np.log(ps[t][targets[t], 0])
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1
        dWhy += dy @ hs[t].T
        dby += dy
        dh = Why.T @ dy + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += dhraw
        dWxh += dhraw @ xs[t].T
        dWhh += dhraw @ hs[t - 1].T
        dhnext = Whh.T @ dhraw
    return loss, dWxh, dWhh, dWhy, dbh, dby, hs[len(inputs) - 1]


def chars_per_second(fn, chars_per_call: int, seconds: float) -> float:
    fn()  # warm-up
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        n += 1
    return n * chars_per_call / elapsed


def run(args: argparse.Namespace) -> None:
    import numpy as np

    from rnncourse.scratch import charlm

    rng = np.random.default_rng(0)
    V, H, T, B = args.V, args.H, args.T, args.batch
    params = charlm.init_params(V, H, rng)                   # one-hot inputs: Wx is (V, H)
    params["b"] = rng.standard_normal(H) * 0.1
    Wxh, Whh, Why = params["Wx"].T, params["Wh"].T, params["W_out"].T  # column style
    bh, by = params["b"][:, None], params["b_out"][:, None]
    data = rng.integers(0, V, size=(B, T + 1))
    idx, targets, h0 = data[:, :-1], data[:, 1:], np.zeros((B, H))

    # the two implementations compute the same thing (min-char sums the loss over T)
    loss, grads, _ = charlm.model_loss(params, idx[:1], targets[:1], h0[:1])
    ref = min_char_loss(idx[0], targets[0], h0[:1].T, Wxh, Whh, Why, bh, by)
    if not (abs(ref[0] - loss * T) < 1e-9 and np.allclose(ref[1].T, grads["Wx"] * T)
            and np.allclose(ref[2].T, grads["Wh"] * T)):
        raise RuntimeError("bench_bptt: the baseline disagrees with charlm.model_loss.")

    def batched():
        charlm.model_loss(params, idx, targets, h0)

    def looped():
        min_char_loss(idx[0], targets[0], h0[:1].T, Wxh, Whh, Why, bh, by)

    fast = chars_per_second(batched, B * T, args.seconds)
    slow = chars_per_second(looped, T, args.seconds)
    used = {k: os.environ.get(k) for k in THREAD_VARS[:3]}
    print(f"threads={args.threads} ({', '.join(f'{k}={v}' for k, v in used.items())}); "
          f"numpy {np.__version__}; V={V} H={H} T={T}")
    print(f"  min-char loop (B=1):      {slow:12,.0f} chars/s")
    print(f"  batched BPTT  (B={B:<3d}):    {fast:12,.0f} chars/s")
    print(f"  ratio batched / loop:     {fast / slow:12.1f}x")


def main() -> None:
    args = parse()
    counts = [c.strip() for c in args.threads.split(",") if c.strip()]
    if len(counts) > 1:  # one fresh interpreter per thread count
        for c in counts:
            argv = [a for a in sys.argv[1:]]
            i = argv.index("--threads") if "--threads" in argv else None
            if i is not None:
                del argv[i:i + 2]
            subprocess.run([sys.executable, __file__, "--threads", c, *argv], check=True)
        return
    args.threads = counts[0]
    for var in THREAD_VARS:  # before numpy is imported (inside run)
        os.environ[var] = args.threads
    run(args)


if __name__ == "__main__":
    main()
