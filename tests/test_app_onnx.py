"""AppTest of every page on imported ONNX models (issue 19): the tiny digits AE and VAE exported with
``vae_core.onnx_file.export_checkpoint`` into the app's checkpoints folder, and the uploads of an
imported .zip, an ONNX encoder + decoder pair and hostile files on the Models page."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.test_app import PAGES, selection, start, texts
from ui.texts import Texts

T = Texts("en")
AE_LABEL, VAE_LABEL = "Autoencoder (AE)", "Variational autoencoder (VAE)"


@pytest.fixture(scope="session")
def imported_checkpoints(tiny_checkpoints, tmp_path_factory) -> Path:
    """The tiny digits AE and VAE as imported-model zips (and nothing else): digits-ae-2d.zip, digits-vae-2d.zip."""
    from vae_core.checkpoint import load
    from vae_core.onnx_file import export_checkpoint

    d = tmp_path_factory.mktemp("imported")
    for kind in ("ae", "vae"):
        export_checkpoint(load(tiny_checkpoints / f"digits-{kind}-2d.safetensors"), d / f"digits-{kind}-2d.zip")
    return d


@pytest.fixture()
def onnx_env(app_env, imported_checkpoints, monkeypatch) -> dict:
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(imported_checkpoints))
    return {**app_env, "VAE_EXPLORER_CHECKPOINTS": str(imported_checkpoints)}


def _slots(at) -> dict:
    return {s.label: Path(s.value).name for s in at.selectbox if s.label in (AE_LABEL, VAE_LABEL)}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_imported_models(onnx_env, page):
    at = start(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert _slots(at) == {AE_LABEL: "digits-ae-2d.zip", VAE_LABEL: "digits-vae-2d.zip"}
    if page == "models":  # what needs the history or the weights says so in one line, for each model
        captions = [c.value for c in at.caption]
        assert captions.count(T["models.no_history_imported"]) == 2
        assert captions.count(T["models.no_weights"]) == 2
        assert not at.code  # no layer table
        assert len(at.dataframe) == 2  # the metrics recorded at export


def test_imported_latent_map_click_neighbours_and_box(onnx_env):
    at = start("latent_map")
    at.session_state["latent_scatter"] = selection({"point_index": 0, "customdata": [5]})
    at.run()
    assert not at.exception, at.exception
    assert "index: 5" in texts(at)
    images = [str(i.proto) for i in at.get("image")]
    assert any("decoded from its latent" in i for i in images)
    assert any("8 nearest neighbours" in i for i in images)
    at.session_state["latent_scatter"] = selection(*({"point_index": i, "customdata": [i]} for i in range(10)))
    at.run()
    assert not at.exception, at.exception
    assert "10 points selected" in texts(at)


def test_imported_grid_click_decodes_the_cell(onnx_env):
    at = start("latent_grid")
    at.session_state["grid_chart"] = selection({"point_index": 7, "customdata": [0, 7, 0.0, 0.0]})
    at.run()
    assert not at.exception, at.exception
    assert "cell: (0, 7)" in texts(at)


# ---------------------------------------------------------------- uploads

def _upload(at, name: str, blob: bytes):
    at.file_uploader(key="upload").upload(name, blob).run()
    assert not at.exception, at.exception
    return at


def test_upload_an_imported_zip_selects_it(app_env, imported_checkpoints):
    at = start("models")
    _upload(at, "my model.zip", (imported_checkpoints / "digits-vae-2d.zip").read_bytes())
    assert [s.value for s in at.success] == [T["models.upload_ok"].format(name="my-model.zip")]
    assert _slots(at)[VAE_LABEL] == "my-model.zip"
    assert (Path(app_env["VAE_EXPLORER_USER_MODELS"]) / "my-model.zip").is_file()
    # renamable and deletable like the user's other files
    at.text_input(key="manage_name").set_value("renamed").run()
    at.button(key="manage_rename").click().run()
    assert not at.exception, at.exception
    assert (Path(app_env["VAE_EXPLORER_USER_MODELS"]) / "renamed.zip").is_file()
    at.checkbox(key="manage_confirm").check().run()
    at.button(key="manage_delete").click().run()
    assert not at.exception, at.exception
    assert not list(Path(app_env["VAE_EXPLORER_USER_MODELS"]).glob("*.zip"))


def _hostile(imported: Path) -> bytes:
    """A real imported zip plus a fourth entry that climbs out with '..'."""
    buf = io.BytesIO()
    with zipfile.ZipFile(imported / "digits-ae-2d.zip") as src, zipfile.ZipFile(buf, "w") as z:
        for i in src.infolist():
            z.writestr(i.filename, src.read(i))
        z.writestr("../evil.py", "import os\n")
    return buf.getvalue()


@pytest.mark.parametrize("name, blob, says", [
    ("evil.zip", "hostile", "climbs out"),
    ("truncated.zip", "truncated", "not a readable zip"),
    ("empty.zip", b"", "not a readable zip"),
])
def test_a_hostile_zip_upload_is_one_line_and_not_kept(app_env, imported_checkpoints, name, blob, says):
    good = (imported_checkpoints / "digits-ae-2d.zip").read_bytes()
    blob = {"hostile": _hostile(imported_checkpoints), "truncated": good[: len(good) // 2]}.get(blob, blob)
    at = start("models")
    _upload(at, name, blob)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "\n" not in errors[0] and errors[0].startswith("Not kept:") and name in errors[0]
    assert says in errors[0]
    assert not at.success
    assert not [p for p in Path(app_env["VAE_EXPLORER_USER_MODELS"]).iterdir() if not p.name.startswith(".")]


def _pair(imported: Path, kind: str) -> tuple[bytes, bytes]:
    with zipfile.ZipFile(imported / f"digits-{kind}-2d.zip") as z:
        return z.read("encoder.onnx"), z.read("decoder.onnx")


def test_upload_an_onnx_pair_imports_it_for_the_sidebar_dataset(app_env, imported_checkpoints):
    enc, dec = _pair(imported_checkpoints, "vae")
    at = start("models")
    at.file_uploader(key="onnx_enc").upload("enc.onnx", enc)
    at.file_uploader(key="onnx_dec").upload("dec.onnx", dec).run()
    at.button(key="onnx_import").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [T["models.upload_ok"].format(name="digits-enc.zip")]
    assert _slots(at)[VAE_LABEL] == "digits-enc.zip"
    kept = Path(app_env["VAE_EXPLORER_USER_MODELS"]) / "digits-enc.zip"
    from vae_core.model_file import load_model_file

    ck = load_model_file(kept)
    assert ck.model_config.kind == "vae" and ck.dataset == "digits" and ck.metrics["mse"] > 0
    assert not [p for p in kept.parent.iterdir() if p.name.startswith(".upload-")]  # the private folder is gone


def test_an_onnx_pair_that_does_not_fit_is_one_line(app_env, imported_checkpoints):
    enc, _ = _pair(imported_checkpoints, "vae")
    at = start("models")
    at.file_uploader(key="onnx_enc").upload("enc.onnx", enc)
    at.file_uploader(key="onnx_dec").upload("dec.onnx", b"\x08\x07garbage").run()
    at.button(key="onnx_import").click().run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "\n" not in errors[0] and "dec.onnx" in errors[0]
    assert not list(Path(app_env["VAE_EXPLORER_USER_MODELS"]).glob("*.zip"))


def test_a_bad_imported_zip_in_the_folder_is_skipped_with_one_line(onnx_env, imported_checkpoints, tmp_path,
                                                                   monkeypatch):
    d = tmp_path / "ck"
    d.mkdir()
    for f in imported_checkpoints.glob("*.zip"):
        (d / f.name).write_bytes(f.read_bytes())
    (d / "broken.zip").write_bytes(_hostile(imported_checkpoints))
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(d))
    at = start("home")
    assert not at.exception, at.exception
    skipped = [c.value for c in at.sidebar.caption if "broken.zip" in c.value]
    assert len(skipped) == 1 and "climbs out" in skipped[0]
    assert "broken" not in " ".join(str(s.options) for s in at.selectbox)


# ---------------------------------------------------------------- the catalog's checks, once per file version

def test_the_catalog_checks_an_imported_zip_once_per_version(imported_checkpoints, tmp_path, monkeypatch):
    import os

    from ui.logic import catalog

    calls = []
    real = catalog.check_model_file
    monkeypatch.setattr(catalog, "check_model_file", lambda p: calls.append(Path(p).name) or real(p))
    d = tmp_path / "ck"
    d.mkdir()
    (d / "good.zip").write_bytes((imported_checkpoints / "digits-ae-2d.zip").read_bytes())
    (d / "bad.zip").write_bytes(_hostile(imported_checkpoints))
    for _ in range(3):  # three reruns of the sidebar
        entries, problems = catalog.scan([(d, catalog.SHIPPED)], tmp_path)
        assert [e.name for e in entries] == ["good"] and entries[0].backbone == "onnx"
        assert len(problems) == 1 and problems[0].startswith("bad.zip") and "climbs out" in problems[0]
    assert sorted(calls) == ["bad.zip", "good.zip"]  # the refusal is cached as well as the row
    os.utime(d / "good.zip", (1, 1))  # a new version of the file is checked again
    catalog.scan([(d, catalog.SHIPPED)], tmp_path)
    assert sorted(calls) == ["bad.zip", "good.zip", "good.zip"]


def test_a_stale_upload_folder_is_swept(tmp_path):
    import os

    from ui.logic import catalog

    user = tmp_path / "user"
    (user / ".upload-old").mkdir(parents=True)
    (user / ".upload-old" / "x.zip").write_bytes(b"x")
    (user / ".upload-new").mkdir()
    os.utime(user / ".upload-old", (1, 1))
    catalog.scan([(user, catalog.YOURS)], tmp_path)
    assert sorted(p.name for p in user.iterdir()) == [".upload-new"]


# ---------------------------------------------------------------- datasets of one's own

def _png(value: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (12, 12), value).save(buf, "PNG")
    return buf.getvalue()


def _image_zip(labels=("cats", "dogs"), n=6, bad: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, lab in enumerate(labels):
            for i in range(n):
                z.writestr(f"{lab}/{i}.png", b"not an image" if bad else _png(40 * k + i))
    return buf.getvalue()


def _npz(label_max: int = 2) -> bytes:
    import numpy as np

    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (20, 16, 16), dtype=np.uint8),
              "y_train": np.arange(20) % 3, "x_test": rng.integers(0, 256, (6, 16, 16), dtype=np.uint8),
              "y_test": np.arange(6) % 3}
    arrays["y_train"][0] = label_max
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


@pytest.mark.parametrize("name, blob, label", [("my pets.zip", "zip", "my-pets.zip (yours)"),
                                               ("arrays.npz", "npz", "arrays.npz (yours)")])
def test_upload_a_dataset_lists_selects_and_deletes_it(app_env, name, blob, label):
    blob = _image_zip() if blob == "zip" else _npz()
    at = start("models")
    at.file_uploader(key="data_upload").upload(name, blob).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    ds = at.selectbox(key="sb_dataset")
    assert ds.format_func(ds.value) == label  # listed in the Dataset box, chosen, with a readable label
    assert ds.value.startswith(("folder:", "npz:"))
    assert at.session_state["ctx"].data is not None and len(at.session_state["ctx"].data.x_test) > 0
    if blob[:2] == b"PK" and name.endswith(".zip"):
        assert list(at.session_state["ctx"].data.classes) == ["cats", "dogs"]
    kept = Path(app_env["VAE_EXPLORER_USER_MODELS"]) / "datasets"
    assert len([p for p in kept.iterdir() if not p.name.startswith(".")]) == 1
    at.button(key="data_delete").click().run()
    assert not at.exception, at.exception
    assert not [p for p in kept.iterdir()]
    assert at.selectbox(key="sb_dataset").value == "digits"


@pytest.mark.parametrize("name, blob, says", [("bad.zip", "bad", "bad.zip"), ("labels.npz", "labels", "label"),
                                              ("data.csv", "csv", "must be a .zip")])
def test_a_hostile_dataset_upload_is_one_line(app_env, name, blob, says):
    blob = {"bad": _image_zip(bad=True), "labels": _npz(label_max=5000), "csv": b"1,2,3\n"}[blob]
    at = start("models")
    at.file_uploader(key="data_upload").upload(name, blob).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "\n" not in errors[0] and says in errors[0], errors
    kept = Path(app_env["VAE_EXPLORER_USER_MODELS"]) / "datasets"
    assert not kept.exists() or not list(kept.iterdir())


def test_an_onnx_pair_with_a_wrong_suffix_is_one_line(app_env, imported_checkpoints):
    enc, dec = _pair(imported_checkpoints, "vae")
    at = start("models")
    at.file_uploader(key="onnx_enc").upload("enc.pt", enc)
    at.file_uploader(key="onnx_dec").upload("dec.onnx", dec).run()
    at.button(key="onnx_import").click().run()
    assert not at.exception, at.exception
    said = T["models.upload_bad"].format(msg=T["models.onnx_suffix"].format(file="enc.pt"))
    assert [e.value for e in at.error] == [said]
