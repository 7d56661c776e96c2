"""Training in the app: one worker thread per session (the app and other sessions stay
responsive), polled by a fragment that reruns every second while a job runs. The worker saves
the model itself, so a closed browser tab still gets its file."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from ui.core import state as S
from ui.logic import clicks, figures, paths
from ui.logic.text import T
from vae_core.checkpoint import CheckpointError, save
from vae_core.config import ModelConfig, TrainConfig
from vae_core.data import Dataset
from vae_core.metrics import evaluate
from vae_core.models import build_model
from vae_core.train import TrainingError, fit

STEP_POINTS = 2000  # per-step curve points kept for the live chart
EVAL_NLL_K = 10


@dataclass
class TrainJob:
    model_config: ModelConfig
    train_config: TrainConfig
    data: Dataset
    out_dir: Path
    status: str = "queued"  # queued | running | evaluating | done | cancelled | error
    fraction: float = 0.0
    epoch: int = 0
    message: str = ""  # the error's line; the done and cancelled messages are worded in the panel, in the
    # session's language (this worker thread has no session to ask)
    path: str | None = None
    history: dict = field(default_factory=dict)
    steps: dict = field(default_factory=lambda: {"x": [], "loss": [], "recon": [], "kl": []})
    announced: bool = False
    started: float = field(default_factory=time.time)
    cancel: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None

    def start(self) -> "TrainJob":
        self.status = "running"
        self.thread = threading.Thread(target=self._run, name="vae-explorer-train", daemon=True)
        self.thread.start()
        return self

    @property
    def finished(self) -> bool:
        return self.status in ("done", "cancelled", "error")

    def _progress(self, p) -> None:
        with self.lock:
            self.fraction = p.fraction
            self.epoch = p.epoch
            if p.event == "step":
                x = p.epoch - 1 + p.step / p.steps_per_epoch
                s = self.steps
                if len(s["x"]) >= STEP_POINTS:  # thin out: keep every other point
                    for k in s:
                        s[k] = s[k][::2]
                s["x"].append(x)
                for k in ("loss", "recon", "kl"):
                    s[k].append(p.losses[k])
            else:
                self.history = p.history.to_dict()

    def _run(self) -> None:
        try:
            model = build_model(self.model_config, seed=self.train_config.seed)
            hist = fit(model, self.data, self.train_config, self._progress, self.cancel)
            if hist.cancelled:
                self.status = "cancelled"
                return
            self.status = "evaluating"
            metrics = evaluate(model, self.data, "test", self.train_config.beta, nll_k=EVAL_NLL_K)
            metrics["train_seconds"] = round(time.time() - self.started, 2)
            mc, tc = self.model_config, self.train_config
            stem = clicks.safe_stem(f"{tc.dataset}-{mc.kind}-{mc.latent_dim or 'map'}d-{time.strftime('%Y%m%d-%H%M%S')}")
            self.out_dir.mkdir(parents=True, exist_ok=True)
            path = save(clicks.unique_path(self.out_dir, stem), model, tc, tc.dataset, hist.to_dict(), metrics,
                        extra={"origin": "app-train"})
            with self.lock:
                self.history = hist.to_dict()
                self.path = str(path)
                self.status = "done"
        except (TrainingError, CheckpointError, ValueError, RuntimeError, OSError) as e:
            self.status, self.message = "error", str(e).splitlines()[0] if str(e) else type(e).__name__

    def snapshot(self) -> dict:
        with self.lock:
            return {"status": self.status, "fraction": self.fraction, "epoch": self.epoch, "message": self.message,
                    "history": dict(self.history), "steps": {k: list(v) for k, v in self.steps.items()},
                    "path": self.path}


def start(model_config: ModelConfig, train_config: TrainConfig, data: Dataset) -> TrainJob:
    job = TrainJob(model_config, train_config, data, paths.user_models_dir()).start()
    st.session_state[S.TRAIN_JOB] = job
    return job


def current() -> TrainJob | None:
    return st.session_state[S.TRAIN_JOB]


def _panel() -> None:
    job = current()
    if job is None:
        return
    snap = job.snapshot()
    epochs = job.train_config.epochs
    st.progress(min(1.0, snap["fraction"]), text=T[f"train_status_{snap['status']}"].format(
        epoch=snap["epoch"], epochs=epochs, pct=100 * snap["fraction"]))
    if not job.finished:
        st.button(T["train_cancel"], key="train_cancel", on_click=job.cancel.set)
    st.plotly_chart(figures.training_curves(snap["history"], snap["steps"]), key="train_curves")
    if snap["status"] == "error":
        st.error(snap["message"])
    elif snap["status"] == "cancelled":
        st.warning(T["train_cancelled"])
    elif snap["status"] == "done":
        st.success(T["train_saved"].format(path=Path(snap["path"]).name))
        if not job.announced:  # make the new file the sidebar's selection, then redraw the whole app
            job.announced = True
            st.session_state[S.PENDING_PICK] = (job.train_config.dataset, job.model_config.kind, snap["path"])
            st.rerun()


def progress_panel() -> None:
    """Live progress; the fragment polls every second only while a job is running."""
    job = current()
    every = 1.0 if job is not None and not job.finished else None
    st.fragment(_panel, run_every=every)()


def submit() -> str | None:
    """Start a job from the Train form's values; returns an error line, or None when started."""
    from ui.core import cache
    from vae_core.config import ConfigError
    from vae_core.data import DataError

    v = {k: st.session_state[k] for k in S.TRAIN_FORM}
    try:
        data, mode = cache.dataset(v["train_dataset"], st.session_state[S.DATA_DIR])
        if mode != "full":
            return T["train_need_full"].format(dataset=v["train_dataset"])
        c, h, _ = data.image_shape
        mcfg = ModelConfig(kind=v["train_kind"], backbone=v["train_backbone"], in_channels=c, image_size=h,
                           latent_dim=int(v["train_latent"]))
        tcfg = TrainConfig(dataset=v["train_dataset"], epochs=int(v["train_epochs"]), batch_size=int(v["train_batch"]),
                           lr=float(v["train_lr"]), seed=int(v["train_seed"]), beta=float(v["train_beta"]), device="cpu")
    except (DataError, ConfigError) as e:
        return str(e)
    start(mcfg, tcfg, data)
    return None
