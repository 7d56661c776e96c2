"""Session-state key names, in one place. Every key gets its default through ``init()``
(``st.session_state.setdefault``) before any page reads it."""

from __future__ import annotations

import copy
import re
import secrets

import streamlit as st

from vae_core.kinds import KIND_NAMES

# sidebar
DATASET = "sb_dataset"


def model_key(kind: str) -> str:
    """The sidebar's selectbox key of a kind's model slot: sb_ae, sb_vae, sb_cvae."""
    return f"sb_{kind}"


DATA_DIR = "sb_data_dir"
PENDING_PICK = "sb_pending_pick"  # (dataset, kind, path), or a list of them, to select on the next full run
LANG = "lang"  # "en" | "zh": the language of every text (ui.texts.LANGUAGES: one per ui/locales/*.toml), mirrored in ?lang=
LANG_FROM_URL = "lang_from_url"  # the ?lang= value last applied
CONTEXT = "ctx"  # the Context the sidebar built for this run

# shared page widgets
MODEL_KIND = "page_model_kind"  # "ae" | "vae" on the map and grid pages
PROJ_METHOD = "map_method"
MAP_POINTS = "map_points"
MAP_SOURCE = "map_source"  # "test" | "all": the latent map's points come from the test split or train + test
UMAP_MODE = "map_umap_mode"
SHOW_SIGMA = "map_sigma"
MAP_TSNE_GO = "map_tsne_go"  # the button that starts a long t-SNE

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
GRID_LAST_CELL = "grid_last_cell"  # (chart, cell) of the last grid click: an emptied selection keeps it shown

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
GEN_SPAN = "gen_span"  # a VAE traversal's half-range, in prior units
GEN_INTERP_LABEL = "gen_interp_label"  # a CVAE interpolation's label: "a" | "b" | "mix"
GEN_KIND = "gen_kind"
GEN_SLIDERS_START = "gen_sliders_start"  # "zero" | "image": where the latent sliders start
GEN_SLIDERS_INDEX = "gen_sliders_index"  # the test image whose μ they start at
MAP_SHADE = "map_shade"  # shade the prior and the aggregate posterior under a linear map
GRID_SHADE = "grid_shade"  # the same on the grid's exact-hover plane

# the browser decoder components (ui/browser_decode.py): their values say what the page holds
DEC_GEN_SLIDERS = "dec_gen_sliders"
DEC_GEN_INTERP = "dec_gen_interp"
DEC_MAP_SLIDERS = "dec_map_sliders"
DEC_GRID_PLANE = "dec_grid_plane"

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
TRAIN_SAVED = "train_saved"  # the form's values at the last Train click: restored into the form on every full run
TRAIN_DRAWN = "train_drawn"  # (running, files saved) of the job as the last full run drew it
TRAIN_FORM = {  # form widget key → default
    "train_dataset": "digits", "train_kind": "vae", "train_backbone": "conv", "train_latent": 2,
    "train_epochs": 5, "train_batch": 128, "train_seed": 0, "train_lr": 1e-3, "train_beta": 1.0,
    "train_lr_schedule": "constant",
}

# models page
UPLOAD = "upload"
UPLOAD_MSG = "upload_msg"
UPLOAD_DONE = "upload_done"  # file ids already handled
ONNX_ENC = "onnx_enc"  # an ONNX encoder and decoder uploaded together (issue 19)
ONNX_DEC = "onnx_dec"
ONNX_OUTPUT = "onnx_output"  # what the decoder outputs: probs | logits
ONNX_LOSS = "onnx_loss"  # the likelihood for metrics: auto | bce | mse
DATA_UPLOAD = "data_upload"  # a dataset of the user's own (.zip of label folders, or .npz)
DATA_MSG = "data_msg"  # (level, text) after a dataset upload or delete
DATA_PICK = "data_pick"  # the user's dataset chosen for deletion
PENDING_DATASET = "pending_dataset"  # a dataset just uploaded becomes the sidebar's choice

# grid page method
GRID_METHOD = "grid_method"

# hardening
SESSION_ID = "session_id"  # random, per browser session: its own model folder in shared mode
MANAGE_PICK = "manage_pick"  # the model of yours being renamed or deleted
MANAGE_NAME = "manage_name"
MANAGE_CONFIRM = "manage_confirm"
MANAGE_MSG = "manage_msg"  # (level, text) after a rename or delete

DEFAULTS = {
    PENDING_PICK: None,
    CONTEXT: None,
    MODEL_KIND: "vae",
    PROJ_METHOD: "pca",
    MAP_POINTS: 2000,
    MAP_SOURCE: "test",
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
    ONNX_OUTPUT: "probs",
    ONNX_LOSS: "auto",
    DATA_MSG: None,
    PENDING_DATASET: None,
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
    GEN_SLIDERS_START: "zero",
    GEN_SLIDERS_INDEX: 0,
    MAP_SHADE: False,
    GRID_SHADE: False,
    GEN_SPAN: 3.0,
    GEN_INTERP_LABEL: "mix",
    MANAGE_NAME: "",
    MANAGE_CONFIRM: False,
    MANAGE_MSG: None,
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


# Widget keys whose values outlive a page change. Streamlit forgets the state of a widget that a
# run does not draw (another page's choices came back as defaults); assigning each key to itself
# at the start of every run marks it as the app's own state, which Streamlit keeps. It also sends
# every widget its value on every run: a browser whose first run was cut short by a page click
# builds the widget afresh, and without the value it would show the widget's default (the sidebar
# read "digits" while MNIST was shown; tests/test_e2e.py, "first_run").
PERSISTENT = (
    DATASET, DATA_DIR, *(model_key(k) for k in KIND_NAMES), MODEL_KIND, PROJ_METHOD, MAP_POINTS, MAP_SOURCE,
    UMAP_MODE, SHOW_SIGMA, GRID_N, GRID_ZOOM, GRID_CX, GRID_CY, GRID_OVERLAY, GRID_METHOD, GRID_LABEL, REC_N, REC_MODE,
    REC_INDICES, INTERP_A, INTERP_B, INTERP_METHOD, GEN_TEMPERATURE, GEN_N, GEN_CLASS, GEN_ROWS, GEN_A, GEN_B,
    GEN_NEXT, GEN_STEPS, GEN_INDEX, GEN_POST_INDEX, GEN_DIMS, GEN_SPAN, GEN_INTERP_LABEL, GEN_SLIDERS_START,
    GEN_SLIDERS_INDEX, MAP_SHADE, GRID_SHADE, USE_CMP_AXIS, USE_CMP_BITS, USE_NOISE_KIND,
    USE_NOISE_LEVEL, USE_FILL_MODE, USE_BOX_TOP, USE_BOX_LEFT, USE_BOX_H, USE_BOX_W, USE_FILL_FRACTION, USE_FILL_ITERS,
    USE_INDEX, USE_AN_SCORE, USE_AUG_INDEX, USE_AUG_CLASS, *TRAIN_FORM,
)


def keep(key: str) -> str | None:
    """The ``persist_state`` a widget of ``key`` is drawn with: "session" for the choices every page keeps
    (PERSISTENT), so Streamlit itself carries the value over a page switch. The self-assignment in
    ``keep_choices`` alone lost it when a page link interrupted a run that had just begun: Streamlit had
    already folded the values into its widget store, then dropped every widget the new page does not
    draw (Latent map's "AE" came back as VAE after map → grid → Home → map; tests/test_e2e.py)."""
    return "session" if key in PERSISTENT else None


def keep_choices() -> None:
    """At the start of a full run, before any widget is drawn: keep every page's choices (PERSISTENT)."""
    for k in PERSISTENT:
        if k in st.session_state:
            st.session_state[k] = st.session_state[k]


def offer(key: str, choices, fallback) -> None:
    """Before a widget of ``key`` is drawn with ``choices``: a kept value that is no longer among them
    (another dataset, fewer points, a method no longer offered) becomes ``fallback``."""
    if st.session_state.get(key) not in choices:
        st.session_state[key] = fallback


def init() -> None:
    """Defaults for every key, once per session (safe to call at any time)."""
    for k, v in DEFAULTS.items():
        if k not in st.session_state:
            st.session_state.setdefault(k, copy.copy(v))  # mutable defaults are per session
    if SESSION_ID not in st.session_state:
        given = st.query_params.get(USER_PARAM)  # a reload keeps its user key in the URL
        st.session_state[SESSION_ID] = given if valid_user_key(given) else secrets.token_hex(16)


USER_PARAM = "u"  # shared mode: ?u=<32 hex digits>, the user's key, names their model folder


def valid_user_key(key: object) -> bool:
    """A user key is 128 random bits as 32 lower-case hex digits (nothing else reaches a folder name)."""
    return isinstance(key, str) and re.fullmatch(r"[0-9a-f]{32}", key) is not None


def session_id() -> str:
    init()
    return st.session_state[SESSION_ID]


def keep_user_key_in_url() -> None:
    """Shared mode: the session's user key in the URL (``?u=…``), so that a reload, a bookmark, or
    another app process behind the same proxy finds the same model folder. Anyone with the URL has the
    folder: the key is the user's secret, 128 random bits, never shown to other sessions."""
    key = session_id()
    if st.query_params.get(USER_PARAM) != key:
        st.query_params[USER_PARAM] = key
