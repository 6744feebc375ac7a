"""Python source code with the ground truth of every character, from `tokenize`.

Chapter 6 trains a character model on standard-library source and then asks which of its
cells track properties of the text. Those properties are computed exactly here, by
Python's own tokenizer, so that a cell can be scored against the truth rather than
against what a reader thinks it sees:

    text, labels = labelled_stdlib(("textwrap", "heapq"))
    labels.kind[i]       # what character i belongs to: KINDS[kind[i]]
    labels.in_string[i]  # inside a string literal (prefix and quotes included)
    labels.depth[i]      # open brackets ( [ { of the code around it
    labels.indent[i]     # block depth: INDENT tokens minus DEDENT tokens so far
    labels.column[i]     # position in its line, 0 for the first character

Brackets, quotes and `#` inside strings and comments are text, not code: the tokenizer
knows, a regular expression would not. One module is tokenized at a time, so a
concatenation never splits a string or a bracket across modules.
"""

from __future__ import annotations

import importlib
import inspect
import io
import tokenize
from dataclasses import dataclass

import numpy as np

KINDS = ("space", "name", "number", "string", "comment", "operator")
# Tags for sequence labelling: the kinds, with names split by what follows them. Whether
# a name is called (or defined: `def f(`) shows only at the next token, on its right.
TAGS = ("space", "name", "called name", "number", "string", "comment", "operator")
_KIND_OF = {tokenize.NAME: 1, tokenize.NUMBER: 2, tokenize.STRING: 3, tokenize.COMMENT: 4,
            tokenize.OP: 5}
_OPEN, _CLOSE = set("([{"), set(")]}")


@dataclass
class CharLabels:
    """Per-character ground truth of a Python text; every array has shape (N,)."""

    kind: np.ndarray       # int8, index into KINDS; "space" is whatever no token covers
    in_string: np.ndarray  # bool
    in_comment: np.ndarray  # bool
    depth: np.ndarray      # int16, bracket depth (an opening bracket counts itself)
    indent: np.ndarray     # int16, block depth from INDENT/DEDENT tokens
    column: np.ndarray     # int32, characters since the last newline
    called: np.ndarray     # bool, a name whose next token is "(" (a call, def or class)

    def __len__(self) -> int:
        return len(self.kind)

    def tags(self) -> np.ndarray:
        """(N,) int64 index into TAGS: the kind, with called names a class of their own."""
        t = np.array([0, 1, 3, 4, 5, 6])[self.kind]
        t[self.called] = 2
        return t

    def properties(self) -> dict[str, np.ndarray]:
        """The properties a cell search scores, as float arrays (N,), by name."""
        return {"inside a string": self.in_string.astype(float),
                "inside a comment": self.in_comment.astype(float),
                "bracket depth": self.depth.astype(float),
                "block depth": self.indent.astype(float),
                "position in line": self.column.astype(float)}

    @staticmethod
    def concatenate(parts: list[CharLabels]) -> CharLabels:
        return CharLabels(*(np.concatenate([getattr(p, f) for p in parts])
                            for f in ("kind", "in_string", "in_comment", "depth", "indent",
                                      "column", "called")))


def label_source(text: str) -> CharLabels:
    """Label every character of `text`, which must be complete, tokenizable Python.

    Raises ValueError naming the line where `tokenize` stops (an unterminated string, an
    unclosed bracket at the end, an inconsistent dedent).
    """
    if not isinstance(text, str):
        raise ValueError(f"label_source: `text` must be a str of Python source, got "
                         f"{type(text).__name__}.")
    N = len(text)
    starts = np.concatenate([[0], np.cumsum([len(ln) for ln in text.splitlines(True)])])

    def offset(row: int, col: int) -> int:  # tokenize rows are 1-based, cols are characters
        return int(starts[row - 1]) + col if row - 1 < len(starts) else N

    kind = np.zeros(N, np.int8)
    delta = np.zeros(N + 1, np.int32)        # bracket opens (+1) and closes (-1) by position
    indent = np.zeros(N, np.int16)
    called = np.zeros(N, bool)
    level, level_from, last_name = 0, 0, None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            a, b = offset(*tok.start), offset(*tok.end)
            if tok.type == tokenize.ERRORTOKEN and tok.string.strip():
                raise ValueError(f"label_source: `text` is not complete Python source: "
                                 f"{tok.string!r} at line {tok.start[0]} starts no token "
                                 "(an unterminated string?)")
            if tok.type in _KIND_OF:
                kind[a:b] = _KIND_OF[tok.type]
            if last_name is not None and tok.type == tokenize.OP and tok.string == "(":
                called[last_name[0]:last_name[1]] = True
            if tok.type not in (tokenize.NL, tokenize.COMMENT):
                last_name = (a, b) if tok.type == tokenize.NAME else None
            if tok.type == tokenize.OP and tok.string in _OPEN:
                delta[a] += 1
            elif tok.type == tokenize.OP and tok.string in _CLOSE:
                delta[a] -= 1
            elif tok.type in (tokenize.INDENT, tokenize.DEDENT):
                a = offset(tok.start[0], 0)  # the whole line, its leading blanks too
                indent[level_from:a] = level
                level, level_from = level + (1 if tok.type == tokenize.INDENT else -1), a
    except (tokenize.TokenError, IndentationError, SyntaxError) as err:
        raise ValueError(f"label_source: `text` is not complete Python source: {err}") from err
    indent[level_from:] = level
    column = np.empty(N, np.int32)
    for row in range(len(starts) - 1):
        column[starts[row]:starts[row + 1]] = np.arange(starts[row + 1] - starts[row])
    return CharLabels(kind=kind, in_string=kind == 3, in_comment=kind == 4,
                      depth=np.cumsum(delta[:N]).astype(np.int16), indent=indent,
                      column=column, called=called)


def labelled_stdlib(modules: tuple[str, ...], max_chars: int | None = None
                    ) -> tuple[str, CharLabels]:
    """The source of standard-library `modules` (`inspect.getsource`), joined by blank
    lines, with its labels; each module is labelled on its own. max_chars cuts the
    result (after labelling, so the labels stay those of the whole modules)."""
    texts, labels = [], []
    for name in modules:
        src = inspect.getsource(importlib.import_module(name))
        src = src if src.endswith("\n") else src + "\n"
        texts.append(src + "\n")
        labels.append(label_source(src + "\n"))
    text, lab = "".join(texts), CharLabels.concatenate(labels)
    if max_chars is not None:
        text = text[:max_chars]
        lab = CharLabels(*(getattr(lab, f)[:max_chars] for f in
                           ("kind", "in_string", "in_comment", "depth", "indent", "column",
                            "called")))
    return text, lab


def module_chunks(modules: tuple[str, ...], n_lines: int, frac: float = 0.9
                  ) -> tuple[list[list[str]], list[list[str]]]:
    """The lines of each module (`inspect.getsource`, newlines kept), split per module:
    the first `frac` of its lines for training, the rest for testing (a module's test
    lines never appear in training). Returns (train, test): for each module, in the order
    given, its list of lines. `n_lines` is the chunk length the caller will cut; every
    module must leave at least one chunk on each side."""
    train, test = [], []
    for name in modules:
        lines = inspect.getsource(importlib.import_module(name)).splitlines(keepends=True)
        cut = int(len(lines) * frac)
        if cut < n_lines or len(lines) - cut < n_lines:
            raise ValueError(f"module_chunks: module {name} has {len(lines)} lines, too few for "
                             f"chunks of n_lines={n_lines} on both sides of the split.")
        train.append(lines[:cut])
        test.append(lines[cut:])
    return train, test
