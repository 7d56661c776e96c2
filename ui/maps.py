"""A latent map as several pages show it (Latent map, Latent grid, AE vs VAE): its data and its figure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from ui import i18n, texts
from ui.i18n import T
from ui.logic import clicks, figures, points
from ui.projections import latents, projection
from ui.refs import DataRef, ModelRef
from ui.sidebar import Context
from vae_core import latent as lat

BIG = 224  # on-screen size of a decoded image


@dataclass
class MapData:
    """One latent map: the model and data it came from, the points shown and their projection."""

    ref: ModelRef
    dref: DataRef
    method: str
    n_max: int | None
    reproducible: bool
    idx: np.ndarray  # index of each point within its split
    mu: np.ndarray  # (N, d)
    logvar: np.ndarray | None
    labels: np.ndarray
    proj: lat.Projection
    source: str = points.TEST_ONLY  # "test" | "all" (train + test)
    split: np.ndarray | None = None  # 0 test / 1 train per point (test points first)

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def model(self):
        return self.ref.model

    @property
    def mixed(self) -> bool:
        """True when the map shows train points too (names then carry the split)."""
        return self.source != points.TEST_ONLY

    @property
    def splits(self) -> np.ndarray:
        return self.split if self.split is not None else np.zeros(len(self.idx), np.uint8)


def source_choices(ctx: Context) -> list[str]:
    """"test", and "all" (train + test) when the dataset has a train split loaded."""
    return list(points.SOURCES) if len(ctx.data.x_train) else [points.TEST_ONLY]


def n_available(ctx: Context, source: str, n_max: int | None = None) -> int:
    """Points of ``source`` in the loaded dataset (at most ``n_max``)."""
    return points.n_shown(len(ctx.data.x_test), len(ctx.data.x_train), n_max, source)


def map_data(ctx: Context, kind: str, method: str, n_max: int | None, reproducible: bool = False,
             need_inverse: bool = False, source: str = points.TEST_ONLY) -> MapData:
    ref, dref = ctx.ref(kind), ctx.data_ref
    enc = latents(ref, dref, n_max, source)
    proj = projection(ref, dref, n_max, method, reproducible, need_inverse, source)
    return MapData(ref, dref, method, n_max, reproducible, enc["idx"], enc["mu"], enc["logvar"], enc["labels"], proj,
                   source, enc["split"])


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_scatter(m: ModelRef, d: DataRef, n_max: int | None, method: str, reproducible: bool, sigma: bool,
                   highlight: int | None, height: int, title: str, lang: str, source: str = points.TEST_ONLY):
    """The latent map's figure: one trace per class, σ ellipses on request, a starred point. Its texts
    are in ``lang`` (``i18n.language()``, part of the key: a language switch rebuilds it)."""
    enc = latents(m, d, n_max, source)
    proj = projection(m, d, n_max, method, reproducible, source=source)
    labels = enc["labels"]
    el = clicks.sigma_ellipses(proj, enc["logvar"]) if sigma else None
    tx = texts.Texts(lang)
    classes = texts.class_names(tx, d.name, d.data.classes)
    return figures.frozen(figures.latent_scatter(  # frozen: a click reruns the fragment, not the encoding
        clicks.display_coords(proj, labels), labels, classes, enc["idx"], title, el, highlight, height,
        axis_titles=figures.plane_axes(proj.method, tx=tx), split=None if source == points.TEST_ONLY else enc["split"],
        tx=tx))


def scatter_figure(m: MapData, sigma: bool = False, highlight: int | None = None, height: int = 520):
    """The map's figure, built once per (map, options); never mutated after caching."""
    key = "latent_map.fig_title_all" if m.mixed else "latent_map.fig_title"
    title = T[key].format(kind=m.kind.upper(), method=T[f"shared.method_{m.proj.method}"], n=len(m.idx))
    return cached_scatter(m.ref, m.dref, m.n_max, m.method, m.reproducible, sigma, highlight, height, title,
                         i18n.language(), m.source)
