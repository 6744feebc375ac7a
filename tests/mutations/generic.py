"""Generic mutants: wrong answers generated from the reference for every graded function.

Hand-written mutations (tests/mutations/<set>.py) cover the mistakes we thought of.
These cover the classes of mistakes nobody lists one by one. Each is the reference
answer, run as it is, with one systematic change wrapped around it:

    scaled         every float it returns multiplied by (1 + 1e-6): tolerances too loose
    float32        every float it returns cast to float32
    float32 trip   every float it returns cast to float32 and back to float64
    inputs changed its array inputs modified in place after the call
    aliased        the result written into an input of the same shape and returned
    mixed uniform  (sampling) the probabilities mixed with 1e-3 of the uniform distribution
    clamped tau    (sampling) the temperature clamped from below at 0.05
    <p> ignored    a numerical parameter p replaced by its default
    cached by shape   the result of the first call with the same shapes returned again
    reused buffer     every result written into one buffer per shape, which is returned
    reads global <p>  argument p read from a global that holds the first call's value (as
                      if the function read a variable left from an experiment)

A set declares, per task, what the contract needs to build the last three (which
argument holds the logits, the temperature, the parameters and their defaults) and, for
every class that cannot apply, the reason: `GENERIC[task] = Spec(...)`. The grading
contract (tests/course/test_grading_contract.py) requires every generated mutant to be rejected
by its task's test cell, and every class to be either applied or excused.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

CLASSES = ("scaled", "float32", "float32 trip", "inputs changed", "aliased", "cached by shape",
           "reused buffer")
SAMPLING = ("mixed uniform", "clamped tau")


@dataclass
class Spec:
    """What the contract needs to generate a task's mutants."""

    fn: str                                   # the graded function's name
    params: dict = field(default_factory=dict)    # numerical parameter -> its default
    sampling: tuple[str, str] | None = None   # (logits argument, temperature argument)
    excused: dict = field(default_factory=dict)   # class -> why it does not apply


# Runs inside the notebook's namespace, before the wrapper (it must be self-contained).
RUNTIME = r'''
import inspect as _inspect
import numpy as _np

_ACTED = [False]   # set when the mutant changed something the test could see


def _map_floats(out, f):
    """Apply f to every float array and float in out (tuples, lists, dict values)."""
    if isinstance(out, _np.ndarray):
        if _np.issubdtype(out.dtype, _np.floating) and out.size:
            _ACTED[0] = True
            return f(out)
        return out
    if isinstance(out, float | _np.floating) and not isinstance(out, bool):
        _ACTED[0] = True
        return f(_np.float64(out))
    if isinstance(out, dict):
        return {k: _map_floats(v, f) for k, v in out.items()}
    if isinstance(out, tuple | list):
        return type(out)(_map_floats(v, f) for v in out)
    return out


def _arrays(obj):
    if isinstance(obj, _np.ndarray):
        return [obj]
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, tuple | list):
        return [a for v in obj for a in _arrays(v)]
    return []


def _scale(a):
    return a * (1 + 1e-6)


def _to32(a):
    return _np.asarray(a, dtype=_np.float32) if _np.ndim(a) else _np.float32(a)


def _trip(a):
    return _np.asarray(_np.asarray(a, dtype=_np.float32), dtype=_np.float64)


def _spoil_inputs(args, kwargs):
    for a in _arrays((args, kwargs)):
        if not a.flags.writeable or a.size == 0:
            continue
        if _np.issubdtype(a.dtype, _np.floating):
            a[...] = 1.5 * a + 0.25
            _ACTED[0] = True
        elif _np.issubdtype(a.dtype, _np.integer) and a.size > 1 and _np.any(a != a[::-1]):
            a[...] = a[::-1].copy()
            _ACTED[0] = True


def _alias(out, args, kwargs):
    """Write each output array into an unused input of the same shape and dtype and
    return that input instead; dict outputs go into a dict input's arrays."""
    free = [a for a in _arrays((args, kwargs)) if a.flags.writeable]

    def put(o):
        if isinstance(o, _np.ndarray):
            for i, a in enumerate(free):
                if a.shape == o.shape and a.dtype == o.dtype:
                    a[...] = o
                    _ACTED[0] = True
                    return free.pop(i)
            return o
        if isinstance(o, dict):
            return {k: put(v) for k, v in o.items()}
        if isinstance(o, tuple | list):
            return type(o)(put(v) for v in o)
        return o
    return put(out)


def _bind(fn, args, kwargs):
    sig = _inspect.signature(fn)
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return bound


def _set(b, name, value):
    """Replace argument `name` of the bound call b; note whether that changed it."""
    old = b.arguments[name]
    if not (isinstance(old, _np.ndarray) or isinstance(value, _np.ndarray)) and old == value:
        return
    _ACTED[0] = True
    b.arguments[name] = value


_CACHE, _BUFFERS, _FIRST = {}, {}, {}


def _shape_key(obj):
    """The shapes and types of a call's arguments, values left out."""
    if isinstance(obj, _np.ndarray):
        return ("array", obj.shape, str(obj.dtype))
    if isinstance(obj, dict):
        return ("dict", tuple((k, _shape_key(v)) for k, v in obj.items()))
    if isinstance(obj, tuple | list):
        return (type(obj).__name__, tuple(_shape_key(v) for v in obj))
    return type(obj).__name__


def _cached(fn, args, kwargs):
    key = _shape_key((args, kwargs))
    if key not in _CACHE:
        _CACHE[key] = fn(*args, **kwargs)
    else:
        _ACTED[0] = True
    return _CACHE[key]


def _into_buffers(out, slot=()):
    """out with every float array copied into a buffer kept for its place and shape."""
    if isinstance(out, _np.ndarray) and _np.issubdtype(out.dtype, _np.floating):
        key = (slot, out.shape, str(out.dtype))
        if key in _BUFFERS:
            _ACTED[0] = True
        buf = _BUFFERS.setdefault(key, _np.empty_like(out))
        buf[...] = out
        return buf
    if isinstance(out, dict):
        return {k: _into_buffers(v, slot + (k,)) for k, v in out.items()}
    if isinstance(out, tuple | list):
        return type(out)(_into_buffers(v, slot + (i,)) for i, v in enumerate(out))
    return out


def _stale(fn, name, args, kwargs):
    """Call fn with argument `name` replaced by the value it had in the first call."""
    b = _bind(fn, args, kwargs)
    if name not in _FIRST:
        value = b.arguments[name]
        _FIRST[name] = value.copy() if isinstance(value, _np.ndarray) else value
    else:
        _set(b, name, _FIRST[name])
    return fn(*b.args, **b.kwargs)


def _mix_uniform(logits, tau, eps=1e-3):
    """Logits whose softmax at temperature tau is (1 - eps) softmax(logits / tau) + eps / V."""
    z = _np.asarray(logits, dtype=_np.float64) / tau
    z = z - z.max(axis=-1, keepdims=True)
    p = _np.exp(z) / _np.exp(z).sum(axis=-1, keepdims=True)
    V = p.shape[-1]
    return tau * _np.log((1 - eps) * p + eps / V)
'''

WRAPPERS = {
    "scaled": "return _map_floats(_reference(*args, **kwargs), _scale)",
    "float32": "return _map_floats(_reference(*args, **kwargs), _to32)",
    "float32 trip": "return _map_floats(_reference(*args, **kwargs), _trip)",
    "inputs changed": ("out = _reference(*args, **kwargs)\n"
                       "    _spoil_inputs(args, kwargs)\n"
                       "    return out"),
    "aliased": "return _alias(_reference(*args, **kwargs), args, kwargs)",
    "cached by shape": "return _cached(_reference, args, kwargs)",
    "reused buffer": "return _into_buffers(_reference(*args, **kwargs))",
}


def _wrapper(fn: str, body: str) -> str:
    return (f"\n_reference = {fn}\n\n\ndef {fn}(*args, **kwargs):\n    {body}\n")


def mutants(reference_source: str, spec: Spec) -> dict[str, str]:
    """name -> replacement source of the answer cell, for every class not excused."""
    defined = {n.name for n in ast.parse(reference_source).body if isinstance(n, ast.FunctionDef)}
    if spec.fn not in defined:
        raise ValueError(f"generic mutants: the answer cell defines no function {spec.fn!r}")
    base = reference_source + "\n" + RUNTIME
    out = {}
    for name, body in WRAPPERS.items():
        if name not in spec.excused:
            out[name] = base + _wrapper(spec.fn, body)
    if spec.sampling is not None:
        logits, tau = spec.sampling
        bind = "b = _bind(_reference, args, kwargs)\n    "
        if "mixed uniform" not in spec.excused:
            out["mixed uniform"] = base + _wrapper(spec.fn, bind + (
                f"_set(b, {logits!r}, _mix_uniform(b.arguments[{logits!r}], "
                f"b.arguments[{tau!r}]))\n    return _reference(*b.args, **b.kwargs)"))
        if "clamped tau" not in spec.excused:
            out["clamped tau"] = base + _wrapper(spec.fn, bind + (
                f"_set(b, {tau!r}, max(b.arguments[{tau!r}], 0.05))\n"
                f"    return _reference(*b.args, **b.kwargs)"))
    for param, default in spec.params.items():
        name = f"{param} ignored"
        if name not in spec.excused:
            out[name] = base + _wrapper(spec.fn, (
                f"b = _bind(_reference, args, kwargs)\n    _set(b, {param!r}, {default!r})\n"
                f"    return _reference(*b.args, **b.kwargs)"))
    for param in parameters(reference_source, spec.fn):
        name = f"reads global {param}"
        if name not in spec.excused:
            out[name] = base + _wrapper(spec.fn, f"return _stale(_reference, {param!r}, args, "
                                                 "kwargs)")
    return out


def parameters(reference_source: str, fn: str) -> list[str]:
    """The graded function's parameter names, in order."""
    for node in ast.parse(reference_source).body:
        if isinstance(node, ast.FunctionDef) and node.name == fn:
            a = node.args
            return [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    raise ValueError(f"no function {fn!r}")


def classes(spec: Spec, reference_source: str) -> list[str]:
    """Every mutant class that applies to a task with this spec, excused or not."""
    out = list(CLASSES)
    if spec.sampling is not None:
        out += list(SAMPLING)
    return out + [f"{p} ignored" for p in spec.params] + [
        f"reads global {p}" for p in parameters(reference_source, spec.fn)]
