"""Datasets: a registry of names, an npz cache, torchvision download, and image folder/zip import.

Names: ``digits`` (scikit-learn's 8×8 digits scaled to 28×28; ships with scikit-learn, so
it works offline), ``mnist``, ``fashion-mnist``, ``cifar10``, ``npz:PATH``, ``folder:PATH``
(a folder or .zip with one sub-folder per label, optionally under ``train/`` and ``test/``).

Data lives in memory as uint8 tensors (N, C, H, W); batches are index slices converted to
float in [0, 1] with :func:`to_float`. The cache is ``<data dir>/<file>.npz`` holding uint8
``x_train, y_train, x_test, y_test`` (NHW grey, NHWC RGB). The data dir is the argument,
else ``$VAE_EXPLORER_DATA``, else ``./data``. Nothing is written there unless a download
was asked for.
"""

from __future__ import annotations

import io
import math
import os
import socket
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .errors import DataError
from .files import atomic_write

DATA_ENV = "VAE_EXPLORER_DATA"
IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
MAX_FOLDER_IMAGES = 200_000
MAX_ZIP_BYTES = 2 << 30  # uncompressed, guards against zip bombs
MAX_NPZ_BYTES = 4 << 30  # all four arrays of an npz together (CIFAR-10 is 0.18 GiB)
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
DOWNLOAD_TIMEOUT_S = 30.0  # a download that hears nothing this long fails instead of hanging
MAX_CLASSES = 1000  # labels are 0..K-1 with K at most this (ModelConfig.num_classes has the same cap)
IMAGE_SIZES = (4, 512)  # the image sizes a dataset may be loaded at (ModelConfig.image_size has the same range)
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


@dataclass(frozen=True)
class BuiltinSpec:
    file: str
    torchvision_name: str
    classes: tuple[str, ...]


DIGIT_CLASSES = tuple(str(i) for i in range(10))
BUILTIN = {
    "mnist": BuiltinSpec("mnist.npz", "MNIST", DIGIT_CLASSES),
    "fashion-mnist": BuiltinSpec(
        "fashion_mnist.npz",
        "FashionMNIST",
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    ),
    "cifar10": BuiltinSpec(
        "cifar10.npz",
        "CIFAR10",
        ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
    ),
}
DATASET_NAMES = ("digits", *BUILTIN)
# The image shape each builtin name stands for (C, H, W). ``digits`` is grey at any size
# (it is resized on load: ``--image-size``), so only its channel count is fixed.
BUILTIN_IMAGE_SHAPES = {"mnist": (1, 28, 28), "fashion-mnist": (1, 28, 28), "cifar10": (3, 32, 32)}
DIGITS_CHANNELS = 1


@dataclass
class Dataset:
    name: str
    x_train: torch.Tensor  # uint8 (N, C, H, W)
    y_train: torch.Tensor  # int64 (N,)
    x_test: torch.Tensor  # uint8 (M, C, H, W)
    y_test: torch.Tensor  # int64 (M,)
    classes: tuple[str, ...]

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_test.shape[1:])  # type: ignore[return-value]

    def split(self, split: str) -> tuple[torch.Tensor, torch.Tensor]:
        if split not in ("train", "test"):
            raise DataError(f"split must be 'train' or 'test', got {split!r}")
        return (self.x_train, self.y_train) if split == "train" else (self.x_test, self.y_test)

    def label_name(self, y: int) -> str:
        return self.classes[y] if 0 <= y < len(self.classes) else str(y)


def to_float(x: torch.Tensor) -> torch.Tensor:
    """uint8 (B, C, H, W) → float32 in [0, 1]."""
    return x.float().div_(255.0)


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``explicit``, else ``$VAE_EXPLORER_DATA``, else ``./data``; an empty or blank value counts as unset."""
    if explicit and str(explicit).strip():
        return Path(explicit)
    env = os.environ.get(DATA_ENV, "")
    return Path(env if env.strip() else "data")


def check_compatible(model_or_shape, images, error: type = DataError) -> None:
    """Raise ``error`` (one line, code ``shape_mismatch``) unless the images have the shape a model
    takes. ``model_or_shape``: a (C, H, W) tuple, or anything with ``image_shape`` (a ModelConfig)
    or ``config.image_shape`` (a model). ``images``: a Dataset, or a batch tensor (N, C, H, W)."""
    shape = model_or_shape
    if hasattr(shape, "config"):
        shape = shape.config
    shape = tuple(getattr(shape, "image_shape", shape))
    found = tuple(images.image_shape) if hasattr(images, "image_shape") else tuple(images.shape[1:])
    name = getattr(images, "name", "the images")
    if shape != found:
        raise error(f"the model expects images {shape} (channels, height, width), {name} has {found}",
                    code="shape_mismatch", params={"expected": list(shape), "found": list(found), "dataset": name})


def check_label_range(y: np.ndarray, what: str, limit: int = MAX_CLASSES) -> None:
    """Labels are integers 0..K-1 with K <= ``limit``; checked on the array as stored (a uint64
    label of 2**63 or more is not read as a negative number), before anything is sized by them."""
    if not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"{what}: labels must be integers, got {y.dtype}", code="bad_labels",
                        params={"path": what, "min": None, "max": None, "limit": limit})
    if y.size and (y.min() < 0 or y.max() >= limit):
        lo, hi = int(y.min()), int(y.max())
        raise DataError(f"{what}: labels must be whole numbers 0..K-1 with K at most {limit:,}; found {lo:,}..{hi:,}",
                        code="bad_labels", params={"path": what, "min": lo, "max": hi, "limit": limit})


def _nchw(x: np.ndarray, what: str) -> torch.Tensor:
    if x.dtype != np.uint8:
        raise DataError(f"{what}: images must be uint8, got {x.dtype}")
    if x.ndim == 3:
        x = x[:, None]
    elif x.ndim == 4 and x.shape[-1] in (1, 3):
        x = x.transpose(0, 3, 1, 2)
    else:
        raise DataError(f"{what}: images must be NHW (grey) or NHWC with 1 or 3 channels, got shape {x.shape}")
    return torch.from_numpy(np.ascontiguousarray(x))


def _labels(y: np.ndarray, n: int, what: str) -> torch.Tensor:
    if y.ndim != 1 or y.shape[0] != n or not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"{what}: labels must be {n} integers, got {y.dtype} {y.shape}")
    check_label_range(y, what)
    return torch.from_numpy(y.astype(np.int64))


def _npy_header(f) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) from the header of an .npy stream, reading nothing past it."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise ValueError(f"npy format version {version} is not supported")
    return shape, dtype


def _read_npz(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The arrays ``keys`` of an npz (others are never read), each checked from its npy header
    before any memory is given to it: images uint8 NHW/NHWC, labels 1-D integers as many as the
    images, all together at most MAX_NPZ_BYTES."""
    what = path.name
    with zipfile.ZipFile(path) as zf:
        members = {i.filename[:-4]: i for i in zf.infolist() if i.filename.endswith(".npy")}
        declared: dict[str, tuple[tuple[int, ...], int]] = {}  # shape, bytes with the npy header
        total = 0
        for k in keys:
            if k not in members:
                continue
            with zf.open(members[k]) as f:
                shape, dtype = _npy_header(f)
                header_bytes = f.tell()
            if dtype.hasobject or dtype.fields is not None:
                raise DataError(f"{what}: not a readable npz of plain arrays ({k} holds Python objects or records)")
            if k.startswith("x_") and (dtype != np.uint8 or not (
                    len(shape) == 3 or (len(shape) == 4 and shape[-1] in (1, 3)))):
                raise DataError(f"{what} {k}: images must be uint8 NHW (grey) or NHWC with 1 or 3 channels, "
                                f"got {dtype} {shape}")
            if k.startswith("y_") and (dtype.kind not in "iu" or len(shape) != 1):
                raise DataError(f"{what} {k}: labels must be a 1-D array of integers, got {dtype} {shape}")
            nbytes = math.prod(shape) * dtype.itemsize
            total += nbytes
            if total > MAX_NPZ_BYTES:
                raise DataError(f"{what}: its arrays declare over {MAX_NPZ_BYTES / 2**30:g} GiB; "
                                f"this library reads at most that")
            declared[k] = shape, header_bytes + nbytes
        for split in ("train", "test"):
            x, y = declared.get(f"x_{split}"), declared.get(f"y_{split}")
            if x and y and x[0][0] != y[0][0]:
                raise DataError(f"{what}: y_{split} has {y[0][0]:,} labels for {x[0][0]:,} images in x_{split}")
        for k, (_, need) in declared.items():
            if need > members[k].file_size:
                raise DataError(f"{what} {k}: declares {need:,} bytes but holds {members[k].file_size:,} (truncated)")
        arrays = {}
        for k in declared:
            with zf.open(members[k]) as f:
                arrays[k] = np.lib.format.read_array(f, allow_pickle=False)
    return arrays


def load_npz(path: str | os.PathLike, name: str | None = None, classes: tuple[str, ...] | None = None,
             require_train: bool = True) -> Dataset:
    """Read an npz of uint8 arrays (never with pickle). ``require_train=False`` accepts a
    test-only file (a shipped sample); its train split is then empty. Only the four arrays
    x_train, y_train, x_test, y_test are read, after their headers are checked (see _read_npz)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such file: {path}")
    try:
        arrays = _read_npz(path, NPZ_KEYS)
    except DataError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, zlib.error, RuntimeError, NotImplementedError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise DataError(f"{path.name}: not a readable npz of plain arrays ({msg})") from None
    need = ["x_test", "y_test"] + (["x_train", "y_train"] if require_train else [])
    missing = [k for k in need if k not in arrays]
    if missing:
        raise DataError(f"{path.name}: missing array(s) {', '.join(missing)} (need uint8 x_train, y_train, x_test, y_test)")
    x_test = _nchw(arrays["x_test"], f"{path.name} x_test")
    y_test = _labels(arrays["y_test"], x_test.shape[0], f"{path.name} y_test")
    if "x_train" in arrays and "y_train" in arrays:
        x_train = _nchw(arrays["x_train"], f"{path.name} x_train")
        y_train = _labels(arrays["y_train"], x_train.shape[0], f"{path.name} y_train")
        if x_train.shape[1:] != x_test.shape[1:]:
            raise DataError(f"{path.name}: train images {tuple(x_train.shape[1:])} and test images {tuple(x_test.shape[1:])} differ")
    else:
        x_train = x_test[:0]
        y_train = y_test[:0]
    if x_test.shape[0] == 0:
        raise DataError(f"{path.name}: the test split is empty")
    n_cls = int(max(y_train.max().item() if len(y_train) else 0, y_test.max().item())) + 1
    return Dataset(name or f"npz:{path}", x_train, y_train, x_test, y_test,
                   classes or tuple(str(i) for i in range(n_cls)))


def save_npz(path: str | os.PathLike, ds: Dataset) -> None:
    """Write the cache format atomically (NHW grey, NHWC RGB)."""
    def back(x: torch.Tensor) -> np.ndarray:
        a = x.numpy()
        return a[:, 0] if a.shape[1] == 1 else a.transpose(0, 2, 3, 1)

    atomic_write(path, lambda f: np.savez_compressed(
        f, x_train=back(ds.x_train), y_train=ds.y_train.numpy().astype(np.uint8),
        x_test=back(ds.x_test), y_test=ds.y_test.numpy().astype(np.uint8)), error=DataError)


def load_digits(size: int = 28) -> Dataset:
    """scikit-learn's 1,797 8×8 digits (values 0..16), scaled to size×size, split 80/20 with a fixed seed."""
    from sklearn.datasets import load_digits as sk_digits

    d = sk_digits()
    x = torch.from_numpy(d.images.astype(np.float32) / 16.0)[:, None]  # (N, 1, 8, 8)
    x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    x = (x.clamp(0, 1) * 255).round().to(torch.uint8)
    y = torch.from_numpy(d.target.astype(np.int64))
    perm = torch.from_numpy(np.random.RandomState(0).permutation(len(y)))
    n_test = len(y) // 5
    te, tr = perm[:n_test], perm[n_test:]
    return Dataset("digits", x[tr], y[tr], x[te], y[te], DIGIT_CLASSES)


def download_builtin(name: str, directory: Path) -> Path:
    """Download with torchvision (progress bar on stderr) and write ``<dir>/<file>.npz``.

    torchvision opens its URLs with no timeout, so a network that accepts connections but
    never answers would hang here for good: while it runs, sockets get a default timeout of
    DOWNLOAD_TIMEOUT_S seconds (process-wide, restored afterwards), and a silence that long
    raises TimeoutError."""
    import torchvision.datasets as tvd

    spec = BUILTIN[name]
    cls = getattr(tvd, spec.torchvision_name)
    directory.mkdir(parents=True, exist_ok=True)
    before = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        with tempfile.TemporaryDirectory(dir=directory, prefix=".download-") as root:
            parts = {}
            for train in (True, False):
                ds = cls(root=root, train=train, download=True)
                x = np.asarray(ds.data, dtype=np.uint8)
                parts["train" if train else "test"] = (x, np.asarray(ds.targets, dtype=np.int64))
    finally:
        socket.setdefaulttimeout(before)
    x_tr, y_tr = parts["train"]
    x_te, y_te = parts["test"]
    out = directory / spec.file
    save_npz(out, Dataset(name, _nchw(x_tr, name), torch.from_numpy(y_tr), _nchw(x_te, name),
                          torch.from_numpy(y_te), spec.classes))
    return out


def load_builtin(name: str, directory: str | os.PathLike | None = None, download: bool = True) -> Dataset:
    spec = BUILTIN[name]
    d = data_dir(directory)
    path = d / spec.file
    if not path.is_file():
        hint = (f"place {spec.file} (uint8 x_train, y_train, x_test, y_test) in {d.resolve()}, "
                f"or set --data-dir / ${DATA_ENV}")
        if not download:
            raise DataError(f"{name}: {path} not found; {hint}", code="dataset_missing",
                            params={"dataset": name, "path": str(path)})
        try:
            download_builtin(name, d)
        except TimeoutError:
            raise DataError(f"{name}: {path} not found and the download timed out (no answer for "
                            f"{DOWNLOAD_TIMEOUT_S:g} s); {hint}", code="dataset_missing",
                            params={"dataset": name, "path": str(path)}) from None
        except (OSError, RuntimeError) as e:  # URLError is an OSError
            raise DataError(f"{name}: {path} not found and the download failed ({type(e).__name__}: "
                            f"{str(e).splitlines()[0] if str(e) else ''}); {hint}", code="dataset_missing",
                            params={"dataset": name, "path": str(path)}) from None
    return load_npz(path, name, spec.classes)


# ---------------------------------------------------------------- image folders and zips

def _to_8bit(im, where: str):
    """8-bit grey from PIL's wide grey modes, which ``convert("L")`` clips instead of scaling:
    16-bit (I;16*) and 32-bit integer (I, as 16-bit PNG/TIFF open in older Pillow) map the
    16-bit range 0..65535 onto 0..255 (÷257, rounded); an I image with values outside that range
    is refused. Float (F) images in [0, 1] are scaled by 255; other float ranges are refused
    (there is no one right scale for them). Every other mode is returned unchanged."""
    from PIL import Image

    mode = im.mode
    if not (mode.startswith("I;16") or mode in ("I", "F")):
        return im
    a = np.asarray(im)
    if mode == "F":
        if not (np.isfinite(a).all() and a.min() >= 0 and a.max() <= 1):
            raise DataError(f"cannot read image {where}: a float image with values outside [0, 1]; "
                            "save it as an 8- or 16-bit image")
        return Image.fromarray(np.rint(a * 255).astype(np.uint8), "L")
    a = a.astype(np.int64)
    if a.min() < 0 or a.max() > 65535:
        raise DataError(f"cannot read image {where}: a 32-bit image with values outside 0..65535; "
                        "save it as an 8- or 16-bit image")
    return Image.fromarray(((a + 128) // 257).astype(np.uint8), "L")


def _decode_image(data: bytes, where: str, size: int, channels: int) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im = _to_8bit(im, where).convert("L" if channels == 1 else "RGB").resize((size, size), Image.BILINEAR)
            a = np.asarray(im, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        raise DataError(f"cannot read image {where}: {type(e).__name__}: {e}") from None
    return a[None] if channels == 1 else a.transpose(2, 0, 1)


def _zip_read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    try:
        return zf.read(info)
    except RuntimeError:  # what zipfile raises for an encrypted member
        raise DataError(f"{where}: {info.filename} is encrypted; make the zip without a password") from None
    except NotImplementedError:  # an unsupported compression method
        raise DataError(f"{where}: {info.filename} uses a compression method that cannot be read here; "
                        "zip it again with the usual (deflate) method") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as e:
        raise DataError(f"{where}: {info.filename} is damaged ({e}); zip the folder again") from None


def _list_entries(path: Path) -> list[tuple[tuple[str, ...], callable]]:
    """(relative path parts, reader) for every image file in a folder or zip. ``path`` must be a
    folder or a regular .zip file; anything else (a device such as /dev/zero, a FIFO, a socket)
    is refused from its stat alone, without opening it."""
    try:
        mode = path.stat().st_mode  # follows a symlink to what it points at; opens nothing
    except OSError:
        raise DataError(f"{path}: no such folder or .zip file", code="not_a_folder", params={"path": str(path)}) from None
    if not (stat.S_ISDIR(mode) or (stat.S_ISREG(mode) and path.suffix.lower() == ".zip")):
        raise DataError(f"{path}: not a folder or a .zip file", code="not_a_folder", params={"path": str(path)})
    entries = []
    if stat.S_ISDIR(mode):
        for p in sorted(path.rglob("*")):
            if p.is_file() and p.suffix.lower() in IMAGE_EXTS and not any(s.startswith(".") for s in p.relative_to(path).parts):
                entries.append((p.relative_to(path).parts, p.read_bytes))
    elif zipfile.is_zipfile(path):
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise DataError(f"{path.name}: a damaged zip file ({e}); zip the folder again") from None
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise DataError(f"{path.name}: uncompressed size over {MAX_ZIP_BYTES >> 30} GiB")
        for i in sorted(infos, key=lambda i: i.filename):
            parts = tuple(s for s in i.filename.replace("\\", "/").split("/") if s)
            if (any(s.startswith(".") or s == "__MACOSX" or s == ".." for s in parts)
                    or Path(parts[-1]).suffix.lower() not in IMAGE_EXTS):
                continue
            if i.flag_bits & 0x1:
                raise DataError(f"{path.name}: {i.filename} is encrypted; make the zip without a password")
            if i.compress_type not in ZIP_METHODS:
                raise DataError(f"{path.name}: {i.filename} uses zip compression method {i.compress_type}, which "
                                "cannot be read here; zip it again with the usual (deflate) method")
            entries.append((parts, lambda i=i: _zip_read(zf, i, path.name)))
    else:
        raise DataError(f"{path}: not a folder or a .zip file")
    # strip one wrapping folder ("mydata/cats/1.png" → "cats/1.png")
    while entries and all(len(p) >= 3 for p, _ in entries) and len({p[0] for p, _ in entries}) == 1:
        entries = [(p[1:], r) for p, r in entries]
    if len(entries) > MAX_FOLDER_IMAGES:
        raise DataError(f"{path.name}: more than {MAX_FOLDER_IMAGES} images")
    return entries


def load_folder(path: str | os.PathLike, image_size: int = 32, channels: int = 3, test_fraction: float = 0.2) -> Dataset:
    """One sub-folder per label (``cats/1.png``), or ``train/<label>/…`` and ``test/<label>/…``.
    Without train/test folders, every 1/test_fraction-th image of each label goes to test."""
    path = Path(path)
    check_image_args(image_size, channels)
    entries = _list_entries(path)
    if not entries:
        raise DataError(f"{path}: no images found (expected one sub-folder per label)")
    tops = {p[0] for p, _ in entries}
    presplit = tops == {"train", "test"}
    label_of = (lambda p: p[1]) if presplit else (lambda p: p[0])
    bad = [p for p, _ in entries if len(p) != (3 if presplit else 2)]
    if bad:
        raise DataError(f"{path.name}: {'/'.join(bad[0])} is not inside exactly one label folder")
    classes = tuple(sorted({label_of(p) for p, _ in entries}))
    if len(classes) > MAX_CLASSES:
        raise DataError(f"{path.name}: {len(classes):,} label folders; at most {MAX_CLASSES:,} labels are supported",
                        code="bad_labels", params={"path": str(path), "min": 0, "max": len(classes) - 1,
                                                   "limit": MAX_CLASSES})
    cls_idx = {c: i for i, c in enumerate(classes)}
    xs: dict[str, list[np.ndarray]] = {"train": [], "test": []}
    ys: dict[str, list[int]] = {"train": [], "test": []}
    seen: dict[str, int] = {}
    every = max(2, round(1 / test_fraction)) if test_fraction > 0 else 0
    for parts, read in entries:
        label = label_of(parts)
        if presplit:
            split = parts[0]
        else:
            k = seen[label] = seen.get(label, -1) + 1
            split = "test" if every and k % every == every - 1 else "train"
        xs[split].append(_decode_image(read(), "/".join(parts), image_size, channels))
        ys[split].append(cls_idx[label])
    if not xs["test"]:
        raise DataError(f"{path.name}: too few images to hold out a test split")

    def stack(s: str) -> torch.Tensor:
        return torch.from_numpy(np.stack(xs[s])) if xs[s] else torch.zeros((0, channels, image_size, image_size), dtype=torch.uint8)

    return Dataset(f"folder:{path}", stack("train"), torch.tensor(ys["train"], dtype=torch.int64),
                   stack("test"), torch.tensor(ys["test"], dtype=torch.int64), classes)


def check_image_args(image_size: int | None, channels: int | None) -> None:
    """The size and channel count a dataset may be loaded at: a whole number in 4..512, 1 or 3
    (None: the dataset's own). Checked before anything is read or allocated."""
    lo, hi = IMAGE_SIZES
    if image_size is not None and (isinstance(image_size, bool) or not isinstance(image_size, int)
                                   or not lo <= image_size <= hi):
        raise DataError(f"image size must be a whole number in {lo}..{hi}, got {image_size!r}")
    if channels is not None and channels not in (1, 3):
        raise DataError(f"channels must be 1 or 3, got {channels!r}")


def load_dataset(name: str, directory: str | os.PathLike | None = None, *, download: bool = True,
                 image_size: int | None = None, channels: int | None = None) -> Dataset:
    """Load a dataset by registry name (see the module docstring). ``image_size`` and ``channels``
    (a model's, so that a folder loads at the shape the model takes): ``folder:`` images are
    resized and converted to them, ``digits`` is scaled to the size; the other datasets have
    fixed shapes (compare with :func:`check_compatible`). The default folder shape is 3×32×32."""
    check_image_args(image_size, channels)
    if name == "digits":
        return load_digits(28 if image_size is None else image_size)
    if name in BUILTIN:
        return load_builtin(name, directory, download)
    if name.startswith("npz:"):
        return load_npz(name[4:], name)
    if name.startswith("folder:"):
        return load_folder(name[7:], 32 if image_size is None else image_size, 3 if channels is None else channels)
    raise DataError(f"unknown dataset {name!r}; choose from {', '.join(DATASET_NAMES)}, npz:PATH, folder:PATH")


def sample_path(name: str, samples_dir: str | os.PathLike) -> Path:
    """Where a shipped test sample of a builtin dataset lives: ``<samples_dir>/<name>.npz``."""
    return Path(samples_dir) / f"{name}.npz"


def load_with_fallback(name: str, directory: str | os.PathLike | None, samples_dir: str | os.PathLike,
                       image_size: int | None = None, channels: int | None = None) -> tuple[Dataset, str]:
    """For the app: the full dataset when its npz is in the data dir (never downloads),
    else the shipped test sample. Returns (dataset, "full" | "sample"); a sample has an empty
    train split. Raises DataError when neither is there. ``image_size``/``channels``: a model's,
    for ``folder:`` and ``digits`` (see load_dataset); compare with check_compatible after."""
    if name in BUILTIN:
        try:
            return load_builtin(name, directory, download=False), "full"
        except DataError as full_err:
            p = sample_path(name, samples_dir)
            if not p.is_file():
                raise DataError(f"{full_err}; no shipped sample at {p} either", code="dataset_missing",
                                params={**full_err.params, "sample": str(p)}) from None
            return load_npz(p, name, BUILTIN[name].classes, require_train=False), "sample"
    return load_dataset(name, directory, download=False, image_size=image_size, channels=channels), "full"
