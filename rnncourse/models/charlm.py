"""A character-level LSTM language model on `nn.LSTM`, in the course's interface:

    logits, loss = model(idx, targets)   # idx, targets: (B, T) ids -> (B, T, V), scalar

The loss is the mean cross-entropy in nats per character. `sample` draws text at a
temperature; `cell_states` runs the same weights step by step and returns every layer's
cell state c_t, which `nn.LSTM` does not expose (it returns only h), for the search for
interpretable cells. Training batches are windows at random offsets of the training
stream (`random_windows`), each starting from a zero state.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from rnncourse.models.train import History, fit
from rnncourse.shapes import check_ids


class CharLSTM(nn.Module):
    """Embedding (V, E) -> nn.LSTM(E, H, num_layers, batch_first) -> Linear(H, V)."""

    def __init__(self, V: int, H: int = 256, num_layers: int = 1, E: int = 32,
                 dropout: float = 0.0) -> None:
        super().__init__()
        for name, k in (("V", V), ("H", H), ("num_layers", num_layers), ("E", E)):
            if not isinstance(k, int) or k < 1:
                raise ValueError(f"CharLSTM: `{name}` must be a positive integer, got {k!r}.")
        self.V, self.H, self.num_layers = V, H, num_layers
        self.embed = nn.Embedding(V, E)
        self.lstm = nn.LSTM(E, H, num_layers, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)
        self.head = nn.Linear(H, V)

    def _ids(self, func: str, name: str, idx) -> Tensor:
        if isinstance(idx, Tensor):
            arr = idx.detach().cpu().numpy()
        else:
            arr = np.asarray(idx)
        check_ids(func, name, arr, self.V, "B T")
        return torch.as_tensor(arr, dtype=torch.long, device=self.head.weight.device)

    def forward(self, idx, targets=None, state=None):
        """idx (B, T) ids -> (logits (B, T, V), loss or None). `state`: an (h0, c0) pair,
        each (num_layers, B, H); the final state is kept in `self.last_state`."""
        idx = self._ids("CharLSTM.forward", "idx", idx)
        out, self.last_state = self.lstm(self.embed(idx), state)
        logits = self.head(out)
        if targets is None:
            return logits, None
        targets = self._ids("CharLSTM.forward", "targets", targets)
        if targets.shape != idx.shape:
            raise ValueError(f"CharLSTM.forward: `targets` has shape {tuple(targets.shape)} "
                             f"but must match `idx` {tuple(idx.shape)}.")
        return logits, F.cross_entropy(logits.reshape(-1, self.V), targets.reshape(-1))

    @torch.no_grad()
    def loss_on(self, ids: np.ndarray, T: int = 256, B: int = 64) -> float:
        """Mean loss (nats/char) of predicting ids[1:] from ids[:-1], the stream cut into
        windows of T that carry the state from one to the next (B tracks in parallel)."""
        ids = np.asarray(ids)
        L = (len(ids) - 1) // B
        if L < 1:
            raise ValueError(f"CharLSTM.loss_on: `ids` of length {len(ids)} is too short "
                             f"for B={B} tracks.")
        x = ids[:B * L].reshape(B, L)
        y = ids[1:B * L + 1].reshape(B, L)
        total, state = 0.0, None
        for s in range(0, L, T):
            logits, _ = self(x[:, s:s + T], state=state)
            state = self.last_state
            total += F.cross_entropy(logits.reshape(-1, self.V),
                                     torch.as_tensor(y[:, s:s + T]).reshape(-1),
                                     reduction="sum").item()
        return total / (B * L)

    @torch.no_grad()
    def cell_states(self, ids: np.ndarray) -> np.ndarray:
        """ids (N,) -> (N, num_layers * H): the cell state c_t of every layer after
        reading each character, computed with `nn.LSTMCell`s holding the same weights
        (checked against `self.lstm` in the tests)."""
        idx = self._ids("CharLSTM.cell_states", "ids", np.asarray(ids)[None])[0]
        inp = self.embed(idx)                                     # (N, E)
        outs = []
        for layer in range(self.num_layers):
            Wi, Wh, bi, bh = (getattr(self.lstm, f"{name}_l{layer}") for name in
                              ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
            b = bi + bh
            pre = inp @ Wi.T + b                                  # (N, 4H) input part at once
            h = torch.zeros(self.H, dtype=inp.dtype)
            c = torch.zeros(self.H, dtype=inp.dtype)
            hs, cs = [], []
            for t in range(len(idx)):
                a = pre[t] + Wh @ h
                i, f, g, o = a.chunk(4)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                hs.append(h)
                cs.append(c)
            inp = torch.stack(hs)
            outs.append(torch.stack(cs))
        return torch.cat(outs, dim=1).cpu().numpy()

    @torch.no_grad()
    def sample(self, prompt: np.ndarray, n: int, temperature: float = 1.0,
               generator: torch.Generator | None = None) -> np.ndarray:
        """Continue the ids `prompt` (P,) by n ids drawn from softmax(logits / temperature)."""
        if not temperature > 0:
            raise ValueError(f"CharLSTM.sample: `temperature` must be positive, got "
                             f"{temperature}.")
        logits, _ = self(np.asarray(prompt)[None])
        state, out = self.last_state, []
        for _ in range(n):
            p = torch.softmax(logits[0, -1] / temperature, dim=-1)
            nxt = torch.multinomial(p, 1, generator=generator)
            out.append(int(nxt))
            logits, _ = self(nxt.view(1, 1), state=state)
            state = self.last_state
        return np.array(out, dtype=np.int64)


def random_windows(ids: np.ndarray, B: int, T: int, rng: np.random.Generator
                   ) -> tuple[Tensor, Tensor]:
    """B windows of T + 1 ids at uniformly random offsets of `ids` (N,) -> (x, y), each
    (B, T), y the next characters of x."""
    ids = np.asarray(ids)
    if len(ids) < T + 2:
        raise ValueError(f"random_windows: `ids` has {len(ids)} ids, fewer than T + 2 = {T + 2}.")
    starts = rng.integers(0, len(ids) - T - 1, size=B)
    win = ids[starts[:, None] + np.arange(T + 1)]
    return torch.as_tensor(win[:, :-1]), torch.as_tensor(win[:, 1:])


def train(model: CharLSTM, train_ids: np.ndarray, steps: int, *, B: int = 32, T: int = 64,
          lr: float = 6e-3, clip: float = 1.0, rng: np.random.Generator,
          val_ids: np.ndarray | None = None, eval_every: int = 250,
          progress: bool = False) -> tuple[History, dict[int, float]]:
    """Adam on random windows (`random_windows`, B x T, drawn from `rng`) for `steps`
    updates with `models.train.fit`; returns its History and {step: held-out loss} at
    step 0, every `eval_every` steps and at the end (when `val_ids` is given)."""
    val: dict[int, float] = {}

    def evaluate(step: int, _cpu: float = 0.0) -> bool:
        if val_ids is not None and (step % eval_every == 0 or step == steps):
            model.eval()
            val[step] = model.loss_on(val_ids)
            model.train()
        return False

    evaluate(0)
    hist = fit(model, lambda i: random_windows(train_ids, B, T, rng), steps, lr, clip,
               after_step=evaluate, progress=progress)
    return hist, val
