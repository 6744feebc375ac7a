"""Plausible wrong answers for exercise set 01 (classical baselines).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
(An answer that memorises the visible test's outputs is generated for every task by the
contract itself: tests/mutations/release.py.)
"""

# The Yule-Walker mutations compute the autocovariance themselves (correctly), so that each
# is wrong only in the way its name says and does not depend on the autocovariance cell.
_GAMMA = """
def _gamma(x, L):
    x = np.asarray(x, dtype=np.float64)
    xc = x - x.mean()
    return np.array([xc[l:] @ xc[:len(x) - l] for l in range(L + 1)]) / len(x)
"""

MUTATIONS: dict[str, dict[str, str]] = {
    "autocovariance": {
        "mean not removed": '''
def autocovariance(x, max_lag):
    x = np.asarray(x, dtype=np.float64)
    T = x.shape[0]
    return np.array([x[l:] @ x[:T - l] for l in range(max_lag + 1)]) / T
''',
        "divides by T - l instead of T": '''
def autocovariance(x, max_lag):
    x = np.asarray(x, dtype=np.float64)
    T = x.shape[0]
    xc = x - x.mean()
    return np.array([xc[l:] @ xc[:T - l] / (T - l) for l in range(max_lag + 1)])
''',
        "x[:-l] slicing: lag 0 is empty": '''
def autocovariance(x, max_lag):
    x = np.asarray(x, dtype=np.float64)
    T = x.shape[0]
    xc = x - x.mean()
    return np.array([xc[l:] @ xc[:-l] if l else 0.0 for l in range(max_lag + 1)]) / T
''',
        "divides by T - 1 (unbiased variance)": '''
def autocovariance(x, max_lag):
    x = np.asarray(x, dtype=np.float64)
    T = x.shape[0]
    xc = x - x.mean()
    return np.array([xc[l:] @ xc[:T - l] for l in range(max_lag + 1)]) / (T - 1)
''',
        "lags off by one (returns lags 1..L+1)": '''
def autocovariance(x, max_lag):
    x = np.asarray(x, dtype=np.float64)
    T = x.shape[0]
    xc = x - x.mean()
    return np.array([xc[l:] @ xc[:T - l] for l in range(1, max_lag + 2)]) / T
''',
    },
    "yule_walker": {
        "Toeplitz matrix built from lags 1..p (off by one)": _GAMMA + '''
def yule_walker(x, p):
    gamma = _gamma(x, p + 1)
    lags = np.abs(np.arange(p)[:, None] - np.arange(p)[None, :]) + 1
    phi = np.linalg.solve(gamma[lags], gamma[1:p + 1])
    return phi, float(gamma[0] - phi @ gamma[1:p + 1])
''',
        "right-hand side uses lags 0..p-1": _GAMMA + '''
def yule_walker(x, p):
    gamma = _gamma(x, p)
    lags = np.abs(np.arange(p)[:, None] - np.arange(p)[None, :])
    phi = np.linalg.solve(gamma[lags], gamma[:p])
    return phi, float(gamma[0] - phi @ gamma[:p])
''',
        "phi returned in reverse order": _GAMMA + '''
def yule_walker(x, p):
    gamma = _gamma(x, p)
    lags = np.abs(np.arange(p)[:, None] - np.arange(p)[None, :])
    phi = np.linalg.solve(gamma[lags], gamma[1:])
    return phi[::-1], float(gamma[0] - phi @ gamma[1:])
''',
        "sigma2 is gamma(0), the variance of x": _GAMMA + '''
def yule_walker(x, p):
    gamma = _gamma(x, p)
    lags = np.abs(np.arange(p)[:, None] - np.arange(p)[None, :])
    phi = np.linalg.solve(gamma[lags], gamma[1:])
    return phi, float(gamma[0])
''',
        "least-squares regression instead of Yule-Walker": '''
def yule_walker(x, p):
    x = np.asarray(x, dtype=np.float64)
    T = x.shape[0]
    X = np.column_stack([np.ones(T - p)] + [x[p - i:T - i] for i in range(1, p + 1)])
    coef, *_ = np.linalg.lstsq(X, x[p:], rcond=None)
    resid = x[p:] - X @ coef
    return coef[1:], float(resid @ resid / (T - p))
''',
    },
    "ar_forecast": {
        "phi reversed (phi[0] multiplies x_{t-p})": '''
def ar_forecast(history, c, phi, steps):
    phi = np.asarray(phi, dtype=np.float64)
    p = phi.shape[0]
    x = [float(v) for v in history]
    for _ in range(steps):
        x.append(c + float(phi @ np.array(x[-p:])))
    return np.array(x[len(history):])
''',
        "forecasts not fed back (only observed values used)": '''
def ar_forecast(history, c, phi, steps):
    phi = np.asarray(phi, dtype=np.float64)
    p = phi.shape[0]
    lagged = np.array([float(v) for v in history][-p:][::-1])
    return np.array([c + float(phi @ lagged)] * steps)
''',
        "unknown future values set to zero instead of the forecasts": '''
def ar_forecast(history, c, phi, steps):
    phi = np.asarray(phi, dtype=np.float64)
    p = phi.shape[0]
    x = [float(v) for v in history]
    out = []
    for h in range(steps):
        x.append(0.0)
        lagged = np.array(x[-p - 1:-1][::-1])
        out.append(c + float(phi @ lagged))
    return np.array(out)
''',
        "lags off by one (skips the newest value)": '''
def ar_forecast(history, c, phi, steps):
    phi = np.asarray(phi, dtype=np.float64)
    p = phi.shape[0]
    x = [float(v) for v in history]
    x = [x[0]] + x
    for _ in range(steps):
        x.append(c + float(phi @ np.array(x[-p - 1:-1][::-1])))
    return np.array(x[len(history) + 1:])
''',
        "intercept c dropped": '''
def ar_forecast(history, c, phi, steps):
    phi = np.asarray(phi, dtype=np.float64)
    p = phi.shape[0]
    x = [float(v) for v in history]
    for _ in range(steps):
        x.append(float(phi @ np.array(x[-p:][::-1])))
    return np.array(x[len(history):])
''',
        "history modified in place": '''
def ar_forecast(history, c, phi, steps):
    phi = np.asarray(phi, dtype=np.float64)
    p = phi.shape[0]
    x = [float(v) for v in history]
    for _ in range(steps):
        x.append(c + float(phi @ np.array(x[-p:][::-1])))
    history[-1] = x[-1]
    return np.array(x[len(history):])
''',
    },
    "hmm_loglik": {
        "naive product, no scaling (underflows)": '''
def hmm_loglik(obs, start, trans, emit):
    alpha = start * emit[:, obs[0]]
    for t in range(1, len(obs)):
        alpha = (alpha @ trans) * emit[:, obs[t]]
    return float(np.log(alpha.sum()))
''',
        "max instead of sum (Viterbi score)": '''
def hmm_loglik(obs, start, trans, emit):
    d = np.log(start) + np.log(emit[:, obs[0]])
    for t in range(1, len(obs)):
        d = (d[:, None] + np.log(trans)).max(axis=0) + np.log(emit[:, obs[t]])
    return float(d.max())
''',
        "transition matrix transposed": '''
def hmm_loglik(obs, start, trans, emit):
    alpha = start * emit[:, obs[0]]
    loglik = 0.0
    for t in range(len(obs)):
        if t > 0:
            alpha = (alpha @ trans.T) * emit[:, obs[t]]
        scale = alpha.sum()
        alpha = alpha / scale
        loglik += np.log(scale)
    return float(loglik)
''',
        "initial emission forgotten (alpha_1 = start)": '''
def hmm_loglik(obs, start, trans, emit):
    alpha = np.array(start, dtype=np.float64)
    loglik = 0.0
    for t in range(len(obs)):
        if t > 0:
            alpha = (alpha @ trans) * emit[:, obs[t]]
        scale = alpha.sum()
        alpha = alpha / scale
        loglik += np.log(scale)
    return float(loglik)
''',
        "log c_1 not added (sum of scales starts at t=2)": '''
def hmm_loglik(obs, start, trans, emit):
    alpha = start * emit[:, obs[0]]
    alpha = alpha / alpha.sum()
    loglik = 0.0
    for t in range(1, len(obs)):
        alpha = (alpha @ trans) * emit[:, obs[t]]
        scale = alpha.sum()
        alpha = alpha / scale
        loglik += np.log(scale)
    return float(loglik)
''',
        "returns log c_T only, not the sum": '''
def hmm_loglik(obs, start, trans, emit):
    alpha = start * emit[:, obs[0]]
    scale = alpha.sum()
    alpha = alpha / scale
    for t in range(1, len(obs)):
        alpha = (alpha @ trans) * emit[:, obs[t]]
        scale = alpha.sum()
        alpha = alpha / scale
    return float(np.log(scale))
''',
    },
    "viterbi": {
        "greedy per-step argmax of delta, no back-tracking": '''
def viterbi(obs, start, trans, emit):
    d = np.log(start) + np.log(emit[:, obs[0]])
    path = [int(d.argmax())]
    for t in range(1, len(obs)):
        d = (d[:, None] + np.log(trans)).max(axis=0) + np.log(emit[:, obs[t]])
        path.append(int(d.argmax()))
    return np.array(path), float(d.max())
''',
        "back-tracking off by one in time": '''
def viterbi(obs, start, trans, emit):
    T = len(obs)
    d = np.log(start) + np.log(emit[:, obs[0]])
    back = np.zeros((T, len(start)), dtype=int)
    for t in range(1, T):
        s = d[:, None] + np.log(trans)
        back[t] = s.argmax(axis=0)
        d = s.max(axis=0) + np.log(emit[:, obs[t]])
    path = np.zeros(T, dtype=int)
    path[-1] = d.argmax()
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t - 1, path[t]]
    return path, float(d.max())
''',
        "transition matrix transposed": '''
def viterbi(obs, start, trans, emit):
    T = len(obs)
    d = np.log(start) + np.log(emit[:, obs[0]])
    back = np.zeros((T, len(start)), dtype=int)
    for t in range(1, T):
        s = d[:, None] + np.log(trans.T)
        back[t] = s.argmax(axis=0)
        d = s.max(axis=0) + np.log(emit[:, obs[t]])
    path = np.zeros(T, dtype=int)
    path[-1] = d.argmax()
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(d.max())
''',
        "initial emission forgotten": '''
def viterbi(obs, start, trans, emit):
    T = len(obs)
    d = np.log(start)
    back = np.zeros((T, len(start)), dtype=int)
    for t in range(1, T):
        s = d[:, None] + np.log(trans)
        back[t] = s.argmax(axis=0)
        d = s.max(axis=0) + np.log(emit[:, obs[t]])
    path = np.zeros(T, dtype=int)
    path[-1] = d.argmax()
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(d.max())
''',
        "probabilities multiplied, not log-probabilities added (underflows)": '''
def viterbi(obs, start, trans, emit):
    T = len(obs)
    d = start * emit[:, obs[0]]
    back = np.zeros((T, len(start)), dtype=int)
    for t in range(1, T):
        s = d[:, None] * trans
        back[t] = s.argmax(axis=0)
        d = s.max(axis=0) * emit[:, obs[t]]
    path = np.zeros(T, dtype=int)
    path[-1] = d.argmax()
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(np.log(d.max()))
''',
        "log_prob sums over paths (logsumexp) instead of max": '''
def viterbi(obs, start, trans, emit):
    T = len(obs)
    d = np.log(start) + np.log(emit[:, obs[0]])
    back = np.zeros((T, len(start)), dtype=int)
    for t in range(1, T):
        s = d[:, None] + np.log(trans)
        back[t] = s.argmax(axis=0)
        d = s.max(axis=0) + np.log(emit[:, obs[t]])
    path = np.zeros(T, dtype=int)
    path[-1] = d.argmax()
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    m = d.max()
    return path, float(m + np.log(np.exp(d - m).sum()))
''',
    },
}


# Generated mutants (tests/mutations/generic.py): what each task needs, and the classes
# that cannot apply, with the reason.
from mutations.generic import Spec  # noqa: E402

GENERIC = {
    "autocovariance": Spec("autocovariance"),
    "yule_walker": Spec("yule_walker", excused={
        "aliased": "phi has p entries and x has T > p, so no input has the result's shape"}),
    "ar_forecast": Spec("ar_forecast", params={"c": 0.0}),
    "hmm_loglik": Spec("hmm_loglik", excused={
        "aliased": "the result is one float, there is no array to alias",
        "reused buffer": "the result is one float, there is no array buffer to reuse"}),
    "viterbi": Spec("viterbi", excused={
        "reused buffer": "returns an integer path and a float, no float array to reuse"}),
}


# Correct answers computed by someone else (rnncourse, or a library the set excludes):
# the contract requires each to earn nothing, and to pass with the watch switched off.
DELEGATING: dict[str, dict[str, str]] = {
    "autocovariance": {"rnncourse": '''
from rnncourse.classical import ar
def autocovariance(x, max_lag):
    return ar.autocovariance(np.asarray(x, dtype=np.float64), max_lag)
''', "statsmodels": '''
from statsmodels.tsa.stattools import acovf
def autocovariance(x, max_lag):
    return acovf(x, adjusted=False, demean=True, fft=False, nlag=max_lag)
''', "scipy": '''
import scipy.signal
def autocovariance(x, max_lag):
    xc = x - x.mean()
    full = scipy.signal.correlate(xc, xc, mode="full", method="direct")
    return full[len(x) - 1:len(x) + max_lag] / len(x)
'''},
    "yule_walker": {"rnncourse": '''
from rnncourse.classical import ar
def yule_walker(x, p):
    fit = ar.yule_walker(np.asarray(x, dtype=np.float64), p)
    return fit.phi, float(fit.sigma2)
''', "statsmodels": '''
from statsmodels.regression import linear_model
def yule_walker(x, p):
    fit = linear_model.yule_walker(x, order=p, method="mle", result_object=True)
    return fit.rho, float(fit.sigma) ** 2
''', "scipy": '''
from scipy.linalg import solve_toeplitz
def yule_walker(x, p):
    xc = x - x.mean()
    gamma = np.array([xc[l:] @ xc[:len(x) - l] for l in range(p + 1)]) / len(x)
    phi = solve_toeplitz(gamma[:p], gamma[1:])
    return phi, float(gamma[0] - phi @ gamma[1:])
'''},
    "ar_forecast": {"rnncourse": '''
from rnncourse.classical import ar
def ar_forecast(history, c, phi, steps):
    fit = ar.ARFit(c=float(c), phi=np.asarray(phi, dtype=np.float64), sigma2=1.0)
    return ar.forecast(np.asarray(history, dtype=np.float64), fit, steps)
''', "scipy": '''
from scipy.signal import lfilter, lfiltic
def ar_forecast(history, c, phi, steps):
    a = np.concatenate([[1.0], -np.asarray(phi, dtype=np.float64)])
    zi = lfiltic([1.0], a, y=history[::-1][:len(phi)])
    return lfilter([1.0], a, np.full(steps, float(c)), zi=zi)[0]
''', "torch": '''
import torch
def ar_forecast(history, c, phi, steps):
    p = len(phi)
    x, w = list(torch.from_numpy(np.asarray(history, dtype=np.float64))), torch.from_numpy(phi)
    for _ in range(steps):
        x.append(c + torch.dot(w, torch.stack(x[::-1][:p])))
    return torch.stack(x[len(history):]).numpy()
'''},
    "hmm_loglik": {"rnncourse": '''
from rnncourse.classical import hmm
def hmm_loglik(obs, start, trans, emit):
    model = hmm.HMM(start=np.asarray(start, float), trans=np.asarray(trans, float),
                    emit=np.asarray(emit, float))
    return float(hmm.forward(model, np.asarray(obs)).loglik)
''', "hmmlearn": '''
from hmmlearn.hmm import CategoricalHMM
def hmm_loglik(obs, start, trans, emit):
    model = CategoricalHMM(n_components=len(start), init_params="", params="")
    model.startprob_, model.transmat_, model.emissionprob_ = start, trans, emit
    model.n_features = emit.shape[1]
    return float(model.score(np.asarray(obs)[:, None]))
''', "scipy": '''
from scipy.special import logsumexp
def hmm_loglik(obs, start, trans, emit):
    la = np.log(start) + np.log(emit[:, obs[0]])
    for o in obs[1:]:
        la = logsumexp(la[:, None] + np.log(trans), axis=0) + np.log(emit[:, o])
    return float(logsumexp(la))
'''},
    "viterbi": {"rnncourse": '''
import rnncourse.classical.hmm
def viterbi(obs, start, trans, emit):
    model = rnncourse.classical.hmm.HMM(start=np.asarray(start, float),
                                        trans=np.asarray(trans, float),
                                        emit=np.asarray(emit, float))
    path, logp = rnncourse.classical.hmm.viterbi(model, np.asarray(obs))
    return path, float(logp)
''', "hmmlearn": '''
from hmmlearn.hmm import CategoricalHMM
def viterbi(obs, start, trans, emit):
    model = CategoricalHMM(n_components=len(start), init_params="", params="")
    model.startprob_, model.transmat_, model.emissionprob_ = start, trans, emit
    model.n_features = emit.shape[1]
    log_prob, path = model.decode(np.asarray(obs)[:, None], algorithm="viterbi")
    return path.astype(np.int64), float(log_prob)
'''},
}
