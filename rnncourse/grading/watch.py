"""The own-work watch: while a graded function runs, it may not hand its work to someone else.

A test cell runs the learner's functions inside a `Watch`. While the watch is on, every
Python call and every call of a C function is looked at (`sys.setprofile`), and a call
*made by the learner's code* is a violation when it goes to

- rnncourse, other than the learner-facing helpers (`LEARNER_MODULES`);
- code defined in a locked cell of the notebook (a test cell registers itself when it
  starts a watch), unless the test handed that function to the learner as an argument
  (`numerical_gradient(f, x)` must call `f`);
- a library the set excludes: anything but the standard library and `libraries`
  (NumPy-only sets: `("numpy",)`), whether it is Python (scipy, statsmodels) or C (torch);
- the interpreter's own machinery for looking at the caller or escaping the watch:
  frames (`sys._getframe`, `inspect.stack`), the garbage collector's object lists,
  profile and trace hooks, threads and processes.

Calls are not all there is to see: NumPy ufuncs, scipy's among them, are called without a
profile event. So the first time a learner function runs, the objects it refers to (its
global names, arguments, defaults and closure) are looked at too, and referring to a
module, function or object of rnncourse, of an excluded library or of a locked cell is a
violation of the same kind.

"Made by the learner's code" means: the nearest frame above the call that belongs to a
notebook cell is the learner's (standard-library and NumPy frames in between are looked
through, so `map(pkg_fn, xs)` and `np.apply_along_axis(pkg_fn, ...)` count; a call that
another library makes inside itself does not). Learner code is any code from a notebook
cell that has not registered as locked, plus the functions under watch.

The watch also records which learner functions were called, so that a failing task can
name an earlier task it depends on. Chapter: the exercise sets' introductions.
"""

from __future__ import annotations

import gc
import os
import sys
import sysconfig
import types
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

PACKAGE = str(Path(__file__).resolve().parents[1])
# rnncourse modules a graded answer may call (they solve no task).
LEARNER_MODULES = frozenset({"rnncourse.grading.checks", "rnncourse.shapes", "rnncourse.repro"})
NUMPY_ONLY = ("numpy",)

_STDLIB = frozenset(sys.stdlib_module_names) | {"builtins"}
# The kernel's machinery, which printing and displaying go through (a graded function may
# print): calls into it are allowed, and what it calls in turn is its own business.
_RUNTIME = frozenset({"IPython", "ipykernel", "zmq", "tornado", "traitlets", "jupyter_client",
                      "jupyter_core", "comm", "matplotlib_inline", "dateutil"})
_PATHS = sysconfig.get_paths()
_LIBRARY_ROOTS = tuple(sorted({os.path.join(p, "") for p in (
    sys.prefix, sys.base_prefix, sys.exec_prefix, _PATHS["stdlib"], _PATHS["platstdlib"],
    _PATHS["purelib"], _PATHS["platlib"], PACKAGE)}))

# Values that are data, never a way to hand work to someone else.
_PLAIN = (int, float, complex, str, bytes, bool, type(None), np.ndarray, np.generic)

# Kinds of code.
LEARNER, LOCKED, LIBRARY, OTHER = "learner", "locked", "library", "other"

# Files of the notebook's locked cells (test cells register when they start a watch).
_LOCKED_FILES: set[str] = set()

# Python functions (module, name) that look at frames or switch hooks.
_INTROSPECTION = frozenset({
    ("inspect", "currentframe"), ("inspect", "stack"), ("inspect", "getouterframes"),
    ("inspect", "getinnerframes"), ("inspect", "trace"), ("traceback", "extract_stack"),
    ("traceback", "walk_stack"), ("traceback", "format_stack"), ("traceback", "print_stack"),
    ("threading", "setprofile"), ("threading", "settrace"), ("threading", "setprofile_all_threads"),
    ("threading", "settrace_all_threads")})


def _c_functions() -> dict[int, str]:
    """C functions a graded function has no business calling: id -> what it is."""
    import _thread
    import posix

    out = {}
    for obj, what in [
            (sys._getframe, "looks at the caller's frames"),
            (sys.setprofile, "switches the profile hook (the watch itself)"),
            (sys.settrace, "switches the trace hook"),
            (gc.get_objects, "searches the interpreter's objects"),
            (gc.get_referrers, "searches the interpreter's objects"),
            (gc.get_referents, "searches the interpreter's objects"),
            (_thread.start_new_thread, "starts a thread"),
            (getattr(_thread, "start_joinable_thread", None), "starts a thread")]:
        if obj is not None:
            out[id(obj)] = what
    for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system", "execv", "execve",
                 "fexecve"):
        if hasattr(posix, name):
            out[id(getattr(posix, name))] = "starts a process"
    try:
        import _posixsubprocess
        out[id(_posixsubprocess.fork_exec)] = "starts a process"
    except ImportError:  # pragma: no cover - not on POSIX
        pass
    return out


_FORBIDDEN_C = _c_functions()
_CODE_KIND: dict[types.CodeType, str] = {}


def file_kind(filename: str) -> str:
    """LIBRARY for installed code, compiled extensions and rnncourse, LOCKED for a
    registered locked cell, OTHER for generated code ('<string>', '<frozen ...>'), LEARNER
    for every other file."""
    if filename.startswith("<"):
        return OTHER
    if filename.startswith(_LIBRARY_ROOTS) or not os.path.isabs(filename):
        return LIBRARY          # relative names are compiled extensions' (Cython's .pyx)
    if filename in _LOCKED_FILES:
        return LOCKED
    return LEARNER


def register_locked(filename: str) -> None:
    """Record that code from `filename` belongs to a locked cell (not the learner's)."""
    if filename not in _LOCKED_FILES:
        _LOCKED_FILES.add(filename)
        for code in [c for c in _CODE_KIND if c.co_filename == filename]:
            del _CODE_KIND[code]


def code_kind(code: types.CodeType) -> str:
    kind = _CODE_KIND.get(code)
    if kind is None:
        kind = _CODE_KIND[code] = file_kind(code.co_filename)
    return kind


def code_objects(code: types.CodeType) -> set[types.CodeType]:
    """A code object and every code object nested in it (inner functions, lambdas)."""
    out = {code}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            out |= code_objects(const)
    return out


def _top(module: str | None) -> str:
    return (module or "").partition(".")[0]


def c_function_module(fn) -> str:
    """The module a C function belongs to (bound methods: their object's type's module)."""
    module = getattr(fn, "__module__", None)
    if module:
        return module
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, types.ModuleType):
        return owner.__name__
    return getattr(type(owner), "__module__", "") or ""


_INDEX: dict[str, object] = {"size": -1, "ids": {}}


def _owners(key: int) -> tuple[set[str], str] | None:
    """(the top-level packages whose modules hold the object with id `key`, one
    'module.name' it is known by), from every loaded module; None if no module holds it.
    rnncourse's learner-facing modules count as the standard library."""
    modules = list(sys.modules.items())
    if _INDEX["size"] != len(modules):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _INDEX.update(size=len(modules), ids=_index(modules))
    return _INDEX["ids"].get(key)


def _index(modules) -> dict[int, tuple[set[str], str]]:
    ids: dict[int, tuple[set[str], str]] = {}
    for name, module in modules:
        top = "builtins" if name in LEARNER_MODULES else _top(name)
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for attr, value in items:
            if attr.startswith("__") or isinstance(value, _PLAIN):
                continue
            entry = ids.setdefault(id(value), (set(), f"{name}.{attr}"))
            entry[0].add(top)
    return ids


_UNKNOWN = object()


class Violation(AssertionError):
    """Raised (by `Watch.check`) when the watched functions did not compute on their own."""


class Watch:
    """Watch the calls made by `functions` (and any other learner code) while on.

    functions: the learner's graded functions; each must be a Python function defined in
        a notebook cell (not rnncourse's, not a library's, not a locked cell's).
    libraries: top-level packages the answers may call, besides the standard library.
    """

    def __init__(self, *functions: Callable, libraries: Iterable[str] = NUMPY_ONLY,
                 entry: types.FrameType | None = None) -> None:
        self.functions = functions
        self.libraries = frozenset(libraries) | {"numpy"}
        self.entry = entry
        self.violations: list[tuple[str, str]] = []
        self.called: set[str] = set()
        self._mine: set[types.CodeType] = set()
        self._passed: set[types.CodeType] = set()
        self._targets: dict[types.CodeType, tuple[str, str] | None] = {}
        self._scanned: set[types.CodeType] = set()
        self._fast: dict[types.CodeType, None] = {}
        self._c_fast: dict[object, bool] = {}
        self._old = None

    # ------------------------------------------------------------- set-up

    def _validate(self) -> None:
        for fn in self.functions:
            name = getattr(fn, "__name__", repr(fn))
            code = getattr(fn, "__code__", None)
            if not isinstance(fn, types.FunctionType) or not isinstance(code, types.CodeType):
                raise Violation(
                    f"`{name}` is not a function you wrote (it is a {type(fn).__name__}). The "
                    "graded answer must be a function defined with `def` in your answer cell.")
            kind = code_kind(code)
            if kind == LIBRARY:
                where = "rnncourse" if code.co_filename.startswith(PACKAGE) else "a library"
                raise Violation(
                    f"`{name}` is {where}'s own function ({fn.__module__}), not one you wrote. "
                    "The graded answer must be your own code; it earns no marks.")
            if kind == LOCKED:
                raise Violation(
                    f"`{name}` is a function defined in a locked cell of the notebook, not in "
                    "your answer cell. The graded answer must be your own code.")
            self._mine |= code_objects(code)

    def __enter__(self) -> Watch:
        self.entry = entry = self.entry or sys._getframe(1)
        register_locked(entry.f_code.co_filename)
        self._validate()
        self._old = sys.getprofile()
        self._hook(self._profile)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._hook(self._old)
        return False

    def _hook(self, profile) -> None:
        """Switch the profile hook (the test suite replaces this to time wrong answers that
        the values alone reject; in a kernel, replacing it is a finding of the probe)."""
        sys.setprofile(profile)

    # ------------------------------------------------------------- classification

    def kind(self, code: types.CodeType) -> str:
        if code in self._mine:
            return LEARNER
        return code_kind(code)

    def _target(self, frame: types.FrameType, code: types.CodeType,
                kind: str) -> tuple[str, str] | None:
        """(class, description) when a call to `code` is off limits for learner code."""
        if kind == LOCKED:
            if code in self._passed:
                return None
            return ("locked", f"`{code.co_name}`, which a locked cell of the notebook defines")
        if kind != LIBRARY:
            return None
        if code in self._targets:
            return self._targets[code]
        module = frame.f_globals.get("__name__", "") or ""
        top = _top(module)
        target = None
        if top == "rnncourse":
            if module not in LEARNER_MODULES:
                target = ("package", f"`{module}.{code.co_name}` (rnncourse's own code)")
        elif top in _RUNTIME:
            target = None
        elif top in _STDLIB:
            if (module, code.co_name) in _INTROSPECTION:
                target = ("machinery", f"`{module}.{code.co_name}`, which looks at frames or "
                                       "switches hooks")
        elif top not in self.libraries:
            target = ("library", f"`{module}.{code.co_name}` ({top} is not allowed in this set)")
        self._targets[code] = target
        return target

    def _origin(self, frame: types.FrameType | None, target: str) -> types.FrameType | None:
        """The learner frame that made a call, looking up from `frame` (the caller) through
        library frames; None when the call was made by test code or inside a library."""
        while frame is not None and frame is not self.entry:
            code = frame.f_code
            kind = self.kind(code)
            if kind == LEARNER:
                return frame
            if kind == LOCKED:
                return None
            if kind == LIBRARY and target in ("library", "machinery"):
                top = _top(frame.f_globals.get("__name__", ""))
                if top not in _STDLIB and top != "numpy":
                    return None      # another library calling its own dependencies
            frame = frame.f_back
        return None

    def _note_entry(self, frame: types.FrameType) -> None:
        """Learner code entered from outside: callables among its arguments were handed to
        it by the test, and may be called."""
        code = frame.f_code
        names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount
                                 + bool(code.co_flags & 4) + bool(code.co_flags & 8)]
        values = [frame.f_locals.get(n) for n in names]
        for value in values:
            items = value.values() if isinstance(value, dict) else (
                value if isinstance(value, list | tuple) else [value])
            for item in items:
                fn = getattr(item, "__func__", item)
                inner = getattr(fn, "__code__", None)
                if isinstance(inner, types.CodeType):
                    self._passed |= code_objects(inner)

    def _allowed_top(self, top: str) -> bool:
        return top in _STDLIB or top in _RUNTIME or top in self.libraries

    def _refers_to(self, value) -> str | None:
        """What is off limits about an object learner code refers to, or None."""
        if isinstance(value, _PLAIN):
            return None
        if isinstance(value, types.ModuleType):
            name = value.__name__
            top = _top(name)
            if top == "rnncourse":
                return None if name in LEARNER_MODULES else f"the module `{name}` (rnncourse's)"
            return None if self._allowed_top(top) else f"the module `{name}` ({top} is not allowed)"
        fn = getattr(value, "__func__", value)
        code = getattr(fn, "__code__", None)
        if isinstance(code, types.CodeType) and isinstance(fn, types.FunctionType):
            kind = self.kind(code)
            if kind == LOCKED and code not in self._passed:
                return f"`{code.co_name}`, which a locked cell of the notebook defines"
            if kind == LIBRARY:
                module = fn.__module__ or ""
                top = _top(module)
                if top == "rnncourse" and module not in LEARNER_MODULES:
                    return f"`{module}.{fn.__name__}` (rnncourse's own code)"
                if top != "rnncourse" and not self._allowed_top(top):
                    return f"`{module}.{fn.__name__}` ({top} is not allowed in this set)"
            return None
        owners = _owners(id(value))
        if owners is not None:
            tops, known_as = owners
            if not any(self._allowed_top(t) for t in tops):
                return f"`{known_as}`"
            return None
        top = _top(type(value).__module__)
        if top and top != "rnncourse" and not self._allowed_top(top):
            return f"a {type(value).__name__} object ({top} is not allowed in this set)"
        return None

    def _scan(self, frame: types.FrameType) -> None:
        """The first time a learner function runs: what do its names refer to?"""
        code = frame.f_code
        self._scanned.add(code)
        g = frame.f_globals
        ns = g.get("__builtins__", {})
        builtins_ns = vars(ns) if isinstance(ns, types.ModuleType) else ns
        values = [g[n] for n in code.co_names if n in g and n not in builtins_ns]
        values += [v for n, v in frame.f_locals.items() if n not in code.co_varnames[
            :code.co_argcount + code.co_kwonlyargcount]]
        for value in values:
            what = self._refers_to(value)
            if what is not None:
                self._record(frame, f"{what} (it refers to it)" if "module" in what else what)

    def _record(self, origin: types.FrameType, description: str) -> None:
        caller = origin.f_code.co_name
        if all(d != description for _, d in self.violations):
            self.violations.append((caller, description))

    # ------------------------------------------------------------- the hook

    def _profile(self, frame: types.FrameType, event: str, arg) -> None:
        # Hundreds of thousands of events per test: the common cases are dictionary hits.
        if event == "call":
            code = frame.f_code
            known = self._fast.get(code, _UNKNOWN)
            if known is None:
                return                      # library or generated code, nothing off limits
            kind = self.kind(code)
            if kind == LEARNER:
                self.called.add(code.co_name)
                caller = frame.f_back
                if caller is not None and self.kind(caller.f_code) != LEARNER:
                    self._note_entry(frame)
                if code not in self._scanned:
                    self._scan(frame)
                return
            target = self._target(frame, code, kind)
            if target is None and kind in (LIBRARY, OTHER):
                self._fast[code] = None
            elif target is not None:
                origin = self._origin(frame.f_back, target[0])
                if origin is not None:
                    self._record(origin, target[1])
        elif event == "c_call":
            what = _FORBIDDEN_C.get(id(arg))
            if what is not None:
                origin = self._origin(frame, "machinery")
                if origin is not None:
                    self._record(origin, f"`{getattr(arg, '__name__', arg)}`, which {what}")
                return
            key = getattr(arg, "__module__", None) or type(getattr(arg, "__self__", None))
            allowed = self._c_fast.get(key)
            if allowed is None:
                top = _top(c_function_module(arg))
                allowed = self._c_fast[key] = (not top or top == "rnncourse"
                                               or self._allowed_top(top))
            if not allowed:
                top = _top(c_function_module(arg))
                origin = self._origin(frame, "library")
                if origin is not None:
                    name = getattr(arg, "__qualname__", getattr(arg, "__name__", "?"))
                    self._record(origin, f"`{top}`'s `{name}` ({top} is not allowed in this set)")

    # ------------------------------------------------------------- verdict

    def message(self) -> str | None:
        """What was found, in a sentence per violation; None when nothing was."""
        if not self.violations:
            return None
        allowed = ", ".join(sorted(self.libraries - {"numpy"}))
        rule = "NumPy and the standard library" + (f", and {allowed}" if allowed else "")
        lines = [f"`{fn}` {'uses' if 'refers' in what else 'calls'} "
                 f"{what.replace(' (it refers to it)', '')}." for fn, what in self.violations[:3]]
        return (" ".join(lines) + f" A graded answer must compute its result itself, with {rule}; "
                "this task earns no marks until it does.")
