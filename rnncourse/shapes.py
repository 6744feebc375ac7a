"""Shape checking with error messages that teach.

A `Shapes` object checks the arguments of one function call. Each axis has a letter
(B, T, D, H, ... as in `book/notation`); the first argument that uses a letter fixes
its size, and every later argument must agree::

    shp = Shapes("rnn_forward")
    shp.check("x", x, "B T D")
    shp.check("h0", h0, "B H")
    shp.check("Wx", Wx, "D H")
    # ValueError: rnn_forward: `Wx` has shape (5, 6) but expected (D, H) = (5, 7);
    #             H=7 comes from `h0`.

Spec strings are letters separated by spaces; a number stands for a fixed size
("K 2"), and "*" for an axis of any size that is not named. Torch tensors are checked by
their shape alone and returned as they are, so the torch wing uses the same messages.
`check_ids` is the one check that an array holds integer ids in 0..V-1, and
`check_upstream` the one check of a gradient arriving at a backward pass.
"""

from __future__ import annotations

import numpy as np


class Shapes:
    """Checks array arguments of one call of `func` against named-axis specs."""

    def __init__(self, func: str, **known: int) -> None:
        self.func = func
        self.sizes: dict[str, int] = {}
        self.origin: dict[str, str] = {}
        for letter, size in known.items():
            self.bind(letter, size, f"`{letter}`")

    def bind(self, letter: str, size: int, source: str) -> None:
        """Fix axis `letter` to `size`; `source` says where it came from in messages."""
        self.sizes[letter] = int(size)
        self.origin[letter] = source

    def __getitem__(self, letter: str) -> int:
        return self.sizes[letter]

    def check(self, name: str, value, spec: str) -> np.ndarray:
        """Check `value` against `spec`; return it as an array (no copy if possible).

        Raises TypeError if `value` is not array-like of numbers, ValueError on a wrong
        number of axes or a size that disagrees with an earlier argument.
        """
        letters = spec.split()
        tensor = _is_tensor(value)
        arr = (np.broadcast_to(np.float64(0.0), tuple(value.shape)) if tensor
               else _as_array(self.func, name, value))
        want = "(" + ", ".join(letters) + ")"
        if arr.ndim != len(letters):
            raise ValueError(
                f"{self.func}: `{name}` has shape {_fmt(arr.shape)} but expected "
                f"{len(letters)} axes {want}; it has {arr.ndim}."
            )
        expected = []
        clash = None
        for axis, (letter, size) in enumerate(zip(letters, arr.shape, strict=True)):
            if letter == "*":
                expected.append(size)
            elif letter.isdigit():
                expected.append(int(letter))
                if size != int(letter) and clash is None:
                    clash = (letter, None)
            elif letter in self.sizes:
                expected.append(self.sizes[letter])
                if size != self.sizes[letter] and clash is None:
                    clash = (letter, self.origin[letter])
            else:
                self.bind(letter, size, f"`{name}`" + (f" axis {axis}" if
                          letters.count(letter) > 1 else ""))
                expected.append(size)
        if clash is not None:
            letter, source = clash
            where = (f"; {letter}={self.sizes[letter]} comes from {source}."
                     if source else f"; that axis must have size {letter}.")
            raise ValueError(
                f"{self.func}: `{name}` has shape {_fmt(arr.shape)} but expected "
                f"{want} = {_fmt(tuple(expected))}{where}"
            )
        return value if tensor else arr


def check_shape(func: str, name: str, value, spec: str, **known: int) -> np.ndarray:
    """One-off check of a single argument; see `Shapes.check`."""
    return Shapes(func, **known).check(name, value, spec)


def check_upstream(func: str, name: str, value, like, spec: str) -> np.ndarray:
    """Check an upstream gradient `value` against the forward output it belongs to.

    like: that output (an array) or its shape; its sizes bind the letters of `spec`, and a
    mismatch says they come from the forward pass. Every backward of the course checks
    each incoming gradient this way.
    """
    shape = tuple(getattr(like, "shape", like))
    shp = Shapes(func)
    for letter, size in zip(spec.split(), shape, strict=True):
        shp.bind(letter, size, "the forward pass (the cache)")
    return shp.check(name, value, spec)


def check_ids(func: str, name: str, ids, V: int, spec: str = "N", *,
              shp: Shapes | None = None, what: str = "token ids",
              source: str = "the vocabulary size", min_len: int = 0,
              letter: str = "V") -> np.ndarray:
    """Check that `ids` is an integer array of shape `spec` holding values in 0..V-1.

    shp: an existing Shapes to check the shape against (its letters bind); what: the
    word for the values in messages; source: where V comes from; min_len: the least
    number of entries; letter: the name of V in messages (M for an HMM's symbols).
    Returns the ids as an array. TypeError for a non-integer dtype, ValueError for a
    wrong shape, too few entries or an id out of range (the message names the first).
    """
    arr = (shp or Shapes(func)).check(name, ids, spec)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{func}: `{name}` must hold integer {what}, got dtype {arr.dtype}.")
    if arr.size < min_len:
        raise ValueError(f"{func}: `{name}` has {arr.size} entries but needs at least "
                         f"{min_len}.")
    bad = (arr < 0) | (arr >= V)
    if np.any(bad):
        where = np.unravel_index(np.argmax(bad), arr.shape)
        index = ", ".join(str(int(i)) for i in where)
        raise ValueError(f"{func}: `{name}` must hold {what} in 0..{letter}-1 = 0..{V - 1} "
                         f"({letter}={V} comes from {source}), but {name}[{index}] = "
                         f"{arr[where]}.")
    return arr


def check_probabilities(func: str, name: str, p: np.ndarray, axis: int = -1,
                        atol: float = 1e-8) -> None:
    """Raise ValueError unless `p` is non-negative and sums to one along `axis`."""
    if np.any(p < 0) or not np.all(np.isfinite(p)):
        raise ValueError(f"{func}: `{name}` must hold finite non-negative probabilities.")
    sums = p.sum(axis=axis)
    if not np.allclose(sums, 1.0, atol=atol):
        worst = float(np.max(np.abs(sums - 1.0)))
        raise ValueError(
            f"{func}: every row of `{name}` must sum to 1 along axis {axis}; "
            f"the worst is off by {worst:.3g}."
        )


def _is_tensor(value) -> bool:
    """A torch.Tensor (recognised without importing torch: NumPy code needs no torch)."""
    return type(value).__module__.split(".")[0] == "torch" and hasattr(value, "shape")


def _as_array(func: str, name: str, value) -> np.ndarray:
    if isinstance(value, np.ndarray):
        arr = value
    else:
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError) as err:
            raise TypeError(f"{func}: `{name}` must be array-like, got "
                            f"{type(value).__name__}.") from err
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                   or arr.dtype == bool):
        raise TypeError(f"{func}: `{name}` must hold numbers, got dtype {arr.dtype}.")
    return arr


def _fmt(shape: tuple) -> str:
    return "(" + ", ".join(str(s) for s in shape) + (",)" if len(shape) == 1 else ")")
