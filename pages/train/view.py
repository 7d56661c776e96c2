"""The Train page's body: the job's live progress and curves, polled by a fragment that reruns every
second while a job runs, and the form's submit (the job itself runs in ``pages.train.jobs``)."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from pages.train import jobs, logic
from ui import refs, sidebar
from ui import state as S
from ui.i18n import T, error_text
from ui.logic import figures, waits
from vae_core.checkpoint import CheckpointError, check_writable
from vae_core.config import ConfigError, ModelConfig, TrainConfig
from vae_core.data import DataError
from vae_core.kinds import kind as kind_of

# The Train form's "Model" choice: one kind, or several trained one after another with identical
# settings in one job (a fair comparison in one click).
KIND_CHOICES = {"ae": ("ae",), "vae": ("vae",), "cvae": ("cvae",), "ae+vae": ("ae", "vae"),
                "ae+vae+cvae": ("ae", "vae", "cvae")}


def word(msg: jobs.Message) -> str:
    """A job's message in the session's language (durations worded as the app words them)."""
    if msg.error is not None:
        text = error_text(msg.error).strip()
        return text.splitlines()[0] if text else type(msg.error).__name__
    params = {(k[:-2] if k.endswith("_s") else k): (waits.format_duration(v, tx=T) if k.endswith("_s") else v)
              for k, v in msg.params.items()}
    return T[msg.key].format(**params)


def start(model_config: ModelConfig, train_config: TrainConfig, data, more: tuple[ModelConfig, ...] = ()):
    """Start a job for this session (into its own model folder); raises ``jobs.JobRefused``."""
    job = jobs.start(model_config, train_config, data, sidebar.user_dir(), st.session_state[S.TRAIN_JOB], more)
    st.session_state[S.TRAIN_JOB] = job
    return job


def current() -> jobs.TrainJob | None:
    """This session's job; a session without one (a reloaded page is a new session) takes its model
    folder's latest job while that runs or has not yet been announced (its files selected)."""
    job = st.session_state[S.TRAIN_JOB]
    found = jobs.of_folder(sidebar.user_dir())
    if found is not None and found is not job and (not found.finished or not found.announced):
        st.session_state[S.TRAIN_JOB] = job = found
        if st.session_state.get(S.TRAIN_SAVED) is None:  # the form shows what the adopted job runs
            st.session_state[S.TRAIN_SAVED] = form_values(found)
    return job


def form_values(job: jobs.TrainJob) -> dict:
    """The Train form's values that started ``job``."""
    mc, tc = job.model_config, job.train_config
    kinds = tuple(c.kind for c in job.configs)
    return {"train_dataset": tc.dataset, "train_kind": next((k for k, v in KIND_CHOICES.items() if v == kinds), "vae"),
            "train_backbone": mc.backbone, "train_latent": mc.latent_dim or 2, "train_epochs": tc.epochs,
            "train_batch": tc.batch_size, "train_seed": tc.seed, "train_lr": tc.lr, "train_beta": tc.beta,
            "train_lr_schedule": tc.lr_schedule}


# digits has 1,438 training images: at the default batch of 128 an epoch is 12 steps. Measured (conv, latent 2,
# β 1): 5 epochs at batch 128 → test KL 0.002 nats, at batch 32 → 0.19: the posterior collapses (< 0.5).
SHORT_VAE_STEPS = 400  # not measured as enough: only 60 and 225 steps were measured, both collapsed
DIGITS_TRAIN = 1438  # training images of scikit-learn's digits (the app's split)


def short_vae_run() -> bool:
    """Whether the form's settings train a VAE on digits for fewer steps than it needs not to collapse."""
    v = st.session_state
    if v.get("train_dataset") != "digits" or not any(kind_of(k).variational for k in KIND_CHOICES.get(v.get("train_kind"), ())):
        return False
    steps = int(v.get("train_epochs") or 0) * -(-DIGITS_TRAIN // max(1, int(v.get("train_batch") or 1)))
    return steps < SHORT_VAE_STEPS


def restore_form() -> None:
    """Before the form is drawn: its values as last submitted. A form widget's own state did not
    outlive a visit to another page in the browser (the form came back at conv / 5 epochs while the job
    ran resconv / 40), so the values are kept under a key of their own and written back here."""
    saved = st.session_state.get(S.TRAIN_SAVED)
    if saved:
        for k, v in saved.items():
            st.session_state[k] = v


def drawn_state(job: jobs.TrainJob | None) -> tuple:
    """What the page's full run drew of a job: whether it ran (the Train button's state) and how many
    files it had saved (the sidebar's list). When the job moves on, the panel reruns the whole app."""
    return (job is not None and not job.finished, 0 if job is None else len(job.paths))


def form_drawn(job: jobs.TrainJob | None) -> None:
    """Called by the page when it draws the form: the state the Train button and the sidebar show."""
    st.session_state[S.TRAIN_DRAWN] = drawn_state(job)


def _panel() -> None:
    job = current()
    if job is None:
        return
    if not job.finished:
        job.heartbeat = time.time()  # this session is still here
    if drawn_state(job) != st.session_state.get(S.TRAIN_DRAWN):
        # the job ended (Train must be enabled again) or saved a file (the sidebar must list it): this
        # fragment alone cannot redraw the form or the sidebar, so the whole app reruns
        if job.status == "done" and not job.announced:
            _announce(job)
        st.rerun()
    snap = job.snapshot()
    mc, tc = job.model_config, job.train_config
    epochs = tc.epochs
    st.caption(T["train.job_settings"].format(  # the job's own settings (the form may show others by now)
        dataset=tc.dataset, kind=" + ".join(c.kind.upper() for c in job.configs), backbone=T[f"shared.backbone_{mc.backbone}"], latent=mc.latent_dim or T["shared.feature_map"],
        epochs=T["train.epochs_one"] if tc.epochs == 1 else T["train.epochs_many"].format(n=tc.epochs), batch=tc.batch_size, lr=tc.lr, schedule=T[f"shared.lr_schedule_{tc.lr_schedule}"], beta=tc.beta,
        seed=tc.seed))
    text = T[f"train.status_{snap['status']}"].format(epoch=snap["epoch"], epochs=epochs, pct=100 * snap["fraction"])
    if len(job.configs) > 1 and not job.finished:
        text = T["train.model_of"].format(i=job.index + 1, n=len(job.configs),
                                          kind=job.configs[job.index].kind.upper()) + " · " + text
    eta = logic.eta_seconds(snap["fraction"], time.time() - job.started) if snap["status"] == "running" else None
    if eta is not None:
        text += " · " + T["train.eta"].format(eta=waits.format_duration(eta, tx=T))
    st.progress(min(1.0, snap["fraction"]), text=text)
    if not job.finished:
        st.button(T["train.cancel"], key="train_cancel", on_click=job.cancel.set)
    st.plotly_chart(figures.training_curves(snap["history"], snap["steps"], tx=T), key="train_curves")
    if snap["status"] == "error":
        st.error(word(snap["message"]))
    elif snap["status"] == "cancelled":
        st.warning(word(snap["message"]))  # worded here, in the session's language
    elif snap["status"] == "done":
        names = [Path(p).name for p in job.paths]
        st.success(T["train.saved"].format(path=names[0]) if len(names) == 1 else
                   T["train.saved_many"].format(paths=", ".join(names)))
        for path, kl in job.collapsed():  # each VAE saved (of a pair too)
            st.warning(T["train.collapse"].format(name=Path(path).name, kl=kl))
        if not job.announced:  # make the new files the sidebar's selection, then redraw the whole app
            _announce(job)
            st.rerun()


def _announce(job: jobs.TrainJob) -> None:
    """Make a finished job's files the sidebar's selection at the next full run."""
    job.announced = True
    st.session_state[S.PENDING_PICK] = [(job.train_config.dataset, mc.kind, p)
                                        for mc, p in zip(job.configs, job.paths)]


def progress_panel() -> None:
    """Live progress; the fragment polls every second only while a job is running."""
    job = current()
    every = 1.0 if job is not None and not job.finished else None
    st.fragment(_panel, run_every=every)()


def submit() -> str | None:
    """Start a job from the Train form's values; returns an error line, or None when started."""
    v = {k: st.session_state[k] for k in S.TRAIN_FORM}
    st.session_state[S.TRAIN_SAVED] = dict(v)  # the form shows these again after a visit elsewhere
    try:
        data, mode = refs.dataset(v["train_dataset"], st.session_state[S.DATA_DIR])
        if mode != "full":
            return T["train.need_full"].format(dataset=v["train_dataset"])
        c, h, _ = data.image_shape
        mcfgs = [ModelConfig(kind=k, backbone=v["train_backbone"], in_channels=c, image_size=h,
                             latent_dim=int(v["train_latent"]),
                             num_classes=len(data.classes) if kind_of(k).conditional else 0)
                 for k in KIND_CHOICES[v["train_kind"]]]
        tcfg = TrainConfig(dataset=v["train_dataset"], epochs=int(v["train_epochs"]), batch_size=int(v["train_batch"]),
                           lr=float(v["train_lr"]), lr_schedule=v["train_lr_schedule"], seed=int(v["train_seed"]),
                           beta=float(v["train_beta"]), device="cpu")
        check_writable(sidebar.user_dir() / f".{tcfg.dataset}-probe.safetensors")  # before the run, not after it
    except (DataError, ConfigError, CheckpointError) as e:
        return error_text(e)
    try:
        start(mcfgs[0], tcfg, data, tuple(mcfgs[1:]))
    except jobs.JobRefused as e:
        return word(e.message)
    return None
