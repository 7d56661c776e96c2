"""The models the app can offer: shipped checkpoints and the user's own (trained, uploaded or
imported). No Streamlit here.

A file is listed only when ``vae_core.model_file.check_model_file`` accepts it — for a ``.safetensors``
every metadata field's type, the configs, the image shapes, the tensor table and every weight finite
(``vae_core.checkpoint.check_finite``: a NaN or an infinity would take the pages that run it down); for an
imported ``.zip`` (an ONNX encoder/decoder pair) every graph check and onnxruntime's trial run, so
its verdict is cached per path + mtime + size (``cached_entry``) — and its dataset is one the app may
read: a built-in name, or a ``folder:``/``npz:`` path inside the server's data folder (``data_root``)
or the user's own ``datasets/`` (``ui.logic.user_data``). The metadata never chooses what the app reads.
Every other file is skipped with one line that names it.
Uploads, trained files, renames and deletes of the user's folder are here too."""

from __future__ import annotations

import functools
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ui.logic import paths
from ui.texts import Texts
from ui.threads import one_thread
from vae_core.checkpoint import CheckpointError, check_finite, clean_stale_temps
from vae_core.data import DATASET_NAMES
from vae_core.kinds import KIND_NAMES
from vae_core.model_file import SUFFIXES as MODEL_SUFFIXES
from vae_core.model_file import check_model_file

SHIPPED = "shipped"
YOURS = "yours"
PREFERRED_DATASET = "mnist"
FALLBACK_DATASET = "digits"  # no models at all: the one dataset that always loads (and trains) offline


@dataclass(frozen=True)
class ModelEntry:
    path: str
    name: str  # file stem
    source: str  # shipped | yours
    kind: str  # ae | vae | cvae (vae_core.kinds)
    backbone: str
    dataset: str
    latent_dim: int | None
    image_shape: tuple[int, ...]
    epochs: int
    mtime: float

    latent_size: int  # numbers in one latent, from the config (the reference AE: 96×2×2 = 384)

    @property
    def short_name(self) -> str:
        """The name without its dataset prefix (the Dataset box already says it): ``fashion-mnist-ae-2d``
        → ``ae-2d``; the sidebar cut the whole name even at 1400 px."""
        short = self.name.removeprefix(f"{self.dataset}-")
        return short if short else self.name

    def label(self, tx: Mapping[str, str]) -> str:
        d = tx["shared.sb_model_dim"].format(d=self.latent_dim) if self.latent_dim else tx["shared.sb_model_map"]
        return tx["shared.sb_model_label"].format(name=self.short_name, d=d, source=tx[f"shared.source_{self.source}"])


# ------------------------------------------------------------------ what a file may name

PATH_PREFIXES = ("folder:", "npz:")
OUTSIDE = "outside"
UNKNOWN = "unknown"


def data_root() -> Path:
    """The server's data folder, resolved: the only place a folder:/npz: dataset may be."""
    return Path(paths.default_data_dir()).resolve()


def roots_of(root) -> tuple[str, ...]:
    """One folder or several (the server's data folder, the user's own datasets) as a hashable key."""
    return tuple(str(r) for r in root) if isinstance(root, (tuple, list)) else (str(root),)


def dataset_problem(dataset: object, root) -> str | None:
    """None when the app may read this dataset: a built-in name, or a ``folder:``/``npz:`` path
    that resolves inside ``root`` (a folder, or a tuple of them: the server's data folder and the
    user's ``datasets/``); else ``"outside"`` or ``"unknown"``. The metadata of a file never chooses
    what the app reads."""
    if not isinstance(dataset, str):
        return UNKNOWN
    if dataset in DATASET_NAMES:
        return None
    for prefix in PATH_PREFIXES:
        if dataset.startswith(prefix):
            rest = dataset[len(prefix):]
            inside = False
            for r in roots_of(root):
                try:
                    inside = inside or (bool(rest) and Path(rest).resolve().is_relative_to(Path(r).resolve()))
                except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop
                    pass
            return None if inside else OUTSIDE
    return UNKNOWN


ENGLISH = Texts("en")


def refusal(cls: type[Exception], key: str, **params) -> Exception:
    """An error of the app's own rules: its ``str`` is the English line (logs, tests), and it carries the
    text key and values (``text_key``, ``text_params``) that the page words in its session's language
    (``ui.i18n.error_text``, or ``word`` here for Streamlit-free callers)."""
    e = cls(ENGLISH[key].format(**params))
    e.text_key, e.text_params = key, params
    return e


def word(e: BaseException, tx: Mapping[str, str] = ENGLISH) -> str:
    """One line for an error: an app refusal worded in ``tx``, else the error's first line."""
    key = getattr(e, "text_key", None)
    return tx[key].format(**e.text_params) if key else one_line(e)


def dataset_refusal(file: str, dataset: object, problem: str) -> CheckpointError:
    key = "shared.ds_outside" if problem == OUTSIDE else "shared.ds_unknown"
    return refusal(CheckpointError, key, file=file, dataset=dataset, names=", ".join(DATASET_NAMES))


# ------------------------------------------------------------------ one file → one row, or one line

def _check(file: str, meta: dict, root) -> str:
    """The app's own rule on top of ``check_model_file`` (which has checked every field's
    type, the configs, the image shapes and the tensor table): the file's dataset must be one the
    app may read. Returns the dataset name."""
    name = meta["dataset"].get("name")
    problem = dataset_problem(name, root)
    if problem:
        raise dataset_refusal(file, name, problem)
    return name


def renamed(e: BaseException, old: str, new: str) -> CheckpointError:
    """``e`` (one line) naming the file ``new`` where it named ``old``; a library error's ``code`` and
    ``params`` (``vae_core.errors``, worded by the app) are kept, renamed the same way."""
    out = CheckpointError(one_line(e).replace(old, new))
    if getattr(e, "code", None) is not None:
        out.code = e.code
        out.params = {k: v.replace(old, new) if isinstance(v, str) else v for k, v in (getattr(e, "params", None) or {}).items()}
    return out


def one_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def describe(path: str, source: str, root, file: str | None = None, mtime: float = 0.0) -> ModelEntry:
    """The catalog row of a file, from its header and metadata, its weights checked finite (none built); every
    field the pages use is checked, so a row never carries a field of the wrong type. Raises
    CheckpointError (one line naming ``file``, by default the file's name)."""
    file = file or Path(path).name
    try:
        if Path(path).suffix.lower() == ".safetensors":
            with one_thread():  # many small tensors: 2 threads on a busy 2-core box were 10× slower
                meta, cfg = check_finite(path)
        else:  # an imported model: every graph check and onnxruntime's trial run
            meta, cfg = check_model_file(path)
        dataset = _check(file, meta, root)
    except CheckpointError as e:  # name the file as the user knows it (an upload's temp file is not)
        if getattr(e, "text_key", None):
            raise
        raise renamed(e, Path(path).name, file) from None
    return ModelEntry(
        path=path, name=Path(path).stem, source=source, kind=cfg.kind, backbone=cfg.backbone, dataset=dataset,
        latent_dim=cfg.latent_dim, image_shape=cfg.image_shape,
        epochs=len((meta.get("history") or {}).get("epoch", [])),
        mtime=mtime, latent_size=cfg.latent_size,
    )


@functools.lru_cache(maxsize=512)
def _verdict(path: str, mtime: float, size: int, source: str, root) -> ModelEntry | CheckpointError:
    try:
        return describe(path, source, root, mtime=mtime)
    except CheckpointError as e:  # a refusal is cached too: an imported model's trial run is not repeated per rerun
        return e


def cached_entry(path: str, mtime: float, size: int, source: str, root) -> ModelEntry:
    """``describe``'s row, or its refusal raised again; computed once per file version."""
    v = _verdict(path, mtime, size, source, root)
    if isinstance(v, CheckpointError):
        raise v.with_traceback(None)
    return v


STALE_AFTER_S = 3600.0
UPLOAD_DIR_PREFIX = ".upload-"


def model_files(folder: Path) -> list[Path]:
    """The model files directly in ``folder`` (``.safetensors`` and imported ``.zip``), by name."""
    return sorted(p for suffix in MODEL_SUFFIXES for p in folder.glob(f"*{suffix}"))


def sweep(folder: Path, age: float = STALE_AFTER_S) -> list[str]:
    """Remove what an interrupted upload or save left in a user-model folder, older than ``age``
    seconds: the temp files (``vae_core.checkpoint.clean_stale_temps`` knows their names) and the
    empty name placeholders of ``claim``."""
    gone = [p.name for p in clean_stale_temps(folder, age)]
    now = time.time()
    for p in folder.glob(f"{UPLOAD_DIR_PREFIX}*"):  # an upload's private folder (``user_files.accept_upload``)
        try:
            if p.is_dir() and not p.is_symlink() and now - p.stat().st_mtime > age:
                shutil.rmtree(p)
                gone.append(p.name)
        except OSError:
            continue
    for p in model_files(folder):
        try:
            st = p.stat()
            if st.st_size == 0 and now - st.st_mtime > age:
                p.unlink()
                gone.append(p.name)
        except OSError:
            continue
    return gone


def scan(folders: list[tuple[Path, str]], root=None,
         tx: Mapping[str, str] = ENGLISH) -> tuple[list[ModelEntry], list[str]]:
    """Every usable model file in the folders (not recursive), and one line per file skipped (in ``tx``).
    Empty files are names claimed by a save or an upload in progress (``claim``): not listed.
    The user's folders are swept of stale temp files first."""
    root = roots_of(data_root() if root is None else root)
    entries: list[ModelEntry] = []
    problems: list[str] = []
    for folder, source in folders:
        if not folder.is_dir():
            continue
        if source == YOURS:
            sweep(folder)
        for p in model_files(folder):
            try:
                st = p.stat()
                if st.st_size == 0:
                    continue
                entries.append(cached_entry(str(p), st.st_mtime, st.st_size, source, root))
            except CheckpointError as e:
                problems.append(word(e, tx))
            except OSError as e:
                problems.append(f"{p.name}: {e.strerror or e}")
    return entries, problems


def datasets_of(entries: list[ModelEntry]) -> list[str]:
    seen: list[str] = []
    for e in entries:
        if e.dataset not in seen:
            seen.append(e.dataset)
    return seen


def for_dataset(entries: list[ModelEntry], dataset: str, kind: str) -> list[ModelEntry]:
    """Models of one kind trained on a dataset: shipped first, then 2-D latents, then small latents."""
    sel = [e for e in entries if e.dataset == dataset and e.kind == kind]
    return sorted(sel, key=lambda e: (e.source != SHIPPED, e.latent_dim != 2, e.latent_dim or 10**6, e.name))


def default_dataset(entries: list[ModelEntry]) -> str:
    """MNIST when it has models, else the first dataset with both an AE and a VAE, else any, else digits."""
    names = datasets_of(entries)
    if PREFERRED_DATASET in names:
        return PREFERRED_DATASET
    for n in names:
        if for_dataset(entries, n, "ae") and for_dataset(entries, n, "vae"):
            return n
    return names[0] if names else FALLBACK_DATASET


def default_models(entries: list[ModelEntry], dataset: str) -> dict[str, str]:
    """kind → path of the model each slot starts on: for every kind the first of ``for_dataset``,
    except that the AE and VAE form a pair with the same latent size and source (2-D first),
    and the other kinds follow that latent size where they can."""
    out: dict[str, str] = {}
    aes, vaes = for_dataset(entries, dataset, "ae"), for_dataset(entries, dataset, "vae")
    pair = next(((a, v) for a in aes for v in vaes if a.latent_dim == v.latent_dim and a.source == v.source), None)
    if pair:
        out["ae"], out["vae"] = pair[0].path, pair[1].path
    size = pair[0].latent_dim if pair else None
    for kind in KIND_NAMES:
        options = for_dataset(entries, dataset, kind)
        if kind not in out and options:
            same = [e for e in options if e.latent_dim == size]
            out[kind] = (same or options)[0].path
    return out
