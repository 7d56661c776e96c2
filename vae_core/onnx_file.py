"""The imported-model file: one ``.zip`` with exactly ``encoder.onnx``, ``decoder.onnx`` and
``model.json``; written by ``import-onnx`` (any framework's ONNX pair) and by ``export`` (ours).

    import_onnx(enc, dec, data, out)   check both graphs, trial run, measure metrics, write the zip
    export_checkpoint(ck, out)         torch.onnx.export our model's encoder and decoder, same zip
    load_zip(path)                     every check again (a zip is user input), → ImportedCheckpoint
    zip_info(path)                     model.json and the static graph checks; runs nothing

A zip is refused for anything but the three entries (no folders, links, ``..``, absolute paths,
duplicates), entries over their caps, or an entry whose real size is not its declared size.
model.json is checked field by field and never overrides the graphs: kind, latent size and the
label's form come from the graphs and must agree with it.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import stat
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from . import __version__
from .checkpoint import _depth, _is_int, _json, _num_list, _plain_text, dataset_name_is_builtin
from .config import RECON_LOSSES
from .kinds import KINDS
from .onnx_model import (
    DECODER_OUTPUTS,
    MAX_LATENT,
    MAX_ONNX_BYTES,
    Contract,
    ImportCheckError,
    OnnxConfig,
    OnnxModel,
    check_graph,
    check_pair,
    inline_functions,
    latent_dim_from_trial,
    one_line,
    ort_errors,
    trial_run,
)

FORMAT = "vae-explorer-onnx"
FORMAT_VERSION = 1
ENTRIES = ("encoder.onnx", "decoder.onnx", "model.json")
MAX_JSON_BYTES = 1 << 20
MAX_ZIP_BYTES = 2 * MAX_ONNX_BYTES + MAX_JSON_BYTES + (1 << 16)
MAX_CLASSES = 1000


@dataclass
class ImportedCheckpoint:
    """A loaded imported model, with the attributes of ``vae_core.checkpoint.Checkpoint`` (``model``,
    ``model_config``, ``train_config`` (None), ``meta``, ``dataset``, ``metrics``, ``history`` (empty))
    and the same capability names: ``source`` "onnx", ``has_weights`` and ``has_history`` False."""
    model: OnnxModel
    model_config: OnnxConfig
    meta: dict[str, Any] = field(default_factory=dict)
    train_config: None = None
    source = "onnx"
    has_weights = False
    has_history = False

    @property
    def dataset_label(self) -> str | None:
        return self.meta.get("dataset", {}).get("name")

    @property
    def dataset(self) -> str | None:
        """As Checkpoint.dataset: a builtin name, None, or CheckpointError for a path-like name."""
        name = self.dataset_label
        if name is None or dataset_name_is_builtin(name):
            return name
        raise ImportCheckError(f"this file names the dataset {name}; pass --dataset to choose data yourself")

    @property
    def metrics(self) -> dict:
        return self.meta.get("metrics") or {}

    @property
    def history(self) -> dict:
        return {}

    @property
    def label_names(self) -> list[str]:
        return list(self.meta.get("dataset", {}).get("classes") or [])


# ------------------------------------------------------------------ building a model from two graphs

def build_model(enc_bytes: bytes, dec_bytes: bytes, image_shape: tuple[int, int, int], num_classes: int,
                recon_loss: str, decoder_output: str, names: tuple[str, str] = ("encoder.onnx", "decoder.onnx"),
                x: torch.Tensor | None = None, y: torch.Tensor | None = None,
                threads: int = 1) -> tuple[OnnxModel, dict]:
    """Every check, in order: each graph alone (check_graph), the pair against the contract and the
    images (check_pair), then a trial run on ``x`` (two images in [0, 1]; default two seeded uniform
    noise images) with labels ``y``. Returns (model, {"encoder": GraphSpec dict, "decoder": …})."""
    if recon_loss not in RECON_LOSSES:
        raise ImportCheckError(f"recon_loss must be one of {', '.join(RECON_LOSSES)}, got {recon_loss!r}")
    if decoder_output not in DECODER_OUTPUTS:
        raise ImportCheckError(f"decoder_output must be one of {', '.join(DECODER_OUTPUTS)}, got {decoder_output!r}")
    _, enc = check_graph(enc_bytes, names[0])
    _, dec = check_graph(dec_bytes, names[1])
    contract = check_pair(enc, dec, image_shape, num_classes)
    try:
        d = contract.latent_dim or latent_dim_from_trial(enc_bytes, contract, image_shape, num_classes)
        cfg = OnnxConfig(contract.kind, tuple(image_shape), d, recon_loss, contract.num_classes, decoder_output)
        model = OnnxModel(enc_bytes, dec_bytes, contract, cfg, threads=threads)
    except ort_errors() as e:
        first = one_line(e)
        raise ImportCheckError(f"onnxruntime cannot load the graphs: {first}") from None
    if x is None:
        x = torch.rand((2, *image_shape), generator=torch.Generator().manual_seed(0))
    if model.conditional and y is None:
        y = torch.arange(2) % contract.num_classes
    trial_run(model, x, y if model.conditional else None)
    return model, {"encoder": enc.to_dict(), "decoder": dec.to_dict()}


def _meta(name: str, cfg: OnnxConfig, contract: Contract, graphs: dict, dataset: str | None, classes: list[str],
          metrics: dict, origin: str, extra: dict | None = None) -> dict:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "created": now,
        "imported": now,
        "origin": origin,  # "import-onnx" or "export"
        "name": name,
        "model": {**cfg.to_dict(), "num_params": graphs["encoder"]["num_params"] + graphs["decoder"]["num_params"],
                  "encoder_input": "flat" if contract.flat_input else "nchw",
                  "decoder_image": "flat" if contract.flat_output else "nchw",
                  "label_input": contract.label, "batch": "one" if contract.enc_batch1 or contract.dec_batch1
                  else "dynamic"},
        "onnx": graphs,
        "train": None,
        "dataset": {"name": dataset, "image_shape": list(cfg.image_shape), "classes": list(classes)},
        "history": {},
        "metrics": metrics,
        **(extra or {}),
    }


def write_zip(out: str | os.PathLike, enc_bytes: bytes, dec_bytes: bytes, meta: dict) -> Path:
    """Write the three entries (ONNX stored uncompressed: it barely compresses), atomically."""
    out = Path(out)
    if out.suffix != ".zip":
        raise ImportCheckError(f"{out.name}: imported-model files end in .zip")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}-", suffix=".tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as z:
            z.writestr("encoder.onnx", enc_bytes, zipfile.ZIP_STORED)
            z.writestr("decoder.onnx", dec_bytes, zipfile.ZIP_STORED)
            z.writestr("model.json", json.dumps(meta, indent=1), zipfile.ZIP_DEFLATED)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def _clean_metrics(m: dict) -> dict:
    """The JSON-safe numbers of an ``evaluate`` result (NaN becomes null)."""
    out = {}
    for k, v in m.items():
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        if v is None or isinstance(v, (int, float, str)) or _num_list(v):
            out[k] = v
    return out


def read_onnx_file(path: str | os.PathLike) -> bytes:
    """The bytes of a user-named .onnx file, its size capped before it is read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_ONNX_BYTES:
            raise ImportCheckError(f"{path.name}: {size / 2**20:,.0f} MiB is over the {MAX_ONNX_BYTES >> 20} MiB "
                                   "this library loads per ONNX file")
        return path.read_bytes()
    except OSError as e:
        raise ImportCheckError(f"{path.name}: cannot read ({e.strerror or e})") from None


def import_onnx(encoder: str | os.PathLike, decoder: str | os.PathLike, data, out: str | os.PathLike,
                dataset: str, name: str | None = None, decoder_output: str = "probs", recon_loss: str | None = None,
                evaluate_kw: dict | None = None, threads: int = 1) -> tuple[Path, ImportedCheckpoint]:
    """Check an encoder/decoder pair against the contract and ``data`` (a vae_core Dataset), trial-run
    it on two test images, measure its metrics with ``vae_core.metrics.evaluate`` (``evaluate_kw``;
    None skips them), and write the zip. ``recon_loss``: default bce for 1-channel data, else mse."""
    from .metrics import evaluate

    shape = tuple(data.image_shape)
    recon_loss = recon_loss or ("bce" if shape[0] == 1 else "mse")
    enc_bytes = inline_functions(read_onnx_file(encoder), Path(encoder).name)
    dec_bytes = inline_functions(read_onnx_file(decoder), Path(decoder).name)
    x, y = data.split("test")
    if len(x) < 2:
        raise ImportCheckError(f"the test split of {data.name} has {len(x)} images; the trial run needs two")
    model, graphs = build_model(enc_bytes, dec_bytes, shape, len(data.classes), recon_loss, decoder_output,
                                (Path(encoder).name, Path(decoder).name), x[:2].float() / 255, y[:2], threads)
    metrics = {}
    if evaluate_kw is not None:
        metrics = _clean_metrics(evaluate(model, data, "test", 1.0, **evaluate_kw))
    meta = _meta(name or Path(out).stem, model.config, model.contract, graphs, dataset, list(data.classes),
                 metrics, "import-onnx")
    path = write_zip(out, enc_bytes, dec_bytes, meta)
    return path, ImportedCheckpoint(model, model.config, meta)


# ------------------------------------------------------------------ reading a zip

def read_zip(path: str | os.PathLike) -> tuple[bytes, bytes, dict]:
    """(encoder bytes, decoder bytes, model.json) after the entry checks; runs nothing."""
    path = Path(path)
    name = path.name

    def bad(what: str) -> ImportCheckError:
        return ImportCheckError(f"{name}: {what}")

    try:
        size = path.stat().st_size
        if size > MAX_ZIP_BYTES:
            raise bad(f"{size / 2**20:,.0f} MiB is over the {MAX_ZIP_BYTES >> 20} MiB this library loads")
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = [i.filename for i in infos]
            for i in infos:
                n = i.filename
                if n.startswith(("/", "\\")) or (len(n) > 1 and n[1] == ":") or ".." in n.replace("\\", "/").split("/"):
                    raise bad(f"entry {n[:80]!r} is an absolute path or climbs out with '..'; refused")
                if stat.S_ISLNK(i.external_attr >> 16):
                    raise bad(f"entry {n[:80]!r} is a symbolic link; refused")
                if i.flag_bits & 0x1:
                    raise bad(f"entry {n[:80]!r} is encrypted; refused")
                if n not in ENTRIES:
                    raise bad(f"entry {n[:80]!r} is not one of {', '.join(ENTRIES)}; an imported-model zip holds "
                              "those three only")
            if len(set(names)) != len(names):
                raise bad("an entry appears twice; refused")
            missing = [e for e in ENTRIES if e not in names]
            if missing:
                raise bad(f"lacks {', '.join(missing)}")
            got = {}
            for i in infos:
                cap = MAX_JSON_BYTES if i.filename == "model.json" else MAX_ONNX_BYTES
                if i.file_size > cap:
                    raise bad(f"entry {i.filename} declares {i.file_size:,} bytes, over the {cap:,} allowed")
                try:
                    with z.open(i) as f:
                        raw = f.read(cap + 1)  # zipfile stops at the declared size and checks the CRC
                except (zipfile.BadZipFile, EOFError, zlib.error):
                    raw = None
                if raw is None or len(raw) != i.file_size:
                    raise bad(f"entry {i.filename} does not hold the {i.file_size:,} bytes it declares (size or "
                              "CRC differ: a zip bomb or a damaged file)")
                got[i.filename] = raw
    except ImportCheckError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError) as e:
        raise bad(f"not a readable zip ({str(e).splitlines()[0][:120] if str(e) else type(e).__name__})") from None
    except OSError as e:
        raise bad(f"cannot read ({e.strerror or e})") from None
    meta = _json(got["model.json"], name, "model.json", "bad_metadata")
    _check_meta(meta, name)
    return got["encoder.onnx"], got["decoder.onnx"], meta


def _check_meta(meta: Any, name: str) -> None:
    """The type and range of every field we read from model.json."""
    def bad(what: str) -> ImportCheckError:
        return ImportCheckError(f"{name}: bad model.json: {what}")

    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise bad(f"format must be {FORMAT!r}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise bad(f"format version {repr(meta.get('format_version'))[:20]} is not supported (this library reads "
                  f"version {FORMAT_VERSION})")
    if _depth(meta) > 16:
        raise bad("nested deeper than 16 levels")
    for k in ("created", "imported", "library_version", "origin", "name"):
        if k in meta and not _plain_text(meta[k], 200):
            raise bad(f"{k} must be a short one-line string")
    m = meta.get("model")
    if not isinstance(m, dict):
        raise bad("model must be an object")
    if m.get("kind") not in KINDS:
        raise bad(f"model.kind must be one of {', '.join(KINDS)}")
    shape = m.get("image_shape")
    if not (isinstance(shape, list) and len(shape) == 3 and all(_is_int(d) for d in shape)
            and 1 <= shape[0] <= 4 and 4 <= shape[1] <= 512 and 4 <= shape[2] <= 512):
        raise bad("model.image_shape must be [channels 1-4, height 4-512, width 4-512]")
    if not (_is_int(m.get("latent_dim")) and 1 <= m["latent_dim"] <= MAX_LATENT):
        raise bad(f"model.latent_dim must be an integer in [1, {MAX_LATENT}]")
    if m.get("recon_loss") not in RECON_LOSSES:
        raise bad(f"model.recon_loss must be one of {', '.join(RECON_LOSSES)}")
    if m.get("decoder_output") not in DECODER_OUTPUTS:
        raise bad(f"model.decoder_output must be one of {', '.join(DECODER_OUTPUTS)}")
    k = m.get("num_classes")
    if not (_is_int(k) and (k == 0 or 2 <= k <= MAX_CLASSES)):
        raise bad(f"model.num_classes must be 0 or an integer in [2, {MAX_CLASSES}]")
    ds = meta.get("dataset")
    if not isinstance(ds, dict):
        raise bad("dataset must be an object")
    if ds.get("name") is not None and not (_plain_text(ds["name"]) and ds["name"]):
        raise bad("dataset.name must be a one-line string or null")
    if ds.get("image_shape") != shape:
        raise bad("dataset.image_shape must equal model.image_shape")
    classes = ds.get("classes", [])
    if not (isinstance(classes, list) and len(classes) <= MAX_CLASSES and all(_plain_text(c, 100) for c in classes)):
        raise bad(f"dataset.classes must be a list of at most {MAX_CLASSES} one-line names")
    if k and len(classes) not in (0, k):
        raise bad(f"dataset.classes names {len(classes)} classes, model.num_classes is {k}")
    metrics = meta.get("metrics", {})
    if not isinstance(metrics, dict):
        raise bad("metrics must be an object")
    for key, v in metrics.items():
        if not (v is None or isinstance(v, (int, float)) and not isinstance(v, bool) or _plain_text(v)
                or _num_list(v)):
            raise bad(f"metrics.{key[:40]!r} must be a number, a string, null or a list of numbers")


def load_zip(path: str | os.PathLike, device: str | torch.device = "cpu", threads: int = 1) -> ImportedCheckpoint:
    """Read the zip (entry checks), check model.json, re-run every graph check and the trial run,
    and require the graphs to say what model.json says (kind, latent size)."""
    path = Path(path)
    enc_bytes, dec_bytes, meta = read_zip(path)
    m = meta["model"]
    model, _ = build_model(enc_bytes, dec_bytes, tuple(m["image_shape"]), m["num_classes"], m["recon_loss"],
                           m["decoder_output"], (f"{path.name}/encoder.onnx", f"{path.name}/decoder.onnx"),
                           threads=threads)
    cfg = model.config
    _agree(m, cfg.kind, cfg.latent_dim, cfg.num_classes, path.name)
    model.to(device).eval()
    return ImportedCheckpoint(model, cfg, meta)


def _agree(m: dict, kind: str, latent_dim: int | None, num_classes: int, name: str) -> None:
    """model.json must say what the graphs say (a latent size left symbolic in the graphs: not compared)."""
    if (kind, latent_dim or m["latent_dim"], num_classes) != (m["kind"], m["latent_dim"], m["num_classes"]):
        raise ImportCheckError(f"{name}: model.json says kind {m['kind']}, latent {m['latent_dim']}, "
                               f"{m['num_classes']} classes; the graphs say kind {kind}, latent "
                               f"{latent_dim or '?'}, {num_classes} classes")


def zip_info(path: str | os.PathLike) -> dict:
    """model.json plus the file size, after the entry checks and the static graph checks (no session):
    each graph alone, the pair against the contract, and model.json against the graphs."""
    path = Path(path)
    enc_bytes, dec_bytes, meta = read_zip(path)
    _, enc = check_graph(enc_bytes, f"{path.name}/encoder.onnx")
    _, dec = check_graph(dec_bytes, f"{path.name}/decoder.onnx")
    m = meta["model"]
    c = check_pair(enc, dec, tuple(m["image_shape"]), m["num_classes"])
    _agree(m, c.kind, c.latent_dim, c.num_classes, path.name)
    return {**meta, "file_bytes": path.stat().st_size}


# ------------------------------------------------------------------ exporting our own models

class _EncoderGraph(torch.nn.Module):
    """x (N, C, H, W) [, y (N,) int64] → z (N, d), or mu (N, d), logvar (N, d)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None):
        enc = self.model.encode(x, y)
        mu = enc.mu.flatten(1)  # the reference AE's feature map becomes a (N, 384) vector
        return mu if enc.logvar is None else (mu, enc.logvar)


class _DecoderGraph(torch.nn.Module):
    """z (N, d) [, y (N,) int64] → images (N, C, H, W) in [0, 1]."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None):
        return self.model.decode_flat(z, y)


def _onnx_bytes(module: torch.nn.Module, args: tuple, names: list[str], out_names: list[str]) -> bytes:
    """torch.onnx.export with the torch.export-based exporter (``dynamo=True``, the default since
    torch 2.9; it needs onnxscript): standard-domain operators only, optimised, weights inside the
    file, the first axis of every input dynamic. Its progress lines go nowhere."""
    batch = torch.export.Dim("batch", min=1, max=1 << 20)
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()), \
            _quiet_warnings():
        f = Path(tmp) / "graph.onnx"
        torch.onnx.export(module.eval(), args, str(f), dynamo=True, external_data=False, optimize=True,
                          input_names=names, output_names=out_names,
                          dynamic_shapes=tuple({0: batch} for _ in args), verbose=False)
        return f.read_bytes()


@contextlib.contextmanager
def _quiet_warnings():
    import logging
    import warnings

    log = logging.getLogger("torch.onnx")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        log.setLevel(level)


EXPORT_TOLERANCE = 1e-4


def export_checkpoint(ck, out: str | os.PathLike, name: str | None = None) -> tuple[Path, float]:
    """Write our model (a ``Checkpoint``: ae, vae, cvae, every backbone) as an imported-model zip:
    ``encoder.onnx`` (image (N, C, H, W) [, label int64 (N,)] → z, or mu and logvar), ``decoder.onnx``
    (z [, label] → images), model.json with the checkpoint's metrics. The zip then goes through
    every import check, and its latents on two images must match the torch model's within
    EXPORT_TOLERANCE. Returns (path, the largest latent difference)."""
    from .data import BUILTIN, DIGIT_CLASSES

    model = ck.model.to("cpu").eval()
    cfg = model.config
    x = torch.rand((2, *cfg.image_shape), generator=torch.Generator().manual_seed(0))
    y = torch.arange(2) if model.conditional else None
    z = torch.zeros((2, cfg.latent_size))
    enc_in, dec_in = ["x", *(["y"] if y is not None else [])], ["z", *(["y"] if y is not None else [])]
    enc_out = ["mu", "logvar"] if model.variational else ["z"]
    enc_bytes = _onnx_bytes(_EncoderGraph(model), (x,) if y is None else (x, y), enc_in, enc_out)
    dec_bytes = _onnx_bytes(_DecoderGraph(model), (z,) if y is None else (z, y), dec_in, ["x"])
    ds = ck.dataset_label
    classes = list(BUILTIN[ds].classes) if ds in BUILTIN else (list(DIGIT_CLASSES) if ds == "digits" else [])
    if cfg.num_classes and len(classes) != cfg.num_classes:
        classes = [str(i) for i in range(cfg.num_classes)]
    k = cfg.num_classes or (len(classes) if classes else 10)
    onnx_model, graphs = build_model(enc_bytes, dec_bytes, cfg.image_shape, k, cfg.recon_loss, "probs", x=x, y=y)
    with torch.inference_mode():
        a, b = model.encode(x, y), onnx_model.encode(x, y)
        diff = (a.mu.flatten(1) - b.mu).abs().max().item()
        if a.logvar is not None:
            diff = max(diff, (a.logvar - b.logvar).abs().max().item())
    if not diff <= EXPORT_TOLERANCE:
        raise ImportCheckError(f"the exported encoder differs from the model by {diff:.3g} (over {EXPORT_TOLERANCE})")
    epochs = len(ck.history.get("epoch", []))
    meta = _meta(name or Path(out).stem, onnx_model.config, onnx_model.contract, graphs, ds, classes,
                 _clean_metrics(ck.metrics), "export",
                 {"exported_from": {"format": ck.meta.get("format"), "created": ck.meta.get("created"),
                                    "backbone": cfg.backbone, "epochs": epochs,
                                    "library_version": ck.meta.get("library_version")}})
    return write_zip(out, enc_bytes, dec_bytes, meta), diff
