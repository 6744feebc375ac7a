"""rnncourse.grading.probe, in a real kernel: no finding after ordinary learner code (imports,
functions, re-running a cell); a finding, in words, for each way of changing what the tests
rely on; and a probe that was replaced is a finding itself."""

import secrets

import pytest
from jupyter_client.manager import start_new_kernel

from rnncourse.grading import probe

pytestmark = pytest.mark.slow

CLEAN = [
    "import numpy as np\nimport numpy\nfrom rnncourse.grading import checks",
    "def helper(x):\n    return np.tanh(x)\n\nvalues = helper(np.ones(3))",
    "def helper(x):\n    return np.tanh(x)",                            # a cell run again
    "import warnings\nwith warnings.catch_warnings():\n    warnings.simplefilter('ignore')",
    "print('to stdout'); import sys; print('to stderr', file=sys.stderr)",
    "import scipy.special",                                            # a new module
]
CHANGES = [
    ("import numpy\nnumpy.allclose = lambda *a, **k: True", "numpy.allclose was replaced"),
    ("import builtins\nbuiltins.abs = lambda x: 0", "builtins.abs was replaced"),
    ("from rnncourse.grading import checks\nchecks.Report.close = lambda *a, **k: True",
     "rnncourse.grading.checks.Report.close was replaced"),
    ("import sys\nsys.setprofile(lambda *a: None)", "a profile hook"),
    ("checks = None", "the name `checks`"),
    ("get_ipython().ast_transformers.append(object())", "AST transformers"),
    ("get_ipython().showtraceback = lambda *a, **k: None", "showtraceback was set"),
    ("import sys, types\nsys.modules['rnncourse.grading.checks'] = types.ModuleType('x')",
     "sys.modules['rnncourse.grading.checks'] was replaced"),
    ("__builtins__ = {}", "the grader's probe could not run"),   # it needs __import__
]


def run(kc, code: str, lock=None) -> list[str]:
    expression = {"probe": probe.probe_expression(lock)} if lock is not False else {}
    reply = kc.execute_interactive(code, user_expressions=expression, timeout=60,
                                   output_hook=lambda msg: None)
    assert reply["content"]["status"] == "ok", reply["content"]
    return probe.read(reply["content"], "probe", NONCE) if expression else []


NONCE = secrets.token_hex(8)


@pytest.fixture
def kernel():
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        source = probe.install_source(NONCE, ["numpy", "rnncourse.grading.checks"], 0)
        run(kc, source, lock=False)
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_ordinary_code_is_no_finding_and_every_change_is(kernel):
    assert run(kernel, "pass", "before") == []
    assert run(kernel, "import numpy as np\nfrom rnncourse.grading import checks", "after") == []
    for code in CLEAN:
        assert run(kernel, code) == [], code
    found = []
    for code, words in CHANGES:
        reply = run(kernel, code)
        assert any(words in f for f in reply), (code, reply)
        found.append(words)
    assert len(found) == len(CHANGES)


def test_a_replaced_probe_is_a_finding(kernel):
    run(kernel, "import sys, types\nfake = types.ModuleType('f')\n"
                "fake.probe = lambda *a: '{\"nonce\": \"0\", \"changes\": []}'\n"
                f"sys.modules[{probe.PROBE_MODULE!r}] = fake", lock=False)
    assert run(kernel, "pass") == ["the grader's probe was replaced"]
