"""Text coloured by a value per character, as HTML (for the notebooks and the HTML book).

    HTML(coloured_html(text, values))      # values (N,) in [-1, 1]: blue < 0 < red

Each character is a <span> with a background from white (0) to red (+1) or blue (-1);
newlines are kept (the block is preformatted) and drawn as a faint return sign so that
the value at a newline is visible too.
"""

from __future__ import annotations

import html

import numpy as np


def _colour(v: float) -> str:
    v = float(np.clip(v, -1.0, 1.0))
    fade = int(round(255 * (1 - abs(v))))
    return f"rgb(255,{fade},{fade})" if v >= 0 else f"rgb({fade},{fade},255)"


def coloured_html(text: str, values, title: str = "", scale: float | None = None) -> str:
    """One <pre> block: character i of `text` on the colour of values[i] / scale (scale:
    the largest |value| if None), clipped to [-1, 1]."""
    v = np.asarray(values, dtype=np.float64)
    if v.shape != (len(text),):
        raise ValueError(f"coloured_html: `values` must have one value per character, shape "
                         f"({len(text)},), got {v.shape}.")
    s = float(np.abs(v).max()) if scale is None else float(scale)
    v = v / s if s > 0 else v
    parts = []
    for ch, x in zip(text, v, strict=True):
        shown = "\u21b5\n" if ch == "\n" else html.escape(ch)
        parts.append(f'<span style="background:{_colour(x)}">{shown}</span>')
    head = f"<div style=\"font-size:90%;margin:4px 0\">{html.escape(title)}</div>" if title else ""
    return (f'{head}<pre style="line-height:1.35;font-size:80%;padding:6px;'
            f'border:1px solid #ddd;white-space:pre-wrap">{"".join(parts)}</pre>')
