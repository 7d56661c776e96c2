"""Training in the app: one worker thread per job (the app and other sessions stay responsive),
polled by a fragment that reruns every second while a job runs. The worker saves the model
itself, under a name that says what it is (``digits-vae-conv-2d-5ep``).

Jobs are bounded (limits in ``ui.logic.settings``): one running job per session, at most
``max_jobs()`` on the server (``start`` refuses more with a message), and a job stops itself
(checked by the worker after every step, and by ``start`` for every job) when it has run longer
than ``job_timeout_s()`` or its session has not polled it for ``job_idle_s()`` seconds — the
fragment records a heartbeat on every poll, so a closed tab ends its job."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from ui.core import state as S
from ui.logic import catalog, figures, jobs, settings
from ui.logic.text import T
from vae_core.checkpoint import CheckpointError, save
from vae_core.config import ModelConfig, TrainConfig
from vae_core.data import Dataset
from vae_core.kinds import kind as kind_of
from vae_core.metrics import evaluate
from vae_core.models import build_model
from vae_core.train import TrainingError, fit

log = logging.getLogger(__name__)
STEP_POINTS = 2000  # per-step curve points kept for the live chart
EVAL_NLL_K = 10


# The Train form's "Model" choice: one kind, or several trained one after another with identical
# settings in one job (a fair comparison in one click).
KIND_CHOICES = {"ae": ("ae",), "vae": ("vae",), "cvae": ("cvae",), "ae+vae": ("ae", "vae"),
                "ae+vae+cvae": ("ae", "vae", "cvae")}


@dataclass
class TrainJob:
    model_config: ModelConfig  # the first model; ``more`` are trained after it with the same TrainConfig
    train_config: TrainConfig
    data: Dataset
    out_dir: Path
    more: tuple[ModelConfig, ...] = ()
    index: int = 0  # which of ``configs`` is training
    paths: list = field(default_factory=list)  # the files saved so far
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
    heartbeat: float = field(default_factory=time.time)  # the last poll by its session
    timeout_s: float = field(default_factory=settings.job_timeout_s)
    idle_s: float = field(default_factory=settings.job_idle_s)
    stop_reason: str | None = None  # jobs.TIMEOUT | jobs.GONE when the job stopped itself
    final_kl: float | None = None  # the test KL per image of a finished variational model
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

    def check_limits(self, now: float | None = None) -> None:
        """Stop the job when it ran past its time limit or its session is gone."""
        reason = jobs.stop_reason(self.started, self.heartbeat, time.time() if now is None else now,
                                  self.timeout_s, self.idle_s)
        if reason and not self.cancel.is_set():
            self.stop_reason = reason
            self.cancel.set()

    def stopped_message(self) -> str:
        if self.stop_reason == jobs.TIMEOUT:
            return T["hard_job_timeout"].format(limit=jobs.format_duration(self.timeout_s))
        if self.stop_reason == jobs.GONE:
            return T["hard_job_gone"].format(limit=jobs.format_duration(self.idle_s))
        return T["train_cancelled"]

    @property
    def configs(self) -> tuple[ModelConfig, ...]:
        return (self.model_config, *self.more)

    def _progress(self, p) -> None:
        self.check_limits()
        with self.lock:
            self.fraction = (self.index + p.fraction) / len(self.configs)
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

    def _train_one(self, mc: ModelConfig) -> Path | None:
        """Train, evaluate and save one model; None when cancelled."""
        tc = self.train_config
        t0 = time.time()
        with self.lock:
            self.status, self.steps = "running", {"x": [], "loss": [], "recon": [], "kl": []}
        model = build_model(mc, seed=tc.seed)
        hist = fit(model, self.data, tc, self._progress, self.cancel)
        if hist.cancelled:
            return None
        self.status = "evaluating"
        metrics = evaluate(model, self.data, "test", tc.beta, nll_k=EVAL_NLL_K)
        metrics["train_seconds"] = round(time.time() - t0, 2)
        stem = catalog.trained_stem(tc.dataset, mc.kind, mc.backbone, mc.latent_dim, tc.epochs)
        out = catalog.claim(self.out_dir, stem, when=time.time())  # an empty placeholder until save replaces it
        try:
            path = save(out, model, tc, tc.dataset, hist.to_dict(), metrics, extra={"origin": "app-train"})
        except BaseException:
            out.unlink(missing_ok=True)
            raise
        kl = metrics.get("kl")
        with self.lock:
            self.history = hist.to_dict()
            if kind_of(mc.kind).variational and isinstance(kl, (int, float)):
                self.final_kl = float(kl)
        return path

    def _run(self) -> None:
        try:
            for i, mc in enumerate(self.configs):
                self.index = i
                path = self._train_one(mc)
                if path is None:
                    self.status, self.message = "cancelled", self.stopped_message()
                    return
                self.paths.append(str(path))
            with self.lock:
                self.path = self.paths[-1]
                self.status = "done"
        except (TrainingError, CheckpointError, ValueError, RuntimeError, OSError) as e:
            self.status, self.message = "error", str(e).splitlines()[0] if str(e) else type(e).__name__
        except Exception:  # a worker thread: nothing above it would report this, and the job must end
            log.exception("training job failed")
            self.status, self.message = "error", T["hard_job_crashed"]
        finally:
            _forget(self)

    def snapshot(self) -> dict:
        with self.lock:
            return {"status": self.status, "fraction": self.fraction, "epoch": self.epoch, "message": self.message,
                    "history": dict(self.history), "steps": {k: list(v) for k, v in self.steps.items()},
                    "path": self.path}


_RUNNING: list[TrainJob] = []  # every unfinished job of this server process, all sessions
_RUNNING_LOCK = threading.Lock()


class JobRefused(Exception):
    """A job that the limits do not allow now; the message says why, for the page."""


def _forget(job: TrainJob) -> None:
    with _RUNNING_LOCK:
        if job in _RUNNING:
            _RUNNING.remove(job)


def running() -> list[TrainJob]:
    """The server's unfinished jobs, each checked against its limits first."""
    with _RUNNING_LOCK:
        _RUNNING[:] = [j for j in _RUNNING if not j.finished]
        jobs_ = list(_RUNNING)
    for j in jobs_:
        j.check_limits()
    return jobs_


def start(model_config: ModelConfig, train_config: TrainConfig, data: Dataset,
          more: tuple[ModelConfig, ...] = ()) -> TrainJob:
    """Start a job for this session, or raise JobRefused: this session already has a running
    job, or the server runs ``settings.max_jobs()`` jobs (jobs past their limits are stopped first)."""
    from ui.core import sidebar

    mine = st.session_state[S.TRAIN_JOB]
    if mine is not None and not mine.finished:
        raise JobRefused(T["hard_one_job"])
    cap = settings.max_jobs()
    running()  # stops the jobs past their limits
    with _RUNNING_LOCK:
        live = [j for j in _RUNNING if not j.finished and not j.cancel.is_set()]  # a stopped job ends at its next step
        if len(live) >= cap:
            raise JobRefused(T["hard_server_busy"].format(n=cap))
        job = TrainJob(model_config, train_config, data, sidebar.user_dir(), more)
        _RUNNING.append(job)
    st.session_state[S.TRAIN_JOB] = job
    return job.start()


def current() -> TrainJob | None:
    return st.session_state[S.TRAIN_JOB]


def _panel() -> None:
    job = current()
    if job is None:
        return
    if not job.finished:
        job.heartbeat = time.time()  # this session is still here
    snap = job.snapshot()
    mc, tc = job.model_config, job.train_config
    epochs = tc.epochs
    st.caption(T["hard_job_settings"].format(  # the job's own settings (the form may show others by now)
        dataset=tc.dataset, kind=" + ".join(c.kind.upper() for c in job.configs), backbone=T[f"backbone_{mc.backbone}"], latent=mc.latent_dim or T["mod_feature_map"],
        epochs=tc.epochs, batch=tc.batch_size, lr=tc.lr, schedule=T[f"lr_schedule_{tc.lr_schedule}"], beta=tc.beta,
        seed=tc.seed))
    text = T[f"train_status_{snap['status']}"].format(epoch=snap["epoch"], epochs=epochs, pct=100 * snap["fraction"])
    if len(job.configs) > 1 and not job.finished:
        text = T["train_model_of"].format(i=job.index + 1, n=len(job.configs),
                                          kind=job.configs[job.index].kind.upper()) + " · " + text
    eta = jobs.eta_seconds(snap["fraction"], time.time() - job.started) if snap["status"] == "running" else None
    if eta is not None:
        text += " · " + T["hard_eta"].format(eta=jobs.format_duration(eta))
    st.progress(min(1.0, snap["fraction"]), text=text)
    if not job.finished:
        st.button(T["train_cancel"], key="train_cancel", on_click=job.cancel.set)
    st.plotly_chart(figures.training_curves(snap["history"], snap["steps"]), key="train_curves")
    if snap["status"] == "error":
        st.error(snap["message"])
    elif snap["status"] == "cancelled":
        st.warning(job.stopped_message())  # worded here, in the session's language
    elif snap["status"] == "done":
        st.success(T["train_saved"].format(path=", ".join(Path(p).name for p in job.paths)))
        if jobs.collapsed(kind_of(mc.kind).variational, job.final_kl):
            st.warning(T["hard_collapse"].format(kl=job.final_kl))
        if not job.announced:  # make the new files the sidebar's selection, then redraw the whole app
            job.announced = True
            st.session_state[S.PENDING_PICK] = [(job.train_config.dataset, mc.kind, p)
                                                for mc, p in zip(job.configs, job.paths)]
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
        mcfgs = [ModelConfig(kind=k, backbone=v["train_backbone"], in_channels=c, image_size=h,
                             latent_dim=int(v["train_latent"]),
                             num_classes=len(data.classes) if kind_of(k).conditional else 0)
                 for k in KIND_CHOICES[v["train_kind"]]]
        tcfg = TrainConfig(dataset=v["train_dataset"], epochs=int(v["train_epochs"]), batch_size=int(v["train_batch"]),
                           lr=float(v["train_lr"]), lr_schedule=v["train_lr_schedule"], seed=int(v["train_seed"]),
                           beta=float(v["train_beta"]), device="cpu")
    except (DataError, ConfigError) as e:
        return str(e)
    try:
        start(mcfgs[0], tcfg, data, tuple(mcfgs[1:]))
    except JobRefused as e:
        return str(e)
    return None
