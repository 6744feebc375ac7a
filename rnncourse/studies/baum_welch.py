"""Chapter 1's Baum-Welch study: the dishonest casino learned from its rolls, many times.

Chapter 1 fits one sample of rolls live; this study repeats exactly that fit (`fit`:
sticky initial transitions, Dirichlet initial emissions, at most `n_iter` updates, stop
when an update gains less than `tol`) on independent samples, and records, per sample,
the learned probabilities of the states matched to the truth by their probability of a
six (`summary`), and the log-likelihoods of the fit and of the true model. Sample s draws
its rolls and its initial emissions from the stream [s, SAMPLE].

    python -m rnncourse.studies baum_welch     # -> results/baum_welch.json (40 samples)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEEDS = 40
SAMPLE = 3000                 # NumPy stream [s, SAMPLE]: the rolls of sample s, then its start
VARIANTS = ["casino"]         # one setting: the dishonest casino of rnncourse.classical.hmm


@dataclass
class Config:
    T: int = 3000                 # rolls per sample
    switch: float = 0.2           # initial P(switch state) of both states (sticky start)
    concentration: float = 5.0    # Dirichlet concentration of the initial emissions
    n_iter: int = 300             # at most this many EM updates
    tol: float = 1e-3             # stop when an update gains less log-likelihood than this


SMOKE = Config(T=200, n_iter=5)


def initial_model(rng: np.random.Generator, config: Config):
    """The starting point of EM: uniform start, sticky transitions, random emissions
    (two Dirichlet draws from `rng`)."""
    from rnncourse.classical import hmm

    s = config.switch
    return hmm.HMM(start=np.array([0.5, 0.5]), trans=np.array([[1 - s, s], [s, 1 - s]]),
                   emit=rng.dirichlet(config.concentration * np.ones(6), size=2))


def fit(obs: np.ndarray, init, rng: np.random.Generator, config: Config):
    """Baum-Welch on the rolls `obs` (T,) from `init`: (model, log-likelihood history)."""
    from rnncourse.classical import hmm

    return hmm.baum_welch(obs, K=2, M=6, rng=rng, n_iter=config.n_iter, tol=config.tol,
                          init=init)


def summary(model, history, obs: np.ndarray) -> dict:
    """The learned model in the truth's terms: its states matched to (fair, loaded) by
    their probability of a six, and the log-likelihoods of the fit and of the truth."""
    from rnncourse.classical import hmm

    L = int(np.argmax(model.emit[:, 5]))            # the state that learned the loaded die
    F = 1 - L
    return {"updates": len(history) - 1,
            "P(six | loaded)": float(model.emit[L, 5]), "P(six | fair)": float(model.emit[F, 5]),
            "P(fair -> loaded)": float(model.trans[F, L]),
            "P(loaded -> fair)": float(model.trans[L, F]),
            "loglik_fit": float(history[-1]),
            "loglik_true": float(hmm.forward(hmm.dishonest_casino(), obs).loglik)}


def run(variant, seed: int, config: Config) -> dict:
    from rnncourse.classical import hmm

    rng = np.random.default_rng([seed, SAMPLE])
    _, obs = hmm.sample(hmm.dishonest_casino(), T=config.T, rng=rng)
    init = initial_model(rng, config)
    model, history = fit(obs, init, rng, config)
    return summary(model, history, obs)
