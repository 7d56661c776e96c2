"""The sidebar every page shares: the dataset, one model slot per kind (AE, VAE, CVAE), the data
folder. It builds the ``Context`` that pages read with ``widgets.context()``."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from ui import browser_decode, pagelist, refs, texts
from ui import state as S
from ui.i18n import T, error_text
from ui.logic import catalog, paths, settings, user_data
from ui.logic.plain import md as plain
from vae_core.data import DATASET_NAMES, DataError, Dataset, check_compatible
from vae_core.errors import VaeCoreError
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
    skipped: dict = field(default_factory=dict)  # path → why a model of this dataset is not offered (one line)
    data_error_md: str = ""  # data_error for a Markdown place (its file names and paths made plain)  # path → why a model of this dataset is not offered (one line)

    def usable(self, entry: catalog.ModelEntry) -> bool:
        """A model of this dataset that runs on the loaded data (its image shape matches, it loads)."""
        return self.data is not None and entry.dataset == self.dataset and entry.path not in self.skipped

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
                            len(self.data.x_test), tuple(self.data.image_shape))


def _apply_pending(entries: list) -> None:
    """A model saved by the Train page or an upload becomes the selection (set before the widgets exist);
    so does a dataset just uploaded."""
    if st.session_state.get(S.PENDING_DATASET):
        st.session_state[S.DATASET] = st.session_state[S.PENDING_DATASET]
        st.session_state[S.PENDING_DATASET] = None
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


def _model_select(entries: list, dataset: str, kind: str, key: str, default: str | None, skipped: dict):
    options = [e for e in catalog.for_dataset(entries, dataset, kind) if e.path not in skipped]
    paths_ = [e.path for e in options]
    if not paths_:
        if not kind_of(kind).conditional:  # a missing AE or VAE is worth saying; a missing CVAE is not
            st.sidebar.caption(T["shared.sb_no_kind"].format(kind=kind.upper(), dataset=plain(dataset)))
        return None
    if st.session_state.get(key) not in paths_:
        st.session_state[key] = default if default in paths_ else paths_[0]
    by_path = {e.path: e for e in options}
    chosen = st.sidebar.selectbox(T[f"shared.sb_{kind}"], paths_, key=key,
                                  persist_state=S.keep(key), format_func=lambda p: by_path[p].label(T))
    try:  # the one guarded load of a chosen model (cached): a file changed since it was listed is one line
        refs.checkpoint(by_path[chosen].path)
    except (VaeCoreError, OSError) as e:
        skipped[by_path[chosen].path] = error_text(e, markdown=True)
        st.sidebar.warning(T["shared.sb_not_offered"].format(name=plain(by_path[chosen].name), msg=skipped[by_path[chosen].path]))
        return None
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
    st.caption(T["shared.sb_training"].format(kind=job.model_config.kind.upper(), dataset=plain(job.train_config.dataset),
                                            pct=100 * job.fraction))


def _data_shape(entries: list, dataset: str) -> tuple[int, int, int] | None:
    """The image shape to load a dataset at: the one most of its models take (a ``folder:`` dataset
    and ``digits`` load at any size; the others have their own shape and ignore it). None: no models."""
    shapes = Counter(tuple(e.image_shape) for e in entries if e.dataset == dataset)
    return shapes.most_common(1)[0][0] if shapes else None


def _incompatible(entries: list, dataset: str, data: Dataset | None) -> dict[str, str]:
    """path → one line, for each model of ``dataset`` whose image shape is not the loaded data's
    (``vae_core.data.check_compatible``): such a model is not offered."""
    out: dict[str, str] = {}
    if data is None:
        return out
    for e in entries:
        if e.dataset == dataset:
            try:
                check_compatible(tuple(e.image_shape), data)
            except DataError as err:
                out[e.path] = error_text(err, markdown=True)
    return out


def user_dir() -> Path:
    """This session's own models: the user-model folder (local mode) or its ``session-<id>``
    sub-folder (shared mode; see ``ui.logic.settings``)."""
    return settings.user_folder(paths.user_models_dir(), S.session_id(), settings.mode())


def data_roots() -> tuple[Path, Path]:
    """Where a folder:/npz: dataset may be: the server's data folder and this session's own datasets."""
    return catalog.data_root(), user_data.folder(user_dir())


def _dataset_label(name: str, own: set[str]) -> str:
    return T["shared.sb_dataset_yours"].format(name=user_data.label(name)) if name in own else user_data.label(name)


def render() -> Context:
    S.init()
    S.keep_choices()
    shared = settings.mode() == settings.SHARED
    if shared or S.DATA_DIR not in st.session_state:  # shared: the server's data folder, always
        st.session_state[S.DATA_DIR] = paths.default_data_dir()
    entries, problems = catalog.scan([(paths.checkpoints_dir(), catalog.SHIPPED), (user_dir(), catalog.YOURS)],
                                     root=data_roots(), tx=T)
    _apply_pending(entries)
    own = user_data.listed(user_dir())
    names = list(DATASET_NAMES) + [d for d in catalog.datasets_of(entries) if d not in DATASET_NAMES]
    names += [d for d in own if d not in names]
    if st.session_state.get(S.DATASET) not in names:
        st.session_state[S.DATASET] = catalog.default_dataset(entries)
    sb = st.sidebar
    sb.segmented_control(T["shared.sb_language"], list(texts.LANGUAGES), key=S.LANG, format_func=texts.LANGUAGES.get,
                         selection_mode="single", on_change=_language_changed)
    sb.header(T["shared.sb_title"])
    dataset = sb.selectbox(T["shared.sb_dataset"], names, key=S.DATASET, persist_state=S.keep(S.DATASET),
                           format_func=lambda n, own=set(own): _dataset_label(n, own))
    data_dir = st.session_state[S.DATA_DIR]  # the data folder box below (its value is this key's)
    data, mode, err, err_md = None, None, None, ""
    refused = catalog.dataset_problem(dataset, data_roots())  # never read what a file's metadata names
    if refused:
        err = T["shared.ds_refused"].format(dataset=dataset, names=", ".join(DATASET_NAMES))
        err_md = T["shared.ds_refused"].format(dataset=plain(dataset), names=", ".join(DATASET_NAMES))
    else:
        try:
            data, mode = refs.dataset(dataset, data_dir, _data_shape(entries, dataset))
        except DataError as e:
            err, err_md = error_text(e), error_text(e, markdown=True)
    skipped = _incompatible(entries, dataset, data)
    defaults = catalog.default_models([e for e in entries if e.path not in skipped], dataset)
    models = {}
    for kind in KIND_NAMES:
        chosen = _model_select(entries, dataset, kind, S.model_key(kind), defaults.get(kind), skipped)
        if chosen is not None:
            models[kind] = chosen
            if settings.warm_decoder():
                browser_decode.prepare(chosen.path)  # ready before the first click that decodes in the page
    by_path = {e.path: e for e in entries}
    for path, why in skipped.items():
        if path in by_path:
            sb.caption(T["shared.sb_not_offered"].format(name=plain(by_path[path].name), msg=why))
    job = st.session_state.get(S.TRAIN_JOB)
    if job is not None and not job.finished:
        with sb:
            st.fragment(_job_beat, run_every=JOB_BEAT_S)()
    if not models:
        sb.info(T["shared.sb_no_models"].format(dataset=plain(dataset)))
        with sb:
            pagelist.link("train", T["shared.sb_go_train"])
    with sb.expander(T["shared.sb_data_expander"]):
        data_dir = st.text_input(T["shared.sb_data_dir"], key=S.DATA_DIR,
                                 persist_state=S.keep(S.DATA_DIR), disabled=shared,
                                 help=T["shared.sb_data_dir_fixed"] if shared else T["shared.sb_data_dir_help"])
        if data_dir.strip() and not Path(data_dir).expanduser().is_dir():  # said, not accepted silently
            st.warning(T["shared.sb_data_dir_missing"].format(path=plain(data_dir)))
        for p in problems:
            st.caption(T["shared.sb_bad_file"].format(msg=plain(p)))
    if refused:
        sb.warning(err_md)
    elif data is None:
        sb.warning(T["shared.sb_no_data"].format(dataset=plain(dataset)))
    if mode == "sample":
        sb.caption(T["shared.sb_sample"].format(n=len(data.x_test), dataset=plain(dataset)))
    elif data is not None:
        sb.caption(T["shared.sb_full"].format(train=len(data.x_train), test=len(data.x_test)))
    ctx = Context(dataset, data, mode, err, models, str(data_dir), entries, skipped, err_md)
    st.session_state[S.CONTEXT] = ctx
    return ctx
