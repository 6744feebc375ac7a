"""Wrong answers made from what the release shows (not an exercise set).

A learner who wants the marks without the skill reads every visible cell. For each task the
contract builds, from the release notebook itself (so a new set is covered by itself):

    delegates to <g>     the answer calls a function a locked cell defines (by its name)
    pasted <g>           the answer is a copy of a function found anywhere in the locked
                         cells (nested ones too), called with the task's arguments
    pasted hints         the answer is the code quoted in the task's hints, in order
    memorised visible    the answer returns, for the visible test's inputs, the outputs the
                         reference gave there (recorded by running the visible test), and
                         the first of them for any other input

Each must earn nothing. `record` also serves the state check: it logs every call of a
graded function during a test cell.
"""

from __future__ import annotations

import ast
import base64
import pickle
import textwrap

# Runs inside the notebook: fingerprints of a call's arguments (values included).
FINGERPRINT = r'''
import hashlib as _hashlib
import numpy as _np


def _fingerprint(obj):
    if isinstance(obj, _np.ndarray):
        return ("a", obj.shape, str(obj.dtype), _hashlib.sha1(_np.ascontiguousarray(obj)
                                                              .tobytes()).hexdigest())
    if isinstance(obj, _np.random.Generator):
        return ("g", repr(obj.bit_generator.state))
    if isinstance(obj, dict):
        return ("d", tuple((k, _fingerprint(v)) for k, v in obj.items()))
    if isinstance(obj, tuple | list):
        return ("l", tuple(_fingerprint(v) for v in obj))
    if callable(obj):
        return ("f",)
    return ("v", repr(obj))


def _all_arrays(obj):
    if isinstance(obj, _np.ndarray):
        return [_np.array(obj, copy=True)]
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, tuple | list):
        return [a for v in obj for a in _all_arrays(v)]
    return []


def _shapes(obj):
    if isinstance(obj, _np.ndarray):
        return ("a", obj.shape)
    if isinstance(obj, dict):
        return ("d", tuple((k, _shapes(v)) for k, v in obj.items()))
    if isinstance(obj, tuple | list):
        return ("l", tuple(_shapes(v) for v in obj))
    return type(obj).__name__
'''


def record(reference_source: str, fn: str) -> str:
    """The reference answer, logging each call's (fingerprint, shapes, arrays, result) in
    the notebook's global `_CALLS`."""
    return reference_source + "\n" + FINGERPRINT + f'''
import copy as _copy
_CALLS = []
_recorded = {fn}


def {fn}(*args, **kwargs):
    arrays = _all_arrays((args, kwargs))
    out = _recorded(*args, **kwargs)
    _CALLS.append((_fingerprint((args, kwargs)), _shapes((args, kwargs)), arrays,
                   _copy.deepcopy(out)))
    return out
'''


def memorised(fn: str, calls: list) -> str:
    """An answer that returns the recorded outputs for the recorded inputs, and the first
    recorded output for anything else."""
    table = [(fingerprint, out) for fingerprint, _, _, out in calls]
    blob = base64.b64encode(pickle.dumps(table)).decode()
    return FINGERPRINT + f'''
import base64 as _b64
import copy as _copy
import pickle as _pickle
_TABLE = _pickle.loads(_b64.b64decode({blob!r}))


def {fn}(*args, **kwargs):
    key = _fingerprint((args, kwargs))
    for seen, out in _TABLE:
        if seen == key:
            return _copy.deepcopy(out)
    return _copy.deepcopy(_TABLE[0][1])
'''


# ---------------------------------------------------------------- locked-cell code

def _functions(tree: ast.AST) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name != "_"]


def locked_functions(sources: list[str]) -> list[tuple[str, str, bool]]:
    """(name, source, defined at module level) of every function the locked cells define,
    at any depth (the test bodies `_` themselves left out)."""
    out = []
    for source in sources:
        tree = ast.parse(source)
        top = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        for node in _functions(tree):
            text = ast.get_source_segment(source, node)
            if node.decorator_list:
                text = "\n".join(line for line in text.splitlines()
                                 if not line.lstrip().startswith("@"))
            out.append((node.name, textwrap.dedent(text), node.name in top))
    return out


_FRAMES = {
    "sys._getframe": "import sys as _sys\n_look = lambda: _sys._getframe(2).f_locals\n",
    "inspect.stack": ("import inspect as _inspect\n"
                      "_look = lambda: [f.frame.f_locals for f in _inspect.stack(0)[2:4]]\n"),
}


def looking_into_frames(reference_source: str, fn: str) -> dict[str, str]:
    """Correct answers that also look into the test's frames, where its oracles and
    expected values live: the watch must reject them."""
    renamed = reference_source.replace(f"def {fn}(", "def _own(", 1)
    return {f"looks into the test's frames ({how})": (
        f"{renamed}\n{setup}\n\ndef {fn}(*args, **kwargs):\n    _oracles = _look()\n"
        f"    return _own(*args, **kwargs)\n") for how, setup in _FRAMES.items()}


def from_locked_cells(sources: list[str], fn: str) -> dict[str, str]:
    """Answers for the graded function `fn` that call or paste locked-cell functions."""
    out = {}
    for name, source, top in locked_functions(sources):
        if top:
            out[f"delegates to {name}"] = (f"def {fn}(*args, **kwargs):\n"
                                           f"    return {name}(*args, **kwargs)\n")
        pasted = source.replace(f"def {name}(", f"def _pasted_{name}(", 1)
        out[f"pasted {name}"] = (f"import numpy as np\n\n{pasted}\n\n"
                                 f"def {fn}(*args, **kwargs):\n"
                                 f"    return _pasted_{name}(*args, **kwargs)\n")
    return out


# ---------------------------------------------------------------- hints

def hint_texts(source: str) -> list[str]:
    """Every string a test cell gives as a hint (keyword `hint=`, or a value of a dict
    of hints), with the literal parts of f-strings."""
    texts = []

    def literal(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return None

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "hint":
            text = literal(node.value)
            if text:
                texts.append(text)
        if isinstance(node, ast.Dict):
            texts += [t for t in (literal(v) for v in node.values) if t and len(t) > 15]
    return texts


def _statements(text: str) -> list[str]:
    """Pieces of a hint that parse as Python statements doing some computation."""
    pieces = text.split("`")[1::2] + [p.strip() for p in text.replace(";", ",").split(",")]
    out = []
    for piece in pieces:
        piece = piece.strip().rstrip(".:")
        try:
            tree = ast.parse(piece)
        except SyntaxError:
            continue
        if len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign | ast.AugAssign) and any(
                isinstance(n, ast.BinOp | ast.Call | ast.Subscript) for n in ast.walk(tree)):
            out.append(piece)
    return list(dict.fromkeys(out))


def from_hints(test_source: str, reference_source: str, fn: str) -> str | None:
    """An answer made of the code the task's hints quote, returning what the reference
    returns; None if the hints quote no code."""
    body = [s for text in hint_texts(test_source) for s in _statements(text)]
    if not body:
        return None
    tree = ast.parse(reference_source)
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == fn)
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return) and n.value is not None]
    ret = ast.get_source_segment(reference_source, returns[-1]) if returns else "return None"
    params = ast.get_source_segment(reference_source, func.args)
    lines = "\n".join(f"    {s}" for s in body)
    return f"import numpy as np\n\n\ndef {fn}({params}):\n{lines}\n    {ret}\n"
