"""Character-level data: a vocabulary, offline corpora, and batches that walk a text in order.

Both corpora ship with Python itself, so nothing is downloaded and every run reads the
same text (for a given Python version; the project pins 3.11):

- `load_stdlib_corpus`: the source code of a few standard-library modules;
- `load_pydoc_corpus`: the prose of Python's help topics (`pydoc_data.topics`).

`batch_iterator` cuts the text into B contiguous tracks and walks each track from left
to right, so the final hidden state of one batch is the right initial state of the next.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator

import numpy as np

from rnncourse.data import specials
from rnncourse.shapes import check_ids

DEFAULT_MODULES = ("textwrap", "string", "functools", "heapq", "bisect", "fractions",
                   "difflib", "argparse", "json.decoder", "json.encoder")


class Vocab:
    """The characters of a text in sorted order; id i stands for chars[i].

    Sorting makes the ids deterministic: the same text always gives the same vocabulary,
    whatever order the characters first appear in.
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str) or not text:
            raise ValueError("Vocab: `text` must be a non-empty string.")
        self.chars: list[str] = sorted(set(text))
        self.stoi: dict[str, int] = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"Vocab(V={len(self)}, chars={''.join(self.chars)[:40]!r}...)"

    def encode(self, text: str) -> np.ndarray:
        """text -> (N,) int64 ids. Raises ValueError on a character not in the vocabulary."""
        try:
            return np.array([self.stoi[c] for c in text], dtype=np.int64)
        except KeyError as err:
            raise ValueError(f"Vocab.encode: character {err.args[0]!r} is not in the "
                             f"vocabulary of {len(self)} characters.") from None

    def decode(self, ids) -> str:
        """(N,) ids -> text."""
        if np.size(ids) == 0:
            return ""
        ids = check_ids("Vocab.decode", "ids", ids, len(self), "N", source="this vocabulary")
        return "".join(self.chars[i] for i in ids.tolist())


def load_stdlib_corpus(max_chars: int | None = 200_000,
                       modules: tuple[str, ...] = DEFAULT_MODULES) -> str:
    """Source code of standard-library modules, in the given order, cut to max_chars.

    Each module's text (`inspect.getsource`) is preceded by a `# module: name` line.
    """
    parts = []
    for name in modules:
        parts.append(f"# module: {name}\n{inspect.getsource(importlib.import_module(name))}")
    text = "\n".join(parts)
    return text if max_chars is None else text[:max_chars]


def load_pydoc_corpus(max_chars: int | None = None) -> str:
    """The prose of Python's help topics: `pydoc_data.topics.topics`, keys sorted.

    About 0.5 million characters of English with some code, e.g. what `help("for")`
    shows. Topics are joined in sorted key order, separated by a blank line.
    """
    from pydoc_data.topics import topics

    text = "\n\n".join(topics[k].strip() for k in sorted(topics))
    return text if max_chars is None else text[:max_chars]


def split_train_val(data: np.ndarray, frac: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Contiguous split: the first `frac` of the stream trains, the rest validates.

    No shuffling: the order of characters is the signal. frac in (0, 1).
    """
    data = np.asarray(data)
    if not 0 < frac < 1:
        raise ValueError(f"split_train_val: `frac` is the training fraction and must lie "
                         f"strictly between 0 and 1, got {frac}.")
    n = int(len(data) * frac)
    if n == 0 or n == len(data):
        raise ValueError(f"split_train_val: `data` of length {len(data)} with frac={frac} "
                         "leaves one part empty.")
    return data[:n], data[n:]


def batch_iterator(data: np.ndarray, B: int, T: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Batches (x, y) of shape (B, T) that walk B contiguous tracks of the stream in order.

    data: (N,) ids. The first B * L ids, L = N // B, are cut into B tracks of length L:
    track b is data[b*L : (b+1)*L]. Batch i holds, in row b, the ids at positions
    i*T .. i*T+T-1 of track b as x and the next ids (positions + 1) as y. So batch i+1
    starts where batch i stopped: pass the final state h_last of one batch as h0 of
    the next and every row keeps reading its own track. There are (L - 1) // T batches;
    the leftover at the end of each track is dropped. Each call starts a new pass.
    """
    func = "batch_iterator"
    data = np.asarray(data)
    if data.ndim != 1:
        raise ValueError(f"{func}: `data` has shape {data.shape} but expected (N,), a "
                         "single stream of ids.")
    for name, k in (("B", B), ("T", T)):
        if not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"{func}: `{name}` must be a positive integer, got {k!r}.")
    L = len(data) // B
    n_batches = (L - 1) // T if L > 0 else 0
    if n_batches < 1:
        raise ValueError(f"{func}: `data` has N={len(data)} ids, too few for one batch: "
                         f"each of the B={B} tracks needs at least T+1={T + 1} ids.")
    tracks = data[: B * L].reshape(B, L)                         # (B, L)

    def batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for i in range(n_batches):
            s = i * T
            yield tracks[:, s:s + T], tracks[:, s + 1:s + T + 1]  # (B, T), (B, T)

    return batches()


class TokenVocab:
    """Characters plus the three tokens a sequence-to-sequence model needs (Chapter 7).

    Id 0 is padding (PAD), 1 begins a target (BOS), 2 ends one (EOS) (`specials`); the
    characters follow in the order given. `batch` pads encoded texts into one (B, T) array.
    """

    PAD, BOS, EOS = specials.PAD, specials.BOS, specials.EOS
    SPECIALS = specials.SPECIALS

    def __init__(self, chars: str) -> None:
        if not isinstance(chars, str) or not chars or len(set(chars)) != len(chars):
            raise ValueError("TokenVocab: `chars` must be a non-empty string of distinct "
                             "characters.")
        self.tokens: list[str] = list(self.SPECIALS) + list(chars)
        self.stoi: dict[str, int] = {c: i + len(self.SPECIALS) for i, c in enumerate(chars)}

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        return f"TokenVocab(V={len(self)}, chars={''.join(self.tokens[3:])[:40]!r})"

    def _pieces(self, text: str) -> list[str]:
        return list(text)

    def _join(self, pieces: list[str]) -> str:
        return "".join(pieces)

    def encode(self, text: str, eos: bool = False) -> np.ndarray:
        """text -> (N,) int64 ids, with EOS appended if `eos`."""
        try:
            ids = [self.stoi[c] for c in self._pieces(text)]
        except KeyError as err:
            raise ValueError(f"{type(self).__name__}.encode: {err.args[0]!r} is not in the "
                             f"vocabulary.") from None
        return np.array(ids + ([self.EOS] if eos else []), dtype=np.int64)

    def decode(self, ids) -> str:
        """ids -> text, read up to the first EOS; PAD and BOS are skipped."""
        out = []
        for i in np.asarray(ids, dtype=np.int64).ravel().tolist():
            if i == self.EOS:
                break
            if not 0 <= i < len(self):
                raise ValueError(f"{type(self).__name__}.decode: id {i} is outside "
                                 f"0..{len(self) - 1}.")
            if i >= len(self.SPECIALS):
                out.append(self.tokens[i])
        return self._join(out)

    def batch(self, texts, eos: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Encode and pad: (ids (B, T) int64 padded with PAD, lengths (B,) int64)."""
        seqs = [self.encode(t, eos) for t in texts]
        if not seqs:
            raise ValueError("TokenVocab.batch: `texts` is empty.")
        lengths = np.array([len(s) for s in seqs], dtype=np.int64)
        ids = np.full((len(seqs), int(lengths.max())), self.PAD, dtype=np.int64)
        for b, s in enumerate(seqs):
            ids[b, :len(s)] = s
        return ids, lengths


class WordVocab(TokenVocab):
    """Words plus PAD, BOS and EOS (Chapter 8's captions and questions): a text is its
    words separated by spaces, and decoding joins them with single spaces."""

    def __init__(self, words) -> None:
        words = tuple(words)
        if not words or len(set(words)) != len(words) or not all(
                isinstance(w, str) and w and " " not in w for w in words):
            raise ValueError("WordVocab: `words` must be distinct non-empty strings without "
                             "spaces.")
        self.tokens = list(self.SPECIALS) + list(words)
        self.stoi = {w: i + len(self.SPECIALS) for i, w in enumerate(words)}

    def __repr__(self) -> str:
        return f"WordVocab(V={len(self)}, words={' '.join(self.tokens[3:])[:60]!r})"

    def _pieces(self, text: str) -> list[str]:
        return text.split()

    def _join(self, pieces: list[str]) -> str:
        return " ".join(pieces)
