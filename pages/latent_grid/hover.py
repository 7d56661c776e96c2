"""The latent grid's hover preview, Streamlit-free: how fine its grid is, which of its cells a pointer
is on, and the component's HTML (the page, script included, is ``pages/latent_grid/hover.html``).

The preview sends the decoded images of a fine nf×nf grid once, as one sprite sheet (row-major,
row 0 on top, the layout of ``vae_core.latent.tile``); the browser then draws the cell under the
pointer without asking the server. The fine grid is ``lat.grid_points(bounds, nf)``: the same plane
and bounds as the clickable grid, corner cells on the bounds.

Where a pointer lands, one definition (``hover.html`` does the same arithmetic in JavaScript, with
the same names; the browser test checks that the two agree):

- on the pad, the sprite sheet drawn in a square, the cell is the tile drawn under the pointer:
  ``pad_cell(u, v, nf)``, with (u, v) the pointer's fraction of the pad's width and height;
- on the clickable n×n mosaic of tile-px images (plotly data coordinates are mosaic pixels), the
  pointer's fraction of the plane is ``mosaic_fraction`` (cell c's centre ↦ c / (n − 1): the mosaic
  read as a continuous map of the plane, the inverse of ``clicks.plane_to_pixel``), and the preview
  shows the fine cell nearest that point, ``nearest_cell``;
- a fine cell's plane point is ``lat.cell_centre(bounds, nf, row, col)``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

HOVER_N = 48  # cells per side of the fine grid
HOVER_VALUES = 3_300_000  # at most this many uint8 values in the sprite sheet: 48² MNIST images, 32² CIFAR ones
PREVIEW_PX = 224  # the preview's on-screen size (the sprite's cell drawn K× larger, K an integer)
TEMPLATE = Path(__file__).resolve().parent / "hover.html"
CONFIG_MARK = "/*CONFIG*/"


def fine_n(tile: int, channels: int = 1) -> int:
    """Cells per side of the fine grid for tile×tile images with ``channels`` channels: HOVER_N,
    fewer when the sheet would exceed HOVER_VALUES (a CIFAR sheet: 32, about 1.6 MB of PNG)."""
    return max(2, min(HOVER_N, math.isqrt(HOVER_VALUES // (tile * tile * channels))))


def _clamp(i: int, n: int) -> int:
    return min(max(i, 0), n - 1)


def pad_cell(u: float, v: float, nf: int) -> tuple[int, int]:
    """(row, col) of the tile drawn under a pointer at fraction (u, v) ∈ [0, 1) of the pad."""
    return _clamp(math.floor(v * nf), nf), _clamp(math.floor(u * nf), nf)


def mosaic_fraction(p: float, n: int, tile: int) -> float:
    """A mosaic pixel coordinate (x or y) → its fraction of the plane (0 at the first cell's centre,
    1 at the last one's), for an n×n mosaic of tile-px images."""
    return 0.5 if n == 1 else ((p + 0.5) / tile - 0.5) / (n - 1)


def nearest_cell(fx: float, fy: float, nf: int) -> tuple[int, int]:
    """(row, col) of the fine cell whose centre is nearest a plane point given as fractions of the
    plane from the left (fx) and from the top (fy); halves round up, as JavaScript's Math.round."""
    if nf == 1:
        return 0, 0
    return _clamp(math.floor(fy * (nf - 1) + 0.5), nf), _clamp(math.floor(fx * (nf - 1) + 0.5), nf)


def sprite_cell(sheet, nf: int, row: int, col: int):
    """The image of one cell of a sprite sheet (an (nf·h, nf·w[, 3]) array)."""
    h, w = sheet.shape[0] // nf, sheet.shape[1] // nf
    return sheet[row * h:(row + 1) * h, col * w:(col + 1) * w]


def preview_scale(tile: int, size: int = PREVIEW_PX) -> int:
    """The integer K the preview draws a tile-px cell at (K·tile ≈ size, crisp on any screen)."""
    return max(1, round(size / tile))


def grid_meta(n: int, tile: int, bounds) -> dict:
    """What the clickable grid's figure carries (plotly ``layout.meta``) so that the preview can
    find it on the page and map the pointer over it to the plane."""
    return {"latent_grid": {"n": int(n), "tile": int(tile), "bounds": [float(b) for b in bounds]}}


def component_html(sprite_uri: str, nf: int, tile: int, bounds, texts: dict[str, str],
                   template: str | None = None) -> str:
    """The preview's self-contained page: ``hover.html`` with its configuration (the sprite sheet as
    a data URI, the geometry and the texts it shows) as JSON in a ``<script type=application/json>``."""
    cfg = {"sprite": sprite_uri, "nf": int(nf), "tile": int(tile), "k": preview_scale(tile),
           "bounds": [float(b) for b in bounds], "texts": texts}
    page = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    if page.count(CONFIG_MARK) != 1:
        raise ValueError(f"the hover template must hold {CONFIG_MARK} exactly once")
    # "<" escaped: no text inside the JSON can close the script element
    return page.replace(CONFIG_MARK, json.dumps(cfg, ensure_ascii=False).replace("<", "\\u003c"))


def config_of(html: str) -> dict:
    """The configuration a component page carries (the inverse of ``component_html``; for tests)."""
    start = html.index('<script type="application/json" id="cfg">') + len('<script type="application/json" id="cfg">')
    return json.loads(html[start:html.index("</script>", start)])
