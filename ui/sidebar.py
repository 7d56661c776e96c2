"""The sidebar every page shares: the dataset, one model slot per kind (AE, VAE, CVAE), the data
folder. It builds the ``Context`` that pages read with ``widgets.context()``."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from ui import pagelist, refs, texts
from ui import state as S
from ui.i18n import T, error_text
from ui.logic import catalog, paths, settings
from vae_core.data import DATASET_NAMES, DataError, Dataset
from vae_core.kinds import KIND_NAMES
from vae_core.kinds import kind as kind_of


@dataclass
class Context:
    dataset: str
    data: Dataset | None
    data_mode: str | None  # "full" | "sample"
    data_error: str | None
    models: dict[str, catalog.ModelEntry]  # kind → the chosen model of that kind
    data_dir: str = ""
    entries: list = field(default_factory=list)

    def model(self, kind: str) -> catalog.ModelEntry | None:
        return self.models.get(kind)

    @property
    def kinds(self) -> list[str]:
        """The kinds with a chosen model, in registry order."""
        return [k for k in KIND_NAMES if k in self.models]

    def ref(self, kind: str) -> refs.ModelRef:
        """The cache reference of the chosen model of a kind."""
        e = self.models[kind]
        return refs.ModelRef.of(e.path, e.kind)

    @property
    def data_ref(self) -> refs.DataRef:
        return refs.DataRef(self.dataset, self.data_dir, self.data_mode or "", len(self.data.x_train),
                             len(self.data.x_test))


def _apply_pending(entries: list) -> None:
    """A model saved by the Train page or an upload becomes the selection (set before the widgets exist)."""
    pick = st.session_state[S.PENDING_PICK]
    if not pick:
        return
    st.session_state[S.PENDING_PICK] = None
    picks = pick if isinstance(pick, list) else [pick]  # a trained pair selects both
    known = {e.path for e in entries}
    for dataset, kind, path in picks:
        if path in known:
            st.session_state[S.DATASET] = dataset
            st.session_state[S.model_key(kind)] = path


def _model_select(entries: list, dataset: str, kind: str, key: str, default: str | None):
    options = catalog.for_dataset(entries, dataset, kind)
    paths_ = [e.path for e in options]
    if not paths_:
        if not kind_of(kind).conditional:  # a missing AE or VAE is worth saying; a missing CVAE is not
            st.sidebar.caption(T["shared.sb_no_kind"].format(kind=kind.upper(), dataset=dataset))
        return None
    if st.session_state.get(key) not in paths_:
        st.session_state[key] = default if default in paths_ else paths_[0]
    by_path = {e.path: e for e in options}
    chosen = st.sidebar.selectbox(T[f"shared.sb_{kind}"], paths_, key=key, format_func=lambda p: by_path[p].label(T))
    return by_path[chosen]


def _language_changed() -> None:
    if st.session_state.get(S.LANG) is None:  # a segmented control can be unselected: keep a language
        st.session_state[S.LANG] = st.session_state.get(S.LANG_FROM_URL) or texts.DEFAULT_LANGUAGE
    st.query_params["lang"] = st.session_state[S.LANG]
    st.session_state[S.LANG_FROM_URL] = st.session_state[S.LANG]


JOB_BEAT_S = 5.0  # how often an open page tells a running training job that its session is still here


def _job_beat() -> None:
    """While this session's training job runs, every page polls it (a heartbeat: a closed tab
    stops polling, and ``pages.train.view`` then stops the job) and shows its progress."""
    job = st.session_state.get(S.TRAIN_JOB)
    if job is None or job.finished:
        return
    job.heartbeat = time.time()
    st.caption(T["shared.sb_training"].format(kind=job.model_config.kind.upper(), dataset=job.train_config.dataset,
                                            pct=100 * job.fraction))


def _plain(text: str) -> str:
    """A user's text inside a markdown message, shown as typed (each markdown/LaTeX/HTML character escaped)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>$~&:])", r"\\\1", text)


def user_dir() -> Path:
    """This session's own models: the user-model folder (local mode) or its ``session-<id>``
    sub-folder (shared mode; see ``ui.logic.settings``)."""
    return settings.user_folder(paths.user_models_dir(), S.session_id(), settings.mode())


def render() -> Context:
    S.init()
    S.keep_choices()
    shared = settings.mode() == settings.SHARED
    if shared or S.DATA_DIR not in st.session_state:  # shared: the server's data folder, always
        st.session_state[S.DATA_DIR] = paths.default_data_dir()
    entries, problems = catalog.scan([(paths.checkpoints_dir(), catalog.SHIPPED), (user_dir(), catalog.YOURS)], tx=T)
    _apply_pending(entries)
    names = list(DATASET_NAMES) + [d for d in catalog.datasets_of(entries) if d not in DATASET_NAMES]
    if st.session_state.get(S.DATASET) not in names:
        st.session_state[S.DATASET] = catalog.default_dataset(entries)
    sb = st.sidebar
    sb.segmented_control(T["shared.sb_language"], list(texts.LANGUAGES), key=S.LANG, format_func=texts.LANGUAGES.get,
                         selection_mode="single", on_change=_language_changed)
    sb.header(T["shared.sb_title"])
    dataset = sb.selectbox(T["shared.sb_dataset"], names, key=S.DATASET)
    defaults = catalog.default_models(entries, dataset)
    models = {}
    for kind in KIND_NAMES:
        chosen = _model_select(entries, dataset, kind, S.model_key(kind), defaults.get(kind))
        if chosen is not None:
            models[kind] = chosen
    job = st.session_state.get(S.TRAIN_JOB)
    if job is not None and not job.finished:
        with sb:
            st.fragment(_job_beat, run_every=JOB_BEAT_S)()
    if not models:
        sb.info(T["shared.sb_no_models"].format(dataset=dataset))
        with sb:
            pagelist.link("train", T["shared.sb_go_train"])
    with sb.expander(T["shared.sb_data_expander"]):
        data_dir = st.text_input(T["shared.sb_data_dir"], key=S.DATA_DIR, disabled=shared,
                                 help=T["shared.sb_data_dir_fixed"] if shared else T["shared.sb_data_dir_help"])
        if data_dir.strip() and not Path(data_dir).expanduser().is_dir():  # said, not accepted silently
            st.warning(T["shared.sb_data_dir_missing"].format(path=_plain(data_dir)))
        for p in problems:
            st.caption(T["shared.sb_bad_file"].format(msg=p))
    data, mode, err = None, None, None
    if catalog.dataset_problem(dataset, catalog.data_root()):  # never read what a file's metadata names
        err = T["shared.ds_refused"].format(dataset=dataset, names=", ".join(DATASET_NAMES))
        sb.warning(err)
    else:
        try:
            data, mode = refs.dataset(dataset, data_dir)
        except DataError as e:
            err = error_text(e)
            sb.warning(T["shared.sb_no_data"].format(dataset=dataset))
    if mode == "sample":
        sb.caption(T["shared.sb_sample"].format(n=len(data.x_test), dataset=dataset))
    elif data is not None:
        sb.caption(T["shared.sb_full"].format(train=len(data.x_train), test=len(data.x_test)))
    ctx = Context(dataset, data, mode, err, models, str(data_dir), entries)
    st.session_state[S.CONTEXT] = ctx
    return ctx
