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
from ui.logic import catalog, figures, metric_rows, user_files
from ui.logic.catalog import ModelEntry
from vae_core.checkpoint import CheckpointError


def model_card(e: ModelEntry) -> None:
    ck = refs.checkpoint(e.path)
    meta = ck.meta
    st.markdown(T["models.summary"].format(name=e.name, kind=e.kind.upper(),
                                        backbone=T.get(f"shared.backbone_{e.backbone}", e.backbone),
                                        d=e.latent_dim or T["shared.feature_map"], dataset=e.dataset, epochs=e.epochs,
                                        params=meta.get("model", {}).get("num_params", 0),
                                        created=meta.get("created", "?"), source=T.get(f"shared.source_{e.source}", e.source)))
    st.download_button(T["models.download"], Path(e.path).read_bytes(), file_name=Path(e.path).name,
                       mime="application/octet-stream", key=f"dl_{e.kind}")
    st.markdown(f"**{T['models.arch']}**")
    layers = compute.layer_rows(refs.ModelRef.of(e.path, e.kind))
    st.dataframe(pd.DataFrame(layers["rows"], columns=list(logic.layer_columns(tx=T))), hide_index=True,
                 width="stretch", key=f"layers_{e.kind}")
    st.caption(T["models.layer_total"].format(total=layers["total"], trainable=layers["trainable"]))
    if ck.history.get("epoch"):
        st.plotly_chart(figures.training_curves(ck.history, tx=T), config=widgets.plotly_config(), key=f"curves_{e.kind}")
    else:
        st.caption(T["models.no_history"])
    rows = metric_rows.rows(ck.metrics, keep_missing=False, tx=T)
    if rows:
        on = metric_rows.measured_on(ck.metrics, tx=T)
        st.markdown(f"**{T['models.metrics']}**" + (f" · {on}" if on else ""))
        st.dataframe(pd.DataFrame({T["models.value"]: rows}), width="stretch")
    if ck.train_config:
        with st.expander(T["models.train_config"]):
            st.table(pd.DataFrame(logic.config_rows(ck.train_config.to_dict(), tx=T),
                                  columns=[T["models.cfg_setting"], T["models.value"]]).set_index(T["models.cfg_setting"]))


def upload_box() -> None:
    """Validate an upload with vae_core.checkpoint and keep it in the user folder."""
    f = st.file_uploader(T["models.upload"], key=S.UPLOAD, help=T["models.upload_help"])
    done = st.session_state[S.UPLOAD_DONE]
    if f is not None and f.file_id not in done:
        done.add(f.file_id)
        try:
            out, entry, existed = user_files.accept_upload(f.name, f.getvalue(), sidebar.user_dir())
            key = "models.upload_same" if existed else "models.upload_ok"
            st.session_state[S.UPLOAD_MSG] = ("success", T[key].format(name=out.name))
            st.session_state[S.PENDING_PICK] = (entry.dataset, entry.kind, str(out))
            st.rerun()
        except CheckpointError as e:
            st.session_state[S.UPLOAD_MSG] = ("error", T["models.upload_bad"].format(msg=error_text(e)))
    msg = st.session_state[S.UPLOAD_MSG]
    if msg:
        getattr(st, msg[0])(msg[1])


def _rename(folder: Path, path: str) -> None:
    try:
        new = user_files.rename(folder, path, st.session_state[S.MANAGE_NAME])
    except (user_files.CatalogError, OSError) as e:
        st.session_state[S.MANAGE_MSG] = ("error", error_text(e))
        return
    st.session_state[S.MANAGE_MSG] = ("success", T["models.renamed"].format(old=Path(path).name, new=new.name))
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
        st.session_state[S.MANAGE_MSG] = ("error", error_text(e))
        return
    st.session_state[S.MANAGE_MSG] = ("success", T["models.deleted"].format(name=Path(path).name))
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
