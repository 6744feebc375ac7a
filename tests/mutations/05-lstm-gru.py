"""Plausible wrong answers for exercise set 05 (LSTM and GRU cells).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
Most mutations are the reference answer (copied below, with the `sigmoid` helper the answer
cells start with) with one line changed, so each is wrong only in the way its name says;
`_swap` fails loudly if the reference copy drifts. The backward mistakes are those of the
catalogues in rnncourse/grading/locate.py, which the test cells use to name them. (An
answer that memorises the visible test's outputs is generated for every task by the
contract itself: tests/mutations/release.py.)
"""


def _swap(source: str, old: str, new: str) -> str:
    if old not in source:
        raise ValueError(f"mutation anchor not found: {old!r}")
    return source.replace(old, new)


_SIGMOID = '''
def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))
'''

_LSTM_FWD = _SIGMOID + '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next
'''

_LSTM_BWD = _SIGMOID + '''
def lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c_next = f * c_prev + i * g
    tc = np.tanh(c_next)
    dc = dc_next + dh_next * o * (1.0 - tc ** 2)
    do = dh_next * tc
    di, df, dg = dc * g, dc * c_prev, dc * i
    dc_prev = dc * f
    da = np.concatenate([di * i * (1.0 - i), df * f * (1.0 - f),
                         dg * (1.0 - g ** 2), do * o * (1.0 - o)], axis=1)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db
'''

_GRU_FWD = _SIGMOID + '''
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax = x @ Wx + bx
    ah = h_prev @ Wh + bh
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return (1.0 - z) * n + z * h_prev
'''

_GRU_BWD = _SIGMOID + '''
def gru_step_backward(dh_next, x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax, ah = x @ Wx + bx, h_prev @ Wh + bh
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    hn = ah[:, 2 * H:]
    n = np.tanh(ax[:, 2 * H:] + r * hn)
    dn = dh_next * (1.0 - z)
    dz = dh_next * (h_prev - n)
    dan = dn * (1.0 - n ** 2)
    dar = dan * hn * r * (1.0 - r)
    daz = dz * z * (1.0 - z)
    dax = np.concatenate([dar, daz, dan], axis=1)
    dah = np.concatenate([dar, daz, dan * r], axis=1)
    dx = dax @ Wx.T
    dh_prev = dh_next * z + dah @ Wh.T
    dWx, dWh = x.T @ dax, h_prev.T @ dah
    dbx, dbh = dax.sum(axis=0), dah.sum(axis=0)
    return dx, dh_prev, dWx, dWh, dbx, dbh
'''

# The GRU of Cho et al. (2014): the reset gate multiplies h_prev before the hidden product.
_GRU_BWD_RESET_BEFORE = _SIGMOID + '''
def gru_step_backward(dh_next, x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax = x @ Wx + bx
    r = sigmoid(ax[:, :H] + h_prev @ Wh[:, :H] + bh[:H])
    z = sigmoid(ax[:, H:2 * H] + h_prev @ Wh[:, H:2 * H] + bh[H:2 * H])
    rh = r * h_prev
    n = np.tanh(ax[:, 2 * H:] + rh @ Wh[:, 2 * H:] + bh[2 * H:])
    dn = dh_next * (1.0 - z)
    dz = dh_next * (h_prev - n)
    dan = dn * (1.0 - n ** 2)
    drh = dan @ Wh[:, 2 * H:].T
    dar = drh * h_prev * r * (1.0 - r)
    daz = dz * z * (1.0 - z)
    dax = np.concatenate([dar, daz, dan], axis=1)
    dx = dax @ Wx.T
    dh_prev = dh_next * z + drh * r + dar @ Wh[:, :H].T + daz @ Wh[:, H:2 * H].T
    dWx = x.T @ dax
    dWh = np.concatenate([h_prev.T @ dar, h_prev.T @ daz, rh.T @ dan], axis=1)
    dbx = dax.sum(axis=0)
    return dx, dh_prev, dWx, dWh, dbx, dbx.copy()
'''

MUTATIONS: dict[str, dict[str, str]] = {
    "lstm_step_forward": {
        "forget gate applied to the candidate instead of the previous cell": _swap(
            _LSTM_FWD, "c_next = f * c_prev + i * g", "c_next = i * c_prev + f * g"),
        "output gate applied before the tanh of the cell": _swap(
            _LSTM_FWD, "h_next = o * np.tanh(c_next)", "h_next = np.tanh(o * c_next)"),
        "gate blocks in the wrong order (i, f, o, g as in CS231n)": _swap(_swap(
            _LSTM_FWD, "g = np.tanh(a[:, 2 * H:3 * H])", "g = np.tanh(a[:, 3 * H:])"),
            "o = sigmoid(a[:, 3 * H:])", "o = sigmoid(a[:, 2 * H:3 * H])"),
        "sigmoid instead of tanh for the candidate g": _swap(
            _LSTM_FWD, "g = np.tanh(a[:, 2 * H:3 * H])", "g = sigmoid(a[:, 2 * H:3 * H])"),
        "no tanh on the cell (h_next = o * c_next)": _swap(
            _LSTM_FWD, "h_next = o * np.tanh(c_next)", "h_next = o * c_next"),
    },
    "lstm_step_backward": {
        "gradient into c_prev without the forget gate": _swap(
            _LSTM_BWD, "dc_prev = dc * f", "dc_prev = dc"),
        "gradient from h_next not added into the cell gradient": _swap(
            _LSTM_BWD, "dc = dc_next + dh_next * o * (1.0 - tc ** 2)", "dc = dc_next"),
        "dc_prev from dc_next alone (skips the path through h_next)": _swap(
            _LSTM_BWD, "dc_prev = dc * f", "dc_prev = dc_next * f"),
        "gate blocks in the wrong order (i, f, o, g) in forward and backward": _swap(_swap(
            _LSTM_BWD, "g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])",
            "o, g = sigmoid(a[:, 2 * H:3 * H]), np.tanh(a[:, 3 * H:])"),
            "dg * (1.0 - g ** 2), do * o * (1.0 - o)]", "do * o * (1.0 - o), dg * (1.0 - g ** 2)]"),
        "tanh' of the cell taken at c_prev": _swap(
            _LSTM_BWD, "dc = dc_next + dh_next * o * (1.0 - tc ** 2)",
            "dc = dc_next + dh_next * o * (1.0 - np.tanh(c_prev) ** 2)"),
        "output gate before the tanh (backward of h = tanh(o * c))": _swap(_swap(
            _LSTM_BWD, "tc = np.tanh(c_next)", "tc = np.tanh(o * c_next)"),
            "do = dh_next * tc", "do = dh_next * (1.0 - tc ** 2) * c_next"),
        "db averaged over the batch": _swap(_LSTM_BWD, "db = da.sum(axis=0)",
                                            "db = da.mean(axis=0)"),
    },
    "gru_step_forward": {
        "update convention flipped: h_next = z * n + (1 - z) * h_prev": _swap(
            _GRU_FWD, "return (1.0 - z) * n + z * h_prev", "return z * n + (1.0 - z) * h_prev"),
        "reset gate applied before the hidden matrix product": _swap(
            _GRU_FWD, "n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])",
            "n = np.tanh(ax[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + bh[2 * H:])"),
        "hidden bias of the n block outside the reset gate": _swap(
            _GRU_FWD, "n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])",
            "n = np.tanh(ax[:, 2 * H:] + r * (h_prev @ Wh[:, 2 * H:]) + bh[2 * H:])"),
        "gate blocks in the wrong order (z, r, n)": _swap(_swap(
            _GRU_FWD, "r = sigmoid(ax[:, :H] + ah[:, :H])",
            "r = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])"),
            "z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])", "z = sigmoid(ax[:, :H] + ah[:, :H])"),
    },
    "gru_step_backward": {
        "update convention flipped (dn = dh * z, dz = dh * (n - h_prev))": _swap(_swap(_swap(
            _GRU_BWD, "dn = dh_next * (1.0 - z)", "dn = dh_next * z"),
            "dz = dh_next * (h_prev - n)", "dz = dh_next * (n - h_prev)"),
            "dh_prev = dh_next * z + dah @ Wh.T", "dh_prev = dh_next * (1.0 - z) + dah @ Wh.T"),
        "reset gate applied before the hidden matrix product (the Cho et al. GRU)":
            _GRU_BWD_RESET_BEFORE,
        "direct path dh_next * z missing from dh_prev": _swap(
            _GRU_BWD, "dh_prev = dh_next * z + dah @ Wh.T", "dh_prev = dah @ Wh.T"),
        "hidden side of the n block not multiplied by r": _swap(
            _GRU_BWD, "dah = np.concatenate([dar, daz, dan * r], axis=1)", "dah = dax"),
        "dz with the wrong sign (n - h_prev)": _swap(
            _GRU_BWD, "dz = dh_next * (h_prev - n)", "dz = dh_next * (n - h_prev)"),
        "gate blocks in the wrong order (z, r, n)": _swap(_swap(_swap(_swap(
            _GRU_BWD, "r = sigmoid(ax[:, :H] + ah[:, :H])",
            "r = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])"),
            "z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])", "z = sigmoid(ax[:, :H] + ah[:, :H])"),
            "dax = np.concatenate([dar, daz, dan], axis=1)",
            "dax = np.concatenate([daz, dar, dan], axis=1)"),
            "dah = np.concatenate([dar, daz, dan * r], axis=1)",
            "dah = np.concatenate([daz, dar, dan * r], axis=1)"),
    },
}


# Generated mutants (tests/mutations/generic.py): what each task needs, and the classes
# that cannot apply, with the reason.
from mutations.generic import Spec  # noqa: E402

GENERIC = {
    "lstm_step_forward": Spec("lstm_step_forward"),
    "lstm_step_backward": Spec("lstm_step_backward"),
    "gru_step_forward": Spec("gru_step_forward"),
    "gru_step_backward": Spec("gru_step_backward"),
}


# Correct answers computed by someone else (rnncourse, or a library the set excludes):
# the contract requires each to earn nothing, and to pass with the watch switched off.
DELEGATING: dict[str, dict[str, str]] = {
    "lstm_step_forward": {"rnncourse": _SIGMOID + '''
from rnncourse.scratch import lstm
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    h_next, c_next, _ = lstm.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    return h_next, c_next
''', "torch": _SIGMOID + '''
import torch
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    x, h_prev, c_prev, Wx, Wh, b = map(torch.from_numpy, (x, h_prev, c_prev, Wx, Wh, b))
    i, f, g, o = (x @ Wx + h_prev @ Wh + b).chunk(4, dim=1)
    c_next = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
    return (torch.sigmoid(o) * torch.tanh(c_next)).numpy(), c_next.numpy()
''', "scipy": _SIGMOID + '''
from scipy.special import expit
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    c_next = expit(a[:, H:2 * H]) * c_prev + expit(a[:, :H]) * np.tanh(a[:, 2 * H:3 * H])
    return expit(a[:, 3 * H:]) * np.tanh(c_next), c_next
'''},
    "lstm_step_backward": {"rnncourse": _SIGMOID + '''
from rnncourse.scratch import lstm
def lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, Wx, Wh, b):
    _, _, cache = lstm.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    return lstm.lstm_step_backward(dh_next, dc_next, cache)
''', "torch": _SIGMOID + '''
import torch
def lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, Wx, Wh, b):
    ts = [torch.tensor(a, requires_grad=True) for a in (x, h_prev, c_prev, Wx, Wh, b)]
    i, f, g, o = (ts[0] @ ts[3] + ts[1] @ ts[4] + ts[5]).chunk(4, dim=1)
    c = torch.sigmoid(f) * ts[2] + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(c)
    ((h * torch.from_numpy(dh_next)).sum() + (c * torch.from_numpy(dc_next)).sum()).backward()
    return tuple(t.grad.numpy() for t in ts)
'''},
    "gru_step_forward": {"rnncourse": _SIGMOID + '''
from rnncourse.scratch import gru
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    return gru.gru_step_forward(x, h_prev, Wx, Wh, bx, bh)[0]
''', "torch": _SIGMOID + '''
import torch
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    cell = torch.nn.GRUCell(Wx.shape[0], Wh.shape[0]).double()
    with torch.no_grad():
        for p, a in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh),
                        (Wx.T, Wh.T, bx, bh)):
            p.copy_(torch.from_numpy(np.ascontiguousarray(a)))
        return cell(torch.from_numpy(x), torch.from_numpy(h_prev)).numpy()
''', "scipy": _SIGMOID + '''
from scipy.special import expit
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax, ah = x @ Wx + bx, h_prev @ Wh + bh
    r, z = expit(ax[:, :H] + ah[:, :H]), expit(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return (1.0 - z) * n + z * h_prev
'''},
    "gru_step_backward": {"rnncourse": _SIGMOID + '''
from rnncourse.scratch import gru
def gru_step_backward(dh_next, x, h_prev, Wx, Wh, bx, bh):
    _, cache = gru.gru_step_forward(x, h_prev, Wx, Wh, bx, bh)
    return gru.gru_step_backward(dh_next, cache)
''', "torch": _SIGMOID + '''
import torch
def gru_step_backward(dh_next, x, h_prev, Wx, Wh, bx, bh):
    cell = torch.nn.GRUCell(Wx.shape[0], Wh.shape[0]).double()
    with torch.no_grad():
        for p, a in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh),
                        (Wx.T, Wh.T, bx, bh)):
            p.copy_(torch.from_numpy(np.ascontiguousarray(a)))
    tx, th = torch.tensor(x, requires_grad=True), torch.tensor(h_prev, requires_grad=True)
    (cell(tx, th) * torch.from_numpy(dh_next)).sum().backward()
    return (tx.grad.numpy(), th.grad.numpy(), cell.weight_ih.grad.T.numpy().copy(),
            cell.weight_hh.grad.T.numpy().copy(), cell.bias_ih.grad.numpy(),
            cell.bias_hh.grad.numpy())
'''},
}
