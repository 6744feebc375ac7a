"""rnncourse.repro: the base seed and thread count come from the environment, checked."""

import pytest

from rnncourse import repro


def test_seed_defaults_to_zero_and_reads_the_environment(monkeypatch):
    monkeypatch.delenv(repro.SEED_VARIABLE, raising=False)
    assert repro.seed() == 0 and repro.seeds(3) == [0, 1, 2]
    monkeypatch.setenv(repro.SEED_VARIABLE, "7")
    assert repro.seed() == 7 and repro.seeds(2) == [7, 8] and repro.seeds(2, base=1) == [1, 2]


@pytest.mark.parametrize("bad", ["x", "-1", "1.5"])
def test_bad_seed_is_named(monkeypatch, bad):
    monkeypatch.setenv(repro.SEED_VARIABLE, bad)
    with pytest.raises(ValueError, match="RNNCOURSE_SEED must be a non-negative integer"):
        repro.seed()


def test_seeds_needs_a_count():
    with pytest.raises(ValueError, match="`n` must be at least 1"):
        repro.seeds(0)


def test_threads(monkeypatch):
    monkeypatch.delenv(repro.THREADS_VARIABLE, raising=False)
    assert repro.threads() == 1
    monkeypatch.setenv(repro.THREADS_VARIABLE, "2")
    assert repro.threads() == 2
    monkeypatch.setenv(repro.THREADS_VARIABLE, "zero")
    with pytest.raises(ValueError, match="OMP_NUM_THREADS must be a positive integer"):
        repro.threads()
