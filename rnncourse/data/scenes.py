"""Rendered scenes with captions, boxes and questions (Chapter 8).

Every scene is two shapes on a white 48 x 48 canvas, each a circle, square or triangle, in
one of four colours and two sizes, drawn with NumPy from a seed. What a model must say is
known exactly: the caption is built from the objects,

    "a small red circle left of a large blue square"      (the left object first), or
    "a large green triangle above a small yellow circle"   (the upper object first),

the relation being the one along which the two centres lie further apart (scenes where the
two distances are close are not drawn). Every object's bounding box is known, and so is
which caption word names which object (`Scene.word_objects`), so attention over the image
can be checked against where the named object really is. `parse_caption` reads a generated
caption back into objects; questions about a scene, with their answers, are in
`data.questions`.

Splits and biases are arguments of `sample`:
- `holdout`: (colour, shape) pairs never drawn (the compositional split draws scenes that
  hold exactly one object of a held-out pair, the other object from the rest);
- `square_blue`: the probability that a square is blue (default: colours uniform): the
  planted spurious correlation of the bias experiment.

Images are float32 arrays (3, 48, 48) in [0, 1]; boxes are (x0, y0, x1, y1) in pixels, x to
the right and y down, x1 and y1 exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rnncourse.data.tasks import _rng

SIZE = 48                                             # canvas width and height in pixels
SHAPES = ("circle", "square", "triangle")
COLOURS = {"red": (0.85, 0.1, 0.1), "green": (0.1, 0.65, 0.15), "blue": (0.15, 0.25, 0.9),
           "yellow": (0.95, 0.8, 0.1)}
SIDES = {"small": 10, "large": 16}                    # side of the bounding box in pixels
HELD_OUT = (("green", "triangle"),)                   # the compositional split's pairs
WORDS = ("a", "small", "large", *COLOURS, *SHAPES, "left", "of", "above")


@dataclass(frozen=True)
class Obj:
    """One drawn object; box = (x0, y0, x1, y1), x1 and y1 exclusive."""

    shape: str
    colour: str
    size: str
    box: tuple[int, int, int, int]

    @property
    def centre(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2

    def words(self) -> list[str]:
        return ["a", self.size, self.colour, self.shape]


@dataclass(frozen=True)
class Scene:
    """A rendered scene: image (3, SIZE, SIZE) float32, its two objects in caption order."""

    image: np.ndarray
    objects: tuple[Obj, Obj]
    relation: str                                      # "left of" or "above"

    @property
    def caption(self) -> str:
        a, b = self.objects
        return " ".join(a.words() + self.relation.split() + b.words())

    def word_objects(self) -> list[int | None]:
        """For each caption word, the index of the object it describes (its size, colour and
        shape words), or None (articles and the relation)."""
        n_rel = len(self.relation.split())
        return [None, 0, 0, 0] + [None] * n_rel + [None, 1, 1, 1]


def _mask(shape: str, side: int) -> np.ndarray:
    """(side, side) bool mask of a shape filling its bounding box."""
    yy, xx = np.mgrid[0:side, 0:side] + 0.5
    if shape == "square":
        return np.ones((side, side), dtype=bool)
    if shape == "circle":
        r = side / 2
        return (xx - r) ** 2 + (yy - r) ** 2 <= r ** 2
    # an isosceles triangle, apex (two pixels) at the top centre, base along the bottom row
    return np.abs(xx - side / 2) <= (yy + 0.5) / 2


def render(objects, relation: str = "left of") -> Scene:
    """Draw objects (each an `Obj`) on a white canvas, in the order given."""
    image = np.ones((3, SIZE, SIZE), dtype=np.float32)
    for o in objects:
        x0, y0, x1, y1 = o.box
        if not (0 <= x0 < x1 <= SIZE and 0 <= y0 < y1 <= SIZE and x1 - x0 == y1 - y0):
            raise ValueError(f"render: box {o.box} must be a square inside the {SIZE} x {SIZE} "
                             "canvas.")
        m = _mask(o.shape, x1 - x0)
        for ch, value in enumerate(COLOURS[o.colour]):
            patch = image[ch, y0:y1, x0:x1]
            patch[m] = value
    return Scene(image, tuple(objects), relation)


def _overlap(a, b, margin: int = 2) -> bool:
    return not (a[2] + margin <= b[0] or b[2] + margin <= a[0] or
                a[3] + margin <= b[1] or b[3] + margin <= a[1])


def _attributes(g, holdout, square_blue, forced=None):
    """(shape, colour, size) drawn with the split's rules; `forced` = (colour, shape)."""
    while True:
        if forced is not None:
            colour, shape = forced
        else:
            shape = SHAPES[g.integers(len(SHAPES))]
            if shape == "square" and square_blue is not None:
                others = [c for c in COLOURS if c != "blue"]
                colour = "blue" if g.random() < square_blue else others[g.integers(len(others))]
            else:
                colour = list(COLOURS)[g.integers(len(COLOURS))]
        if forced is not None or (colour, shape) not in holdout:
            return shape, colour, list(SIDES)[g.integers(len(SIDES))]


def _place(g, attrs) -> tuple[tuple[Obj, Obj], str] | None:
    """Two objects at random positions, or None if they overlap or their relation is
    ambiguous; returned in caption order with the relation."""
    objs = []
    for shape, colour, size in attrs:
        side = SIDES[size]
        x0, y0 = (int(v) for v in g.integers(0, SIZE - side + 1, size=2))
        objs.append(Obj(shape, colour, size, (x0, y0, x0 + side, y0 + side)))
    if _overlap(objs[0].box, objs[1].box):
        return None
    (ax, ay), (bx, by) = objs[0].centre, objs[1].centre
    dx, dy = abs(ax - bx), abs(ay - by)
    if max(dx, dy) < 1.5 * min(dx, dy) or max(dx, dy) < 8:
        return None                                     # no clear relation: draw again
    if dx > dy:
        first = 0 if ax < bx else 1
        return (objs[first], objs[1 - first]), "left of"
    first = 0 if ay < by else 1
    return (objs[first], objs[1 - first]), "above"


def sample(n: int, rng, split: str = "train", holdout=HELD_OUT,
           square_blue: float | None = None) -> list[Scene]:
    """n scenes. split "train": no object of a held-out (colour, shape) pair; split
    "compositional": exactly one object of a held-out pair (at a random place in the
    caption). `square_blue`: probability that a square is blue (None: uniform colours)."""
    g = _rng("scenes.sample", rng)
    if split not in ("train", "compositional"):
        raise ValueError(f"sample: `split` must be 'train' or 'compositional', got {split!r}.")
    holdout = tuple(tuple(p) for p in holdout)
    if split == "compositional" and not holdout:
        raise ValueError("sample: the compositional split needs at least one held-out pair.")
    out = []
    while len(out) < n:
        forced = holdout[g.integers(len(holdout))] if split == "compositional" else None
        attrs = [_attributes(g, holdout, square_blue, forced), _attributes(g, holdout, square_blue)]
        if g.random() < 0.5:
            attrs.reverse()
        placed = _place(g, attrs)
        if placed is not None:
            out.append(render(*placed))
    return out


_CAPTION = re.compile(r"a (small|large) (\w+) (\w+) (left of|above) a (small|large) (\w+) (\w+)")


def parse_caption(text: str) -> tuple[tuple[tuple[str, str, str], ...], str] | None:
    """A caption in the scenes' grammar -> (((size, colour, shape), (size, colour, shape)),
    relation), or None if the text does not follow the grammar."""
    m = _CAPTION.fullmatch(text.strip())
    if m is None:
        return None
    g = m.groups()
    return ((g[0], g[1], g[2]), (g[4], g[5], g[6])), g[3]


def attribute_accuracy(text: str, scene: Scene) -> float:
    """The fraction of the seven facts of a caption (size, colour and shape of each object,
    and the relation) that `text` gets right for `scene`; 0 if it does not parse."""
    parsed = parse_caption(text)
    if parsed is None:
        return 0.0
    objs, relation = parsed
    truth = [(o.size, o.colour, o.shape) for o in scene.objects]
    right = sum(a == b for got, want in zip(objs, truth, strict=True)
                for a, b in zip(got, want, strict=True))
    return (right + (relation == scene.relation)) / 7


def wrong_facts(text: str, scene: Scene) -> list[tuple[str, int | None]]:
    """What a caption gets wrong about a scene: (kind, object) for each wrong size, colour
    or shape (object 0 or 1 in caption order), ("relation", None) for a wrong relation, or
    [("ungrammatical", None)] if the caption does not parse. Empty if it is right."""
    parsed = parse_caption(text)
    if parsed is None:
        return [("ungrammatical", None)]
    objs, relation = parsed
    out = [(kind, k) for k, (got, o) in enumerate(zip(objs, scene.objects, strict=True))
           for kind, value in zip(("size", "colour", "shape"), got, strict=True)
           if value != getattr(o, kind)]
    return out + ([("relation", None)] if relation != scene.relation else [])
