"""AppTest of the hardening: bad files are skipped and named, datasets outside the data folder
are never read, training jobs are bounded and explain what went wrong, uploads are
deduplicated, the user's models can be renamed and deleted, shared mode keeps sessions apart.
Limits are set small through environment variables (never minutes of sleep)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_hardening_logic import BAD_FILES, write_checkpoint

from ui.logic.text import T


def start(page: str) -> AppTest:
    """The whole app (navigation, sidebar, page) starting on ``page``, as tests/test_app.py does."""
    at = AppTest.from_string(f"from ui.core import nav\nnav.main({page!r})\n", default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def wait(cond, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while not cond() and time.time() < deadline:
        time.sleep(0.1)


def click_train(at: AppTest, **form) -> AppTest:
    """Fill the Train form (its widget keys) and press Train."""
    for key, value in form.items():
        at.session_state[key] = value
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


# ---------------------------------------------------------------- 1. metadata never chooses what the app reads

def test_sidebar_never_reads_a_folder_that_a_file_names(app_env, tmp_path, monkeypatch):
    import vae_core.data

    outside = tmp_path / "server-secrets"
    outside.mkdir()
    write_checkpoint(Path(app_env["VAE_EXPLORER_USER_MODELS"]) / "evil.safetensors", dataset=f"folder:{outside}",
                     channels=3, image_size=32)
    reads = []
    monkeypatch.setattr(vae_core.data, "load_folder", lambda *a, **k: reads.append(a))
    at = start("home")
    assert f"folder:{outside}" not in at.selectbox(key="sb_dataset").options
    want = T["sb_bad_file"].format(msg=f"evil.safetensors names the dataset folder:{outside}, "
                                       "which is outside the data folder")
    assert want in captions(at)
    assert reads == []


def test_an_upload_naming_an_outside_dataset_is_refused(app_env, tmp_path):
    blob = write_checkpoint(tmp_path / "src" / "evil.safetensors", dataset="folder:/etc", channels=3,
                            image_size=32).read_bytes()
    at = start("models")
    at.file_uploader(key="upload").upload("evil.safetensors", blob).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [T["mod_upload_bad"].format(
        msg="evil.safetensors names the dataset folder:/etc, which is outside the data folder")]
    user = Path(app_env["VAE_EXPLORER_USER_MODELS"])
    assert not user.exists() or not any(user.glob("*.safetensors"))


# ---------------------------------------------------------------- 2. one bad file never takes the app down

@pytest.mark.parametrize("page", ["home", "models", "latent_map", "train"])
def test_malformed_files_are_skipped_named_and_pages_run(app_env, page):
    user = Path(app_env["VAE_EXPLORER_USER_MODELS"])
    for stem, patch in BAD_FILES.items():
        write_checkpoint(user / f"digits-{stem}.safetensors", patch, kind="vae")
    write_checkpoint(user / "cifar-shape.safetensors", dataset="cifar10", kind="vae")
    at = start(page)
    assert not at.exception, at.exception
    shown = "\n".join(captions(at))
    for stem in [*BAD_FILES, "cifar-shape"]:
        assert f"Skipped: {'digits-' if stem != 'cifar-shape' else ''}{stem}.safetensors" in shown, stem
    offered = [o for s in at.sidebar.selectbox for o in s.options]
    assert not any(str(user) in o for o in offered)


# ---------------------------------------------------------------- 4, 5. uploads, renames, deletes on the Models page

def test_the_same_upload_again_says_it_is_already_there(app_env, tiny_checkpoints):
    blob = (tiny_checkpoints / "digits-ae-2d.safetensors").read_bytes()
    at = start("models")
    at.file_uploader(key="upload").upload("mine.safetensors", blob).run()
    assert [s.value for s in at.success] == [T["mod_upload_ok"].format(name="mine.safetensors")]
    at.file_uploader(key="upload").upload("again.safetensors", blob).run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [T["hard_upload_same"].format(name="mine.safetensors")]
    assert [p.name for p in Path(app_env["VAE_EXPLORER_USER_MODELS"]).glob("*.safetensors")] == ["mine.safetensors"]


def test_rename_and_delete_your_model_on_the_models_page(app_env, tiny_checkpoints):
    import shutil

    user = Path(app_env["VAE_EXPLORER_USER_MODELS"])
    user.mkdir()
    shutil.copy(tiny_checkpoints / "digits-vae-2d.safetensors", user / "mine.safetensors")
    at = start("models")
    assert at.selectbox(key="manage_pick").options == ["mine (2-D, yours)"]  # shipped models are not offered
    at.text_input(key="manage_name").input("../../escape").run()
    at.button(key="manage_rename").click().run()
    assert [e.value for e in at.error] == [T["hard_name_bad"].format(name="../../escape")]
    at.text_input(key="manage_name").input("better-name").run()
    at.button(key="manage_rename").click().run()
    assert not at.exception, at.exception
    assert [p.name for p in user.iterdir()] == ["better-name.safetensors"]
    assert T["hard_renamed"].format(old="mine.safetensors", new="better-name.safetensors") in [s.value for s in at.success]
    assert at.selectbox(key="sb_vae").value == str(user / "better-name.safetensors")  # still the selection
    assert at.button(key="manage_delete").disabled
    at.checkbox(key="manage_confirm").check().run()
    at.button(key="manage_delete").click().run()
    assert not at.exception, at.exception
    assert list(user.iterdir()) == [] and len(list(tiny_checkpoints.glob("*.safetensors"))) == 2
    assert T["hard_deleted"].format(name="better-name.safetensors") in [s.value for s in at.success]
    assert all("better-name" not in o for o in at.selectbox(key="sb_vae").options)


