"""rnncourse.grading.locate: the right gradients are right (against torch autograd), each
mistake of the catalogues is named from its own output, every hand-written wrong backward
pass of sets 03, 05 and 10 is recognised, and BPTT and the scan's backward find the step
where a mistake enters."""

import numpy as np
import pytest
import torch

from harness import load_mutations
from rnncourse.grading import checks, locate

B, T, D, H = 3, 4, 5, 6


def rnn_step_args(rng):
    x, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    Wx, Wh, b = rng.normal(size=(D, H)) / 2, rng.normal(size=(H, H)) / 2, rng.normal(size=H)
    return (rng.normal(size=(B, H)), x, h_prev, np.tanh(x @ Wx + h_prev @ Wh + b), Wx, Wh), b


def bptt_args(rng):
    x, h0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H))
    Wx, Wh, b = rng.normal(size=(D, H)) / 2, rng.normal(size=(H, H)) / 2, rng.normal(size=H)
    h, prev = np.zeros((B, T, H)), h0
    for t in range(T):
        prev = h[:, t] = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
    return (rng.normal(size=(B, T, H)), x, h0, h, Wx, Wh), b


def lstm_args(rng):
    return (rng.normal(size=(B, H)), rng.normal(size=(B, H)), rng.normal(size=(B, D)),
            rng.normal(size=(B, H)), rng.normal(size=(B, H)), rng.normal(size=(D, 4 * H)) / 2,
            rng.normal(size=(H, 4 * H)) / 2, rng.normal(size=4 * H))


def gru_args(rng):
    return (rng.normal(size=(B, H)), rng.normal(size=(B, D)), rng.normal(size=(B, H)),
            rng.normal(size=(D, 3 * H)) / 2, rng.normal(size=(H, 3 * H)) / 2,
            rng.normal(size=3 * H), rng.normal(size=3 * H))


def scan_args(rng):
    a, b, h0 = rng.uniform(-1.5, 1.5, size=(B, T, H)), rng.normal(size=(B, T, H)), \
        rng.normal(size=(B, H))
    h, prev = np.zeros((B, T, H)), h0
    for t in range(T):
        prev = h[:, t] = a[:, t] * prev + b[:, t]
    return (a, h, h0, rng.normal(size=(B, T, H))), b


def autograd(forward, args_to_grad, upstream):
    ts = [torch.tensor(a, requires_grad=True) for a in args_to_grad]
    outs = forward(*ts)
    sum((o * torch.from_numpy(u)).sum() for o, u in zip(outs, upstream, strict=True)).backward()
    return [t.grad.numpy() for t in ts]


def test_the_right_entries_are_autograd():
    rng = np.random.default_rng(0)
    (dh, x, hp, hn, Wx, Wh), b = rnn_step_args(rng)
    want = autograd(lambda x, hp, Wx, Wh, b: [torch.tanh(x @ Wx + hp @ Wh + b)],
                    (x, hp, Wx, Wh, b), [dh])
    got = locate.RNN_STEP_CATALOGUE[None][0](dh, x, hp, hn, Wx, Wh)
    assert all(np.allclose(g, w) for g, w in zip(got, want, strict=True))

    (dh, x, h0, h, Wx, Wh), b = bptt_args(rng)

    def rnn(x, h0, Wx, Wh, b):
        out, s = [], h0
        for t in range(T):
            s = torch.tanh(x[:, t] @ Wx + s @ Wh + b)
            out.append(s)
        return [torch.stack(out, 1)]
    want = autograd(rnn, (x, h0, Wx, Wh, b), [dh])
    got = locate.BPTT_CATALOGUE[None][0](dh, x, h0, h, Wx, Wh)
    assert all(np.allclose(g, w) for g, w in zip(got, want, strict=True))

    args = lstm_args(rng)
    cell = torch.nn.LSTMCell(D, H).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(args[5].T))
        cell.weight_hh.copy_(torch.from_numpy(args[6].T))
        cell.bias_ih.copy_(torch.from_numpy(args[7]))
        cell.bias_hh.zero_()
    tx, th, tc = (torch.tensor(a, requires_grad=True) for a in args[2:5])
    h, c = cell(tx, (th, tc))
    ((h * torch.from_numpy(args[0])).sum() + (c * torch.from_numpy(args[1])).sum()).backward()
    got = locate.LSTM_CATALOGUE[None][0](*args)
    want = [tx.grad, th.grad, tc.grad, cell.weight_ih.grad.T, cell.weight_hh.grad.T,
            cell.bias_ih.grad]
    assert all(np.allclose(g, w.numpy()) for g, w in zip(got, want, strict=True))

    (a, h, h0, dh), b = scan_args(rng)

    def linear_scan(a, b, h0):
        out, s = [], h0
        for t in range(T):
            s = a[:, t] * s + b[:, t]
            out.append(s)
        return [torch.stack(out, 1)]
    want = autograd(linear_scan, (a, b, h0), [dh])
    got = locate.SCAN_CATALOGUE[None][0](a, h, h0, dh)
    assert all(np.allclose(g, w) for g, w in zip(got, want, strict=True))

    args = gru_args(rng)
    cell = torch.nn.GRUCell(D, H).double()
    with torch.no_grad():
        for p, a in zip(cell.parameters(), (args[3].T, args[4].T, args[5], args[6]), strict=True):
            p.copy_(torch.from_numpy(np.ascontiguousarray(a)))
    tx, th = (torch.tensor(a, requires_grad=True) for a in args[1:3])
    (cell(tx, th) * torch.from_numpy(args[0])).sum().backward()
    got = locate.GRU_CATALOGUE[None][0](*args)
    want = [tx.grad, th.grad, cell.weight_ih.grad.T, cell.weight_hh.grad.T, cell.bias_ih.grad,
            cell.bias_hh.grad]
    assert all(np.allclose(g, w.numpy()) for g, w in zip(got, want, strict=True))


CATALOGUES = {"rnn_step_backward": (locate.RNN_STEP_CATALOGUE, lambda r: rnn_step_args(r)[0]),
              "rnn_backward": (locate.BPTT_CATALOGUE, lambda r: bptt_args(r)[0]),
              "lstm_step_backward": (locate.LSTM_CATALOGUE, lstm_args),
              "gru_step_backward": (locate.GRU_CATALOGUE, gru_args),
              "scan_backward": (locate.SCAN_CATALOGUE, lambda r: scan_args(r)[0])}


@pytest.mark.parametrize("task", list(CATALOGUES))
def test_each_mistake_is_named_from_its_own_output(task):
    catalogue, make = CATALOGUES[task]
    args = make(np.random.default_rng(1))
    for key, (wrong, _) in catalogue.items():
        if key is not None:
            found = locate.likely_mistake(wrong(*args), args, catalogue)
            assert found is not None and key in found, (key, found)
    assert locate.likely_mistake(catalogue[None][0](*args), args, catalogue) is None


@pytest.mark.parametrize("set_name,task", [("03-bptt", "rnn_step_backward"),
                                           ("03-bptt", "rnn_backward"),
                                           ("05-lstm-gru", "lstm_step_backward"),
                                           ("05-lstm-gru", "gru_step_backward"),
                                           ("10-linear-recurrences", "scan_backward")])
def test_every_hand_written_wrong_backward_of_the_sets_is_recognised(set_name, task):
    catalogue, make = CATALOGUES[task]
    args = make(np.random.default_rng(2))
    for what, source in load_mutations(set_name)[task].items():
        ns = {"np": np}
        exec(source, ns)
        with np.errstate(all="ignore"):
            got = ns[task](*[a.copy() for a in args])
        assert locate.likely_mistake(got, args, catalogue) is not None, what


class Collect:
    def __init__(self):
        self.text = None

    def explain(self, text):
        self.text = text


def test_bptt_finds_the_step_where_the_mistake_enters():
    args = bptt_args(np.random.default_rng(3))[0]
    r = Collect()
    no_carry = locate.BPTT_CATALOGUE["no gradient is carried from step t+1 back into step t"][0]
    locate.rnn_backward(r, no_carry, args, no_carry(*args))
    assert "last 2 steps" in r.text and f"t = {T - 2}" in r.text
    assert "no gradient is carried" in r.text
    r = Collect()
    mean = locate.BPTT_CATALOGUE["db averages over the batch"][0]
    locate.rnn_backward(r, mean, args, mean(*args))
    assert "at the last step" in r.text and "in db" in r.text
    r = Collect()
    right = locate.BPTT_CATALOGUE[None][0]
    locate.rnn_backward(r, right, args, right(*args))
    assert r.text is None


def test_the_scan_backward_finds_the_step_where_the_mistake_enters():
    args = scan_args(np.random.default_rng(5))[0]
    r = Collect()
    no_carry = locate.SCAN_CATALOGUE["no gradient is carried from step t+1 back into step t"][0]
    locate.scan_backward(r, no_carry, args, no_carry(*args))
    assert "last 2 steps" in r.text and f"t = {T - 2}" in r.text
    assert "no gradient is carried" in r.text
    r = Collect()
    off = locate.SCAN_CATALOGUE["da pairs g_t with h_t instead of h_{t-1} (off by one in time)"][0]
    locate.scan_backward(r, off, args, off(*args))
    assert "at the last step" in r.text and "in da" in r.text and "off by one" in r.text
    r = Collect()
    right = locate.SCAN_CATALOGUE[None][0]
    locate.scan_backward(r, right, args, right(*args))
    assert r.text is None


def test_explain_reaches_the_report():
    args = rnn_step_args(np.random.default_rng(4))[0]
    wrong = locate.RNN_STEP_CATALOGUE["db averages over the batch"][0]
    with pytest.raises(AssertionError) as info:
        with checks.Report("rnn_step_backward") as r:
            r.check("something", False, hint="per-quantity hint")
            locate.rnn_step_backward(r, args, wrong(*args))
    assert "db is wrong; they match what one gets when db averages" in str(info.value)
    assert "per-quantity hint" not in str(info.value)
