"""Discrete hidden Markov models: sampling, forward, backward, Viterbi, Baum-Welch.

A hidden state z_t in {0..K-1} follows a Markov chain and emits a symbol x_t in
{0..M-1} (see `book/notation`):

    start: (K,)   start[k]   = P(z_1 = k)
    trans: (K, K) trans[i, j] = P(z_t = j | z_{t-1} = i)   (rows sum to one)
    emit:  (K, M) emit[k, m]  = P(x_t = m | z_t = k)       (rows sum to one)

An observation sequence is an integer array obs: (T,). The forward algorithm is given in
three forms: `naive_likelihood` (the textbook product, which underflows), `forward`
(normalised each step, with scale factors c_t) and `forward_log` (log space).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.special import logsumexp

from rnncourse.shapes import Shapes, check_ids, check_probabilities

STATE_NAMES = ("fair", "loaded")  # state names of `dishonest_casino()`, in order


@dataclass
class HMM:
    """A discrete HMM; shapes and row sums are checked on construction."""

    start: np.ndarray   # (K,) P(z_1 = k)
    trans: np.ndarray   # (K, K) trans[i, j] = P(z_t = j | z_{t-1} = i)
    emit: np.ndarray    # (K, M) emit[k, m] = P(x_t = m | z_t = k)

    def __post_init__(self) -> None:
        shp = Shapes("HMM")
        self.start = shp.check("start", self.start, "K").astype(np.float64)
        self.trans = shp.check("trans", self.trans, "K K").astype(np.float64)
        self.emit = shp.check("emit", self.emit, "K M").astype(np.float64)
        check_probabilities("HMM", "start", self.start)
        check_probabilities("HMM", "trans", self.trans, axis=1)
        check_probabilities("HMM", "emit", self.emit, axis=1)

    @property
    def K(self) -> int:
        """Number of hidden states."""
        return self.trans.shape[0]

    @property
    def M(self) -> int:
        """Number of observation symbols."""
        return self.emit.shape[1]


def dishonest_casino() -> HMM:
    """The occasionally dishonest casino (Durbin, Eddy, Krogh & Mitchison 1998, ch. 3).

    States 0 = fair, 1 = loaded (`STATE_NAMES`); faces 1..6 are symbols 0..5. The fair
    die is uniform; the loaded die shows a six with probability 1/2 and every other face
    with 1/10. The casino switches fair -> loaded with probability 0.05 and loaded ->
    fair with 0.1. The book does not fix the start; we use (0.5, 0.5).
    """
    trans = np.array([[0.95, 0.05],
                      [0.10, 0.90]])
    emit = np.array([[1 / 6] * 6,
                     [1 / 10] * 5 + [1 / 2]])
    return HMM(start=np.array([0.5, 0.5]), trans=trans, emit=emit)


def check_obs(func: str, hmm: HMM, obs) -> np.ndarray:
    """Return obs: (T,) as an int array; ValueError unless every symbol is in 0..M-1."""
    obs = Shapes(func).check("obs", obs, "T")
    if not np.issubdtype(obs.dtype, np.integer):
        if not np.all(obs == np.round(obs)):
            raise ValueError(f"{func}: `obs` must hold integer symbols 0..M-1, got "
                             f"dtype {obs.dtype} with non-integer values.")
        obs = obs.astype(np.int64)
    return check_ids(func, "obs", obs, hmm.M, "T", what="symbols", source="`emit`",
                     min_len=1, letter="M")


def sample(hmm: HMM, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw (states: (T,), obs: (T,)) from the HMM."""
    states = np.empty(T, dtype=np.int64)
    obs = np.empty(T, dtype=np.int64)
    z = rng.choice(hmm.K, p=hmm.start)
    for t in range(T):
        if t > 0:
            z = rng.choice(hmm.K, p=hmm.trans[z])
        states[t] = z
        obs[t] = rng.choice(hmm.M, p=hmm.emit[z])
    return states, obs


def _log(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):   # log 0 = -inf is what we want
        return np.log(p)


def log_joint(hmm: HMM, states: np.ndarray, obs: np.ndarray) -> float:
    """log P(z, x) = log pi_{z_1} + log E[z_1, x_1] + sum_t log A[z_{t-1}, z_t] + log E[z_t, x_t].

    states: (T,) hidden states; obs: (T,) symbols.
    """
    obs = check_obs("log_joint", hmm, obs)
    states = Shapes("log_joint", T=len(obs)).check("states", states, "T").astype(np.int64)
    if np.any((states < 0) | (states >= hmm.K)):
        raise ValueError(f"log_joint: `states` must hold states in 0..K-1 = 0..{hmm.K - 1} "
                         f"(K={hmm.K} comes from `trans`).")
    return float(_log(hmm.start[states[0]]) + _log(hmm.emit[states, obs]).sum()
                 + _log(hmm.trans[states[:-1], states[1:]]).sum())


def naive_likelihood(hmm: HMM, obs: np.ndarray) -> float:
    """P(x_1..x_T) by the unscaled forward recursion alpha_t = (alpha_{t-1} A) * E[:, x_t].

    obs: (T,). Each step multiplies by a probability below one, so for long sequences
    alpha drops below the smallest float64 (about 1e-308 to 1e-324) and this returns 0.0.
    """
    obs = check_obs("naive_likelihood", hmm, obs)
    alpha = hmm.start * hmm.emit[:, obs[0]]            # (K,)
    for t in range(1, len(obs)):
        alpha = (alpha @ hmm.trans) * hmm.emit[:, obs[t]]
    return float(alpha.sum())


class ForwardResult(NamedTuple):
    alpha: np.ndarray   # (T, K) normalised forward variable P(z_t = k | x_1:t)
    scale: np.ndarray   # (T,) c_t = P(x_t | x_1:t-1)
    loglik: float       # log P(x_1:T) = sum_t log c_t


def forward(hmm: HMM, obs: np.ndarray) -> ForwardResult:
    """Scaled forward algorithm: normalise alpha at every step and keep the scales.

    obs: (T,). Safe for any T: alpha stays a probability vector and the likelihood is
    accumulated as a sum of logs of the scale factors c_t.
    """
    obs = check_obs("forward", hmm, obs)
    T, K = len(obs), hmm.K
    alpha = np.empty((T, K))
    scale = np.empty(T)
    a = hmm.start * hmm.emit[:, obs[0]]                 # (K,)
    for t in range(T):
        if t > 0:
            a = (alpha[t - 1] @ hmm.trans) * hmm.emit[:, obs[t]]
        scale[t] = a.sum()
        if scale[t] == 0.0:
            raise ValueError(f"forward: obs[{t}] = {obs[t]} has probability zero under "
                             "the model given the earlier observations.")
        alpha[t] = a / scale[t]
    return ForwardResult(alpha, scale, float(np.log(scale).sum()))


def forward_log(hmm: HMM, obs: np.ndarray) -> tuple[np.ndarray, float]:
    """Forward algorithm in log space: (log_alpha: (T, K), loglik).

    log_alpha[t, k] = log P(x_1..x_t, z_t = k); sums over states become logsumexp.
    """
    obs = check_obs("forward_log", hmm, obs)
    log_A, log_E = _log(hmm.trans), _log(hmm.emit)
    log_alpha = np.empty((len(obs), hmm.K))
    log_alpha[0] = _log(hmm.start) + log_E[:, obs[0]]
    for t in range(1, len(obs)):
        log_alpha[t] = logsumexp(log_alpha[t - 1][:, None] + log_A, axis=0) + log_E[:, obs[t]]
    return log_alpha, float(logsumexp(log_alpha[-1]))


def backward(hmm: HMM, obs: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Scaled backward variable beta: (T, K), using the scales c_t of `forward`.

    beta[T-1] = 1 and beta[t] = A (E[:, x_{t+1}] * beta[t+1]) / c_{t+1}, so that
    alpha[t] * beta[t] = P(z_t = k | x_1:T).
    """
    obs = check_obs("backward", hmm, obs)
    scale = Shapes("backward", T=len(obs)).check("scale", scale, "T")
    beta = np.empty((len(obs), hmm.K))
    beta[-1] = 1.0
    for t in range(len(obs) - 2, -1, -1):
        beta[t] = hmm.trans @ (hmm.emit[:, obs[t + 1]] * beta[t + 1]) / scale[t + 1]
    return beta


def posterior(hmm: HMM, obs: np.ndarray) -> np.ndarray:
    """Smoothed marginals (T, K): P(z_t = k | x_1:T), forward times backward."""
    fw = forward(hmm, obs)
    return fw.alpha * backward(hmm, obs, fw.scale)


def viterbi(hmm: HMM, obs: np.ndarray) -> tuple[np.ndarray, float]:
    """Most probable state path (T,) and its log P(z, x), by dynamic programming.

    delta[t, k] = best log-probability of a path ending in state k at time t;
    back[t, k] remembers which previous state achieved it.
    """
    obs = check_obs("viterbi", hmm, obs)
    T = len(obs)
    log_A, log_E = _log(hmm.trans), _log(hmm.emit)
    delta = _log(hmm.start) + log_E[:, obs[0]]          # (K,)
    back = np.zeros((T, hmm.K), dtype=np.int64)
    for t in range(1, T):
        scores = delta[:, None] + log_A                  # (K, K): from i to j
        back[t] = np.argmax(scores, axis=0)
        delta = scores[back[t], np.arange(hmm.K)] + log_E[:, obs[t]]
    path = np.empty(T, dtype=np.int64)
    path[-1] = np.argmax(delta)
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(delta[path[-1]])


def random_hmm(K: int, M: int, rng: np.random.Generator) -> HMM:
    """An HMM with every row drawn from a flat Dirichlet (all entries positive)."""
    return HMM(start=rng.dirichlet(np.ones(K)), trans=rng.dirichlet(np.ones(K), size=K),
               emit=rng.dirichlet(np.ones(M), size=K))


def _em_step(hmm: HMM, obs: np.ndarray) -> tuple[HMM, float]:
    """One Baum-Welch iteration: expected counts under `hmm`, then normalise them."""
    fw = forward(hmm, obs)
    beta = backward(hmm, obs, fw.scale)
    gamma = fw.alpha * beta                              # (T, K) P(z_t | x)
    # xi summed over t: P(z_t = i, z_{t+1} = j | x) = alpha_t(i) A_ij E_j(x_{t+1})
    # beta_{t+1}(j) / c_{t+1}.
    right = hmm.emit[:, obs[1:]].T * beta[1:] / fw.scale[1:, None]   # (T-1, K)
    xi = hmm.trans * (fw.alpha[:-1].T @ right)           # (K, K)
    onehot = np.eye(hmm.M)[obs]                          # (T, M)
    counts = gamma.T @ onehot                            # (K, M)
    trans = _normalise_rows(xi, hmm.trans)
    emit = _normalise_rows(counts, hmm.emit)
    return HMM(start=gamma[0] / gamma[0].sum(), trans=trans, emit=emit), fw.loglik


def _normalise_rows(counts: np.ndarray, old: np.ndarray) -> np.ndarray:
    total = counts.sum(axis=1, keepdims=True)
    # A state with no expected visits keeps its old row instead of dividing by zero.
    return np.where(total > 0, counts / np.where(total > 0, total, 1.0), old)


def baum_welch(obs: np.ndarray, K: int, M: int, rng: np.random.Generator,
               n_iter: int = 100, tol: float = 1e-6,
               init: HMM | None = None) -> tuple[HMM, np.ndarray]:
    """Fit an HMM to obs: (T,) by expectation-maximisation (Baum-Welch).

    Starts from `init` or from `random_hmm(K, M, rng)`. Returns the fitted model and
    loglik_history: (n+1,), where entry i is log P(x) under the model after i updates
    (entry 0 is the initial model, the last is the returned model). EM never decreases
    it; we stop after `n_iter` updates or when an update gains less than `tol`.
    """
    model = init if init is not None else random_hmm(K, M, rng)
    if (model.K, model.M) != (K, M):
        raise ValueError(f"baum_welch: `init` has K={model.K}, M={model.M} but K={K}, "
                         f"M={M} were asked for.")
    obs = check_obs("baum_welch", model, obs)
    history: list[float] = []
    for it in range(n_iter + 1):
        if it == n_iter:
            history.append(forward(model, obs).loglik)
            break
        new, ll = _em_step(model, obs)                   # ll is the loglik of `model`
        history.append(ll)
        if it > 0 and ll - history[-2] < tol:
            break
        model = new
    return model, np.array(history)
