"""The Latent grid's cached computations: the grid's latents (inverted once per grid and range), its
decoded mosaic and figure, the hover preview's sprite sheet, a 1-D latent's strip."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages.latent_grid import figures, hover
from ui.i18n import spinning
from ui.logic import clicks, paths
from ui.logic.figures import frozen, png_bytes, png_data_uri
from ui.projections import latents, projection
from ui.refs import DataRef, ModelRef, disk_key, save_npz
from ui.texts import Texts
from ui.threads import CPU_WORKERS
from vae_core import latent as lat


@spinning("shared.spin_grid_inverse")
@st.cache_resource(max_entries=16, show_spinner=False)
def grid_latents(m: ModelRef, d: DataRef, n_max: int | None, method: str, n: int, bounds: tuple) -> np.ndarray:
    """(n*n, d) latents of the grid's cell centres, inverted once per (grid, range)."""
    proj = projection(m, d, n_max, method, need_inverse=(method == "umap"))
    pts = lat.grid_points(bounds, n)
    if proj.method != "umap":
        return proj.inverse(pts)
    f = paths.cache_dir() / f"umapgrid-{disk_key(m.sha, d, n_max, n, bounds)}.npz"
    if f.is_file():
        with np.load(f, allow_pickle=False) as arrays:
            return arrays["latents"]
    z = proj.inverse(pts)
    save_npz(f, latents=z)
    return z


@spinning("shared.spin_decode_grid")
@st.cache_data(max_entries=16, show_spinner=False)
def grid_mosaic(m: ModelRef, d: DataRef, n_max: int | None, method: str, n: int, bounds: tuple,
                label: int | None = None) -> np.ndarray:
    """The decoded grid as one uint8 mosaic (a conditional model: with ``label``)."""
    z = grid_latents(m, d, n_max, method, n, bounds)
    return lat.tile(lat.to_uint8_images(lat.decode_points(m.model, z, label, workers=CPU_WORKERS)), n)


@spinning("shared.spin_hover")
@st.cache_data(max_entries=16, show_spinner=False)
def hover_sprite(m: ModelRef, d: DataRef, n_max: int | None, method: str, nf: int, bounds: tuple,
                 label: int | None = None) -> bytes:
    """The hover preview's sprite sheet: the nf×nf fine grid over the same plane and bounds as the
    clickable grid (``grid_latents``: PCA/UMAP inverse included), decoded (a conditional model: with
    ``label``) and tiled row-major, row 0 on top, into one lossless PNG."""
    z = grid_latents(m, d, n_max, method, nf, bounds)
    images = lat.to_uint8_images(lat.decode_points(m.model, z, label, workers=CPU_WORKERS))
    return png_bytes(lat.tile(images, nf))


@st.cache_data(max_entries=16, show_spinner=False)
def hover_html(m: ModelRef, d: DataRef, n_max: int | None, method: str, nf: int, bounds: tuple,
               label: int | None, texts: tuple[tuple[str, str], ...]) -> str:
    """The hover preview component's page (``ui.logic.hover.component_html``), built once per grid
    and language (``texts``, the strings it shows, are part of the key)."""
    sprite = hover_sprite(m, d, n_max, method, nf, bounds, label)
    return hover.component_html(png_data_uri(sprite), nf, d.data.image_shape[-1], bounds, dict(texts))


@st.cache_data(max_entries=16, show_spinner=False)
def strip_row(m: ModelRef, d: DataRef, n: int, label: int | None = None) -> tuple[np.ndarray, float, float]:
    """A 1-D latent's grid is a row: n decoded values of z₁ from the 0.5% to the 99.5% quantile of the
    test latents; returns (mosaic, lowest, highest)."""
    z = latents(m, d, 5000)["mu"][:, 0]
    lo, hi = (float(v) for v in np.percentile(z, [0.5, 99.5]))
    values = np.linspace(lo, hi, n, dtype=np.float32)[:, None]
    return lat.tile(lat.to_uint8_images(lat.decode_points(m.model, values, label)), n, pad=2), lo, hi


@st.cache_resource(max_entries=8, show_spinner=False)
def grid_figure(m: ModelRef, d: DataRef, n_max: int | None, method: str, n: int, bounds: tuple,
                label: int | None, show_points: bool, lang: str):
    """The clickable decoded grid over a plane (with the data's points on top on request); its hover
    text is in ``lang``."""
    mosaic = grid_mosaic(m, d, n_max, method, n, bounds, label)
    tile = d.data.image_shape[-1]
    overlay = None
    if show_points:
        enc = latents(m, d, n_max)
        proj = projection(m, d, n_max, method, need_inverse=(method == "umap"))
        overlay = (clicks.plane_to_pixel(proj.coords, bounds, n, tile), d.data.y_test.numpy()[enc["idx"]])
    return frozen(figures.latent_grid(mosaic, n, tile, bounds, overlay,  # frozen: made into a dict once
                                      far_cells(m, d, n_max, method, n, bounds), tx=Texts(lang)))


@st.cache_data(max_entries=16, show_spinner=False)
def far_cells(m: ModelRef, d: DataRef, n_max: int | None, method: str, n: int, bounds: tuple) -> np.ndarray | None:
    """On a UMAP plane, the grid cells with no encoded image in or next to them (their decoded
    images are extrapolations of the inverse map); None on a linear plane, where every cell is a
    latent the decoder reads the same way."""
    if method != "umap":
        return None
    proj = projection(m, d, n_max, method, need_inverse=True)
    return lat.cells_far_from_data(proj.coords, bounds, n)


@st.cache_data(max_entries=8, show_spinner=False)
def density_grids(m: ModelRef, d: DataRef, n_max: int | None, method: str, bounds: tuple,
                  n: int = 64) -> tuple:
    """(log p, log q) on an n×n grid over the grid's bounds of a linear plane
    (``ui.browser_decode.plane_densities``), rows top to bottom as the grid is drawn."""
    from ui import browser_decode

    plane = browser_decode.plane_map(projection(m, d, n_max, method))
    enc = latents(m, d, n_max)
    return browser_decode.plane_densities(plane, bounds, n, enc["mu"], enc["logvar"])
