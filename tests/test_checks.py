"""Tests for rnncourse.checks.Report: ok/FAIL lines and one AssertionError with hints."""

import numpy as np
import pytest

from rnncourse import checks


def test_all_ok_prints_ok_lines_and_summary(capsys):
    with checks.Report("yule_walker") as r:
        assert r.close("phi", np.array([0.6, -0.3]), [0.6, -0.3])
        assert r.equal("shape of phi", (2,), (2,))
        assert r.check("sigma2 positive", True)
    out = capsys.readouterr().out
    assert out.splitlines() == ["ok   phi", "ok   shape of phi", "ok   sigma2 positive",
                                "yule_walker: all checks passed."]
    assert "FAIL" not in out


def test_failures_print_and_raise_one_error_with_hints(capsys):
    with pytest.raises(AssertionError) as info:
        with checks.Report("forward") as r:
            r.close("loglik", -10.0, -12.0, hint="sum the logs of the scale factors")
            r.equal("alpha shape", (3, 2), (4, 2), hint="one row per time step")
            r.close("scale", [0.5, 0.5], [0.5, 0.5])
    msg = str(info.value)
    assert msg.startswith("forward: 2 check(s) failed.")
    assert "- loglik: sum the logs of the scale factors" in msg
    assert "- alpha shape: one row per time step" in msg
    out = capsys.readouterr().out
    assert "FAIL loglik: max abs difference 2" in out
    assert "FAIL alpha shape: got" in out
    assert "ok   scale" in out
    assert "all checks passed" not in out


def test_close_reports_shape_and_type_mismatch(capsys):
    with pytest.raises(AssertionError):
        with checks.Report("t") as r:
            assert not r.close("a", np.zeros(3), np.zeros(4))
            assert not r.close("b", object(), 1.0)
            assert not r.equal("c", [1, 2], "xy")
    out = capsys.readouterr().out
    assert "FAIL a: shape (3,), expected (4,)" in out
    assert "FAIL b: got object, expected numbers" in out


def test_exception_inside_report_propagates_unchanged():
    with pytest.raises(KeyError):
        with checks.Report("t") as r:
            r.check("x", False, hint="h")
            raise KeyError("learner bug")
