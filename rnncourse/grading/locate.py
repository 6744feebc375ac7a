"""Where a hand-written backward pass goes wrong: the step, the parameter, the likely mistake.

When a learner's backward pass fails its checks, ten FAIL lines say only that every
gradient is off. The functions here (called by the test cells of sets 03, 05 and 10, only
when a case failed) look closer:

- **which gradients are wrong**, compared with the right ones computed here;
- **where in time** (BPTT, and the linear recurrence's backward): the learner's function is
  run again on the last k steps of the same sequence, k = 1, 2, ...; the first k at which it
  goes wrong is the step, counted from the end, where the mistake enters (at k = 1 nothing
  has been carried back yet);
- **the likely mistake**: the learner's gradients are compared with those of the set's
  catalogue of common mistakes (the same ones its mutation fixtures plant); a match is
  named, with what to change, in words (no solution lines).

The result is one explanation that replaces the per-quantity hints (`Report.explain`). The
catalogue implementations are wrong on purpose; the right ones are the `None` entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

# ---------------------------------------------------------------- comparison


def _close(a, b) -> bool:
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


def wrong_outputs(names: Sequence[str], got, want) -> list[str]:
    """The names of the outputs that differ (all of them if got is malformed)."""
    if not isinstance(got, tuple | list) or len(got) != len(names):
        return list(names)
    return [n for n, g, w in zip(names, got, want, strict=True) if not _close(g, w)]


def likely_mistake(got, args: tuple, catalogue: dict[str | None, tuple[Callable, str]],
                   ) -> str | None:
    """The description of the catalogue entry whose outputs equal got, if one does."""
    for key, (fn, advice) in catalogue.items():
        if key is None:
            continue
        with np.errstate(all="ignore"):
            try:
                out = fn(*args)
            except Exception:  # noqa: BLE001 - a mistake that cannot run matches nothing
                continue
        if isinstance(got, tuple | list) and len(got) == len(out) and all(
                _close(g, o) for g, o in zip(got, out, strict=True)):
            return f"they match what one gets when {key}: {advice}"
    return None


def _explain(r, names, got, args, catalogue, where: str = "") -> None:
    want = catalogue[None][0](*args)
    wrong = wrong_outputs(names, got, want)
    if not wrong:
        return
    if len(wrong) == len(names) and not isinstance(got, tuple | list):
        return
    listed = ", ".join(wrong)
    text = f"{listed} {'is' if len(wrong) == 1 else 'are'} wrong{where}; "
    mistake = likely_mistake(got, args, catalogue)
    text += mistake if mistake else ("no single common mistake explains it: start with the "
                                     f"first of {listed} and follow the chain rule back to it")
    r.explain(text + ".")


# ---------------------------------------------------------------- vanilla RNN (set 03)

RNN_NAMES = ("dx", "dh_prev", "dWx", "dWh", "db")
BPTT_NAMES = ("dx", "dh0", "dWx", "dWh", "db")


def _rnn_step(dh_next, x, h_prev, h_next, Wx, Wh, mistake=None):
    if mistake == "pre":
        da = dh_next * (1.0 - np.arctanh(h_next) ** 2)
    elif mistake == "no tanh":
        da = dh_next
    elif mistake == "unsquared":
        da = dh_next * (1.0 - h_next)
    else:
        da = dh_next * (1.0 - h_next ** 2)
    dh_prev = da @ (Wh if mistake == "Wh" else Wh.T)
    dWh = (h_next if mistake == "h_next" else h_prev).T @ da
    db = da.mean(axis=0) if mistake == "mean" else da.sum(axis=0)
    return da @ Wx.T, dh_prev, x.T @ da, dWh, db


def _step_variant(mistake):
    return lambda *args: _rnn_step(*args, mistake=mistake)


RNN_STEP_CATALOGUE = {
    None: (_step_variant(None), ""),
    "tanh′ is computed from the pre-activation a": (
        _step_variant("pre"), "tanh′(a) = 1 − tanh(a)², and tanh(a) is the step's output h_next"),
    "the gradient skips the derivative of tanh": (
        _step_variant("no tanh"), "multiply the upstream gradient by tanh′ before it reaches "
        "the pre-activation"),
    "tanh′ is taken as 1 − h_next": (
        _step_variant("unsquared"), "the derivative is 1 − h_next squared"),
    "the gradient into h_prev multiplies by Wh instead of its transpose": (
        _step_variant("Wh"), "h_prev multiplies Wh from the left in the forward pass, so its "
        "gradient multiplies by the transpose"),
    "dWh pairs the gradient with h_next": (
        _step_variant("h_next"), "Wh multiplied the state that went into the step, h_prev"),
    "db averages over the batch": (
        _step_variant("mean"), "the bias is added to every row, so its gradient is a sum over "
        "the batch"),
}


def rnn_step_backward(r, args: tuple, got) -> None:
    """Explain a wrong rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh)."""
    _explain(r, RNN_NAMES, got, args, RNN_STEP_CATALOGUE)


def _bptt(dh, x, h0, h, Wx, Wh, mistake=None):
    B, T, H = h.shape
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    carry = np.zeros((B, H))
    steps = range(T) if mistake == "forwards" else range(T - 1, -1, -1)
    for t in steps:
        h_prev = h[:, t - 1] if t > 0 else h0
        g = dh[:, t] if mistake == "no carry" else dh[:, t] + carry
        if mistake == "after":
            da = dh[:, t] * (1.0 - h[:, t] ** 2) + carry
        elif mistake == "pre":
            da = g * (1.0 - np.arctanh(h[:, t]) ** 2)
        else:
            da = g * (1.0 - h[:, t] ** 2)
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += (h[:, t] if mistake == "off by one" else h_prev).T @ da
        db += da.mean(axis=0) if mistake == "mean" else da.sum(axis=0)
        carry = da @ (Wh if mistake == "Wh" else Wh.T)
    return dx, carry, dWx, dWh, db


def _bptt_variant(mistake):
    return lambda *args: _bptt(*args, mistake=mistake)


BPTT_CATALOGUE = {
    None: (_bptt_variant(None), ""),
    "no gradient is carried from step t+1 back into step t": (
        _bptt_variant("no carry"), "h_t also feeds step t+1, so the gradient reaching it is "
        "its own loss's gradient plus what step t+1 sends back"),
    "the carried gradient is added after the derivative of tanh": (
        _bptt_variant("after"), "add what step t+1 sends back to the loss's gradient first, "
        "then multiply the sum by tanh′"),
    "tanh′ is computed from the pre-activation a": (
        _bptt_variant("pre"), "tanh′(a) = 1 − tanh(a)², and tanh(a) is the state h_t itself"),
    "the gradient sent back to the previous step multiplies by Wh, not its transpose": (
        _bptt_variant("Wh"), "h_{t-1} multiplies Wh from the left, so its gradient multiplies "
        "by the transpose"),
    "dWh pairs step t's gradient with h_t instead of h_{t-1} (off by one in time)": (
        _bptt_variant("off by one"), "Wh multiplied the state that went into step t"),
    "db averages over the batch": (
        _bptt_variant("mean"), "the bias is added to every row, so its gradient is a sum"),
    "time is walked forwards": (
        _bptt_variant("forwards"), "gradients flow from the last step to the first: walk t "
        "from T-1 down to 0"),
}


def _ordinal(k: int) -> str:
    return {1: "last", 2: "second to last", 3: "third to last"}.get(k, f"{k}th from the end")


def rnn_backward(r, fn: Callable, args: tuple, got) -> None:
    """Explain a wrong rnn_backward(dh, x, h0, h, Wx, Wh): also the first step, counted
    from the end, at which the learner's function goes wrong (it is run again on the
    last k steps of the same sequence)."""
    dh, x, h0, h, Wx, Wh = args

    def last(start):
        return (dh[:, start:].copy(), x[:, start:].copy(),
                (h[:, start - 1] if start > 0 else h0).copy(), h[:, start:].copy(), Wx, Wh)

    where = _first_wrong_step(fn, h.shape[1], last, BPTT_NAMES, _bptt)
    _explain(r, BPTT_NAMES, got, args, BPTT_CATALOGUE, where)


def _first_wrong_step(fn: Callable, T: int, last: Callable, names: Sequence[str],
                      right: Callable) -> str:
    """Where in time a backward-through-time function goes wrong: run it on the last k
    steps alone (`last(start)` gives the arguments from step `start` on), k = 1, 2, ...;
    the first k that comes out wrong is the step, counted from the end, where the mistake
    enters. Returns the sentence for the explanation ("" if none is found)."""
    for k in range(1, T + 1):
        start = T - k
        sub = last(start)
        try:
            out = fn(*sub)
        except Exception:  # noqa: BLE001 - the full call's failure is reported elsewhere
            return ""
        bad = wrong_outputs(names, out, right(*sub))
        if bad:
            return (f" (run on the last {k} step{'s' if k > 1 else ''} alone, your function "
                    f"already goes wrong: at the {_ordinal(k)} step, t = {start}, in "
                    f"{', '.join(bad)}" + (", so the step itself is wrong" if k == 1 else
                                            f"; the last {k - 1} alone come out right") + ")")
    return ""


# ---------------------------------------------------------------- LSTM and GRU (set 05)

LSTM_NAMES = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
GRU_NAMES = ("dx", "dh_prev", "dWx", "dWh", "dbx", "dbh")


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _lstm(dh_next, dc_next, x, h_prev, c_prev, Wx, Wh, b, mistake=None):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    blocks = [a[:, k * H:(k + 1) * H] for k in range(4)]
    if mistake == "order":                      # i, f, o, g as in CS231n
        blocks = [blocks[0], blocks[1], blocks[3], blocks[2]]
    i, f, g, o = _sigmoid(blocks[0]), _sigmoid(blocks[1]), np.tanh(blocks[2]), _sigmoid(blocks[3])
    c_next = f * c_prev + i * g
    if mistake == "o inside":                   # forward h = tanh(o * c)
        th = np.tanh(o * c_next)
        dc = dc_next + dh_next * (1.0 - th ** 2) * o
        do = dh_next * (1.0 - th ** 2) * c_next
    else:
        tc = np.tanh(c_prev if mistake == "c_prev" else c_next)
        through_h = 0.0 if mistake == "no h" else dh_next * o * (1.0 - tc ** 2)
        dc = dc_next + through_h
        do = dh_next * np.tanh(c_next)
    dc_prev = dc if mistake == "no f" else (dc_next * f if mistake == "dc_next" else dc * f)
    da_blocks = [dc * g * i * (1.0 - i), dc * c_prev * f * (1.0 - f), dc * i * (1.0 - g ** 2),
                 do * o * (1.0 - o)]
    if mistake == "order":
        da_blocks = [da_blocks[0], da_blocks[1], da_blocks[3], da_blocks[2]]
    da = np.concatenate(da_blocks, axis=1)
    db = da.mean(axis=0) if mistake == "mean" else da.sum(axis=0)
    return da @ Wx.T, da @ Wh.T, dc_prev, x.T @ da, h_prev.T @ da, db


def _lstm_variant(mistake):
    return lambda *args: _lstm(*args, mistake=mistake)


LSTM_CATALOGUE = {
    None: (_lstm_variant(None), ""),
    "the gradient into c_prev skips the forget gate": (
        _lstm_variant("no f"), "c_next = f ⊙ c_prev + ..., so c_prev's gradient is the cell's "
        "gradient times f"),
    "the gradient arriving through h_next is not added to the cell's gradient": (
        _lstm_variant("no h"), "c_next reaches the loss twice, directly and through "
        "h_next = o ⊙ tanh(c_next): add both"),
    "dc_prev uses dc_next alone": (
        _lstm_variant("dc_next"), "the cell's total gradient includes the path through h_next "
        "before it is multiplied by f"),
    "the gate blocks are read in the order i, f, o, g": (
        _lstm_variant("order"), "torch.nn's order is i, f, g, o, in the forward and the "
        "backward pass"),
    "tanh′ of the cell is taken at c_prev": (
        _lstm_variant("c_prev"), "h_next = o ⊙ tanh(c_next): the derivative is at c_next"),
    "the output gate is applied inside the tanh": (
        _lstm_variant("o inside"), "h_next = o ⊙ tanh(c_next), the gate outside"),
    "db averages over the batch": (
        _lstm_variant("mean"), "the bias is added to every row, so its gradient is a sum"),
}


def lstm_step_backward(r, args: tuple, got) -> None:
    """Explain a wrong lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, Wx, Wh, b)."""
    _explain(r, LSTM_NAMES, got, args, LSTM_CATALOGUE)


def _gru(dh_next, x, h_prev, Wx, Wh, bx, bh, mistake=None):
    H = h_prev.shape[1]
    ax, ah = x @ Wx + bx, h_prev @ Wh + bh
    order = [1, 0, 2] if mistake == "order" else [0, 1, 2]     # z, r, n read as r, z, n
    blk = [slice(k * H, (k + 1) * H) for k in order]
    r_ = _sigmoid(ax[:, blk[0]] + ah[:, blk[0]])
    z = _sigmoid(ax[:, blk[1]] + ah[:, blk[1]])
    if mistake == "cho":                        # reset gate before the product
        Whn = Wh[:, blk[2]]
        hn = (r_ * h_prev) @ Whn + bh[blk[2]]
        n = np.tanh(ax[:, blk[2]] + hn)
    else:
        hn = ah[:, blk[2]]
        n = np.tanh(ax[:, blk[2]] + r_ * hn)
    if mistake == "flipped":
        dn, dz = dh_next * z, dh_next * (n - h_prev)
    elif mistake == "sign":
        dn, dz = dh_next * (1.0 - z), dh_next * (n - h_prev)
    else:
        dn, dz = dh_next * (1.0 - z), dh_next * (h_prev - n)
    dan = dn * (1.0 - n ** 2)
    daz = dz * z * (1.0 - z)
    if mistake == "cho":
        dhr = dan @ Wh[:, blk[2]].T
        dar = dhr * h_prev * r_ * (1.0 - r_)
        dah_n = dan
    else:
        dar = dan * hn * r_ * (1.0 - r_)
        dah_n = dan if mistake == "no r" else dan * r_
    parts_x, parts_h = [None] * 3, [None] * 3
    for k, (da_x, da_h) in zip(order, [(dar, dar), (daz, daz), (dan, dah_n)], strict=True):
        parts_x[k], parts_h[k] = da_x, da_h
    dax, dah = np.concatenate(parts_x, axis=1), np.concatenate(parts_h, axis=1)
    direct = 0.0 if mistake == "no direct" else (dh_next * (1.0 - z) if mistake == "flipped"
                                                 else dh_next * z)
    if mistake == "cho":
        dWh = h_prev.T @ dah
        dWh[:, blk[2]] = (r_ * h_prev).T @ dan
        dh_prev = direct + dah[:, :2 * H] @ Wh[:, :2 * H].T + dhr * r_ if order == [0, 1, 2] \
            else direct + dah @ Wh.T
    else:
        dWh = h_prev.T @ dah
        dh_prev = direct + dah @ Wh.T
    return dax @ Wx.T, dh_prev, x.T @ dax, dWh, dax.sum(axis=0), dah.sum(axis=0)


def _gru_variant(mistake):
    return lambda *args: _gru(*args, mistake=mistake)


GRU_CATALOGUE = {
    None: (_gru_variant(None), ""),
    "the update gate's convention is flipped (h_next = z ⊙ n + (1 − z) ⊙ h_prev)": (
        _gru_variant("flipped"), "torch.nn's GRU keeps z ⊙ h_prev and takes (1 − z) ⊙ n"),
    "the reset gate multiplies h_prev before the product with Wh (Cho et al.'s GRU)": (
        _gru_variant("cho"), "torch.nn applies r to h_prev Wh_n + bh_n, after the product"),
    "the direct path from h_next to h_prev is missing": (
        _gru_variant("no direct"), "h_next = ... + z ⊙ h_prev reaches h_prev without any "
        "matrix: add that term to dh_prev"),
    "the hidden side of the n block is not multiplied by r": (
        _gru_variant("no r"), "r multiplies h_prev Wh_n + bh_n, so the gradient reaching "
        "them is scaled by r"),
    "dz has the wrong sign": (
        _gru_variant("sign"), "h_next = (1 − z) ⊙ n + z ⊙ h_prev changes with z as h_prev − n"),
    "the gate blocks are read in the order z, r, n": (
        _gru_variant("order"), "torch.nn's order is r, z, n"),
}


def gru_step_backward(r, args: tuple, got) -> None:
    """Explain a wrong gru_step_backward(dh_next, x, h_prev, Wx, Wh, bx, bh)."""
    _explain(r, GRU_NAMES, got, args, GRU_CATALOGUE)


# ---------------------------------------------------------------- linear recurrences (set 10)

SCAN_NAMES = ("da", "db", "dh0")


def _scan_bwd(a, h, h0, dh, mistake=None):
    """Gradients of h_t = a_t * h_{t-1} + b_t: g_t = dh_t + a_{t+1} g_{t+1}, db = g,
    da_t = g_t h_{t-1}, dh0 = a_1 g_1 (right, or with one of the catalogue's mistakes)."""
    T = h.shape[1]
    da, db = np.zeros_like(h), np.zeros_like(h)
    carry = np.zeros_like(h0)                   # g_{t+1} times the decay that multiplies it
    steps = range(T) if mistake == "forwards" else range(T - 1, -1, -1)
    for t in steps:
        h_prev = h[:, t - 1] if t > 0 else h0
        if mistake == "no carry":
            g = dh[:, t]
        elif mistake == "a_t":
            g = dh[:, t] + a[:, t] * carry
        else:
            g = dh[:, t] + carry
        db[:, t] = g
        da[:, t] = g * (h[:, t] if mistake == "h_t" else h_prev)
        carry = g if mistake == "a_t" else a[:, t] * g
    if mistake == "a_t":
        carry = a[:, 0] * db[:, 0]
    if mistake == "no dh0":
        carry = np.zeros_like(h0)
    elif mistake == "g_1":
        carry = db[:, 0].copy()
    return da, db, carry


def _scan_variant(mistake):
    return lambda *args: _scan_bwd(*args, mistake=mistake)


SCAN_CATALOGUE = {
    None: (_scan_variant(None), ""),
    "no gradient is carried from step t+1 back into step t": (
        _scan_variant("no carry"), "h_t also feeds h_{t+1} = a_{t+1} h_t + b_{t+1}, so the "
        "gradient reaching h_t is its own dh_t plus what step t+1 sends back"),
    "the carried gradient is multiplied by a_t instead of a_{t+1}": (
        _scan_variant("a_t"), "what step t+1 sends back to h_t passes through the decay that "
        "multiplies h_t in step t+1, which is a_{t+1}"),
    "da pairs g_t with h_t instead of h_{t-1} (off by one in time)": (
        _scan_variant("h_t"), "a_t multiplies the state that went into step t, h_{t-1} (h0 at "
        "the first step)"),
    "dh0 is left at zero": (
        _scan_variant("no dh0"), "h0 enters the first step, h_1 = a_1 h0 + b_1: it gets the "
        "gradient of h_1 times a_1"),
    "dh0 is the first step's gradient without the decay a_1": (
        _scan_variant("g_1"), "h_1 = a_1 h0 + b_1, so the gradient reaching h0 is multiplied "
        "by a_1"),
    "time is walked forwards": (
        _scan_variant("forwards"), "gradients flow from the last step to the first: walk t "
        "from T-1 down to 0"),
}


def scan_backward(r, fn: Callable, args: tuple, got) -> None:
    """Explain a wrong scan_backward(a, h, h0, dh): also the first step, counted from the
    end, at which the learner's function goes wrong (it is run again on the last k steps of
    the same sequence, starting from the state before them)."""
    a, h, h0, dh = args

    def last(start):
        return (a[:, start:].copy(), h[:, start:].copy(),
                (h[:, start - 1] if start > 0 else h0).copy(), dh[:, start:].copy())

    where = _first_wrong_step(fn, h.shape[1], last, SCAN_NAMES, _scan_bwd)
    _explain(r, SCAN_NAMES, got, args, SCAN_CATALOGUE, where)
