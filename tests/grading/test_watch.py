"""rnncourse.grading.watch: a graded function may do its own work with NumPy and the
standard library, call its own helpers, print, and call what the test hands it; calling or
referring to rnncourse, a locked cell's code, an excluded library, or the interpreter's
machinery is a violation, however it is spelled."""

import linecache
import sys

import numpy as np
import pytest

from rnncourse.grading import watch

ANSWERS = '''
import functools
import gc
import inspect
import sys
import threading

import numpy as np
import scipy.special
import torch
from scipy.special import expit
import rnncourse.scratch.ops
from rnncourse.scratch import ops
from rnncourse.scratch.ops import sigmoid as package_sigmoid


def own(x):
    def inner(v):
        return np.tanh(v)
    print("working", file=sys.stderr)
    return inner(np.asarray(x)) + helper(x)


def helper(x):
    return 0 * x


def calls_what_it_is_given(f, x):
    return f(x)


def direct(x):
    return ops.sigmoid(x)


def dotted(x):
    return rnncourse.scratch.ops.sigmoid(x)


def alias(x):
    return package_sigmoid(x)


def through_map(x):
    return np.array(list(map(ops.sigmoid, x)))


def through_numpy(x):
    return np.apply_along_axis(ops.sigmoid, 0, x)


def through_partial(x):
    return functools.partial(ops.sigmoid)(x)


def through_exec(x):
    scope = {"x": x}
    exec("from rnncourse.scratch import ops\\ny = ops.sigmoid(x)", scope)
    return scope["y"]


def scipy_ufunc(x):
    return expit(x)


def scipy_module(x):
    return scipy.special.expit(x)


def torch_c(x):
    return torch.sigmoid(torch.from_numpy(x)).numpy()


def calls_locked(x):
    return oracle(x)


def frames(x):
    sys._getframe(1)
    return np.tanh(x)


def stack(x):
    inspect.stack()
    return np.tanh(x)


def objects(x):
    gc.get_objects()
    return np.tanh(x)


def thread(x):
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()
    return np.tanh(x)


def switches_off(x):
    hook = sys.getprofile()
    sys.setprofile(None)
    sys.setprofile(hook)
    return np.tanh(x)
'''

TEST_CELL = '''
def oracle(x):
    return np.tanh(x)


def passed_in(x):
    return oracle(x)
'''


def _cells() -> dict:
    ns: dict = {}
    for name, source in [("answers", ANSWERS), ("tests", TEST_CELL)]:
        filename = f"/rnncourse-cells/watch-{name}.py"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), ns)
    return ns


NS = _cells()
TEST_FRAME_FILE = "/rnncourse-cells/watch-tests.py"


def run(fn_name: str, *args, libraries=watch.NUMPY_ONLY):
    """Call the answer under a watch entered from the 'test cell'; its violations."""
    watch.register_locked(TEST_FRAME_FILE)
    w = watch.Watch(NS[fn_name], libraries=libraries, entry=sys._getframe(0))
    with w:
        NS[fn_name](*args)
    return w.violations


@pytest.mark.parametrize("name", ["own"])
def test_own_code_helpers_and_printing_are_fine(name):
    assert run(name, np.arange(3.0)) == []


def test_calling_what_the_test_hands_over_is_fine():
    assert run("calls_what_it_is_given", NS["passed_in"], np.arange(3.0)) == []


@pytest.mark.parametrize("name", ["direct", "dotted", "alias", "through_map",
                                  "through_numpy", "through_partial", "through_exec"])
def test_rnncourse_however_spelled(name):
    found = run(name, np.arange(3.0))
    assert found and any("rnncourse" in what for _, what in found), found


@pytest.mark.parametrize("name,library", [("scipy_ufunc", "scipy"), ("scipy_module", "scipy"),
                                          ("torch_c", "torch")])
def test_excluded_libraries_calls_and_references(name, library):
    found = run(name, np.arange(3.0))
    assert found and all(library in what for _, what in found), found


def test_a_library_the_set_allows_is_fine():
    assert run("torch_c", np.arange(3.0), libraries=("numpy", "torch")) == []


def test_code_of_a_locked_cell_not_handed_over():
    found = run("calls_locked", np.arange(3.0))
    assert found and "locked cell" in found[0][1]


@pytest.mark.parametrize("name,what", [("frames", "frames"), ("stack", "frames"),
                                       ("objects", "objects"), ("thread", "thread"),
                                       ("switches_off", "profile hook")])
def test_the_interpreters_machinery(name, what):
    found = run(name, np.arange(3.0))
    assert found and any(what in d for _, d in found), found


def test_the_graded_function_must_be_written_in_a_cell():
    from rnncourse.scratch import ops
    for fn in (ops.sigmoid, np.tanh, NS["oracle"]):
        with pytest.raises(watch.Violation):
            watch.Watch(fn, entry=sys._getframe(0)).__enter__()


def test_the_previous_profiler_is_restored_and_the_message_names_the_rule():
    before = sys.getprofile()
    found = run("direct", np.arange(3.0))
    assert sys.getprofile() is before
    w = watch.Watch(NS["direct"])
    w.violations = found
    assert "NumPy and the standard library" in w.message()
    assert watch.Watch(NS["own"]).message() is None
