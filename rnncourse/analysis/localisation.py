"""Does attention over an image look at the object being named? (Chapter 8.)

Attention weights over a G x G grid (each cell an s x s pixel square of an image of G*s
pixels) are spread over the image: cell (r, c) covers pixels [c*s, (c+1)*s) x [r*s, (r+1)*s),
and its weight is shared evenly among its pixels. The *mass in a box* is the weight that
lands inside the object's bounding box (x0, y0, x1, y1), x1 and y1 exclusive:

    mass = sum_{r, c} alpha_rc * |cell_rc intersected with box| / s^2

A uniform map puts exactly area(box) / area(image) inside any box: the chance level.
"""

from __future__ import annotations

import numpy as np

from rnncourse.shapes import check_shape


def _overlap_1d(lo: float, hi: float, n_cells: int, cell: float) -> np.ndarray:
    """(n_cells,) length of [lo, hi) inside each cell [k*cell, (k+1)*cell)."""
    starts = np.arange(n_cells) * cell
    return np.clip(np.minimum(hi, starts + cell) - np.maximum(lo, starts), 0.0, None)


def mass_in_box(weights: np.ndarray, box, cell: int) -> float:
    """weights (G, G) over grid rows and columns (row = y); box (x0, y0, x1, y1) in pixels;
    cell: pixels per grid cell along each axis. Returns the attention mass inside the box."""
    w = check_shape("mass_in_box", "weights", weights, "G G").astype(np.float64)
    x0, y0, x1, y1 = (float(v) for v in box)
    size = w.shape[0] * cell
    if not (0 <= x0 < x1 <= size and 0 <= y0 < y1 <= size):
        raise ValueError(f"mass_in_box: `box` {tuple(box)} must satisfy 0 <= x0 < x1 <= {size} "
                         f"and 0 <= y0 < y1 <= {size} (the image the {w.shape[0]} x "
                         f"{w.shape[0]} grid covers).")
    rows = _overlap_1d(y0, y1, w.shape[0], cell)                  # (G,) per grid row
    cols = _overlap_1d(x0, x1, w.shape[1], cell)                  # (G,) per grid column
    return float(rows @ w @ cols) / cell ** 2


def uniform_mass(box, image_size: int) -> float:
    """The chance level: the mass a uniform map puts inside the box."""
    x0, y0, x1, y1 = box
    return (x1 - x0) * (y1 - y0) / image_size ** 2


KINDS = ("size", "colour", "shape")      # the three words that describe an object


def _owners(text: str) -> list[int | None] | None:
    """Which object (0 or 1, in caption order) each word of a generated caption describes,
    read from its own structure ("a <size> <colour> <shape> <relation> a ..."), or None if
    it does not follow the grammar."""
    words = text.split()
    if len(words) not in (9, 10) or words[0] != "a" or words[-4] != "a":
        return None
    return [None, 0, 0, 0] + [None] * (len(words) - 8) + [None, 1, 1, 1]


def caption_masses(maps, scenes_list, texts=None, grid: int = 6, cell: int = 8
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mass in the described object's box for every object word a captioner emitted.

    maps[i]: (U_i, L) weights over the grid (L = grid * grid, row-major) for the U_i words
    emitted for scene i (`models.captioning.caption`). texts[i], if given, is the caption
    the model emitted: its words are matched to objects by its own structure (so a wrong
    relation word does not shift the second object's words), and captions that do not follow
    the grammar are skipped; without texts, the scene's true caption says which word
    describes which object (`scene.word_objects()`). Positions the model did not reach are
    skipped. Returns (masses (N,), chance (N,), kinds (N,) of "size" / "colour" / "shape").
    """
    if len(maps) != len(scenes_list) or (texts is not None and len(texts) != len(maps)):
        raise ValueError(f"caption_masses: {len(maps)} maps for {len(scenes_list)} scenes"
                         + ("" if texts is None else f" and {len(texts)} captions") + ".")
    masses, chance, kinds = [], [], []
    for i, (w, scene) in enumerate(zip(maps, scenes_list, strict=True)):
        if w is None:
            raise ValueError("caption_masses: a map is None: a captioner without attention "
                             "has no weights to score.")
        w = check_shape("caption_masses", "maps[i]", w, "U L")
        owners = scene.word_objects() if texts is None else _owners(texts[i])
        if owners is None:
            continue
        seen = {}
        for t, owner in enumerate(owners[: w.shape[0]]):
            if owner is None:
                continue
            k = seen.get(owner, 0)
            seen[owner] = k + 1
            box = scene.objects[owner].box
            masses.append(mass_in_box(w[t].reshape(grid, grid), box, cell))
            chance.append(uniform_mass(box, grid * cell))
            kinds.append(KINDS[k])
    return np.array(masses), np.array(chance), np.array(kinds)


def wrong_word_masses(texts, maps, scenes_list, grid: int = 6, cell: int = 8) -> np.ndarray:
    """For every size, colour or shape word a captioner got wrong (`scenes.wrong_facts`),
    the attention mass, at that word, inside the box of the object the word describes:
    did the model look at the right object and name it wrongly?"""
    from rnncourse.data import scenes as _scenes

    out = []
    for text, w, scene in zip(texts, maps, scenes_list, strict=True):
        owners = _owners(text)
        for kind, obj in _scenes.wrong_facts(text, scene):
            if obj is None or owners is None:
                continue
            t = owners.index(obj) + KINDS.index(kind)
            out.append(mass_in_box(np.asarray(w[t]).reshape(grid, grid),
                                   scene.objects[obj].box, cell))
    return np.array(out)
