"""Plausible wrong answers for exercise set 01 (classical baselines).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
Each task also has a "hard-coded visible answer" that passes the visible checks and must
be caught by the hidden tests.
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
        "hard-coded visible answer": '''
def autocovariance(x, max_lag):
    return np.array([17.5 / 6, 1.75 / 6, 1.0, -7.75 / 6])[:max_lag + 1]
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
        "hard-coded visible answer": '''
def yule_walker(x, p):
    if len(x) == 6 and p == 1:
        return np.array([0.1]), 2.8875
    if len(x) == 6 and p == 2:
        return np.array([0.0663780663780664, 0.3362193362193362]), 2.561087061087061
    return np.array([0.6, -0.3, 0.0, 0.0, 0.0][:p]), 1.0
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
        "hard-coded visible answer": '''
def ar_forecast(history, c, phi, steps):
    if steps == 3:
        return np.array([2.5, 1.25, 1.0])
    return np.full(steps, 4.0 / 3)
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
        "hard-coded visible answer": '''
def hmm_loglik(obs, start, trans, emit):
    return {1: float(np.log(1 / 3)), 22: -34.888318503022624,
            5000: -7887.865152803914}.get(len(obs), -1.0)
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
        "hard-coded visible answer": '''
def viterbi(obs, start, trans, emit):
    obs = np.asarray(obs)
    if len(obs) == 22:
        return np.array([0] * 7 + [1] * 10 + [0] * 5), -37.494665480674136
    if len(obs) == 1:
        return np.array([1]), float(np.log(0.25))
    return np.zeros(len(obs), dtype=int), -1.0
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
        "aliased": "the result is one float, there is no array to alias"}),
    "viterbi": Spec("viterbi"),
}
