"""How well Baum-Welch recovers the dishonest casino from 3000 rolls, over many samples.

Chapter 1 fits one sample live; this script repeats exactly that fit (sticky initial
transitions, Dirichlet(5) initial emissions, at most 300 updates, stop when an update
gains less than 1e-3) on --samples independent samples and writes one row per sample,
which the chapter reads and summarises. Deterministic: sample i uses the generator
np.random.default_rng([i, 3000]).

    python scripts/baum_welch_spread.py            # -> results/baum_welch_spread.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnncourse.classical import hmm  # noqa: E402


def one_fit(i: int, T: int) -> dict:
    casino = hmm.dishonest_casino()
    rng = np.random.default_rng([i, T])
    _, obs = hmm.sample(casino, T=T, rng=rng)
    init = hmm.HMM(start=np.array([0.5, 0.5]), trans=np.array([[0.8, 0.2], [0.2, 0.8]]),
                   emit=rng.dirichlet(5 * np.ones(6), size=2))
    model, hist = hmm.baum_welch(obs, K=2, M=6, rng=rng, n_iter=300, tol=1e-3, init=init)
    L = int(np.argmax(model.emit[:, 5]))  # the state that learned the loaded die
    F = 1 - L
    return {"sample": i, "updates": len(hist) - 1,
            "P(six | loaded)": float(model.emit[L, 5]), "P(six | fair)": float(model.emit[F, 5]),
            "P(fair -> loaded)": float(model.trans[F, L]),
            "P(loaded -> fair)": float(model.trans[L, F]),
            "loglik_fit": float(hist[-1]), "loglik_true": float(hmm.forward(casino, obs).loglik)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=40)
    ap.add_argument("--T", type=int, default=3000, help="rolls per sample")
    ap.add_argument("--out", default=str(ROOT / "results" / "baum_welch_spread.json"))
    args = ap.parse_args(argv)
    fits = [one_fit(i, args.T) for i in range(args.samples)]
    Path(args.out).write_text(json.dumps({"T": args.T, "fits": fits}, indent=1) + "\n")
    print(f"wrote {len(fits)} fits to {args.out}")


if __name__ == "__main__":
    main()
