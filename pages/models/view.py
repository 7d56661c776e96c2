"""The models page body: architecture, training curves, metrics, upload and download; renaming
and deleting the user's own models (only files of ``sidebar.user_dir()``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from pages.models import compute, logic
from ui import refs, sidebar, widgets
from ui import state as S
from ui.i18n import T, error_text
from ui.logic import catalog, figures, metric_rows, user_data, user_files
from ui.logic.catalog import ModelEntry
from ui.logic.plain import md as plain
from ui.sidebar import Context
from vae_core.checkpoint import CheckpointError
from vae_core.data import DataError

# The metrics measured when an ONNX pair is imported here: the whole test split for MSE/PSNR/ELBO, the
# IS-NLL on 1,000 test images with 20 samples each and the kNN on 10,000 train latents (a few seconds
# on one thread, where the CLI's defaults take minutes); the Models page says what was used.
IMPORT_METRICS = {"nll_k": 20, "nll_n": 1000, "knn_n": 10000}


def model_card(e: ModelEntry) -> None:
    """One chosen model. What needs the training history or the torch weights (curves, the layer
    table, the training configuration) is shown when the file has it — asked as capabilities
    (``has_history``, ``has_weights``), never by where the file came from — else one line says so."""
    ck = refs.checkpoint(e.path)
    meta = ck.meta
    fields = dict(name=plain(e.name), kind=e.kind.upper(), backbone=T.get(f"shared.backbone_{e.backbone}", e.backbone),
                  d=e.latent_dim or T["shared.feature_map"], dataset=plain(e.dataset), epochs=e.epochs,
                  params=meta.get("model", {}).get("num_params", 0), created=plain(meta.get("created", "?")),
                  source=T.get(f"shared.source_{e.source}", e.source))
    st.markdown(T["models.summary" if ck.has_history else "models.summary_no_history"].format(**fields))
    st.download_button(T["models.download"].format(file=plain(Path(e.path).name)), Path(e.path).read_bytes(),
                       file_name=Path(e.path).name, mime="application/octet-stream", key=f"dl_{e.kind}")
    st.markdown(f"**{T['models.arch']}**")
    if ck.has_weights:
        layers = compute.layer_rows(refs.ModelRef.of(e.path, e.kind))
        st.dataframe(pd.DataFrame(layers["rows"], columns=list(logic.layer_columns(tx=T))), hide_index=True,
                     width="stretch", key=f"layers_{e.kind}")
        st.caption(T["models.layer_total"].format(total=layers["total"], trainable=layers["trainable"]))
    else:
        st.caption(T["models.no_weights"])
    if ck.has_history and ck.history.get("epoch"):
        st.plotly_chart(figures.training_curves(ck.history, tx=T), config=widgets.plotly_config(),
                        key=f"curves_{e.kind}")
    else:
        st.caption(T["models.no_history" if ck.has_weights else "models.no_history_imported"])
    rows = metric_rows.rows(ck.metrics, keep_missing=False, tx=T)
    if rows:
        on = metric_rows.measured_on(ck.metrics, tx=T)
        head = T["models.metrics" if ck.has_history else "models.metrics_recorded"]
        st.markdown(f"**{head}**" + (f" · {on}" if on else ""))
        st.dataframe(pd.DataFrame({T["models.value"]: rows}), width="stretch")
    if ck.train_config:
        with st.expander(T["models.train_config"]):
            st.table(pd.DataFrame(logic.config_rows(ck.train_config.to_dict(), tx=T),
                                  columns=[T["models.cfg_setting"], T["models.value"]]).set_index(T["models.cfg_setting"]))


def _kept(out: Path, entry: ModelEntry, existed: bool) -> None:
    key = "models.upload_same" if existed else "models.upload_ok"
    st.session_state[S.UPLOAD_MSG] = ("success", T[key].format(name=plain(out.name)))
    st.session_state[S.PENDING_PICK] = (entry.dataset, entry.kind, str(out))


def upload_box(ctx: Context) -> None:
    """A model file (.safetensors or an imported .zip), or an ONNX encoder + decoder for the sidebar's
    dataset: checked (``ui.logic.user_files``) and kept in the user folder; a refusal is one line."""
    f = st.file_uploader(T["models.upload"], key=S.UPLOAD, help=T["models.upload_help"])
    done = st.session_state[S.UPLOAD_DONE]
    if f is not None and f.file_id not in done:
        done.add(f.file_id)
        try:
            _kept(*user_files.accept_upload(f.name, f.getvalue(), sidebar.user_dir()))
            st.rerun()
        except CheckpointError as e:
            st.session_state[S.UPLOAD_MSG] = ("error", T["models.upload_bad"].format(msg=error_text(e, markdown=True)))
    with st.expander(T["models.onnx_title"]):
        st.caption(T["models.onnx_intro"].format(dataset=plain(ctx.dataset)))
        c1, c2 = st.columns(2)
        enc = c1.file_uploader(T["models.onnx_encoder"], key=S.ONNX_ENC)
        dec = c2.file_uploader(T["models.onnx_decoder"], key=S.ONNX_DEC)
        c1.radio(T["models.onnx_output"], ["probs", "logits"], key=S.ONNX_OUTPUT, horizontal=True,
                 format_func=lambda v: T[f"models.onnx_output_{v}"])
        c2.radio(T["models.onnx_loss"], ["auto", "bce", "mse"], key=S.ONNX_LOSS, horizontal=True,
                 format_func=lambda v: T[f"models.onnx_loss_{v}"])
        ready = enc is not None and dec is not None and ctx.data is not None
        if st.button(T["models.onnx_import"], key="onnx_import", disabled=not ready):
            loss = st.session_state[S.ONNX_LOSS]
            try:
                with st.spinner(T["models.onnx_checking"]):
                    _kept(*user_files.accept_onnx_pair(
                        (enc.name, enc.getvalue()), (dec.name, dec.getvalue()), sidebar.user_dir(), ctx.data,
                        ctx.dataset, st.session_state[S.ONNX_OUTPUT], None if loss == "auto" else loss,
                        IMPORT_METRICS))
                st.rerun()
            except CheckpointError as e:
                st.session_state[S.UPLOAD_MSG] = ("error", T["models.upload_bad"].format(msg=error_text(e, markdown=True)))
    msg = st.session_state[S.UPLOAD_MSG]
    if msg:
        getattr(st, msg[0])(msg[1])


def _rename(folder: Path, path: str) -> None:
    try:
        new = user_files.rename(folder, path, st.session_state[S.MANAGE_NAME])
    except (user_files.CatalogError, OSError) as e:
        st.session_state[S.MANAGE_MSG] = ("error", error_text(e, markdown=True))
        return
    st.session_state[S.UPLOAD_MSG] = None  # "Kept x; it is now selected" would be stale
    st.session_state[S.MANAGE_MSG] = ("success", T["models.renamed"].format(old=plain(Path(path).name), new=plain(new.name)))
    st.session_state[S.MANAGE_NAME] = ""
    ctx = st.session_state.get(S.CONTEXT)
    entry = next((e for e in (ctx.entries if ctx else []) if e.path == path), None)
    if entry is not None:  # the renamed model stays selected
        st.session_state[S.PENDING_PICK] = (entry.dataset, entry.kind, str(new))
    st.session_state[S.MANAGE_PICK] = str(new)


def _delete(folder: Path, path: str) -> None:
    try:
        user_files.delete(folder, path)
    except (user_files.CatalogError, OSError) as e:
        st.session_state[S.MANAGE_MSG] = ("error", error_text(e, markdown=True))
        return
    st.session_state[S.UPLOAD_MSG] = None  # "Kept x; it is now selected" would be stale
    st.session_state[S.MANAGE_MSG] = ("success", T["models.deleted"].format(name=plain(Path(path).name)))
    st.session_state[S.MANAGE_CONFIRM] = False


def manage_box(entries: list[ModelEntry]) -> None:
    """Rename or delete one of the user's own models (the files of this session's user folder)."""
    folder = sidebar.user_dir()
    mine = {e.path: e for e in entries if e.source == catalog.YOURS and Path(e.path).parent == folder}
    msg = st.session_state[S.MANAGE_MSG]
    if not mine:
        st.caption(T["models.manage_none"])
    else:
        st.caption(T["models.manage_intro"])
        if st.session_state.get(S.MANAGE_PICK) not in mine:
            st.session_state[S.MANAGE_PICK] = next(iter(mine))
        path = st.selectbox(T["models.manage_pick"], list(mine), key=S.MANAGE_PICK,
                            format_func=lambda p: mine[p].label(T))
        c1, c2 = st.columns(2)
        with c1:
            st.text_input(T["models.manage_new"], key=S.MANAGE_NAME, placeholder=Path(path).stem)
            st.button(T["models.manage_rename"], key="manage_rename", on_click=_rename, args=(folder, path),
                      disabled=not st.session_state[S.MANAGE_NAME].strip())
        with c2:
            st.checkbox(T["models.manage_confirm"], key=S.MANAGE_CONFIRM)
            st.button(T["models.manage_delete"], key="manage_delete", on_click=_delete, args=(folder, path),
                      disabled=not st.session_state[S.MANAGE_CONFIRM])
    if msg:
        getattr(st, msg[0])(msg[1])


def _delete_dataset(name: str) -> None:
    try:
        user_data.delete(sidebar.user_dir(), name)
    except (user_files.CatalogError, OSError) as e:
        st.session_state[S.DATA_MSG] = ("error", error_text(e))
        return
    st.session_state[S.DATA_MSG] = ("success", T["models.deleted"].format(name=user_data.label(name)))


def data_box() -> None:
    """Upload a dataset of one's own (a .zip with one sub-folder per label, or an .npz), checked by
    loading it with vae_core.data and kept in the user's datasets/ folder; list and delete them."""
    f = st.file_uploader(T["models.data_upload"], key=S.DATA_UPLOAD,  # suffix checked by user_data: one line
                         help=T["models.data_upload_help"])
    done = st.session_state[S.UPLOAD_DONE]
    if f is not None and f.file_id not in done:
        done.add(f.file_id)
        try:
            with st.spinner(T["models.data_checking"]):
                name, existed = user_data.accept(f.name, f.getvalue(), sidebar.user_dir())
            key = "models.upload_same" if existed else "models.data_ok"
            st.session_state[S.DATA_MSG] = ("success", T[key].format(name=user_data.label(name)))
            st.session_state[S.PENDING_DATASET] = name
            st.rerun()
        except DataError as e:
            st.session_state[S.DATA_MSG] = ("error", T["models.upload_bad"].format(msg=error_text(e)))
    own = user_data.listed(sidebar.user_dir())
    if own:
        if st.session_state.get(S.DATA_PICK) not in own:
            st.session_state[S.DATA_PICK] = own[0]
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        pick = c1.selectbox(T["models.data_pick"], own, key=S.DATA_PICK, format_func=user_data.label)
        c2.button(T["models.manage_delete"], key="data_delete", on_click=_delete_dataset, args=(pick,))
    msg = st.session_state[S.DATA_MSG]
    if msg:
        getattr(st, msg[0])(msg[1])
