"""Train: a form, then live progress and curves from a worker thread; the file lands in user_models/."""

import streamlit as st

from pages.train import view as training
from ui import state as S
from ui import widgets
from ui.i18n import T
from vae_core.config import BACKBONES, LR_SCHEDULES
from vae_core.data import DATASET_NAMES

widgets.header("train")
job = training.current()  # (a reloaded page adopts its folder's running job, and that job's settings)
training.restore_form()
training.form_drawn(job)

with st.form("train_form"):
    c1, c2, c3 = st.columns(3)
    c1.selectbox(T["train.dataset"], DATASET_NAMES, key="train_dataset",
                 persist_state=S.keep("train_dataset"), help=T["train.dataset_help"])
    c2.radio(T["train.kind"], list(training.KIND_CHOICES), key="train_kind",
             persist_state=S.keep("train_kind"), horizontal=True,
             format_func=lambda k: k.upper().replace("+", " + "), help=T["train.kind_help"])
    c3.radio(T["train.backbone"], BACKBONES, key="train_backbone",
             persist_state=S.keep("train_backbone"), horizontal=True,
             format_func=lambda b: T.get(f"shared.backbone_{b}", b))
    c1, c2, c3, c4 = st.columns(4)
    c1.number_input(T["train.latent"], 1, 512, key="train_latent", persist_state=S.keep("train_latent"))
    c2.number_input(T["train.epochs"], 1, 1000, key="train_epochs", persist_state=S.keep("train_epochs"))
    c3.number_input(T["train.batch"], 1, 4096, key="train_batch", persist_state=S.keep("train_batch"))
    c4.number_input(T["train.seed"], 0, 2**31 - 1, key="train_seed", persist_state=S.keep("train_seed"))
    c1, c2, c3 = st.columns(3)
    c1.number_input(T["train.lr"], 1e-6, 1.0, key="train_lr", persist_state=S.keep("train_lr"), format="%.4g")
    c2.radio(T["train.lr_schedule"], LR_SCHEDULES, key="train_lr_schedule",
             persist_state=S.keep("train_lr_schedule"), horizontal=True,
             format_func=lambda s: T[f"shared.lr_schedule_{s}"], help=T["train.lr_schedule_help"])
    c3.number_input(T["train.beta"], 0.0, 100.0, key="train_beta",
                    persist_state=S.keep("train_beta"), help=T["train.beta_help"])
    go = st.form_submit_button(T["train.go"], type="primary", disabled=job is not None and not job.finished)

if go:
    error = training.submit()
    if error:
        st.error(error)
    else:  # started: redraw the form with Train disabled while the job runs
        st.rerun()

if training.short_vae_run():
    st.caption(T["train.digits_short"])
training.progress_panel()
