"""data.scenes and data.questions: deterministic, every caption true of its scene, boxes
tight around what is drawn, splits and biases as asked, every answer right."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from rnncourse.data import questions as Q
from rnncourse.data import scenes


@pytest.fixture(scope="module")
def sample():
    return scenes.sample(300, 3)


def _coloured(image, rgb):
    """(H, W) bool: pixels of exactly this colour."""
    return np.all(np.isclose(image, np.array(rgb, dtype=np.float32)[:, None, None]), axis=0)


def test_same_seed_same_scenes():
    a, b = scenes.sample(20, 5), scenes.sample(20, 5)
    assert all(np.array_equal(x.image, y.image) and x.caption == y.caption
               for x, y in zip(a, b, strict=True))
    assert [s.caption for s in scenes.sample(20, 6)] != [s.caption for s in a]


def test_boxes_are_tight_around_the_drawn_pixels_and_the_rest_is_white(sample):
    for s in sample:
        img = s.image
        covered = np.zeros(img.shape[1:], dtype=bool)
        for o in s.objects:
            x0, y0, x1, y1 = o.box
            mask = _coloured(img, scenes.COLOURS[o.colour])[y0:y1, x0:x1]
            ys, xs = np.nonzero(mask)
            assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (0, 0, x1 - x0, y1 - y0)
            assert x1 - x0 == scenes.SIDES[o.size]
            if o.shape == "square":
                assert mask.all()
            else:
                assert 0.4 < mask.mean() < 0.85           # a disc or a triangle, not a box
            covered[y0:y1, x0:x1] = True
        assert np.all(img[:, ~covered] == 1.0)


def test_every_caption_is_true_of_its_scene(sample):
    for s in sample:
        (a, b), relation = scenes.parse_caption(s.caption)
        objs = s.objects
        assert a == (objs[0].size, objs[0].colour, objs[0].shape)
        assert b == (objs[1].size, objs[1].colour, objs[1].shape)
        (ax, ay), (bx, by) = objs[0].centre, objs[1].centre
        if relation == "left of":
            assert ax < bx and abs(ax - bx) > abs(ay - by)
        else:
            assert ay < by and abs(ay - by) > abs(ax - bx)
        words = s.caption.split()
        for word, owner in zip(words, s.word_objects(), strict=True):
            if owner is not None:
                assert word in (objs[owner].size, objs[owner].colour, objs[owner].shape)
        assert scenes.attribute_accuracy(s.caption, s) == 1.0
    assert Counter(s.relation for s in sample).keys() == {"left of", "above"}


def test_parse_and_attribute_accuracy_score_wrong_captions(sample):
    s = sample[0]
    words = s.caption.split()
    words[2] = next(c for c in scenes.COLOURS if c != words[2])          # first colour wrong
    assert scenes.attribute_accuracy(" ".join(words), s) == pytest.approx(6 / 7)
    assert scenes.parse_caption("a red circle") is None
    assert scenes.attribute_accuracy("a small", s) == 0.0


def test_splits_and_the_planted_bias():
    train = scenes.sample(400, 7)
    pairs = Counter((o.colour, o.shape) for s in train for o in s.objects)
    assert pairs[scenes.HELD_OUT[0]] == 0 and len(pairs) == 11
    comp = scenes.sample(100, 8, split="compositional")
    assert all(sum((o.colour, o.shape) in scenes.HELD_OUT for o in s.objects) == 1 for s in comp)
    first = Counter(s.objects[0].colour == "green" and s.objects[0].shape == "triangle"
                    for s in comp)
    assert first[True] > 20 and first[False] > 20           # either place in the caption
    biased = scenes.sample(1000, 9, square_blue=0.9)
    squares = [o.colour for s in biased for o in s.objects if o.shape == "square"]
    share = squares.count("blue") / len(squares)
    assert abs(share - 0.9) < 4 * np.sqrt(0.09 / len(squares))
    red = scenes.sample(50, 10, split="compositional", holdout=(("red", "square"),))
    assert all(any(o.colour == "red" and o.shape == "square" for o in s.objects) for s in red)


def test_every_answer_is_right(sample):
    for s in sample[:100]:
        objs = s.objects
        for qtype, q, a in Q.questions(s):
            words = q.split()
            if qtype == "colour":
                (o,) = [o for o in objs if o.shape == words[4]]
                assert a == o.colour
            elif qtype == "shape":
                (o,) = [o for o in objs if o.colour == words[4]]
                assert a == o.shape
            elif qtype == "count":
                assert a == str(sum(o.shape + "s" == words[2] for o in objs))
            else:
                present = any(o.colour == words[3] and o.shape == words[4] for o in objs)
                assert a == ("yes" if present else "no")
            assert a in Q.ANSWERS and all(w in Q.QUESTION_WORDS for w in words)


def test_sampled_and_balanced_items(sample):
    items = Q.sample_items(sample, 4, 0)
    assert items == Q.sample_items(sample, 4, 0) and len(items) == 4 * len(sample)
    types = Counter(t for _, t, _, _ in items)
    assert all(0.15 < types[t] / len(items) < 0.35 for t in Q.QUESTION_TYPES)  # types a scene has
    bal = Q.balanced(Q.all_items(sample), 1)
    for qtype in Q.QUESTION_TYPES:
        counts = Counter(a for _, t, _, a in bal if t == qtype)
        assert len(set(counts.values())) == 1 and len(counts) >= 2
    natural = Counter(a for _, t, _, a in Q.all_items(sample) if t == "exists")
    assert natural["no"] > 3 * natural["yes"]                  # the unbalanced answers


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="sample: `split`"):
        scenes.sample(1, 0, split="test")
    with pytest.raises(ValueError, match="render: box"):
        scenes.render([scenes.Obj("square", "red", "small", (40, 40, 50, 50))])
    with pytest.raises(TypeError, match="rng"):
        scenes.sample(1, "seed")


def test_wrong_facts_names_each_mistake(sample):
    s = sample[2]
    words = s.caption.split()
    words[3] = next(x for x in scenes.SHAPES if x != words[3])               # first shape
    words[-2] = next(x for x in scenes.COLOURS if x != words[-2])            # second colour
    relation = "above" if s.relation == "left of" else "left of"
    text = " ".join(words[:4] + relation.split() + words[4 + len(s.relation.split()):])
    assert scenes.wrong_facts(text, s) == [("shape", 0), ("colour", 1), ("relation", None)]
    assert scenes.wrong_facts(s.caption, s) == []
    assert scenes.wrong_facts("a red", s) == [("ungrammatical", None)]
