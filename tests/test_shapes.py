"""Tests for rnncourse.shapes: the exact wording of the teaching error messages."""

import re

import numpy as np
import pytest

from rnncourse.shapes import Shapes, check_probabilities, check_shape


def fake_rnn_forward(x, h0, Wx):
    shp = Shapes("rnn_forward")
    shp.check("x", x, "B T D")
    shp.check("h0", h0, "B H")
    shp.check("Wx", Wx, "D H")
    return shp


def test_size_clash_message_is_exact():
    with pytest.raises(ValueError) as info:
        fake_rnn_forward(np.zeros((2, 3, 5)), np.zeros((2, 7)), np.zeros((5, 6)))
    assert str(info.value) == ("rnn_forward: `Wx` has shape (5, 6) but expected (D, H) = "
                               "(5, 7); H=7 comes from `h0`.")


def test_sizes_are_bound_by_first_use():
    shp = fake_rnn_forward(np.zeros((2, 3, 5)), np.zeros((2, 7)), np.zeros((5, 7)))
    assert (shp["B"], shp["T"], shp["D"], shp["H"]) == (2, 3, 5, 7)


def test_wrong_ndim_message():
    with pytest.raises(ValueError, match=re.escape(
            "rnn_forward: `x` has shape (3, 5) but expected 3 axes (B, T, D); it has 2.")):
        fake_rnn_forward(np.zeros((3, 5)), np.zeros((2, 7)), np.zeros((5, 7)))


def test_one_axis_shape_is_written_with_comma():
    with pytest.raises(ValueError, match=re.escape("`b` has shape (4,) but expected 2 axes")):
        check_shape("f", "b", np.zeros(4), "B H")


def test_known_sizes_and_fixed_numbers():
    with pytest.raises(ValueError, match=re.escape(
            "f: `h` has shape (2, 3) but expected (B, H) = (2, 4); H=4 comes from `H`.")):
        check_shape("f", "h", np.zeros((2, 3)), "B H", H=4)
    with pytest.raises(ValueError, match="that axis must have size 2"):
        check_shape("f", "pair", np.zeros((5, 3)), "K 2")
    check_shape("f", "anything", np.zeros((5, 9)), "K *")


def test_repeated_letter_must_agree():
    with pytest.raises(ValueError, match=r"`A` has shape \(2, 3\) but expected \(K, K\) = "
                                         r"\(2, 2\); K=2 comes from `A` axis 0"):
        check_shape("f", "A", np.zeros((2, 3)), "K K")


def test_non_numeric_raises_type_error():
    with pytest.raises(TypeError, match="f: `x` must hold numbers, got dtype <U1"):
        check_shape("f", "x", np.array(["a", "b"]), "T")
    with pytest.raises(TypeError, match="`x` must hold numbers, got dtype object"):
        check_shape("f", "x", np.array([1, None], dtype=object), "T")


def test_lists_are_converted():
    arr = check_shape("f", "x", [[1.0, 2.0]], "B D")
    assert isinstance(arr, np.ndarray) and arr.shape == (1, 2)


def test_check_probabilities():
    check_probabilities("f", "p", np.array([[0.2, 0.8], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="every row of `p` must sum to 1 along axis -1; "
                                         "the worst is off by 0.1"):
        check_probabilities("f", "p", np.array([[0.2, 0.9], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="`p` must hold finite non-negative probabilities"):
        check_probabilities("f", "p", np.array([1.2, -0.2]))
    with pytest.raises(ValueError, match="finite"):
        check_probabilities("f", "p", np.array([np.nan, 1.0]))
