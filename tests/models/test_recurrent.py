"""LSTM / GRU: parity with torch.nn (float64) and with the NumPy layers, and
state-dict round trips."""

import numpy as np
import pytest
import torch
from oracles import close
from torch import nn

from rnncourse.models.gru import GRU
from rnncourse.models.lstm import LSTM
from rnncourse.models.rnn import RNN
from rnncourse.scratch import gru, lstm

B, T, D, H = 3, 4, 5, 6


def inputs(seed, n_states):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, T, D, generator=g, dtype=torch.float64, requires_grad=True)
    states = [torch.randn(B, H, generator=g, dtype=torch.float64, requires_grad=True)
              for _ in range(n_states)]
    return g, x, states


def reference(cls, g):
    ref = cls(D, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        for p in ref.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
    return ref


def test_lstm_matches_torch_lstm_outputs_and_gradients():
    g, x, (h0, c0) = inputs(0, 2)
    ref = reference(nn.LSTM, g)
    ours = LSTM.from_torch(ref)
    dout, dc = torch.randn(B, T, H, generator=g, dtype=torch.float64), torch.randn(
        B, H, generator=g, dtype=torch.float64)
    out, (h_n, c_n) = ours(x, (h0, c0))
    ((out * dout).sum() + (c_n * dc).sum()).backward()
    ours_grads = [x.grad.clone(), h0.grad.clone(), c0.grad.clone()]
    x.grad = h0.grad = c0.grad = None
    out_ref, (h_ref, c_ref) = ref(x, (h0[None], c0[None]))
    ((out_ref * dout).sum() + (c_ref[0] * dc).sum()).backward()
    close(out, out_ref)
    close(h_n, h_ref[0])
    close(c_n, c_ref[0])
    for a, b in zip(ours_grads, [x.grad, h0.grad, c0.grad], strict=True):
        close(a, b)
    close(ours.Wx.grad, ref.weight_ih_l0.grad.T)
    close(ours.Wh.grad, ref.weight_hh_l0.grad.T)
    close(ours.b.grad, ref.bias_ih_l0.grad)


def test_gru_matches_torch_gru_outputs_and_gradients():
    g, x, (h0,) = inputs(1, 1)
    ref = reference(nn.GRU, g)
    ours = GRU.from_torch(ref)
    dout = torch.randn(B, T, H, generator=g, dtype=torch.float64)
    out, h_n = ours(x, h0)
    (out * dout).sum().backward()
    dx, dh0 = x.grad.clone(), h0.grad.clone()
    x.grad = h0.grad = None
    out_ref, h_ref = ref(x, h0[None])
    (out_ref * dout).sum().backward()
    close(out, out_ref)
    close(h_n, h_ref[0])
    close(dx, x.grad)
    close(dh0, h0.grad)
    for ours_p, ref_p in [(ours.Wx, ref.weight_ih_l0), (ours.Wh, ref.weight_hh_l0)]:
        close(ours_p.grad, ref_p.grad.T)
    close(ours.bx.grad, ref.bias_ih_l0.grad)
    close(ours.bh.grad, ref.bias_hh_l0.grad)


def test_default_state_is_zeros_and_cells_load():
    g, x, _ = inputs(2, 0)
    lstm_cell, gru_cell = nn.LSTMCell(D, H, dtype=torch.float64), nn.GRUCell(
        D, H, dtype=torch.float64)
    ours_l, ours_g = LSTM.from_torch(lstm_cell), GRU.from_torch(gru_cell)
    h, (h_n, c_n) = ours_l(x)
    h_ref = c_ref = torch.zeros(B, H, dtype=torch.float64)
    for t in range(T):
        h_ref, c_ref = lstm_cell(x[:, t], (h_ref, c_ref))
        close(h[:, t], h_ref)
    close(c_n, c_ref)
    h, _ = ours_g(x)
    h_ref = torch.zeros(B, H, dtype=torch.float64)
    for t in range(T):
        h_ref = gru_cell(x[:, t], h_ref)
        close(h[:, t], h_ref)
    lstm_cell.load_state_dict(ours_l.to_torch_state_dict(cell=True))
    gru_cell.load_state_dict(ours_g.to_torch_state_dict(cell=True))


def test_torch_modules_compute_what_the_numpy_layers_compute():
    g, x, (h0, c0) = inputs(3, 2)
    ours_l = LSTM(D, H, generator=g, dtype=torch.float64)
    ours_g = GRU(D, H, generator=g, dtype=torch.float64)
    h_np, c_np, _ = lstm.lstm_forward(x.detach().numpy(), h0.detach().numpy(),
                                      c0.detach().numpy(), *ours_l.to_numpy())
    h_t, (_, c_t) = ours_l(x, (h0, c0))
    np.testing.assert_allclose(h_np, h_t.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(c_np, c_t.detach().numpy(), rtol=0, atol=1e-12)
    h_np, _ = gru.gru_forward(x.detach().numpy(), h0.detach().numpy(), *ours_g.to_numpy())
    np.testing.assert_allclose(h_np, ours_g(x, h0)[0].detach().numpy(), rtol=0, atol=1e-12)


def test_state_dict_and_numpy_round_trips():
    g, x, _ = inputs(4, 0)
    ours_l = LSTM(D, H, generator=g, dtype=torch.float64)
    back = LSTM.from_torch(ours_l.to_torch())
    for a, b in zip(back.parameters(), ours_l.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    close(ours_l.to_torch()(x)[0], ours_l(x)[0])
    ref = reference(nn.GRU, g)
    sd = GRU.from_torch(ref).to_torch_state_dict()
    for key, value in ref.state_dict().items():
        torch.testing.assert_close(sd[key], value, rtol=0, atol=0)
    back = GRU.from_numpy(*GRU.from_torch(ref).to_numpy())
    assert back.Wx.dtype == torch.float64
    close(back(x)[0], ref(x)[0])
    back_l = LSTM.from_numpy(*ours_l.to_numpy())
    close(back_l(x)[0], ours_l(x)[0])


def test_generator_makes_initialisation_reproducible():
    a = GRU(D, H, generator=torch.Generator().manual_seed(7))
    b = GRU(D, H, generator=torch.Generator().manual_seed(7))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=0)
    assert a.Wx.abs().max() <= 1 / H**0.5


def test_bad_modules_and_shapes_raise():
    ours = LSTM(D, H)
    with pytest.raises(ValueError, match=r"LSTM.load_torch_state_dict: unsupported keys "
                                          r"\['bias_hh_l1'"):
        ours.load_torch_state_dict(nn.LSTM(D, H, num_layers=2).state_dict())
    with pytest.raises(ValueError, match=r"LSTM.load_torch_state_dict: `weight_ih` .*"
                                          r"\(4H, D\) = \(24, 5\)"):
        ours.load_torch_state_dict(nn.LSTM(D, H + 1).state_dict())
    with pytest.raises(ValueError, match=r"GRU.load_torch_state_dict: .*bias=False"):
        GRU(D, H).load_torch_state_dict(nn.GRU(D, H, bias=False).state_dict())
    with pytest.raises(ValueError, match=r"LSTM.forward: `x` .*\(B, T, D\) = \(3, 4, 5\)"):
        ours(torch.zeros(B, T, D + 1))
    with pytest.raises(ValueError, match=r"GRU.forward: `h0` .*H=6 comes from `Wh`"):
        GRU(D, H)(torch.zeros(B, T, D), torch.zeros(B, H - 1))
    with pytest.raises(ValueError, match=r"GRU.from_numpy: `Wh` .*\(H, 3H\) = \(6, 18\)"):
        GRU.from_numpy(np.zeros((D, 3 * H)), np.zeros((H, 4 * H)),
                                   np.zeros(3 * H), np.zeros(3 * H))


def test_rnn_matches_torch_rnn_and_the_numpy_rnn():
    from rnncourse.scratch import rnn

    g, x, (h0,) = inputs(3, 1)
    ref = reference(nn.RNN, g)
    ours = RNN.from_torch(ref)
    h, h_last = ours(x, h0)
    h_ref, hn_ref = ref(x, h0[None])
    close(h, h_ref)
    close(h_last, hn_ref[0])
    (h.sum() + 0.5 * h_last.square().sum()).backward()
    grads = [p.grad.clone() for p in ours.parameters()]
    ours.zero_grad()
    x.grad = None
    (h_ref.sum() + 0.5 * hn_ref.square().sum()).backward()
    sd = {k: v.grad for k, v in ref.named_parameters()}
    close(grads[0], sd["weight_ih_l0"].T)
    close(grads[1], sd["weight_hh_l0"].T)
    close(grads[2], sd["bias_ih_l0"])  # the summed bias gets the gradient of either half
    h_np, _ = rnn.rnn_forward(x.detach().numpy(), h0.detach().numpy(), *ours.to_numpy())
    np.testing.assert_allclose(h_np, h.detach().numpy(), rtol=0, atol=1e-12)
    # exported: the same function, with the bias moved into bias_ih
    close(ours.to_torch()(x)[0], ours(x)[0])
    cell = nn.RNNCell(D, H, dtype=torch.float64)
    close(RNN.from_torch(cell)(x)[0][:, 0], cell(x[:, 0]))
    with pytest.raises(ValueError, match="only the tanh RNN"):
        RNN.from_torch(nn.RNN(D, H, nonlinearity="relu"))
    with pytest.raises(TypeError, match=r"RNN.from_torch: `module` must be an RNN or RNNCell"):
        RNN.from_torch(nn.GRU(D, H))
    with pytest.raises(TypeError, match=r"RNN.from_numpy: takes Wx, Wh and b"):
        RNN.from_numpy(np.zeros((D, H)), np.zeros((H, H)))
