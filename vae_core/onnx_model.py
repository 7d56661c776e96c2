"""Imported models: an ONNX encoder and decoder, checked, then run by onnxruntime behind the
same verbs as our own models (``encode``, ``decode``, ``draw``, ``sample``, ``reconstruct``,
``latent``), torch tensors in and out. (Not ``vae_core/onnx.py``: that would shadow ``onnx``.)

The contract (README, "Explore your own model"), inputs and outputs taken by position:
    encoder: x float32 in [0, 1], (N, C, H, W) or flattened (N, C·H·W) [, label]
             → z (N, d)                       a deterministic autoencoder  (kind ae)
             → mu (N, d), logvar (N, d)       a variational one            (kind vae; cvae with a label)
    decoder: z (N, d) [, label] → images (N, C, H, W) or (N, C·H·W), probabilities in [0, 1]
             (or logits, ``decoder_output="logits"``: a sigmoid is applied here)
    label:   one-hot float32 (N, K) or int64 class indices (N,), the same in both graphs
    batch:   a dynamic first axis; a fixed batch of 1 also works (run row by row, slower)

Checked before anything runs (``check_graph`` per file, ``check_pair`` for the two, then
``trial_run``); every refusal is one ImportCheckError line saying what and why. Nothing is
unpickled and no Python from a file runs: an ONNX file is a protobuf graph of standard operators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .checkpoint import MAX_PARAMS, CheckpointError
from .kinds import KINDS, Kind
from .models import AE, VAE, Encoding

MAX_ONNX_BYTES = 200 << 20  # per .onnx file: 50 M float32 parameters, our own cap
MAX_NODES = 100_000  # our largest graph has ~200; a graph this big is not an image autoencoder
MAX_TENSOR_ELEMENTS = 1 << 27  # any tensor the graph declares (batch axis counted as 1): 512 MiB of float32
MIN_OPSET = 7  # onnxruntime's oldest supported default-domain opset
STANDARD_DOMAINS = ("", "ai.onnx")
DECODER_OUTPUTS = ("probs", "logits")
MAX_LATENT = 4096  # as ModelConfig.latent_dim
RANGE_TOLERANCE = 1e-3  # a "probabilities" decoder may stray this far outside [0, 1] (rounding); clamped


class ImportCheckError(CheckpointError):
    """An ONNX model (or its zip) fails a check before it runs; the message is one line."""


# ------------------------------------------------------------------ one graph

@dataclass(frozen=True)
class TensorSpec:
    """A graph input or output as declared: dims are ints, or None where symbolic/unknown."""
    name: str
    elem_type: int  # onnx.TensorProto enum (1 float32, 7 int64)
    dims: tuple[int | None, ...] | None  # None: no declared rank

    @property
    def rank(self) -> int | None:
        return None if self.dims is None else len(self.dims)

    def describe(self) -> str:
        import onnx

        t = onnx.helper.tensor_dtype_to_np_dtype(self.elem_type).name if self.elem_type else "?"
        shape = "?" if self.dims is None else "[" + ", ".join("N" if i == 0 and d in (None,) else str(d or "?")
                                                            for i, d in enumerate(self.dims)) + "]"
        return f"{t} {shape}"


@dataclass(frozen=True)
class GraphSpec:
    """What ``check_graph`` learned from one file."""
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    opset: int
    num_params: int
    producer: str

    def to_dict(self) -> dict:
        return {"inputs": [{"name": t.name, "type": t.describe()} for t in self.inputs],
                "outputs": [{"name": t.name, "type": t.describe()} for t in self.outputs],
                "opset": self.opset, "num_params": self.num_params, "producer": self.producer}


def ort_max_opset() -> int:
    """The newest default-domain opset this onnxruntime has kernels for (its schema registry)."""
    from onnxruntime.capi import _pybind_state as C

    return max(k.version_range[0] for k in C.get_all_opkernel_def() if k.domain in STANDARD_DOMAINS)


def _graphs(graph) -> list:
    """The graph and every subgraph (If/Loop/Scan bodies), without recursion."""
    import onnx

    out, todo = [], [graph]
    while todo:
        g = todo.pop()
        out.append(g)
        for node in g.node:
            for a in node.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    todo.append(a.g)
                elif a.type == onnx.AttributeProto.GRAPHS:
                    todo.extend(a.graphs)
    return out


def _tensors(graphs: list) -> list:
    """Every TensorProto the graphs hold: initializers, sparse ones, and tensor attributes."""
    import onnx

    out = []
    for g in graphs:
        out.extend(g.initializer)
        for s in g.sparse_initializer:
            out.extend((s.values, s.indices))
        for node in g.node:
            for a in node.attribute:
                if a.type == onnx.AttributeProto.TENSOR:
                    out.append(a.t)
                elif a.type == onnx.AttributeProto.TENSORS:
                    out.extend(a.tensors)
                elif a.type == onnx.AttributeProto.SPARSE_TENSOR:
                    out.extend((a.sparse_tensor.values, a.sparse_tensor.indices))
    return out


def _spec(vi) -> TensorSpec:
    t = vi.type.tensor_type if vi.type.HasField("tensor_type") else None
    if t is None:
        return TensorSpec(vi.name, 0, None)
    dims = None
    if t.HasField("shape"):
        dims = tuple(d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim)
    return TensorSpec(vi.name, t.elem_type, dims)


def one_line(e: BaseException, n: int = 300) -> str:
    """An exception's message on one line (onnxruntime's and onnx's run over several)."""
    return " ".join(str(e).split())[:n] or type(e).__name__


def _short(s: object, n: int = 60) -> str:
    return repr(str(s)[:n])


def check_graph(data: bytes, name: str) -> tuple[Any, GraphSpec]:
    """Parse and check one ONNX file's bytes: size, format, operator domains, no external data,
    parameter and tensor-size caps, opset, then onnx.checker with full_check (strict shape
    inference). Returns (onnx.ModelProto, GraphSpec). Raises ImportCheckError."""
    import onnx
    from google.protobuf.message import DecodeError

    def bad(what: str) -> ImportCheckError:
        return ImportCheckError(f"{name}: {what}")

    if len(data) == 0:
        raise bad("empty file (0 bytes), not an ONNX model")
    if len(data) > MAX_ONNX_BYTES:
        raise bad(f"{len(data) / 2**20:,.0f} MiB is over the {MAX_ONNX_BYTES >> 20} MiB this library loads "
                  "per ONNX file")
    try:
        model = onnx.ModelProto.FromString(data)
    except (DecodeError, RuntimeError, ValueError):
        raise bad("not an ONNX model (truncated, or another format)") from None
    if model.ir_version <= 0 or not model.HasField("graph") or not model.graph.output:
        raise bad("not an ONNX model (truncated, or another format: no graph or no ir_version)")
    if model.functions:
        f = model.functions[0]
        raise bad(f"defines its own function {_short(f.domain + '.' + f.name)}; only standard ONNX operators are "
                  "run here (import-onnx inlines functions; a zip must hold them inlined)")
    for o in model.opset_import:
        if o.domain not in STANDARD_DOMAINS:
            raise bad(f"imports operator domain {_short(o.domain)}; only the standard ONNX domain is accepted "
                      "(custom and contrib operators would run code this library has not checked)")
    graphs = _graphs(model.graph)
    n_nodes = 0
    for g in graphs:
        n_nodes += len(g.node)
        for node in g.node:
            if node.domain not in STANDARD_DOMAINS:
                raise bad(f"operator {_short(node.op_type, 40)} is from domain {_short(node.domain)}; only the "
                          "standard ONNX domain is accepted")
    if n_nodes > MAX_NODES:
        raise bad(f"{n_nodes:,} operators is over the {MAX_NODES:,} this library loads")
    n_params = 0
    for t in _tensors(graphs):
        if t.data_location == onnx.TensorProto.EXTERNAL or len(t.external_data):
            where = next((e.value for e in t.external_data if e.key == "location"), "?")
            raise bad(f"tensor {_short(t.name, 40)} keeps its data in another file ({_short(where)}); external "
                      "data is refused: save the weights inside the .onnx file "
                      "(torch.onnx.export(..., external_data=False))")
        if any(d < 0 for d in t.dims):
            raise bad(f"tensor {_short(t.name, 40)} has a negative dimension")
        n = math.prod(t.dims)
        n_params += n
        if n_params > MAX_PARAMS:
            raise bad(f"declares over {MAX_PARAMS:,} parameters (tensor {_short(t.name, 40)} of shape "
                      f"{list(t.dims)[:6]}), over the cap this library loads")
        if t.raw_data and t.data_type in _ITEM_BYTES and len(t.raw_data) != n * _ITEM_BYTES[t.data_type]:
            raise bad(f"tensor {_short(t.name, 40)} holds {len(t.raw_data):,} bytes but its shape {list(t.dims)[:6]} "
                      f"needs {n * _ITEM_BYTES[t.data_type]:,}")
    opset = next((o.version for o in model.opset_import if o.domain in STANDARD_DOMAINS), None)
    top = ort_max_opset()
    if opset is None or not MIN_OPSET <= opset <= top:
        raise bad(f"opset {opset} is outside what onnxruntime runs here ({MIN_OPSET} to {top}); re-export "
                  f"with opset_version between them")
    try:
        onnx.checker.check_model(model, full_check=True)
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError, RuntimeError, ValueError) as e:
        first = one_line(e)
        raise bad(f"fails onnx.checker (full check): {first}") from None
    for vi in (*inferred.graph.value_info, *inferred.graph.output, *inferred.graph.input):
        s = _spec(vi)
        if s.dims and math.prod(d or 1 for d in s.dims) > MAX_TENSOR_ELEMENTS:
            raise bad(f"declares a tensor {_short(vi.name, 40)} of shape {list(s.dims)[:6]}, over the "
                      f"{MAX_TENSOR_ELEMENTS:,} numbers per image this library allows")
    inits = {t.name for t in model.graph.initializer}
    inputs = tuple(_spec(vi) for vi in model.graph.input if vi.name not in inits)
    outputs = tuple(_spec(vi) for vi in model.graph.output)
    producer = f"{model.producer_name} {model.producer_version}".strip()[:100]
    return model, GraphSpec(inputs, outputs, int(opset), int(n_params), producer)


def inline_functions(data: bytes, name: str) -> bytes:
    """A graph whose model-local functions are inlined (jax2onnx's ``@onnx_function``, some torch
    exports): their bodies become plain nodes, which ``check_graph`` then checks like any other, and
    the opset imports only the function domains needed are dropped. Data in, data out: nothing runs.
    A graph without functions comes back unchanged. Used by import-onnx; a zip holds the result."""
    import onnx
    import onnx.inliner
    from google.protobuf.message import DecodeError

    if not 0 < len(data) <= MAX_ONNX_BYTES:
        return data  # check_graph says why
    try:
        model = onnx.ModelProto.FromString(data)
    except (DecodeError, RuntimeError, ValueError):
        return data
    if not model.functions:
        return data
    fn_domains = {f.domain for f in model.functions} - set(STANDARD_DOMAINS)
    try:
        model = onnx.inliner.inline_local_functions(model)
    except (RuntimeError, ValueError) as e:
        raise ImportCheckError(f"{name}: its model-local functions cannot be inlined: {one_line(e)}") from None
    used = {n.domain for g in _graphs(model.graph) for n in g.node}
    keep = [o for o in model.opset_import if o.domain not in fn_domains or o.domain in used]
    del model.opset_import[:]
    model.opset_import.extend(keep)
    return model.SerializeToString()


_ITEM_BYTES = {1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2}


# ------------------------------------------------------------------ the pair against the contract

FLOAT, INT64 = 1, 7


@dataclass(frozen=True)
class Contract:
    """How the two graphs are called, derived from their declarations (never from a zip's JSON)."""
    kind: str  # ae | vae | cvae
    latent_dim: int | None  # None: symbolic in the graphs, measured by the trial run
    flat_input: bool  # encoder takes (N, C·H·W)
    flat_output: bool  # decoder gives (N, C·H·W)
    label: str | None  # None | "onehot" | "index"
    num_classes: int  # K for a conditional model, else 0
    enc_batch1: bool  # a fixed batch of 1: run row by row
    dec_batch1: bool
    enc_names: tuple[str, ...]  # input names, by position
    dec_names: tuple[str, ...]


def _batch_axis(t: TensorSpec, where: str) -> bool:
    """True for a fixed batch of 1; False for a dynamic one; refuses any other fixed batch."""
    b = t.dims[0]
    if b is None:
        return False
    if b == 1:
        return True
    raise ImportCheckError(f"{where} has a fixed batch of {b}; export it with a dynamic batch axis (or batch 1)")


def _image_io(t: TensorSpec, shape: tuple[int, int, int], where: str) -> bool:
    """Check an image tensor's declaration against (C, H, W); True when it is flattened."""
    if t.elem_type != FLOAT:
        raise ImportCheckError(f"{where} is {t.describe()}; images must be float32")
    if t.rank == 4:
        for got, want in zip(t.dims[1:], shape):
            if got is not None and got != want:
                raise ImportCheckError(f"{where} is {t.describe()}, but the dataset's images are "
                                       f"{list(shape)} (C, H, W)")
        return False
    if t.rank == 2:
        if t.dims[1] is not None and t.dims[1] != math.prod(shape):
            raise ImportCheckError(f"{where} is {t.describe()}, but the dataset's images flatten to "
                                   f"{math.prod(shape)} numbers ({'×'.join(map(str, shape))})")
        return True
    raise ImportCheckError(f"{where} is {t.describe()}; images must be (N, C, H, W) or flattened (N, C·H·W)")


def _label_io(t: TensorSpec, num_classes: int, where: str) -> str:
    if t.elem_type == INT64 and t.rank == 1:
        return "index"
    if t.elem_type == FLOAT and t.rank == 2:
        if t.dims[1] is not None and t.dims[1] != num_classes:
            raise ImportCheckError(f"{where} is a one-hot label {t.describe()}, but the dataset has {num_classes} "
                                   "classes")
        return "onehot"
    raise ImportCheckError(f"{where} is {t.describe()}; a label must be one-hot float32 (N, K) or int64 (N,)")


def _latent_io(t: TensorSpec, where: str) -> int | None:
    if t.elem_type != FLOAT or t.rank != 2:
        raise ImportCheckError(f"{where} is {t.describe()}; a latent must be float32 (N, d) (flatten it in the graph)")
    return t.dims[1]


def check_pair(enc: GraphSpec, dec: GraphSpec, image_shape: tuple[int, int, int], num_classes: int) -> Contract:
    """The two graphs against the contract and each other, and the images against the dataset's
    (C, H, W). ``num_classes``: the dataset's, for a conditional model's label."""
    if not 1 <= len(enc.inputs) <= 2:
        raise ImportCheckError(f"the encoder has {len(enc.inputs)} inputs; it takes the images and, for a "
                               "conditional model, a label")
    if not 1 <= len(enc.outputs) <= 2:
        raise ImportCheckError(f"the encoder has {len(enc.outputs)} outputs; it gives z, or mu and logvar")
    conditional = len(enc.inputs) == 2
    kind = "ae" if len(enc.outputs) == 1 else ("cvae" if conditional else "vae")
    if conditional and kind == "ae":
        raise ImportCheckError("the encoder takes a label but gives one output; a conditional model must give "
                               "mu and logvar (kind cvae)")
    if len(dec.inputs) != len(enc.inputs):
        raise ImportCheckError(f"the encoder has {len(enc.inputs)} inputs but the decoder {len(dec.inputs)}; "
                               "a conditional model gives the label to both, an unconditional one to neither")
    if len(dec.outputs) != 1:
        raise ImportCheckError(f"the decoder has {len(dec.outputs)} outputs; it gives the images only")
    for t, where in ((*enc.inputs, *enc.outputs), "encoder"), ((*dec.inputs, *dec.outputs), "decoder"):
        for s in t:
            if s.rank is None or s.rank == 0:
                raise ImportCheckError(f"the {where}'s {_short(s.name, 40)} declares no shape; export with shapes")
    flat_in = _image_io(enc.inputs[0], image_shape, "the encoder's input")
    flat_out = _image_io(dec.outputs[0], image_shape, "the decoder's output")
    ds = [_latent_io(t, f"the encoder's output {i + 1}") for i, t in enumerate(enc.outputs)]
    d_dec = _latent_io(dec.inputs[0], "the decoder's input")
    known = {d for d in (*ds, d_dec) if d is not None}
    if len(known) > 1:
        raise ImportCheckError(f"the latent sizes disagree: encoder gives {ds}, decoder takes {d_dec}")
    if known and not 1 <= min(known) <= max(known) <= MAX_LATENT:
        raise ImportCheckError(f"a latent of {max(known)} numbers; this library takes 1 to {MAX_LATENT}")
    label = None
    if conditional:
        label = _label_io(enc.inputs[1], num_classes, "the encoder's label input")
        if _label_io(dec.inputs[1], num_classes, "the decoder's label input") != label:
            raise ImportCheckError("the encoder and the decoder take the label in different forms "
                                   f"({enc.inputs[1].describe()} and {dec.inputs[1].describe()})")
    enc_b1 = any(_batch_axis(t, f"the encoder's {_short(t.name, 40)}") for t in (*enc.inputs, *enc.outputs))
    dec_b1 = any(_batch_axis(t, f"the decoder's {_short(t.name, 40)}") for t in (*dec.inputs, *dec.outputs))
    return Contract(kind, known.pop() if known else None, flat_in, flat_out, label,
                    num_classes if conditional else 0, enc_b1, dec_b1,
                    tuple(t.name for t in enc.inputs), tuple(t.name for t in dec.inputs))


# ------------------------------------------------------------------ the model

@dataclass(frozen=True)
class OnnxConfig:
    """The read-only face of ModelConfig for an imported model (``backbone`` "onnx"): what the
    library and the app read from ``model.config``."""
    kind: str
    image_shape: tuple[int, int, int]
    latent_dim: int
    recon_loss: str = "bce"
    num_classes: int = 0
    decoder_output: str = "probs"
    backbone: str = "onnx"
    channels: tuple[int, ...] = ()
    hidden: int = 0

    @property
    def in_channels(self) -> int:
        return self.image_shape[0]

    @property
    def image_size(self) -> int:
        return self.image_shape[1]

    @property
    def latent_size(self) -> int:
        return self.latent_dim

    def to_dict(self) -> dict:
        return {"kind": self.kind, "backbone": self.backbone, "in_channels": self.in_channels,
                "image_size": self.image_size, "image_shape": list(self.image_shape), "latent_dim": self.latent_dim,
                "recon_loss": self.recon_loss, "num_classes": self.num_classes, "decoder_output": self.decoder_output}


def providers() -> list[str]:
    """CUDA when this onnxruntime has it, else the CPU."""
    import onnxruntime as ort

    have = ort.get_available_providers()
    return [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in have]


def ort_errors() -> tuple[type[Exception], ...]:
    """What onnxruntime raises for a graph it cannot load or run (its own types, not RuntimeError)."""
    from onnxruntime.capi import onnxruntime_pybind11_state as S

    return (S.Fail, S.InvalidArgument, S.RuntimeException, S.InvalidGraph, S.NoSuchFile, S.NotImplemented,
            S.InvalidProtobuf, S.ModelLoaded, S.NoModel, S.EPFail)


def make_session(model_bytes: bytes, threads: int = 1, inter_threads: int = 1):
    """An InferenceSession with ``threads`` intra-op threads (default 1: the app runs big encodes
    on single-threaded workers, ``vae_core.latent.in_batches``, and one team per call would
    oversubscribe them) and sequential execution."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = inter_threads
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.log_severity_level = 3  # errors only: warnings would print on the CLI's stderr
    return ort.InferenceSession(model_bytes, sess_options=so, providers=providers())


class OnnxModel(AE):
    """An imported encoder/decoder pair behind AE's verbs. AE's ``forward``, ``latent``,
    ``reconstruct``, ``prior_draw``, ``sample`` and ``decode_flat`` are written on ``encode`` and
    ``decode``, which this class supplies; ``AE.__init__`` (which builds torch layers) is not run.

    Tensors go in and come out on ``self.device`` (CPU unless ``.to`` moved it), whatever provider
    onnxruntime uses inside. There are no weights here to train: ``parameters()`` yields one
    empty anchor tensor (its device is the model's), ``has_weights`` is False, and training or the
    layer table refuse it (``vae_core.capabilities``)."""

    has_weights = False
    source = "onnx"

    def __init__(self, encoder: bytes, decoder: bytes, contract: Contract, config: OnnxConfig,
                 threads: int = 1, inter_threads: int = 1):
        nn.Module.__init__(self)
        self.config = config
        self.contract = contract
        self._anchor = nn.Parameter(torch.zeros(0), requires_grad=False)
        self.feature_shape = (config.latent_dim,)
        self.threads = threads
        self.enc_session = make_session(encoder, threads, inter_threads)
        self.dec_session = make_session(decoder, threads, inter_threads)

    @property
    def spec(self) -> Kind:
        return KINDS[self.config.kind]

    @property
    def label_width(self) -> int:
        return self.config.num_classes if self.conditional else 0

    @property
    def takes_soft_labels(self) -> bool:
        """A one-hot label input reads a mix of classes; an index input cannot."""
        return self.conditional and self.contract.label == "onehot"

    @property
    def latent_shape(self) -> tuple[int, ...]:
        return (self.config.latent_dim,)

    @property
    def device(self) -> torch.device:
        return self._anchor.device

    def _label(self, y: torch.Tensor | None, n: int) -> np.ndarray:
        """n labels (or one for all) → the label input's form: int64 (n,) or one-hot float32 (n, K)."""
        if y is None:
            raise ValueError(f"a {self.config.kind} model needs class labels y")
        y = torch.as_tensor(y)
        if y.dim() == 2 and y.is_floating_point():  # soft one-hot labels (an interpolation's mix)
            if not self.takes_soft_labels or y.shape != (n, self.config.num_classes):
                raise ValueError(f"this decoder takes {n} class indices, not soft labels of shape {tuple(y.shape)}")
            return y.float().cpu().numpy()
        y = y.reshape(-1).long().cpu()
        if y.numel() == 1:
            y = y.expand(n).contiguous()
        k = self.config.num_classes
        if len(y) != n or (len(y) and (int(y.min()) < 0 or int(y.max()) >= k)):
            raise ValueError(f"labels must be {n} integers in 0..{k - 1}")
        if self.contract.label == "index":
            return y.numpy()
        return F.one_hot(y, k).float().numpy()

    def _run(self, session, names: tuple[str, ...], arrays: list[np.ndarray], row_by_row: bool) -> list[np.ndarray]:
        if not row_by_row or len(arrays[0]) <= 1:
            return session.run(None, dict(zip(names, arrays)))
        rows = [session.run(None, {k: a[i:i + 1] for k, a in zip(names, arrays)}) for i in range(len(arrays[0]))]
        return [np.concatenate([r[j] for r in rows]) for j in range(len(rows[0]))]

    def encode(self, x: torch.Tensor, y: torch.Tensor | None = None) -> Encoding:
        n = len(x)
        c = self.contract
        xa = x.detach().to("cpu", torch.float32).contiguous()
        arrays = [(xa.reshape(n, -1) if c.flat_input else xa).numpy()]
        if self.conditional:
            arrays.append(self._label(y, n))
        outs = self._run(self.enc_session, c.enc_names, arrays, c.enc_batch1)
        d = self.config.latent_dim
        t = [torch.from_numpy(_shaped(o, (n, d), "encoder")).to(self.device) for o in outs]
        return Encoding(t[0], t[1] if self.variational else None)

    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        n = len(z)
        c = self.contract
        arrays = [z.detach().to("cpu", torch.float32).reshape(n, -1).contiguous().numpy()]
        if self.conditional:
            arrays.append(self._label(y, n))
        (out,) = self._run(self.dec_session, c.dec_names, arrays, c.dec_batch1)
        x = torch.from_numpy(_shaped(out, (n, *self.config.image_shape), "decoder"))
        x = torch.sigmoid(x) if self.config.decoder_output == "logits" else x.clamp_(0, 1)
        return x.to(self.device)

    def draw(self, enc: Encoding, generator: torch.Generator | None = None) -> torch.Tensor:
        if enc.logvar is None:
            return enc.mu
        return VAE.reparameterize(enc.mu, enc.logvar, generator)


def _shaped(a: np.ndarray, shape: tuple[int, ...], where: str) -> np.ndarray:
    if a.size != math.prod(shape) or a.dtype != np.float32:
        raise ImportCheckError(f"the {where} returned {a.dtype} {list(a.shape)}, expected float32 {list(shape)}")
    return a.reshape(shape)


# ------------------------------------------------------------------ the trial run

def trial_run(model: OnnxModel, x: torch.Tensor, y: torch.Tensor | None = None) -> None:
    """Encode two images, decode their codes and two prior draws: every output finite, of the
    contract's shape, and (a probabilities decoder) in [0, 1]. Raises ImportCheckError."""
    cfg = model.config
    errors = (*ort_errors(), ValueError, RuntimeError)
    part = "encoder"
    try:
        with torch.inference_mode():
            enc = model.encode(x, y)
            for t, what in ((enc.mu, "z/mu"), (enc.logvar, "logvar")):
                if t is not None and not torch.isfinite(t).all():
                    raise ImportCheckError(f"the trial run on two images gave a non-finite {what} (NaN or inf) "
                                           "from the encoder")
            if enc.logvar is not None and enc.logvar.abs().max() > 80:
                raise ImportCheckError(f"the trial run gave logvar {enc.logvar.abs().max():.3g} in size; "
                                       "exp(logvar/2) overflows (is the second output log σ²?)")
            part = "decoder"
            z = torch.cat([enc.mu, torch.randn((2, cfg.latent_dim), generator=torch.Generator().manual_seed(0))])
            yy = None if y is None else torch.cat([y, y])
            arrays = [z.numpy(), *([model._label(yy, 4)] if model.conditional else [])]
            raw = model._run(model.dec_session, model.contract.dec_names, arrays, model.contract.dec_batch1)[0]
    except ImportCheckError:
        raise
    except errors as e:
        first = one_line(e)
        raise ImportCheckError(f"the trial run failed in the {part}: {first}") from None
    if raw.shape[0] != 4 or raw.size != 4 * math.prod(cfg.image_shape):
        raise ImportCheckError(f"the trial run's decoder gave {list(raw.shape)}, expected images "
                               f"[4, {', '.join(map(str, cfg.image_shape))}] or flattened")
    if not np.isfinite(raw).all():
        raise ImportCheckError("the trial run gave non-finite images (NaN or inf) from the decoder")
    if cfg.decoder_output == "probs" and (raw.min() < -RANGE_TOLERANCE or raw.max() > 1 + RANGE_TOLERANCE):
        raise ImportCheckError(f"the trial run's decoder gave values in [{raw.min():.3g}, {raw.max():.3g}], not "
                               "probabilities in [0, 1]; if they are logits, pass --decoder-output logits")


def latent_dim_from_trial(enc_bytes: bytes, contract: Contract, image_shape: tuple[int, int, int],
                          num_classes: int) -> int:
    """d for graphs that leave it symbolic: one encode of one synthetic image."""
    sess = make_session(enc_bytes)
    x = np.random.default_rng(0).random((1, *image_shape), dtype=np.float32)
    arrays = [x.reshape(1, -1) if contract.flat_input else x]
    if contract.label == "index":
        arrays.append(np.zeros(1, np.int64))
    elif contract.label == "onehot":
        arrays.append(np.eye(num_classes, dtype=np.float32)[:1])
    try:
        out = sess.run(None, dict(zip(contract.enc_names, arrays)))[0]
    except ort_errors() as e:
        first = one_line(e)
        raise ImportCheckError(f"the trial run failed in the encoder: {first}") from None
    if out.ndim != 2 or out.shape[0] != 1 or not 1 <= out.shape[1] <= MAX_LATENT:
        raise ImportCheckError(f"the encoder gave {list(out.shape)} for one image; a latent must be (N, d), "
                               f"1 ≤ d ≤ {MAX_LATENT}")
    return int(out.shape[1])
