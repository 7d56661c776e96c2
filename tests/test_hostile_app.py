"""Hostile files in the app (issue 20, items 12–14): text from a file or a user reaches the page as
plain text, never as Markdown; a model with NaN weights is never listed and takes no page down; a
model is compared with its dataset's image shape before use (a ``folder:`` dataset loads at the
model's shape). AppTests of the whole app, every page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest
from test_hardening_logic import write_checkpoint

from ui import state as S
from ui.logic.plain import md
from ui.pagelist import URLS
from ui.texts import Texts

T = Texts("en")
PAGES = list(URLS)

LINK = "[x](http://127.0.0.1:9/p)"
IMAGE = "![i](http://127.0.0.1:9/i.png)"
LATEX = r"$\frac{a}{b}$"
HTML = "<img src=x>"
COLOR = ":red[alert]"
PAYLOADS = [LINK, IMAGE, LATEX, HTML, COLOR, "www.example.com"]
# what a folder or file name can carry (no "/")
NAME_PAYLOADS = ["[x](p)", LATEX, HTML, COLOR]


# ---------------------------------------------------------------- the escape itself

@pytest.mark.parametrize("text", [*PAYLOADS, ":material/home:", "a&#58;b", "line\nbreak", "1. item", "# head"])
def test_md_escapes_every_markdown_starter(text):
    out = md(text)
    assert "\n" not in out
    for i, ch in enumerate(out):  # every character that starts Markdown, LaTeX, HTML or a directive is escaped
        if ch in "[]()<>$:!`*_{}#|~&@":
            assert out[i - 1] == "\\", (text, out)
    unescaped = []
    it = iter(out)
    for ch in it:
        unescaped.append(next(it) if ch == "\\" else ch)
    assert "".join(unescaped) == text.replace("\n", " ")  # shown as exactly the text
    assert md("digits-ae-2d.safetensors") == "digits-ae-2d.safetensors"  # plain names stay as they are


# ---------------------------------------------------------------- walking every element of a page

# Elements whose text Streamlit shows as plain text (not Markdown), and charts (plotly's own text).
PLAIN_TYPES = {"selectbox", "multiselect", "arrow_data_frame", "dataframe", "text", "code", "json",
               "plotly_chart", "download_button", "text_input", "select_slider", "arrow_table", "table"}


def _strings(msg):
    for field, value in msg.ListFields():
        values = value if isinstance(value, (list, tuple)) or hasattr(value, "extend") else [value]
        if field.type == field.TYPE_STRING:
            yield from values
        elif field.type == field.TYPE_MESSAGE:
            for m in values:
                yield from _strings(m)


def rendered_texts(at: AppTest) -> list[str]:
    """Every string of every element (main and sidebar) that Streamlit renders as Markdown: bodies,
    captions, alerts, labels, radio options, tab and expander labels, image captions."""
    out: list[str] = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", None) not in PLAIN_TYPES:
            which = proto.WhichOneof("type") if hasattr(proto, "WhichOneof") and "type" in proto.DESCRIPTOR.oneofs_by_name else None
            if which not in PLAIN_TYPES:
                out.extend(_strings(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def assert_plain(at: AppTest, payloads: list[str]) -> None:
    assert not at.exception, at.exception
    for text in rendered_texts(at):
        for p in payloads:
            assert p not in text, f"unescaped {p!r} in {text!r}"


# ---------------------------------------------------------------- a crafted model on a crafted folder dataset

def _folder(root: Path, labels: list[str], size: int = 32, mode: str = "RGB", n: int = 5) -> Path:
    rng = np.random.default_rng(0)
    for label in labels:
        (root / label).mkdir(parents=True)
        for i in range(n):
            shape = (size, size, 3) if mode == "RGB" else (size, size)
            Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8), mode).save(root / label / f"{i}.png")
    return root


CREATED = f"{LINK} {IMAGE} {COLOR} {HTML}"  # metadata strings are capped at 100 characters


def _crafted(meta: dict) -> None:
    meta["created"] = CREATED


@pytest.fixture()
def hostile_env(app_env, tmp_path, monkeypatch):
    """No shipped models; the user's AE and VAE (names with Markdown, metadata with Markdown) trained
    on a folder dataset whose label folders are named with Markdown."""
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(shipped))
    data = Path(app_env["VAE_EXPLORER_DATA"])
    folder = _folder(data / "imgs-:red[alert]", NAME_PAYLOADS)
    user = Path(app_env["VAE_EXPLORER_USER_MODELS"])
    for kind in ("ae", "vae"):
        write_checkpoint(user / f"m-{kind}-[x](p)-{LATEX}-{COLOR}.safetensors", _crafted, kind=kind,
                         dataset=f"folder:{folder}", channels=3, image_size=32)
    return {**app_env, "folder": folder}


def start(page: str) -> AppTest:
    at = AppTest.from_string(f"from ui import nav\nnav.main({page!r})\n", default_timeout=180)
    at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_text_from_files_is_plain_on_every_page(hostile_env, page):
    at = start(page)
    assert_plain(at, [*PAYLOADS, *NAME_PAYLOADS, f"folder:{hostile_env['folder']}"])
    assert at.selectbox(key=S.DATASET).value == f"folder:{hostile_env['folder']}"  # the crafted models are in use
    if page == "models":  # and their text is shown, escaped
        shown = "\n".join(rendered_texts(at))
        assert md(CREATED) in shown
        assert md(f"m-ae-[x](p)-{LATEX}-{COLOR}") in shown


def test_a_refused_uploads_name_is_plain(app_env):
    at = start("models")
    for name in (f"evil-{LINK.replace('/', '_')}-{COLOR}.pt", f"{IMAGE.replace('/', '_')}-{LATEX}.safetensors"):
        at.file_uploader(key=S.UPLOAD).upload(name, b"not a checkpoint").run()
        assert at.error, "the upload is refused"
        assert_plain(at, [COLOR, LATEX, "[x](http:", "![i](http:"])


# ---------------------------------------------------------------- 13. NaN weights

def _nan_copy(src: Path, out: Path) -> Path:
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(src), framework="pt") as f:
        tensors = {k: f.get_tensor(k).clone() for k in f.keys()}
        meta = f.metadata()
    first = sorted(tensors)[0]
    tensors[first].view(-1)[0] = float("nan")
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out), metadata=meta)
    return out


@pytest.mark.parametrize("page", PAGES)
def test_a_nan_model_is_not_listed_and_no_page_falls(app_env, tiny_checkpoints, page):
    user = Path(app_env["VAE_EXPLORER_USER_MODELS"])
    for kind in ("ae", "vae"):  # 2-D digits models like the shipped ones: the Uses page would load them all
        _nan_copy(tiny_checkpoints / f"digits-{kind}-2d.safetensors", user / f"digits-{kind}-nan.safetensors")
    at = start(page)
    assert not at.exception, at.exception
    offered = [o for s in at.sidebar.selectbox for o in s.options]
    assert not any("nan" in o for o in offered), offered
    captions = "\n".join(c.value for c in at.caption)
    for kind in ("ae", "vae"):
        assert f"digits-{kind}-nan.safetensors" in captions and "NaN or infinite" in captions


def test_a_model_that_fails_to_load_is_one_line_and_the_page_runs(app_env, tiny_checkpoints, monkeypatch):
    """A file that changed after it was listed: the sidebar's load of the chosen model is guarded."""
    from ui import refs
    from vae_core import checkpoint as ckpt
    from vae_core.checkpoint import CheckpointError

    real = ckpt.load

    def load(path, *a, **k):
        if Path(path).name == "digits-vae-2d.safetensors":
            raise CheckpointError("digits-vae-2d.safetensors: cannot read tensors (truncated)")
        return real(path, *a, **k)

    monkeypatch.setattr(ckpt, "load", load)
    refs._checkpoint.clear()  # loaded by an earlier test: load it again
    for page in ("models", "generate", "uses"):
        at = start(page)
        assert not at.exception, (page, at.exception)
        assert any("digits-vae-2d" in w.value and "truncated" in w.value for w in at.sidebar.warning), page


# ---------------------------------------------------------------- 14. image shapes

@pytest.mark.parametrize("page", PAGES)
def test_a_folder_dataset_loads_at_the_models_shape(app_env, tmp_path, monkeypatch, page):
    """A model trained with --image-size 28 --in-channels 1 on RGB 32×32 folders: the folder loads as
    1×28×28 and every page runs."""
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(shipped))
    folder = _folder(Path(app_env["VAE_EXPLORER_DATA"]) / "pets", ["cat", "dog", "eel"])
    user = Path(app_env["VAE_EXPLORER_USER_MODELS"])
    for kind in ("ae", "vae"):
        write_checkpoint(user / f"pets-{kind}.safetensors", kind=kind, dataset=f"folder:{folder}", channels=1,
                         image_size=28)
    at = start(page)
    assert not at.exception, at.exception
    ctx = at.session_state[S.CONTEXT]
    assert ctx.data.image_shape == (1, 28, 28) and set(ctx.models) == {"ae", "vae"}


def test_an_npz_whose_images_changed_shape_is_not_offered(app_env, tiny_checkpoints):
    """An npz replaced by 32×32 images after its 28×28 model was trained: the model is skipped with a
    line naming both shapes; the page runs."""
    data = Path(app_env["VAE_EXPLORER_DATA"])
    rng = np.random.default_rng(0)
    np.savez(data / "mine.npz", x_train=rng.integers(0, 255, (20, 32, 32), np.uint8), y_train=np.arange(20) % 2,
             x_test=rng.integers(0, 255, (10, 32, 32), np.uint8), y_test=np.arange(10) % 2)
    user = Path(app_env["VAE_EXPLORER_USER_MODELS"])
    name = f"npz:{data / 'mine.npz'}"
    write_checkpoint(user / "mine-ae.safetensors", kind="ae", dataset=name)  # 1×28×28
    at = start("reconstructions")
    at.selectbox(key=S.DATASET).set_value(name).run()
    assert not at.exception, at.exception
    assert not any("mine-ae" in o for s in at.sidebar.selectbox for o in s.options)
    lines = [c.value for c in at.sidebar.caption if "mine\\-ae" in c.value or "mine-ae" in c.value]
    assert lines and "(1, 28, 28)" in lines[0].replace("\\", "") and "(1, 32, 32)" in lines[0].replace("\\", ""), lines
    assert at.session_state[S.CONTEXT].models == {}


def test_files_helpers_are_the_library_ones():
    """ui/ keeps no copy of the sha256-of-a-file or the write-temp-then-replace."""
    import ui.logic.user_files
    import ui.refs

    root = Path(ui.refs.__file__).parent
    for f in [*root.glob("*.py"), *root.glob("logic/*.py")]:
        text = f.read_text()
        assert "iter(lambda: f.read(" not in text, f
        if f.name not in ("user_files.py", "user_data.py"):  # they move an upload onto a name claimed with O_EXCL
            assert "os.replace(" not in text, f

