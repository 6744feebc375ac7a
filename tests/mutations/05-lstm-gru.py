"""Plausible wrong answers for exercise set 05 (LSTM and GRU cells).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
Most mutations are the reference answer (copied below, with the `sigmoid` helper the answer
cells start with) with one line changed, so each is wrong only in the way its name says;
`_swap` fails loudly if the reference copy drifts. Each task also has a "hard-coded visible
answer": right at the visible sizes B, D, H = 3, 5, 4 only, as if the printed numbers had
been copied; the hidden tests (other sizes) must catch it.
"""


def _swap(source: str, old: str, new: str) -> str:
    if old not in source:
        raise ValueError(f"mutation anchor not found: {old!r}")
    return source.replace(old, new)


def _hard_coded(source: str, name: str, args: str, wrong: str) -> str:
    """The reference, renamed, called only when x has the visible shape (3, 5)."""
    return _swap(source, f"def {name}(", "def _right(") + f'''

def {name}({args}):
    if x.shape == (3, 5):
        return _right({args})
    return {wrong}
'''


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
        "hard-coded visible answer": _hard_coded(
            _LSTM_FWD, "lstm_step_forward", "x, h_prev, c_prev, Wx, Wh, b",
            "np.tanh(0.5 * c_prev) / 2, c_prev / 2"),
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
        "hard-coded visible answer": _hard_coded(
            _LSTM_BWD, "lstm_step_backward",
            "dh_next, dc_next, x, h_prev, c_prev, Wx, Wh, b",
            "(0 * x, 0 * h_prev, dc_next / 2, 0 * Wx, 0 * Wh, 0 * b)"),
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
        "hard-coded visible answer": _hard_coded(
            _GRU_FWD, "gru_step_forward", "x, h_prev, Wx, Wh, bx, bh", "0.75 * h_prev"),
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
        "hard-coded visible answer": _hard_coded(
            _GRU_BWD, "gru_step_backward", "dh_next, x, h_prev, Wx, Wh, bx, bh",
            "(0 * x, dh_next / 2, 0 * Wx, 0 * Wh, 0 * bx, 0 * bh)"),
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
