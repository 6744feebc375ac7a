"""What the grader checks inside a learner's kernel: the probe.

`install` runs in the kernel before any cell of the notebook (the grader sends its source,
so nothing the learner can rebind sits between the grader and it). It imports what the
locked cells import, takes a baseline of the interpreter's state, and leaves one function,
`probe`, that compares the state with the baseline:

- every module loaded at the baseline still sits in `sys.modules`, and none of its
  functions, classes, submodules, or its classes' methods has been replaced or removed;
- `builtins` likewise, and the namespace's `__builtins__` is still the builtins module;
- no profile or trace hook is set between cells; standard output and error, the display
  and exception hooks, and IPython's code transformers are the kernel's own;
- every name a locked cell bound to a module, function or class still means it.

Modules first loaded later (a library importing a part of itself, the learner importing
scipy) join the baseline the first time a probe sees them. `probe` returns a JSON string:
the grader's nonce (so that an answer the learner wrote cannot pose as the probe) and the
changes found, in words. Around each locked cell the grader calls `probe("before")` and
`probe("after")`: the names the cell bound to modules, functions or classes join the
namespace baseline. The grader's own trailer of a test
cell sets `__rnncourse_done__`, which a probe clears.

`fence_files` keeps the learner's code out of the rest of the course folder while it is
graded: the solutions, the gradebook (which stores the hidden tests and the reference
answers) and the other learners' notebooks all lie there.
"""

from __future__ import annotations

import ast
import inspect
import json

PROBE_MODULE = "__rnncourse_grader__"
DONE = "__rnncourse_done__"
# Attributes that the libraries themselves rebind while they run (not learner tampering).
VOLATILE = {
    "sys": {"last_type", "last_value", "last_traceback", "last_exc", "stdout", "stderr",
            "displayhook", "excepthook", "ps1", "ps2"},
    "matplotlib.pyplot": {"new_figure_manager", "draw_if_interactive", "show", "_backend_mod"},
    "builtins": {"_", "__", "___", "display", "get_ipython", "exit", "quit", "input"},
    "getpass": {"getpass"},
    "IPython.core.display_functions": set(),
}


def install(nonce: str, preload: list[str], memory_limit_mb: int,
            volatile: dict[str, list[str]], fence: list[str] | None = None,
            ) -> None:  # pragma: no cover - runs in the kernel
    """Set up the probe in the kernel (this function's source is sent to the kernel).
    Everything the probe uses is bound here, before any learner code runs. `fence`, if
    given, is [course root, allowed folder, ...]: see `fence_files`."""
    import builtins
    import importlib
    import json
    import sys
    import threading
    import types
    import warnings

    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module the kernel cannot import is no baseline
            pass
    if memory_limit_mb > 0:
        import resource
        limit = memory_limit_mb * 1024 * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    attempts = fence_files(fence[0], fence[1:]) if fence else []
    b = dict(vars(builtins))      # the builtins as they are now, before any learner code
    _id, _vars, _isinstance, _type, _list, _callable = (
        b["id"], b["vars"], b["isinstance"], b["type"], b["list"], b["callable"])
    _getattr, _len, _set, _any, _zip, _TypeError = (
        b["getattr"], b["len"], b["set"], b["any"], b["zip"], b["TypeError"])
    dumps, catch_warnings, simplefilter = json.dumps, warnings.catch_warnings, warnings.simplefilter
    getprofile, gettrace, modules = sys.getprofile, sys.gettrace, sys.modules
    ModuleType, FunctionType, MethodType = types.ModuleType, types.FunctionType, types.MethodType
    kinds = (ModuleType, staticmethod, classmethod, property)
    skip = {k: _set(v) for k, v in volatile.items()}
    prefix = sys.prefix

    def wanted(value) -> bool:
        return _callable(value) or _isinstance(value, kinds)

    def scan(name, module):
        try:
            items = _list(_vars(module).items())
        except _TypeError:
            return None
        drop = skip.get(name, ())
        attrs = {k: v for k, v in items if k not in drop and wanted(v)}
        classes = {}
        for k, v in attrs.items():
            if _isinstance(v, _type) and _getattr(v, "__module__", None) == name:
                try:
                    classes[k] = {a: m for a, m in _list(_vars(v).items()) if wanted(m)}
                except _TypeError:
                    pass
        return module, attrs, classes

    baseline = {}
    own = {"__rnncourse_grader__", "__main__", "__mp_main__"}   # the namespace is checked apart

    def take_new_modules():
        with catch_warnings():
            simplefilter("ignore")
            for name, module in _list(modules.items()):
                if name not in baseline and name not in own and module is not None:
                    entry = scan(name, module)
                    if entry is not None:
                        baseline[name] = entry

    take_new_modules()
    shell = get_ipython()  # noqa: F821 - the kernel's IPython shell
    user = shell.user_ns

    def hooks():
        return {"sys.modules": sys.modules, "sys.stdout": sys.stdout, "sys.stderr": sys.stderr,
                "the namespace's __builtins__": user.get("__builtins__"),
                "the IPython shell's namespace": shell.user_ns}

    def transformers():
        manager = shell.input_transformer_manager
        return {"IPython's AST transformers": _list(shell.ast_transformers),
                "IPython's input transformers": _list(shell.input_transformers_cleanup)
                + _list(shell.input_transformers_post) + _list(manager.cleanup_transforms)
                + _list(manager.line_transforms)}

    hooks0, transformers0 = hooks(), transformers()
    shell_own = {k: v for k, v in _list(_vars(shell).items()) if wanted(v)}
    namespace, before = {}, {}

    def compare_modules(changes):
        for name, (module, attrs, classes) in _list(baseline.items()):
            now = modules.get(name)
            if now is not module:
                changes.append(f"sys.modules['{name}'] was "
                               + ("removed" if now is None else "replaced"))
                continue
            current = _vars(module)
            for attr, value in attrs.items():
                if attr not in current:
                    changes.append(f"{name}.{attr} was deleted")
                elif current[attr] is not value:
                    changes.append(f"{name}.{attr} was replaced")
            for cls_name, members in classes.items():
                cls_now = _vars(attrs[cls_name])
                for attr, value in members.items():
                    if cls_now.get(attr, None) is not value:
                        changes.append(f"{name}.{cls_name}.{attr} was replaced")
                for attr, value in _list(cls_now.items()):
                    if attr in members or not wanted(value):
                        continue
                    code = _getattr(_getattr(value, "__func__", value), "__code__", None)
                    file = _getattr(code, "co_filename", prefix)
                    if not file.startswith(prefix) and not file.startswith("<"):
                        changes.append(f"{name}.{cls_name}.{attr} was added")

    def probe(lock=False):
        changes = []
        with catch_warnings():
            simplefilter("ignore")
            compare_modules(changes)
        for what, obj in hooks().items():
            if obj is not hooks0[what]:
                changes.append(f"{what} was replaced")
        if getprofile() is not None:
            changes.append("a profile hook (sys.setprofile) is set")
        if gettrace() is not None:
            changes.append("a trace hook (sys.settrace) is set")
        changes += attempts[:5]
        if threading._profile_hook is not None or threading._trace_hook is not None:
            changes.append("a hook for new threads (threading.setprofile/settrace) is set")
        for what, items in transformers().items():
            old = transformers0[what]
            if _len(items) != _len(old) or _any(x is not y for x, y in _zip(items, old)):
                changes.append(f"{what} were changed")
        for attr, value in _list(_vars(shell).items()):
            if attr in shell_own and shell_own[attr] is not value:
                changes.append(f"the IPython shell's {attr} was replaced")
            elif attr not in shell_own and _isinstance(value, FunctionType | MethodType):
                changes.append(f"the IPython shell's {attr} was set")
        for name, value in namespace.items():
            if user.get(name, None) is not value:
                changes.append(f"the name `{name}` (bound by a locked cell) was rebound")
        user.pop("__rnncourse_done__", None)
        bound = {name: value for name, value in _list(user.items()) if not name.startswith("_")
                 and _isinstance(value, (ModuleType, FunctionType, _type))}
        if lock == "before":
            before.clear()
            before.update(bound)
        elif lock == "after":
            for name, value in bound.items():
                if before.get(name, None) is not value:
                    namespace[name] = value
        take_new_modules()
        return dumps({"nonce": nonce, "changes": changes[:30]})

    holder = ModuleType("__rnncourse_grader__")
    holder.probe = probe
    modules["__rnncourse_grader__"] = holder


def fence_files(root: str, allowed: list[str]) -> list[str]:  # pragma: no cover - in kernel
    """From now on this process may not read, list or open a database under `root` other
    than under an `allowed` folder (the submission's own, the environment's), nor start a
    process: the instructor's solutions, the gradebook and the other learners' notebooks
    lie under the course root. An audit hook (PEP 578) does it; it cannot be removed.
    Returns the list where each refused attempt is written down, in words."""
    import os
    import sys

    realpath, fspath, sep = os.path.realpath, os.fspath, os.sep
    root = realpath(root) + sep
    allowed = tuple(realpath(a) + sep for a in allowed)
    files = {"open", "os.listdir", "os.scandir", "sqlite3.connect", "shutil.copyfile",
             "shutil.copytree", "os.rename", "os.link", "os.symlink"}
    processes = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                 "os.fork", "os.forkpty", "pty.spawn"}

    attempts = []

    def hook(event, args):
        if event in files and args:
            path = args[0]
            if path is None or isinstance(path, int):
                return
            try:
                where = realpath(fspath(path))
            except (TypeError, ValueError):
                return
            if isinstance(where, bytes):
                where = where.decode(errors="replace")
            where += sep
            if where.startswith(root) and not where.startswith(allowed):
                attempts.append(f"the code tried to read {path} ({event}), outside its folder")
                raise PermissionError(f"grading: {path} lies outside this submission's folder")
        elif event in processes:
            attempts.append(f"the code tried to start a process ({event})")
            raise PermissionError(f"grading: starting a process ({event}) is not allowed")

    sys.addaudithook(hook)
    return attempts


def install_source(nonce: str, preload: list[str], memory_limit_mb: int,
                   fence: list[str] | None = None) -> str:
    """The code the grader sends to a new kernel to install the probe (and the fence)."""
    volatile = {k: sorted(v) for k, v in VOLATILE.items()}
    return (inspect.getsource(install) + "\n" + inspect.getsource(fence_files) + "\n"
            f"install({nonce!r}, {preload!r}, {int(memory_limit_mb)}, {volatile!r}, "
            f"{fence!r})\n"
            "del install, fence_files\n")


def probe_expression(lock: str | bool = False) -> str:
    """The user expression that runs the probe and returns its JSON report."""
    return f"__import__('sys').modules[{PROBE_MODULE!r}].probe({lock!r})"


def read(reply_content: dict, key: str, nonce: str) -> list[str]:
    """The changes a probe reported, from an execute reply's user expressions. A probe
    that did not answer, or answered without the grader's nonce, is itself a finding."""
    expr = reply_content.get("user_expressions", {}).get(key, {})
    if expr.get("status") != "ok":
        return [f"the grader's probe could not run ({expr.get('ename', 'no answer')}: "
                f"{expr.get('evalue', '')})"]
    try:
        data = json.loads(ast.literal_eval(expr["data"]["text/plain"]))
    except Exception:  # noqa: BLE001 - anything unreadable is a finding
        return ["the grader's probe returned something unreadable"]
    if data.get("nonce") != nonce:
        return ["the grader's probe was replaced"]
    return list(data.get("changes", []))
