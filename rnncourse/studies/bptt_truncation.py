"""Chapter 3's truncated BPTT over seeds: how far the truncated gradient of W_h is from
the full one.

Random character models (`random_models`, initialised like the chapter's language model,
with W_h scaled by a gain) read passages of the pydoc corpus (`passages`). `compare`
measures the cosine and the relative difference in norm between the full gradient of
W_h and that of TBPTT(1, k2) and TBPTT(k2, k2) for every k2; `jacobian_norms` measures
the norms of the products of Jacobians that scale the terms of each lag. The chapter
does this for its own seed; this study does it for every seed and gain. Seed s draws
model m from the stream [s, MODELS, m].

    python -m rnncourse.studies bptt_truncation    # -> results/bptt_truncation.json (20 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SEEDS = 20
MODELS = 1                    # NumPy streams [s, MODELS, m]: random model m of seed s
VARIANTS = [0.5, 1.0, 1.5]    # the gain W_h is scaled by
SCHEMES = ("TBPTT(1, k2)", "TBPTT(k2, k2)")


@dataclass
class Config:
    T: int = 100              # characters per passage (the full BPTT window)
    B: int = 8                # passages
    spacing: int = 20_000     # characters between the starts of two passages
    H: int = 64               # hidden units
    models: int = 6           # random models per seed
    k2_values: list = field(default_factory=lambda: [1, 2, 5, 10, 20, 50, 100])  # ending at T
    lags: list = field(default_factory=lambda: [1, 5, 10, 20, 50])  # of the Jacobian norms


SMOKE = Config(T=12, B=2, spacing=1000, H=8, models=2, k2_values=[1, 5, 12], lags=[1, 5])


def passages(ids: np.ndarray, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, next characters), each (B, T): B passages of the text, `spacing` apart."""
    starts = np.arange(config.B) * config.spacing
    idx = np.stack([ids[s:s + config.T] for s in starts])
    tgt = np.stack([ids[s + 1:s + config.T + 1] for s in starts])
    return idx, tgt


def random_models(V: int, seed: int, config: Config) -> list[dict]:
    """`config.models` models of charlm.init_params, model m from the stream [seed, MODELS, m]."""
    from rnncourse.scratch import charlm

    return [charlm.init_params(V, config.H, np.random.default_rng([seed, MODELS, m]))
            for m in range(config.models)]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def compare(bases: list[dict], idx: np.ndarray, tgt: np.ndarray, gain: float,
            config: Config) -> tuple[dict, dict]:
    """For every model with W_h scaled by `gain`, the truncated gradients of W_h against the
    full one: (cosines, relative differences in norm), each {scheme: (models, k2) array}."""
    from rnncourse.scratch import charlm

    h0 = np.zeros((idx.shape[0], config.H))
    cos = {s: [] for s in SCHEMES}
    rel = {s: [] for s in SCHEMES}
    for base in bases:
        p = {**base, "Wh": base["Wh"] * gain}
        full = charlm.model_loss(p, idx, tgt, h0)[1]["Wh"]
        by_lag = np.cumsum(charlm.wh_gradient_by_lag(p, idx, tgt, h0), axis=0)
        truncated = {SCHEMES[0]: [by_lag[k2 - 1] for k2 in config.k2_values],
                     SCHEMES[1]: [charlm.truncated_bptt(p, idx, tgt, h0, k2, k2)[1]["Wh"]
                                  for k2 in config.k2_values]}
        for s, grads in truncated.items():
            cos[s].append([cosine(g, full) for g in grads])
            rel[s].append([np.linalg.norm(g - full) / np.linalg.norm(full) for g in grads])
    return ({s: np.array(v) for s, v in cos.items()}, {s: np.array(v) for s, v in rel.items()})


def jacobian_norms(bases: list[dict], idx: np.ndarray, gain: float,
                   config: Config) -> dict[int, float]:
    """lag -> the spectral norm of dh_T/dh_{T-lag}, mean over the passages, median over
    the models (W_h scaled by `gain`)."""
    from rnncourse.scratch import rnn

    V, (B, T), H = bases[0]["Wx"].shape[0], idx.shape, config.H
    x = rnn.one_hot(idx, V)                                             # (B, T, V)
    per_model = []
    for base in bases:
        Wh = base["Wh"] * gain
        h, _ = rnn.rnn_forward(x, np.zeros((B, H)), base["Wx"], Wh, base["b"])
        M = np.broadcast_to(np.eye(H), (B, H, H))                       # dh_T/dh_T = I
        norms = []
        for lag in range(1, max(config.lags) + 1):                      # prepend J_{T-lag+1}
            M = (Wh * (1 - h[:, T - lag, None, :] ** 2)) @ M
            norms.append(np.linalg.norm(M, ord=2, axis=(1, 2)).mean())
        per_model.append([norms[lag - 1] for lag in config.lags])
    return dict(zip(config.lags, np.median(per_model, axis=0).tolist(), strict=True))


def run(variant, seed: int, config: Config) -> dict:
    from rnncourse.data import chardata

    vocab = chardata.Vocab(text := chardata.load_pydoc_corpus())
    idx, tgt = passages(vocab.encode(text), config)
    bases = random_models(len(vocab), seed, config)
    cos, rel = compare(bases, idx, tgt, variant, config)
    return {"cos": {s: v.tolist() for s, v in cos.items()},
            "rel": {s: v.tolist() for s, v in rel.items()},
            "jac_norm": {str(k): v for k, v in jacobian_norms(bases, idx, variant, config).items()}}


def gain_summary(cos: dict, rel: dict, config: Config) -> dict:
    """What Chapter 3 states about one seed's models at gain 1, from `compare`'s (cosines,
    relative differences) (arrays or the recorded lists): every model's cosine at k2 = 1;
    the median cosine and relative difference at k2 = 20; and by how much the median cosine
    of TBPTT(k2, k2) is below that of TBPTT(1, k2) for each k2 from 2 to 20."""
    one, chunk = SCHEMES
    at = {k: i for i, k in enumerate(config.k2_values)}
    med = {s: np.median(np.asarray(v), axis=0) for s, v in cos.items()}
    return {"cosine at k2=1, every model": np.asarray(cos[one])[:, at[1]].tolist(),
            "median cosine at k2=20": float(med[one][at[20]]),
            "rel. difference at k2=20": float(np.median(np.asarray(rel[one])[:, at[20]])),
            "lower for TBPTT(k2, k2), k2 = 2..20": [float(med[one][at[k]] - med[chunk][at[k]])
                                                    for k in config.k2_values if 2 <= k <= 20]}
