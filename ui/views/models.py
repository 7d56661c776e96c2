"""The models page body: architecture, training curves, metrics, upload and download."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from ui.core import cache
from ui.core import state as S
from ui.logic import catalog, figures, paths
from ui.logic.catalog import ModelEntry
from ui.logic.text import T
from vae_core.checkpoint import CheckpointError


def model_card(e: ModelEntry) -> None:
    ck = cache.checkpoint(e.path)
    meta = ck.meta
    st.markdown(T["mod_summary"].format(name=e.name, kind=e.kind.upper(),
                                        backbone=T.get(f"backbone_{e.backbone}", e.backbone),
                                        d=e.latent_dim or T["mod_feature_map"], dataset=e.dataset, epochs=e.epochs,
                                        params=meta.get("model", {}).get("num_params", 0),
                                        created=meta.get("created", "?"), source=T.get(f"source_{e.source}", e.source)))
    st.download_button(T["mod_download"], Path(e.path).read_bytes(), file_name=Path(e.path).name,
                       mime="application/octet-stream", key=f"dl_{e.kind}")
    st.markdown(f"**{T['mod_arch']}**")
    st.code(cache.layer_table(cache.ModelRef.of(e.path, e.kind)), language=None)
    if ck.history.get("epoch"):
        st.plotly_chart(figures.training_curves(ck.history), key=f"curves_{e.kind}")
    else:
        st.caption(T["mod_no_history"])
    nums = {k: v for k, v in ck.metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if nums:
        st.markdown(f"**{T['mod_metrics']}**")
        rows = {T.get(f"mod_metric_{k}", k): v for k, v in nums.items()}
        st.dataframe(pd.DataFrame({T["mod_value"]: rows}), width="content")
    if ck.train_config:
        with st.expander(T["mod_train_config"]):
            st.json(ck.train_config.to_dict())


def upload_box() -> None:
    """Validate an upload with vae_core.checkpoint and keep it in the user folder."""
    f = st.file_uploader(T["mod_upload"], key=S.UPLOAD, help=T["mod_upload_help"])
    done = st.session_state[S.UPLOAD_DONE]
    if f is not None and f.file_id not in done:
        done.add(f.file_id)
        try:
            out, entry = catalog.accept_upload(f.name, f.getvalue(), paths.user_models_dir())
            st.session_state[S.UPLOAD_MSG] = ("success", T["mod_upload_ok"].format(name=out.name))
            st.session_state[S.PENDING_PICK] = (entry.dataset, entry.kind, str(out))
            st.rerun()
        except CheckpointError as e:
            st.session_state[S.UPLOAD_MSG] = ("error", T["mod_upload_bad"].format(msg=e))
    msg = st.session_state[S.UPLOAD_MSG]
    if msg:
        getattr(st, msg[0])(msg[1])
