"""Plausible wrong answers for exercise set 10 (linear recurrences).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
Most mutations are the reference answer (copied below) with one line changed, so each is
wrong only in the way its name says; `_swap` fails loudly if the reference copy drifts. The
backward mistakes are those of the catalogue in rnncourse/grading/locate.py
(`SCAN_CATALOGUE`), which the test cell uses to name them. (An answer that memorises the
visible test's outputs is generated for every task by the contract itself:
tests/mutations/release.py.)
"""

from mutations.common import swap as _swap

_FWD = '''
def scan_forward(a, b, h0):
    B, T, H = b.shape
    h = np.empty((B, T, H))
    state = h0
    for t in range(T):
        state = a[:, t] * state + b[:, t]
        h[:, t] = state
    return h
'''

_BWD = '''
def scan_backward(a, h, h0, dh):
    B, T, H = h.shape
    da, db = np.empty((B, T, H)), np.empty((B, T, H))
    carry = np.zeros((B, H), dtype=np.float64)
    for t in range(T - 1, -1, -1):
        g = dh[:, t] + carry
        h_prev = h[:, t - 1] if t > 0 else h0
        db[:, t] = g
        da[:, t] = g * h_prev
        carry = a[:, t] * g
    return da, db, carry
'''

_COMB = '''
def combine(first, second):
    a1, b1 = first
    a2, b2 = second
    return a2 * a1, a2 * b1 + b2
'''

_HS = '''
def scan_hillis_steele(a, b, h0, combine):
    T = b.shape[1]
    A = np.concatenate([np.ones_like(h0)[:, None], a], axis=1)
    Bv = np.concatenate([h0[:, None], b], axis=1)
    d = 1
    while d < T + 1:
        A_new, B_new = combine((A[:, :-d], Bv[:, :-d]), (A[:, d:], Bv[:, d:]))
        A = np.concatenate([A[:, :d], A_new], axis=1)
        Bv = np.concatenate([Bv[:, :d], B_new], axis=1)
        d *= 2
    return Bv[:, 1:]
'''

# The loop again, through the operator: one call of combine per time step.
_HS_PER_STEP = '''
def scan_hillis_steele(a, b, h0, combine):
    cur, out = (np.ones_like(h0), h0), []
    for t in range(b.shape[1]):
        cur = combine(cur, (a[:, t], b[:, t]))
        out.append(cur[1])
    return np.stack(out, axis=1)
'''

# Recursive doubling with its own arithmetic: right for h -> a h + b only.
_HS_OWN_ARITHMETIC = '''
def scan_hillis_steele(a, b, h0, combine):
    T = b.shape[1]
    A, Bv = a.copy(), b.copy()
    Bv[:, 0] = a[:, 0] * h0 + b[:, 0]
    d = 1
    while d < T:
        Bv = np.concatenate([Bv[:, :d], A[:, d:] * Bv[:, :-d] + Bv[:, d:]], axis=1)
        A = np.concatenate([A[:, :d], A[:, d:] * A[:, :-d]], axis=1)
        d *= 2
    return Bv
'''

# Every position combined in every round, the shifted-in ones padded with (1, 0).
_HS_PADDED = '''
def scan_hillis_steele(a, b, h0, combine):
    A = np.concatenate([np.ones_like(h0)[:, None], a], axis=1)
    Bv = np.concatenate([h0[:, None], b], axis=1)
    d = 1
    while d < A.shape[1]:
        pad_a, pad_b = np.ones_like(A[:, :d]), np.zeros_like(Bv[:, :d])
        A, Bv = combine((np.concatenate([pad_a, A[:, :-d]], axis=1),
                         np.concatenate([pad_b, Bv[:, :-d]], axis=1)), (A, Bv))
        d *= 2
    return Bv[:, 1:]
'''

_LOG = '''
def scan_log_space(log_a, log_b, log_h0):
    A = np.cumsum(log_a, axis=1)
    terms = np.concatenate([log_h0[:, None], log_b - A], axis=1)
    log_sums = np.logaddexp.accumulate(terms, axis=1)
    return A + log_sums[:, 1:]
'''

_LOG_PLAIN = '''
def scan_log_space(log_a, log_b, log_h0):
    a, b, state = np.exp(log_a), np.exp(log_b), np.exp(log_h0)
    out = []
    for t in range(b.shape[1]):
        state = a[:, t] * state + b[:, t]
        out.append(state)
    return np.log(np.stack(out, axis=1))
'''

_LOG_CUMPROD = '''
def scan_log_space(log_a, log_b, log_h0):
    P = np.cumprod(np.exp(log_a), axis=1)
    h = P * (np.exp(log_h0)[:, None] + np.cumsum(np.exp(log_b) / P, axis=1))
    return np.log(h)
'''

_LOG_EXP_FIRST = '''
def scan_log_space(log_a, log_b, log_h0):
    A = np.cumsum(log_a, axis=1)
    sums = np.exp(log_h0)[:, None] + np.cumsum(np.exp(log_b - A), axis=1)
    return A + np.log(sums)
'''

_SSM = '''
def selective_step(x_t, h, a_log, dt, W_dt, W_B, W_C, D_skip):
    delta = np.logaddexp(0.0, x_t @ W_dt + dt)
    A = -np.exp(a_log)
    a_bar = np.exp(delta[:, :, None] * A)
    B_t, C_t = x_t @ W_B, x_t @ W_C
    written = (delta * x_t)[:, :, None] * B_t[:, None, :]
    h_next = a_bar * h + written
    y = (h_next * C_t[:, None, :]).sum(axis=2) + D_skip * x_t
    return y, h_next
'''

_DELTA = '''
def delta_rule_step(S, k, v, beta):
    read = np.einsum("bk,bkv->bv", k, S)
    correction = beta[:, None] * (v - read)
    return S + k[:, :, None] * correction[:, None, :]
'''

_LOG_PLAIN_LONG = '''
def scan_log_space(log_a, log_b, log_h0):
    a = np.exp(log_a.astype(np.longdouble))
    b = np.exp(log_b.astype(np.longdouble))
    state = np.exp(log_h0.astype(np.longdouble))
    h = np.empty(b.shape, dtype=np.longdouble)
    for t in range(a.shape[1]):
        state = a[:, t] * state + b[:, t]
        h[:, t] = state
    return np.log(h).astype(np.float64)
'''

MUTATIONS: dict[str, dict[str, str]] = {
    "scan_forward": {
        "states stored before each update (h_0 .. h_{T-1}, off by one)": _swap(
            _FWD, "        state = a[:, t] * state + b[:, t]\n        h[:, t] = state",
            "        h[:, t] = state\n        state = a[:, t] * state + b[:, t]"),
        "h0 ignored: the recurrence starts from zeros": _swap(
            _FWD, "state = h0", "state = np.zeros((B, H))"),
        "b inside the decay: h_t = a_t (h_{t-1} + b_t)": _swap(
            _FWD, "state = a[:, t] * state + b[:, t]", "state = a[:, t] * (state + b[:, t])"),
        "h0 at every step instead of the carried state": _swap(
            _FWD, "state = a[:, t] * state + b[:, t]", "state = a[:, t] * h0 + b[:, t]"),
        "products of decays times h0 plus a plain running sum of b": '''
def scan_forward(a, b, h0):
    return np.cumprod(a, axis=1) * h0[:, None] + np.cumsum(b, axis=1)
''',
    },
    "scan_backward": {
        "no gradient carried back from step t+1": _swap(
            _BWD, "g = dh[:, t] + carry", "g = dh[:, t]"),
        "carried gradient multiplied by a_t instead of a_{t+1}": _swap(_swap(_swap(
            _BWD, "g = dh[:, t] + carry", "g = dh[:, t] + a[:, t] * carry"),
            "carry = a[:, t] * g", "carry = g"),
            "return da, db, carry", "return da, db, a[:, 0] * db[:, 0]"),
        "da pairs g_t with h_t instead of h_{t-1}": _swap(
            _BWD, "da[:, t] = g * h_prev", "da[:, t] = g * h[:, t]"),
        "dh0 left at zero": _swap(_BWD, "return da, db, carry", "return da, db, np.zeros((B, H))"),
        "dh0 without the decay a_1": _swap(_BWD, "return da, db, carry",
                                           "return da, db, db[:, 0].copy()"),
        "time walked forwards": _swap(_BWD, "for t in range(T - 1, -1, -1):", "for t in range(T):"),
    },
    "combine": {
        "order swapped: second applied first": _swap(
            _COMB, "return a2 * a1, a2 * b1 + b2", "return a1 * a2, a1 * b2 + b1"),
        "first's b not decayed by the second step": _swap(
            _COMB, "return a2 * a1, a2 * b1 + b2", "return a2 * a1, b1 + b2"),
        "first's b decayed by its own step": _swap(
            _COMB, "return a2 * a1, a2 * b1 + b2", "return a2 * a1, a1 * b1 + b2"),
    },
    "scan_hillis_steele": {
        "the loop again: one call of combine per time step": _HS_PER_STEP,
        "its own arithmetic instead of the given combine": _HS_OWN_ARITHMETIC,
        "shifted-in positions padded with (1, 0)": _HS_PADDED,
        "first and second swapped in every round": _swap(
            _HS, "combine((A[:, :-d], Bv[:, :-d]), (A[:, d:], Bv[:, d:]))",
            "combine((A[:, d:], Bv[:, d:]), (A[:, :-d], Bv[:, :-d]))"),
        "stops one round early (counts T positions, not T + 1)": _swap(
            _HS, "while d < T + 1:", "while d < T:"),
        "h0 left out of the scan": _swap(_swap(_swap(
            _HS, "A = np.concatenate([np.ones_like(h0)[:, None], a], axis=1)", "A = a.copy()"),
            "Bv = np.concatenate([h0[:, None], b], axis=1)", "Bv = b.copy()"),
            "return Bv[:, 1:]", "return Bv"),
    },
    "scan_log_space": {
        "the plain recurrence on exp of the inputs": _LOG_PLAIN,
        "cumulative product of the decays, divided out": _LOG_CUMPROD,
        "exponentials summed before the log": _LOG_EXP_FIRST,
        "h0 left out": _swap(_swap(
            _LOG, "terms = np.concatenate([log_h0[:, None], log_b - A], axis=1)",
            "terms = log_b - A"), "return A + log_sums[:, 1:]", "return A + log_sums"),
        "each b decayed by its own step too": _swap(
            _LOG, "[log_h0[:, None], log_b - A]", "[log_h0[:, None], log_b - A + log_a]"),
        # found by a blind tester: right wherever long double's range reaches (about e^11356)
        "the plain recurrence in long double": _LOG_PLAIN_LONG,
    },
    "selective_step": {
        "exp instead of softplus for the step size": _swap(
            _SSM, "delta = np.logaddexp(0.0, x_t @ W_dt + dt)", "delta = np.exp(x_t @ W_dt + dt)"),
        # found by a blind tester: overflows only for step-size inputs above about 710
        "softplus as log(1 + exp(z))": _swap(
            _SSM, "delta = np.logaddexp(0.0, x_t @ W_dt + dt)",
            "delta = np.log(1.0 + np.exp(x_t @ W_dt + dt))"),
        "step size not selected by the input": _swap(
            _SSM, "delta = np.logaddexp(0.0, x_t @ W_dt + dt)",
            "delta = np.logaddexp(0.0, dt + 0.0 * x_t)"),
        "A taken as -a_log": _swap(_SSM, "A = -np.exp(a_log)", "A = -a_log"),
        "the exact hold's write ((exp(Delta A) - 1) / A) B x": _swap(
            _SSM, "written = (delta * x_t)[:, :, None] * B_t[:, None, :]",
            "written = (a_bar - 1.0) / A * x_t[:, :, None] * B_t[:, None, :]"),
        "y read from the state before the step": _swap(
            _SSM, "y = (h_next * C_t[:, None, :])", "y = (h * C_t[:, None, :])"),
        "no skip term": _swap(_SSM, ".sum(axis=2) + D_skip * x_t", ".sum(axis=2)"),
    },
    "delta_rule_step": {
        "linear attention's update S + k^T v": '''
def delta_rule_step(S, k, v, beta):
    return S + k[:, :, None] * v[:, None, :]
''',
        "nothing read: S + beta k^T v": _swap(_DELTA, "correction = beta[:, None] * (v - read)",
                                              "correction = beta[:, None] * v"),
        "beta on v only": _swap(_DELTA, "correction = beta[:, None] * (v - read)",
                                "correction = beta[:, None] * v - read"),
        "keys normalised first": _swap(
            _DELTA, "read = np.einsum", "k = k / np.linalg.norm(k, axis=1, keepdims=True)\n"
                                       "    read = np.einsum"),
    },
}


# Generated mutants (tests/mutations/generic.py): what each task needs, and the classes
# that cannot apply, with the reason.
from mutations.generic import Spec  # noqa: E402

GENERIC = {
    "scan_forward": Spec("scan_forward"),
    "scan_backward": Spec("scan_backward"),
    "combine": Spec("combine"),
    "scan_hillis_steele": Spec("scan_hillis_steele"),
    "scan_log_space": Spec("scan_log_space"),
    "selective_step": Spec("selective_step"),
    "delta_rule_step": Spec("delta_rule_step"),
}


# Correct answers computed by someone else (rnncourse, or a library the set excludes):
# the contract requires each to earn nothing, and to pass with the watch switched off.
DELEGATING: dict[str, dict[str, str]] = {
    "scan_forward": {"rnncourse": '''
from rnncourse.scratch import scan
def scan_forward(a, b, h0):
    return scan.scan_loop(a, b, h0)
''', "torch": '''
import torch
def scan_forward(a, b, h0):
    ta, tb, state = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(h0)
    out = []
    for t in range(ta.shape[1]):
        state = ta[:, t] * state + tb[:, t]
        out.append(state)
    return torch.stack(out, 1).numpy()
'''},
    "scan_backward": {"rnncourse": '''
from rnncourse.scratch import scan
def scan_backward(a, h, h0, dh):
    return scan.scan_backward(a, h, h0, dh)
''', "torch": '''
import torch
def scan_backward(a, h, h0, dh):
    ta, th, th0, tdh = map(torch.from_numpy, (a, h, h0, dh))
    T = ta.shape[1]
    g, gs = tdh[:, -1], [tdh[:, -1]]
    for t in range(T - 2, -1, -1):
        g = tdh[:, t] + ta[:, t + 1] * g
        gs.append(g)
    g = torch.stack(gs[::-1], 1)
    h_prev = torch.cat([th0[:, None], th[:, :-1]], 1)
    return (g * h_prev).numpy(), g.numpy(), (ta[:, 0] * g[:, 0]).numpy()
'''},
    "combine": {"rnncourse": '''
from rnncourse.scratch import scan
def combine(first, second):
    return scan.combine(first, second)
''', "torch": '''
import torch
def combine(first, second):
    (a1, b1), (a2, b2) = [tuple(map(torch.from_numpy, p)) for p in (first, second)]
    return (a2 * a1).numpy(), torch.addcmul(b2, a2, b1).numpy()
'''},
    "scan_hillis_steele": {"rnncourse": '''
from rnncourse.scratch import scan
def scan_hillis_steele(a, b, h0, combine):
    T = b.shape[1]
    A = np.concatenate([np.ones_like(h0)[:, None], a], axis=1)
    Bv = np.concatenate([h0[:, None], b], axis=1)
    d = 1
    for _ in range(scan.scan_work(T + 1, "hillis_steele")["rounds"]):
        A_new, B_new = combine((A[:, :-d], Bv[:, :-d]), (A[:, d:], Bv[:, d:]))
        A = np.concatenate([A[:, :d], A_new], axis=1)
        Bv = np.concatenate([Bv[:, :d], B_new], axis=1)
        d *= 2
    return Bv[:, 1:]
''', "torch": '''
import torch
def scan_hillis_steele(a, b, h0, combine):
    T = b.shape[1]
    A = torch.cat([torch.ones(h0.shape, dtype=torch.float64)[:, None], torch.from_numpy(a)], 1)
    Bv = torch.cat([torch.from_numpy(h0)[:, None], torch.from_numpy(b)], 1)
    A, Bv = A.numpy(), Bv.numpy()
    d = 1
    while d < T + 1:
        A_new, B_new = combine((A[:, :-d], Bv[:, :-d]), (A[:, d:], Bv[:, d:]))
        A = np.concatenate([A[:, :d], A_new], axis=1)
        Bv = np.concatenate([Bv[:, :d], B_new], axis=1)
        d *= 2
    return Bv[:, 1:]
'''},
    "scan_log_space": {"torch": '''
import torch
def scan_log_space(log_a, log_b, log_h0):
    A = torch.cumsum(torch.from_numpy(log_a), 1)
    terms = torch.cat([torch.from_numpy(log_h0)[:, None], torch.from_numpy(log_b) - A], 1)
    return (A + torch.logcumsumexp(terms, 1)[:, 1:]).numpy()
''', "scipy": '''
from scipy.special import logsumexp
def scan_log_space(log_a, log_b, log_h0):
    state, out = log_h0, []
    for t in range(log_b.shape[1]):
        state = logsumexp(np.stack([log_a[:, t] + state, log_b[:, t]]), axis=0)
        out.append(state)
    return np.stack(out, axis=1)
'''},
    "selective_step": {"rnncourse": '''
import torch
from rnncourse.models import linear_rnn
def selective_step(x_t, h, a_log, dt, W_dt, W_B, W_C, D_skip):
    ssm = linear_rnn.DiagonalSSM(*a_log.shape, selective=True).double()
    with torch.no_grad():
        for p, v in zip((ssm.a_log, ssm.dt, ssm.W_dt.weight, ssm.W_B.weight, ssm.W_C.weight,
                         ssm.D_skip), (a_log, dt, W_dt.T, W_B.T, W_C.T, D_skip)):
            p.copy_(torch.from_numpy(np.ascontiguousarray(v)))
        y, h_next = ssm.step(torch.from_numpy(x_t), torch.from_numpy(h))
    return y.numpy(), h_next.numpy()
''', "torch": '''
import torch
def selective_step(x_t, h, a_log, dt, W_dt, W_B, W_C, D_skip):
    delta = torch.nn.functional.softplus(torch.from_numpy(x_t @ W_dt + dt)).numpy()
    a_bar = np.exp(delta[:, :, None] * -np.exp(a_log))
    B_t, C_t = x_t @ W_B, x_t @ W_C
    h_next = a_bar * h + (delta * x_t)[:, :, None] * B_t[:, None, :]
    return (h_next * C_t[:, None, :]).sum(axis=2) + D_skip * x_t, h_next
'''},
    "delta_rule_step": {"rnncourse": '''
import torch
from rnncourse.models import linear_attention
def delta_rule_step(S, k, v, beta):
    net = linear_attention.DeltaNet(1, k.shape[1]).double()
    given = (torch.zeros(k.shape, dtype=torch.float64), torch.from_numpy(k), torch.from_numpy(v),
             torch.from_numpy(beta)[:, None])
    net.features = lambda x_t: given
    with torch.no_grad():
        return net.step(torch.zeros(len(k), 1, dtype=torch.float64), torch.from_numpy(S))[1].numpy()
''', "torch": '''
import torch
def delta_rule_step(S, k, v, beta):
    tS, tk, tv, tb = map(torch.from_numpy, (S, k, v, beta))
    read = torch.einsum("bk,bkv->bv", tk, tS)
    return (tS + tb[:, None, None] * torch.einsum("bk,bv->bkv", tk, tv - read)).numpy()
'''},
}
