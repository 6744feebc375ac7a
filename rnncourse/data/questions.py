"""Questions about rendered scenes, with their answers (Chapter 8's VQA).

Four types, each asked only where the scene answers it unambiguously:

    colour  "what colour is the square ?"        the shape occurs once in the scene
    shape   "what shape is the red object ?"     the colour occurs once
    count   "how many circles are there ?"       0, 1 or 2
    exists  "is there a blue triangle ?"         yes or no

`sample_items` draws training questions with the types equally often; `balanced` keeps, per
type, equally many questions of every answer, so that a model that does not look at the
image can do little better than chance within a type (the answers of single questions can
still be skewed: with green triangles held out, "what shape is the green object ?" is never
answered "triangle"). On the natural, unbalanced set a question-only model scores well from
the answers' statistics alone.
"""

from __future__ import annotations

from collections import defaultdict

from rnncourse.data.scenes import COLOURS, SHAPES, Scene
from rnncourse.data.tasks import _rng

ANSWERS = (*COLOURS, *SHAPES, "0", "1", "2", "yes", "no")
QUESTION_WORDS = ("what", "colour", "is", "the", "shape", "object", "how", "many", "are",
                  "there", "?", "a", *COLOURS, *SHAPES, *(f"{s}s" for s in SHAPES))
QUESTION_TYPES = ("colour", "shape", "count", "exists")


Item = tuple[int, str, str, str]          # (scene index, type, question, answer)


def questions(scene: Scene) -> list[tuple[str, str, str]]:
    """Every question of the four types that the scene answers unambiguously, as
    (type, question, answer): the colour of a shape that occurs once, the shape of a colour
    that occurs once, how many objects of each shape, and whether each (colour, shape)
    pair is present."""
    objs = scene.objects
    out = []
    for shape in SHAPES:
        same = [o for o in objs if o.shape == shape]
        if len(same) == 1:
            out.append(("colour", f"what colour is the {shape} ?", same[0].colour))
        out.append(("count", f"how many {shape}s are there ?", str(len(same))))
    for colour in COLOURS:
        same = [o for o in objs if o.colour == colour]
        if len(same) == 1:
            out.append(("shape", f"what shape is the {colour} object ?", same[0].shape))
        for shape in SHAPES:
            present = any(o.colour == colour and o.shape == shape for o in objs)
            out.append(("exists", f"is there a {colour} {shape} ?", "yes" if present else "no"))
    return out


def all_items(scenes_list) -> list[Item]:
    """Every question of every scene, as (scene index, type, question, answer)."""
    return [(k, *q) for k, s in enumerate(scenes_list) for q in questions(s)]


def sample_items(scenes_list, per_scene: int, rng) -> list[Item]:
    """`per_scene` questions for each scene: a type drawn uniformly (among the types the
    scene answers), then a question of that type uniformly."""
    g = _rng("questions.sample_items", rng)
    out = []
    for k, s in enumerate(scenes_list):
        by_type = defaultdict(list)
        for q in questions(s):
            by_type[q[0]].append(q)
        types = sorted(by_type)
        for _ in range(per_scene):
            qs = by_type[types[g.integers(len(types))]]
            out.append((k, *qs[g.integers(len(qs))]))
    return out


def balanced(items: list[Item], rng) -> list[Item]:
    """Per question type, the same number of items for every answer of that type (the
    rarest answer's count; the others subsampled at random)."""
    g = _rng("questions.balanced", rng)
    groups = defaultdict(list)
    for it in items:
        groups[it[1], it[3]].append(it)
    out = []
    for qtype in QUESTION_TYPES:
        answers = [a for t, a in groups if t == qtype]
        if not answers:
            continue
        n = min(len(groups[qtype, a]) for a in answers)
        for a in sorted(answers):
            pick = g.permutation(len(groups[qtype, a]))[:n]
            out += [groups[qtype, a][i] for i in sorted(pick)]
    return out
