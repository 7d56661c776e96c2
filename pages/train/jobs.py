"""Training jobs, a service the Train page calls: one worker thread per job (the app and other sessions
stay responsive) that saves the model itself, under a name that says what it is
(``digits-vae-conv-2d-5ep``), and the server-wide list of running jobs. Streamlit-free.

Jobs are bounded (limits in ``ui.logic.settings``): one running job per user's model folder (the
folder is the user: local mode has one, shared mode one per user), at most
``max_jobs()`` on the server (``start`` refuses more), and a job stops itself (checked by the
worker after every step, and by ``running`` for every job) when it has run longer than
``job_timeout_s()`` or its session has not polled it for ``job_idle_s()`` seconds — the page
records a heartbeat on every poll, so a closed tab ends its job.

``of_folder`` finds the latest job of a model folder: a reloaded page is a new Streamlit session, and
it finds its running job (and shows its progress) through the folder, which survives the reload.

The worker thread has no session, so it never words a message: it records a ``Message`` (a text key
and its values, or the exception) that the page words in its session's language."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pages.train import logic
from ui.logic import settings, user_files
from vae_core.checkpoint import CheckpointError, save
from vae_core.config import ModelConfig, TrainConfig
from vae_core.data import Dataset
from vae_core.errors import write_error
from vae_core.kinds import kind as kind_of
from vae_core.metrics import evaluate
from vae_core.models import build_model
from vae_core.train import TrainingError, fit

log = logging.getLogger(__name__)
STEP_POINTS = 2000  # per-step curve points kept for the live chart
EVAL_NLL_K = 10


class Message(NamedTuple):
    """What a job says, for the page to word: ``T[key].format(**params)`` (a param named ``x_s`` is
    a duration in seconds, shown as ``{x}``), or ``error``, worded by ``ui.i18n.error_text``."""

    key: str | None = None
    params: dict = {}
    error: BaseException | None = None


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
    message: Message | None = None  # why it stopped (cancelled, error): worded by the page, in its session's
    # language (this worker thread has no session to ask)
    path: str | None = None
    history: dict = field(default_factory=dict)
    steps: dict = field(default_factory=lambda: {"x": [], "loss": [], "recon": [], "kl": []})
    announced: bool = False
    started: float = field(default_factory=time.time)
    heartbeat: float = field(default_factory=time.time)  # the last poll by its session
    timeout_s: float = field(default_factory=settings.job_timeout_s)
    idle_s: float = field(default_factory=settings.job_idle_s)
    stop_reason: str | None = None  # logic.TIMEOUT | logic.GONE when the job stopped itself
    final_kls: dict = field(default_factory=dict)  # saved file → its test KL per image (variational models)
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
        reason = logic.stop_reason(self.started, self.heartbeat, time.time() if now is None else now,
                                  self.timeout_s, self.idle_s)
        if reason and not self.cancel.is_set():
            self.stop_reason = reason
            self.cancel.set()

    def stopped_message(self) -> Message:
        if self.stop_reason == logic.TIMEOUT:
            return Message("train.job_timeout", {"limit_s": self.timeout_s})
        if self.stop_reason == logic.GONE:
            return Message("train.job_gone", {"limit_s": self.idle_s})
        return Message("train.cancelled")

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
        stem = user_files.trained_stem(tc.dataset, mc.kind, mc.backbone, mc.latent_dim, tc.epochs)
        try:
            out = user_files.claim(self.out_dir, stem, when=time.time())  # an empty placeholder until save replaces it
        except OSError as e:  # the folder filled up or became read-only during training: one line
            raise write_error(self.out_dir, e) from None
        try:
            path = save(out, model, tc, tc.dataset, hist.to_dict(), metrics, extra={"origin": "app-train"})
        except BaseException:
            out.unlink(missing_ok=True)
            raise
        kl = metrics.get("kl")
        with self.lock:
            self.history = hist.to_dict()
            if kind_of(mc.kind).variational and isinstance(kl, (int, float)):
                self.final_kls[str(path)] = float(kl)  # every VAE of a pair is checked, not only the first model
        return path

    def collapsed(self) -> list[tuple[str, float]]:
        """(file, KL) of each saved variational model whose posterior collapsed (``logic.collapsed``)."""
        with self.lock:
            return [(p, kl) for p, kl in self.final_kls.items() if logic.collapsed(True, kl)]

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
            self.status, self.message = "error", Message(error=e)
        except Exception:  # a worker thread: nothing above it would report this, and the job must end
            log.exception("training job failed")
            self.status, self.message = "error", Message("train.job_crashed")
        finally:
            _forget(self)

    def snapshot(self) -> dict:
        with self.lock:
            return {"status": self.status, "fraction": self.fraction, "epoch": self.epoch, "message": self.message,
                    "history": dict(self.history), "steps": {k: list(v) for k, v in self.steps.items()},
                    "path": self.path}


_RUNNING: list[TrainJob] = []  # every unfinished job of this server process, all sessions
_RUNNING_LOCK = threading.Lock()
_BY_FOLDER: dict[str, TrainJob] = {}  # model folder → its latest job (finished ones too, until replaced)


def _folder_key(folder: Path) -> str:
    return str(Path(folder).resolve())


def of_folder(folder: Path) -> TrainJob | None:
    """The latest job that saves into ``folder`` (running or finished), or None."""
    with _RUNNING_LOCK:
        return _BY_FOLDER.get(_folder_key(folder))


class JobRefused(Exception):
    """A job that the limits do not allow now; ``message`` says why, for the page to word."""

    def __init__(self, key: str, params: dict | None = None):
        super().__init__(key)
        self.message = Message(key, params or {})


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


def start(model_config: ModelConfig, train_config: TrainConfig, data: Dataset, out_dir: Path,
          mine: TrainJob | None = None, more: tuple[ModelConfig, ...] = ()) -> TrainJob:
    """Start a job, or raise JobRefused: the session (``mine``) or its model folder already has a running
    job, or the server runs ``settings.max_jobs()`` jobs (jobs past their limits are stopped first)."""
    if mine is not None and not mine.finished:
        raise JobRefused("train.one_job")
    cap = settings.max_jobs()
    running()  # stops the jobs past their limits
    with _RUNNING_LOCK:
        theirs = _BY_FOLDER.get(_folder_key(out_dir))
        if theirs is not None and not theirs.finished:
            raise JobRefused("train.one_job")
        live = [j for j in _RUNNING if not j.finished and not j.cancel.is_set()]  # a stopped job ends at its next step
        if len(live) >= cap:
            raise JobRefused("train.server_busy", {"n": cap})
        job = TrainJob(model_config, train_config, data, out_dir, more)
        _RUNNING.append(job)
        _BY_FOLDER[_folder_key(out_dir)] = job
    return job.start()
