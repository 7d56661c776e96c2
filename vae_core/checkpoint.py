"""Checkpoints: one ``.safetensors`` file whose metadata holds one JSON document.

Loading never unpickles anything: the header is read and checked by this module before
safetensors (a format with no code in it) reads the tensors. Pickle-based files
(``.pt/.pth/.ckpt``, or pickle/zip bytes under any name) are refused.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import struct
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from . import __version__
from .config import ModelConfig, TrainConfig
from .data import BUILTIN_IMAGE_SHAPES, DATASET_NAMES, DIGITS_CHANNELS
from .errors import CheckpointError, ConfigError, write_error
from .files import atomic_write
from .models import AE, MAX_PARAMS, build_model

FORMAT = "vae-explorer-checkpoint"
FORMAT_VERSION = 1
META_KEY = "vae_explorer"
MAX_HEADER = 100 << 20
PICKLE_SUFFIXES = {".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".bin"}
DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
MAX_HISTORY = 100_000  # points per curve (TrainConfig.epochs has the same cap); a longer history is refused
MAX_META_DEPTH = 16  # our own metadata nests 3 deep; anything far deeper is not ours
MAX_FILE_BYTES = 8 * MAX_PARAMS + MAX_HEADER  # float64 weights at the cap, plus the largest header


def _fail(code: str, name: str, message: str, **params: Any) -> CheckpointError:
    """A CheckpointError with its code (vae_core.errors.CODES) and params (``path``: the file's name)."""
    return CheckpointError(message, code=code, params={"path": name, **params})


def dataset_name_is_builtin(name: object) -> bool:
    """True for the names this library resolves itself (digits, mnist, fashion-mnist, cifar10);
    False for ``folder:``/``npz:`` paths and anything else a file could name."""
    return isinstance(name, str) and name in DATASET_NAMES


@dataclass
class Checkpoint:
    model: AE
    model_config: ModelConfig
    train_config: TrainConfig | None
    meta: dict[str, Any] = field(default_factory=dict)  # the whole JSON document

    @property
    def dataset_label(self) -> str | None:
        """The dataset name as the file wrote it, for display only (it may be a path)."""
        return self.meta.get("dataset", {}).get("name")

    @property
    def dataset(self) -> str | None:
        """The builtin dataset this model was trained on, to load when the user names none;
        None when the file names none. Metadata never chooses what is read: a ``folder:`` or
        ``npz:`` name in the file is a path picked by whoever wrote it, so asking for it raises
        CheckpointError (the caller must let the user choose data)."""
        name = self.dataset_label
        if name is None or dataset_name_is_builtin(name):
            return name
        raise CheckpointError(f"this file names the dataset {name}; pass --dataset to choose data yourself",
                              params={"dataset": name})

    @property
    def metrics(self) -> dict:
        return self.meta.get("metrics") or {}

    @property
    def history(self) -> dict:
        return self.meta.get("history") or {}

    # Capabilities, the same names as an imported model's (vae_core.onnx_file.ImportedCheckpoint):
    # pages ask these instead of branching on the file type.
    source = "vae_core"
    has_weights = True

    @property
    def has_history(self) -> bool:
        return bool(self.history.get("epoch"))


def build_metadata(model: AE, train_config: TrainConfig | None = None, dataset: str | None = None,
                   history: dict | None = None, metrics: dict | None = None, extra: dict | None = None) -> dict:
    cfg = model.config
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": {**cfg.to_dict(), "num_params": sum(p.numel() for p in model.parameters())},
        "train": train_config.to_dict() if train_config else None,
        "dataset": {"name": dataset, "image_shape": list(cfg.image_shape)},
        "history": history or {},
        "metrics": metrics or {},
        **(extra or {}),
    }


# The temp files this library (and the app) write next to their targets, and nothing else:
# files.atomic_write's mkstemp ".{stem}-XXXXXXXX.tmp", an older save_npz()'s "tmpXXXXXXXX.npz.tmp",
# the app's ".{stem}.upload.tmp".
TEMP_NAMES = re.compile(r"\..+-[a-z0-9_]{8}\.tmp|tmp[a-z0-9_]{8}\.npz\.tmp|\..+\.upload\.tmp")
STALE_TEMP_S = 3600.0


def clean_stale_temps(folder: str | os.PathLike, older_than_s: float = STALE_TEMP_S) -> list[Path]:
    """Remove this library's own temp files (TEMP_NAMES) in ``folder`` that were last written
    more than ``older_than_s`` ago: what a killed process left behind. Only regular files
    directly in the folder; errors are ignored (another process may be cleaning too).
    Returns what was removed."""
    removed = []
    cutoff = time.time() - older_than_s
    try:
        candidates = [p for p in Path(folder).iterdir() if TEMP_NAMES.fullmatch(p.name)]
    except OSError:
        return removed
    for p in candidates:
        try:
            st = p.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                p.unlink()
                removed.append(p)
        except OSError:
            pass
    return removed


def check_writable(path: str | os.PathLike) -> Path:
    """Raise CheckpointError now if ``save(path, ...)`` could not write there (a folder at that
    path, a parent that is a file or cannot be created, a read-only folder), so that a long
    training run does not end in a failed save. Creates the missing parent folders (as save
    would) and probes with a temp file of save's own name pattern, removed at once."""
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{path}: is a folder; give a file name ending in .safetensors")
    parent = path.parent
    try:
        if parent.exists() and not parent.is_dir():
            raise CheckpointError(f"{path}: {parent} is a file, not a folder")
        parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=parent, prefix=f".{path.stem}-", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise write_error(path, e) from None
    return path


def save(path: str | os.PathLike, model: AE, train_config: TrainConfig | None = None, dataset: str | None = None,
         history: dict | None = None, metrics: dict | None = None, extra: dict | None = None) -> Path:
    """Write atomically (files.atomic_write: a temp file in the same folder, then ``os.replace``;
    a full disk or a read-only folder raises CheckpointError "disk full" / "read-only" and leaves
    the old file intact). Temp files that killed runs left in that folder over an hour ago are
    removed first (clean_stale_temps)."""
    from safetensors.torch import save as serialize

    from .capabilities import require_weights

    require_weights(model, "saving as .safetensors")  # an imported model's file is its zip
    path = Path(path)
    if path.suffix != ".safetensors":
        raise CheckpointError(f"{path.name}: checkpoint files end in .safetensors")
    meta = build_metadata(model, train_config, dataset, history, metrics, extra)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    clean_stale_temps(path.parent)
    data = serialize(tensors, metadata={META_KEY: json.dumps(meta)})
    return atomic_write(path, lambda f: f.write(data))


def _looks_pickled(head: bytes) -> str | None:
    if head[:1] == b"\x80" and len(head) > 1 and 2 <= head[1] <= 5:
        return "a Python pickle"
    if head[:4] == b"PK\x03\x04":
        return "a zip archive (torch.save format)"
    return None


def _json(raw: str | bytes, name: str, what: str, code: str) -> Any:
    extra = {"field": "metadata"} if code == "bad_metadata" else {}
    try:
        return json.loads(raw)
    except RecursionError:
        raise _fail(code, name, f"{name}: {what} is nested too deeply to be ours", **extra) from None
    except (TypeError, UnicodeDecodeError, json.JSONDecodeError):
        raise _fail(code, name, f"{name}: {what} is not valid JSON", **extra) from None


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _num_list(v: Any) -> bool:
    return isinstance(v, list) and all(_is_num(x) for x in v)


def _plain_text(v: Any, limit: int = 1000) -> bool:
    """A string safe to print on one terminal line (no control characters)."""
    return isinstance(v, str) and len(v) <= limit and not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in v)


def _depth(v: Any) -> int:
    """Nesting depth of decoded JSON, without recursion."""
    deepest, todo = 0, [(v, 1)]
    while todo:
        x, d = todo.pop()
        if isinstance(x, (dict, list)):
            deepest = max(deepest, d)
            todo.extend((y, d + 1) for y in (x.values() if isinstance(x, dict) else x))
    return deepest


def _check_tensor_table(header: dict, name: str, n: int, size: int) -> None:
    """Every entry {dtype: str, shape: [int >= 0], data_offsets: [begin, end]}, packed back to back
    from 0 in order, sizes agreeing with shape × dtype, and the file exactly that long."""
    spans = []
    for k, t in header.items():
        if not isinstance(t, dict) or set(t) != {"dtype", "shape", "data_offsets"}:
            raise _fail("not_safetensors", name, f"{name}: tensor {k!r} has a malformed entry")
        dtype, shape, offs = t["dtype"], t["shape"], t["data_offsets"]
        if not isinstance(dtype, str):
            raise _fail("not_safetensors", name, f"{name}: tensor {k!r} has a dtype that is not a string")
        if not (isinstance(shape, list) and len(shape) <= 8 and all(_is_int(d) and 0 <= d < 1 << 40 for d in shape)):
            raise _fail("not_safetensors", name,
                        f"{name}: tensor {k!r} has a shape that is not a list of non-negative integers")
        if not (isinstance(offs, list) and len(offs) == 2 and all(_is_int(o) for o in offs) and 0 <= offs[0] <= offs[1]):
            raise _fail("not_safetensors", name,
                        f"{name}: tensor {k!r} has bad data_offsets (need two integers 0 <= begin <= end)")
        if dtype in DTYPE_BYTES and offs[1] - offs[0] != math.prod(shape) * DTYPE_BYTES[dtype]:
            raise _fail("not_safetensors", name,
                        f"{name}: tensor {k!r} takes {offs[1] - offs[0]} bytes but its shape and dtype "
                                  f"need {math.prod(shape) * DTYPE_BYTES[dtype]}")
        spans.append((offs[0], offs[1], k))
    end = 0
    for b, e, k in sorted(spans):
        if b != end:
            raise _fail("not_safetensors", name,
                        f"{name}: tensor {k!r} overlaps another or leaves a gap (data_offsets out of order)")
        end = e
    if 8 + n + end != size:
        raise _fail("not_safetensors", name, f"{name}: the file is {size} bytes but its header describes "
                              f"{8 + n + end} (truncated or padded)")


def _check_metadata(meta: dict, name: str) -> None:
    """The type of every field we read, before anything is built from it. Unknown keys are
    allowed (newer files) but, like the rest, must not nest deeper than MAX_META_DEPTH."""
    def bad(what: str) -> CheckpointError:
        return _fail("bad_metadata", name, f"{name}: bad metadata: {what}", field=what.split()[0])

    if _depth(meta) > MAX_META_DEPTH:
        raise bad(f"nested deeper than {MAX_META_DEPTH} levels")
    for k in ("created", "library_version"):
        if k in meta and not _plain_text(meta[k], 100):
            raise bad(f"{k} must be a short string")
    model = meta.get("model")
    if not isinstance(model, dict):
        raise bad(f"model must be an object, got {type(model).__name__}")
    missing = [k for k in ("kind", "backbone", "in_channels", "image_size", "latent_dim") if k not in model]
    if missing:
        raise bad(f"model lacks {', '.join(missing)}")
    if "num_params" in model and not (_is_int(model["num_params"]) and model["num_params"] >= 0):
        raise bad("model.num_params must be a non-negative integer")
    try:
        mcfg = ModelConfig.from_dict({k: v for k, v in model.items() if k != "num_params"})
        train = meta.get("train")
        if train is not None:
            if not isinstance(train, dict):
                raise bad(f"train must be an object or null, got {type(train).__name__}")
            TrainConfig.from_dict(train)
    except ConfigError as e:
        raise _fail("bad_metadata", name, f"{name}: bad config in metadata: {e}", field="config") from None

    ds = meta.get("dataset")
    if not isinstance(ds, dict):
        raise bad(f"dataset must be an object, got {type(ds).__name__}")
    ds_name, shape = ds.get("name"), ds.get("image_shape")
    if ds_name is not None and not (_plain_text(ds_name) and ds_name):
        raise bad("dataset.name must be a one-line string or null")
    if not (isinstance(shape, list) and len(shape) == 3 and all(_is_int(d) for d in shape)
            and 1 <= shape[0] <= 4 and 4 <= shape[1] <= 512 and 4 <= shape[2] <= 512):
        raise bad("dataset.image_shape must be [channels 1-4, height 4-512, width 4-512]")
    if tuple(shape) != mcfg.image_shape:
        raise bad(f"dataset.image_shape {shape} does not match the model's input {list(mcfg.image_shape)}")
    want = BUILTIN_IMAGE_SHAPES.get(ds_name)
    if want is not None and tuple(shape) != want:
        raise bad(f"dataset {ds_name} has images {list(want)}, but the file says {shape}")
    if ds_name == "digits" and shape[0] != DIGITS_CHANNELS:
        raise bad(f"dataset digits is grey (1 channel), but the file says {shape}")

    hist = meta.get("history", {})
    if not isinstance(hist, dict):
        raise bad(f"history must be an object, got {type(hist).__name__}")
    if "epoch" in hist and not (isinstance(hist["epoch"], list) and all(_is_int(e) for e in hist["epoch"])):
        raise bad("history.epoch must be a list of integers")
    for split in ("train", "test"):
        part = hist.get(split, {})
        if not (isinstance(part, dict) and all(_num_list(v) for v in part.values())):
            raise bad(f"history.{split} must map names to lists of numbers")
    if "seconds" in hist and not _num_list(hist["seconds"]):
        raise bad("history.seconds must be a list of numbers")
    if "cancelled" in hist and not isinstance(hist["cancelled"], bool):
        raise bad("history.cancelled must be true or false")
    curves = {"epoch": hist.get("epoch", []), "seconds": hist.get("seconds", []),
              **{f"{s}.{k}": v for s in ("train", "test") for k, v in hist.get(s, {}).items()}}
    for k, v in curves.items():
        if len(v) > MAX_HISTORY:
            raise _fail("history_too_long", name, f"{name}: history.{k[:40]} has {len(v):,} points, over the "
                        f"{MAX_HISTORY:,} this library reads", count=len(v), limit=MAX_HISTORY)

    metrics = meta.get("metrics", {})
    if not isinstance(metrics, dict):
        raise bad(f"metrics must be an object, got {type(metrics).__name__}")
    for k, v in metrics.items():
        if not (v is None or isinstance(v, (int, float)) or _plain_text(v) or _num_list(v)):
            raise bad(f"metrics.{k[:40]!r} must be a number, a string, null or a list of numbers")


def read_header(path: str | os.PathLike) -> tuple[dict, dict]:
    """(tensor table, our JSON metadata) read from the safetensors header only; runs nothing.
    Every field's type is checked here, so callers can index the result without guarding."""
    path = Path(path)
    name = path.name
    if path.suffix.lower() in PICKLE_SUFFIXES:
        raise _fail("pickle_refused", name, f"{name}: {path.suffix} files are pickle-based and are never loaded here; "
                    "save the model as .safetensors (python -m vae_core train --out FILE.safetensors)",
                    suffix=path.suffix)
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head8 = f.read(8)
            kind = _looks_pickled(head8)
            if kind:
                raise _fail("pickle_refused", name,
                            f"{name}: this is {kind}, not a safetensors file; it was not loaded",
                            suffix=path.suffix)
            if len(head8) < 8:
                raise _fail("not_safetensors", name, f"{name}: too short to be a safetensors file ({size} bytes)")
            (n,) = struct.unpack("<Q", head8)
            if n <= 1 or n > MAX_HEADER or 8 + n > size:
                raise _fail("not_safetensors", name,
                            f"{name}: not a safetensors file (bad header length; truncated or another format)")
            if size > MAX_FILE_BYTES:
                raise _fail("too_large", name,
                            f"{name}: {size / 2**20:,.0f} MiB is over the {MAX_FILE_BYTES >> 20} MiB "
                            "this library loads", count=size, limit=MAX_FILE_BYTES)
            raw = f.read(n)
    except OSError as e:
        raise CheckpointError(f"{name}: cannot read ({e.strerror or e})",
                              params={"path": name, "reason": e.strerror or str(e)}) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail("not_safetensors", name, f"{name}: not a safetensors file (the header is not JSON)") from None
    header = _json(text, name, "the safetensors header", "not_safetensors")
    if not isinstance(header, dict):
        raise _fail("not_safetensors", name, f"{name}: not a safetensors file (the header is not a JSON object)")
    extra = header.pop("__metadata__", None)
    if extra is not None and not (isinstance(extra, dict) and all(isinstance(v, str) for v in extra.values())):
        raise _fail("not_safetensors", name, f"{name}: not a safetensors file (__metadata__ must map names to strings)")
    meta_raw = (extra or {}).get(META_KEY)
    if meta_raw is None:
        raise _fail("not_ours", name,
                    f"{name}: a safetensors file, but not one written by vae_core (no '{META_KEY}' metadata)")
    meta = _json(meta_raw, name, "its metadata", "bad_metadata")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _fail("not_ours", name, f"{name}: unknown metadata format")
    if meta.get("format_version") != FORMAT_VERSION:
        raise _fail("not_ours", name,
                    f"{name}: format version {repr(meta.get('format_version'))[:20]} is not supported "
                              f"(this library reads version {FORMAT_VERSION})")
    _check_tensor_table(header, name, n, size)
    _check_metadata(meta, name)
    return header, meta


def info(path: str | os.PathLike) -> dict:
    """The metadata, once the tensors are known to be what it claims (``check``: names, shapes,
    dtypes and parameter count against the config, from a model skeleton on the ``meta``
    device; a mismatch raises CheckpointError), plus ``weights_finite`` / ``non_finite_tensor``
    from one pass over the weights (memory-mapped, one tensor at a time). Builds no real model."""
    path = Path(path)
    header, meta, *_ = _check(path)
    bad = _non_finite_tensor(path, header)
    return {**meta, "tensors": len(header), "file_bytes": path.stat().st_size,
            "weights_finite": bad is None, "non_finite_tensor": bad}


def _check(path: Path) -> tuple[dict, dict, ModelConfig, TrainConfig | None, AE]:
    """read_header, the configs, and the tensor table against a model built on the ``meta``
    device (shapes only, no memory; its parameter count capped at MAX_PARAMS). Returns the
    skeleton too, for ``load`` to fill."""
    name = path.name
    header, meta = read_header(path)
    model_meta = meta["model"]
    try:
        mcfg = ModelConfig.from_dict({k: v for k, v in model_meta.items() if k != "num_params"})
        tcfg = TrainConfig.from_dict(meta["train"]) if meta.get("train") else None
    except ConfigError as e:
        raise _fail("bad_metadata", name, f"{name}: bad config in metadata: {e}", field="config") from None
    with torch.device("meta"):
        skeleton = build_model(mcfg)
    n_params = sum(p.numel() for p in skeleton.parameters())
    if n_params > MAX_PARAMS:
        raise _fail("too_large", name,
                    f"{name}: its metadata describes a {mcfg.kind}/{mcfg.backbone} model of {n_params:,} "
                    f"parameters, over the {MAX_PARAMS:,} this library loads", count=n_params, limit=MAX_PARAMS)
    expected = {k: tuple(v.shape) for k, v in skeleton.state_dict().items()}
    found = {k: tuple(t["shape"]) for k, t in header.items()}
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra:
        what = f"missing {missing[:3]}" if missing else f"unexpected {extra[:3]}"
        raise _fail("tensor_mismatch", name,
                    f"{name}: tensors do not match the {mcfg.kind}/{mcfg.backbone} config ({what})",
                    tensor=(missing or extra)[0], found=sorted(found), expected=sorted(expected))
    for k, shape in expected.items():
        if found[k] != shape:
            raise _fail("tensor_mismatch", name,
                        f"{name}: tensor {k} has shape {list(found[k])}, the config needs {list(shape)}",
                        tensor=k, found=list(found[k]), expected=list(shape))
        if header[k]["dtype"] not in DTYPES:
            raise _fail("tensor_mismatch", name,
                        f"{name}: tensor {k} has dtype {header[k]['dtype'][:20]!r}, expected a float type",
                        tensor=k, found=header[k]["dtype"][:20], expected="float")
    if model_meta.get("num_params", n_params) != n_params:
        raise _fail("tensor_mismatch", name, f"{name}: its metadata says {model_meta['num_params']:,} parameters, "
                    f"the config has {n_params:,}", tensor=None, found=model_meta["num_params"], expected=n_params)
    return header, meta, mcfg, tcfg, skeleton


def _non_finite_tensor(path: Path, header: dict) -> str | None:
    """The first tensor (by name) holding a NaN or an infinity, else None; reads one at a time."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            for k in sorted(header):
                if not torch.isfinite(f.get_tensor(k)).all():
                    return k
    except (SafetensorError, OSError, ValueError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise CheckpointError(f"{path.name}: cannot read tensors ({reason})",
                              params={"path": path.name, "reason": reason}) from None
    return None


def _non_finite(name: str, tensor: str) -> CheckpointError:
    return _fail("non_finite_weights", name, f"{name}: tensor {tensor} holds NaN or infinite weights; "
                 "this model cannot run", tensor=tensor)


def check_finite(path: str | os.PathLike) -> tuple[dict, ModelConfig]:
    """``check``, then every weight read (memory-mapped, one tensor at a time: about a millisecond
    per MB) and a NaN or an infinity refused (code ``non_finite_weights``). For listing models
    that can run, without building any."""
    path = Path(path)
    header, meta, mcfg, _, _ = _check(path)
    bad = _non_finite_tensor(path, header)
    if bad is not None:
        raise _non_finite(path.name, bad)
    return meta, mcfg


def check(path: str | os.PathLike) -> tuple[dict, ModelConfig]:
    """Everything ``load`` checks before it reads a weight — header, metadata types, configs,
    tensor names, shapes and dtypes — from the header alone; (metadata, model config). Raises
    CheckpointError. For listing files without loading them (the app's catalog)."""
    _, meta, mcfg, _, _ = _check(Path(path))
    return meta, mcfg


def load(path: str | os.PathLike, device: str | torch.device = "cpu") -> Checkpoint:
    """Check everything, then build the model and load its weights (eval mode).

    Nothing is allocated from what the metadata claims until the tensors in the file are known
    to match it: the model is first built on the ``meta`` device (shapes only, no memory), its
    parameter count capped at MAX_PARAMS, its tensor names, shapes and dtypes compared with the
    header; only then are the weights read (the file size is capped by read_header) and the
    model given real memory."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = Path(path)
    name = path.name
    header, meta, mcfg, tcfg, skeleton = _check(path)
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{name}: cannot read tensors ({str(e).splitlines()[0]})",
                              params={"path": name, "reason": str(e).splitlines()[0]}) from None
    state = {k: v.float() for k, v in tensors.items()}
    bad = next((k for k in sorted(state) if not torch.isfinite(state[k]).all()), None)
    if bad is not None:
        raise _non_finite(name, bad)
    held = set(header)
    if all(k in held for k, _ in skeleton.named_parameters()) and all(k in held for k, _ in skeleton.named_buffers()):
        model = skeleton.to_empty(device="cpu")  # every value comes from the file below
    else:  # a non-persistent buffer would stay uninitialised: build normally
        model = build_model(mcfg)
    model.load_state_dict(state, strict=True)
    model.to(device).eval()
    return Checkpoint(model, mcfg, tcfg, meta)
