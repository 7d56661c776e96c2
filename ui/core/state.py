"""Session-state key names, in one place. Every key gets its default through ``init()``
(``st.session_state.setdefault``) before any page reads it."""

from __future__ import annotations

import copy

import streamlit as st

# sidebar
DATASET = "sb_dataset"


def model_key(kind: str) -> str:
    """The sidebar's selectbox key of a kind's model slot: sb_ae, sb_vae, sb_cvae."""
    return f"sb_{kind}"


DATA_DIR = "sb_data_dir"
PENDING_PICK = "sb_pending_pick"  # (dataset, kind, path) to select on the next full run
CONTEXT = "ctx"  # the Context the sidebar built for this run
LEGACY_RERUN = "legacy_rerun"  # a first run in Streamlit's legacy pages/ mode was rerun once

# shared page widgets
MODEL_KIND = "page_model_kind"  # "ae" | "vae" on the map and grid pages
PROJ_METHOD = "map_method"
MAP_POINTS = "map_points"
UMAP_MODE = "map_umap_mode"
SHOW_SIGMA = "map_sigma"

# chart keys (contract with the e2e tests and the bench)
LATENT_SCATTER = "latent_scatter"
GRID_CHART = "grid_chart"
COMPARE_AE = "compare_map_ae"
COMPARE_VAE = "compare_map_vae"
COMPARE_LAST = "compare_last"  # {"ae": event, "vae": event} last seen
COMPARE_PICK = "compare_pick"  # the index picked in either map

# grid page
GRID_N = "grid_n"
GRID_ZOOM = "grid_zoom"
GRID_CX = "grid_cx"
GRID_CY = "grid_cy"
GRID_OVERLAY = "grid_overlay"
GRID_LABEL = "grid_label"  # the class a CVAE decodes the grid with

# reconstructions page
REC_N = "rec_n"
REC_MODE = "rec_mode"
REC_INDICES = "rec_indices"
REC_SEED = "rec_seed"

# compare page
INTERP_A = "interp_a"
INTERP_B = "interp_b"
INTERP_METHOD = "interp_method"
PRIOR_SEED = "prior_seed"

# generate page
GEN_TEMPERATURE = "gen_temperature"
GEN_N = "gen_n"
GEN_SEED = "gen_seed"
GEN_CLASS = "gen_class"
GEN_ROWS = "gen_rows"
GEN_A = "gen_a"
GEN_B = "gen_b"
GEN_NEXT = "gen_next"  # "a" | "b": what the next click on the interpolation map sets
GEN_STEPS = "gen_steps"
GEN_MAP = "gen_map"  # the interpolation map's chart key (contract with the e2e test)
GEN_MAP_LAST = "gen_map_last"  # the last click handled
GEN_INDEX = "gen_index"  # the image of the traversal
GEN_POST_INDEX = "gen_post_index"  # the image of the posterior view
GEN_DIMS = "gen_dims"
GEN_KIND = "gen_kind"

# uses page
USE_TAB = "use_tab"  # the open tab (only the open tab's body runs)
USE_CMP_AXIS = "use_cmp_axis"  # "bytes" | "ratio"
USE_CMP_BITS = "use_cmp_bits"
USE_NOISE_KIND = "use_noise_kind"  # "gaussian" | "saltpepper"
USE_NOISE_LEVEL = "use_noise_level"  # σ or p
USE_FILL_MODE = "use_fill_mode"  # "box" | "random"
USE_BOX_TOP = "use_box_top"
USE_BOX_LEFT = "use_box_left"
USE_BOX_H = "use_box_h"
USE_BOX_W = "use_box_w"
USE_FILL_FRACTION = "use_fill_fraction"
USE_FILL_ITERS = "use_fill_iters"
USE_INDEX = "use_index"  # the first test image shown
USE_AN_SCORE = "use_an_score"  # "recon" | "elbo"
USE_AUG_INDEX = "use_aug_index"
USE_AUG_CLASS = "use_aug_class"

# train page
TRAIN_JOB = "train_job"
TRAIN_FORM = {  # form widget key → default
    "train_dataset": "digits", "train_kind": "vae", "train_backbone": "conv", "train_latent": 2,
    "train_epochs": 5, "train_batch": 128, "train_seed": 0, "train_lr": 1e-3, "train_beta": 1.0,
}

# models page
UPLOAD = "upload"
UPLOAD_MSG = "upload_msg"
UPLOAD_DONE = "upload_done"  # file ids already handled

# grid page method
GRID_METHOD = "grid_method"

DEFAULTS = {
    PENDING_PICK: None,
    CONTEXT: None,
    MODEL_KIND: "vae",
    PROJ_METHOD: "pca",
    MAP_POINTS: 2000,
    UMAP_MODE: "fast",
    SHOW_SIGMA: False,
    COMPARE_LAST: {},
    COMPARE_PICK: None,
    GRID_N: 15,
    GRID_ZOOM: 1.0,
    GRID_CX: 0.5,
    GRID_CY: 0.5,
    GRID_OVERLAY: False,
    REC_N: 8,
    REC_MODE: "first",
    REC_INDICES: "0, 1, 2, 3",
    REC_SEED: 0,
    INTERP_A: 0,
    INTERP_B: 1,
    INTERP_METHOD: "linear",
    PRIOR_SEED: 0,
    TRAIN_JOB: None,
    UPLOAD_MSG: None,
    UPLOAD_DONE: set(),
    GRID_METHOD: "pca",
    GEN_TEMPERATURE: 1.0,
    GEN_N: 32,
    GEN_SEED: 0,
    GEN_CLASS: 0,
    GEN_ROWS: 6,
    GEN_A: 0,
    GEN_B: 1,
    GEN_NEXT: "a",
    GEN_STEPS: 10,
    GEN_MAP_LAST: None,
    GEN_INDEX: 0,
    GEN_POST_INDEX: 0,
    GEN_DIMS: 8,
    USE_CMP_AXIS: "bytes",
    USE_CMP_BITS: 8,
    USE_NOISE_KIND: "gaussian",
    USE_NOISE_LEVEL: 0.3,
    USE_FILL_MODE: "box",
    USE_BOX_TOP: 9,
    USE_BOX_LEFT: 9,
    USE_BOX_H: 10,
    USE_BOX_W: 10,
    USE_FILL_FRACTION: 0.5,
    USE_FILL_ITERS: 10,
    USE_INDEX: 0,
    USE_AN_SCORE: "recon",
    USE_AUG_INDEX: 0,
    USE_AUG_CLASS: 0,
    **TRAIN_FORM,
}


def init() -> None:
    for k, v in DEFAULTS.items():
        if k not in st.session_state:
            st.session_state.setdefault(k, copy.copy(v))  # mutable defaults are per session
