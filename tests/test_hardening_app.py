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

from pages.train import jobs as train_jobs
from pages.train import view as train_view
from ui.logic.plain import md
from ui.pagelist import URLS
from ui.texts import Texts

T = Texts("en")  # the app's default language


def start(page: str) -> AppTest:
    """The whole app (navigation, sidebar, page) starting on ``page``, as tests/test_app.py does."""
    at = AppTest.from_string(f"from ui import nav\nnav.main({page!r})\n", default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def wait(cond, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while not cond() and time.time() < deadline:
        time.sleep(0.1)


@pytest.fixture(autouse=True)
def no_jobs_left():
    """Every job a test started is stopped when it ends (the registry is per server process)."""
    yield
    for job in list(train_jobs._RUNNING):
        job.cancel.set()
        if job.thread is not None:
            job.thread.join(30)


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
    want = T["shared.sb_bad_file"].format(msg=md(f"evil.safetensors names the dataset folder:{outside}, "
                                          "which is outside the data folder"))  # a file's text, made plain
    assert want in captions(at)
    assert reads == []


def test_an_upload_naming_an_outside_dataset_is_refused(app_env, tmp_path):
    blob = write_checkpoint(tmp_path / "src" / "evil.safetensors", dataset="folder:/etc", channels=3,
                            image_size=32).read_bytes()
    at = start("models")
    at.file_uploader(key="upload").upload("evil.safetensors", blob).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [T["models.upload_bad"].format(
        msg=f"evil.safetensors names the dataset {md('folder:/etc')}, which is outside the data folder")]
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


# ---------------------------------------------------------------- 3. bounded training jobs

def test_one_running_job_per_session(app_env):
    at = AppTest.from_string('''
import streamlit as st
from ui import state as S
from pages.train import jobs
from pages.train import view as tr
from vae_core.config import ModelConfig, TrainConfig
from vae_core.data import load_dataset

S.init()
if "msgs" not in st.session_state:
    data = load_dataset("digits")
    mc = ModelConfig(kind="ae", backbone="mlp", in_channels=1, image_size=28, latent_dim=2)
    tc = TrainConfig(dataset="digits", epochs=500, device="cpu")
    msgs = []
    for _ in range(2):
        try:
            tr.start(mc, tc, data)
            msgs.append("started")
        except jobs.JobRefused as e:
            msgs.append(tr.word(e.message))
    st.session_state["msgs"] = msgs
''', default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.session_state["msgs"] == ["started", T["train.one_job"]]
    assert at.session_state["train_job"].status == "running"


def test_the_server_runs_at_most_max_jobs(app_env, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_MAX_JOBS", "1")
    monkeypatch.setenv("VAE_EXPLORER_MODE", "shared")  # two users (in local mode both sessions are the one user)
    first, second = start("train"), start("train")
    click_train(first, train_epochs=500)
    job = first.session_state["train_job"]
    assert job.status == "running"
    click_train(second, train_epochs=1)
    assert second.session_state["train_job"] is None
    assert [e.value for e in second.error] == [T["train.server_busy"].format(n=1)]
    job.cancel.set()
    wait(lambda: job.finished)
    click_train(second, train_epochs=500)  # the slot is free again
    assert second.session_state["train_job"].status == "running"


def test_a_job_stops_at_its_time_limit(app_env, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_JOB_TIMEOUT_S", "1.5")
    at = click_train(start("train"), train_epochs=500)
    job = at.session_state["train_job"]
    wait(lambda: job.finished)
    assert job.status == "cancelled" and job.path is None
    at.run()
    assert [w.value for w in at.warning] == [T["train.job_timeout"].format(limit="2 s")]


def test_a_job_whose_session_is_gone_is_stopped(app_env, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_JOB_IDLE_S", "1")
    at = click_train(start("train"), train_epochs=500)
    job = at.session_state["train_job"]
    assert job.status == "running"
    wait(lambda: job.finished)  # nobody polls it any more
    assert job.status == "cancelled" and job.message == train_jobs.Message("train.job_gone", {"limit_s": 1.0})
    assert train_view.word(job.message) == T["train.job_gone"].format(limit="1 s")  # as the page words it
    assert job not in train_jobs.running()


def test_polling_keeps_a_job_alive(app_env, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_JOB_IDLE_S", "1.5")
    at = click_train(start("train"), train_epochs=500)
    job = at.session_state["train_job"]
    end = time.time() + 4
    while time.time() < end:  # the pages poll (the sidebar's heartbeat fragment and the progress panel)
        at.run()
        time.sleep(0.3)
    assert job.status == "running", job.message


# ---------------------------------------------------------------- 7. what went wrong, in plain words

def test_a_diverging_run_says_so_with_the_curves_so_far(app_env):
    at = click_train(start("train"), train_lr=1.0, train_epochs=5, train_kind="vae")
    job = at.session_state["train_job"]
    wait(lambda: job.finished)
    at.run()
    assert job.status == "error"
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("the loss diverged at epoch 1, step ")
    assert errors[0].endswith(": lower the learning rate (now 1)")
    assert at.get("plotly_chart")  # the curves so far


def test_posterior_collapse_warning_and_the_jobs_own_settings(app_env):
    at = click_train(start("train"), train_beta=100.0, train_epochs=1, train_kind="vae", train_latent=2)
    job = at.session_state["train_job"]
    at.session_state["train_epochs"] = 7  # the form now shows other values than the running job
    at.session_state["train_beta"] = 0.5
    at.run()
    own = [c for c in captions(at) if c.startswith("This run:")]
    assert own == [T["train.job_settings"].format(dataset="digits", kind="VAE", backbone="conv", latent=2, epochs="1 epoch",
                                                 batch=128, lr=1e-3, schedule="constant", beta=100.0, seed=0)]
    wait(lambda: job.finished, 120)
    at.run()
    assert job.status == "done", job.message
    assert Path(job.path).name == "digits-vae-conv-2d-1ep.safetensors"
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "train longer, lower β, or use KL warm-up" in warnings[0]
    assert warnings[0].startswith("digits-vae-conv-2d-1ep.safetensors: ")


def test_the_progress_bar_shows_the_time_left(app_env):
    at = click_train(start("train"), train_epochs=500)
    job = at.session_state["train_job"]
    wait(lambda: job.fraction > 0)
    at.run()
    texts = [p.proto.text for p in at.get("progress")]
    assert len(texts) == 1 and " left" in texts[0] and texts[0].startswith("Epoch "), texts


# ---------------------------------------------------------------- 4, 5. uploads, renames, deletes on the Models page

def test_the_same_upload_again_says_it_is_already_there(app_env, tiny_checkpoints):
    blob = (tiny_checkpoints / "digits-ae-2d.safetensors").read_bytes()
    at = start("models")
    at.file_uploader(key="upload").upload("mine.safetensors", blob).run()
    assert [s.value for s in at.success] == [T["models.upload_ok"].format(name="mine.safetensors")]
    at.file_uploader(key="upload").upload("again.safetensors", blob).run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [T["models.upload_same"].format(name="mine.safetensors")]
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
    assert [e.value for e in at.error] == [T["models.name_bad"].format(name="../../escape")]
    at.text_input(key="manage_name").input("better-name").run()
    at.button(key="manage_rename").click().run()
    assert not at.exception, at.exception
    assert [p.name for p in user.iterdir()] == ["better-name.safetensors"]
    assert T["models.renamed"].format(old="mine.safetensors", new="better-name.safetensors") in [s.value for s in at.success]
    assert at.selectbox(key="sb_vae").value == str(user / "better-name.safetensors")  # still the selection
    assert at.button(key="manage_delete").disabled
    at.checkbox(key="manage_confirm").check().run()
    at.button(key="manage_delete").click().run()
    assert not at.exception, at.exception
    assert list(user.iterdir()) == [] and len(list(tiny_checkpoints.glob("*.safetensors"))) == 2
    assert T["models.deleted"].format(name="better-name.safetensors") in [s.value for s in at.success]
    assert all("better-name" not in o for o in at.selectbox(key="sb_vae").options)


# ---------------------------------------------------------------- 6. a shared server keeps sessions apart

def test_shared_mode_sessions_do_not_see_each_others_uploads(app_env, tiny_checkpoints, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_MODE", "shared")
    blob = (tiny_checkpoints / "digits-ae-2d.safetensors").read_bytes()
    alice, bob = start("models"), start("models")
    alice.file_uploader(key="upload").upload("alice.safetensors", blob).run()
    assert not alice.exception, alice.exception
    bob.run()
    user = Path(app_env["VAE_EXPLORER_USER_MODELS"])
    mine = user / f"session-{alice.session_state['session_id']}" / "alice.safetensors"
    assert mine.is_file()
    assert alice.selectbox(key="sb_ae").value == str(mine)
    assert "alice (2-D, yours)" in alice.selectbox(key="sb_ae").options
    assert not any("alice" in o for o in bob.selectbox(key="sb_ae").options)
    assert T["models.manage_none"] in captions(bob)
    assert bob.text_input(key="sb_data_dir").disabled  # the server's data folder, not the session's


def test_local_mode_every_user_model_is_yours(app_env, tiny_checkpoints, monkeypatch):
    monkeypatch.delenv("VAE_EXPLORER_MODE", raising=False)
    blob = (tiny_checkpoints / "digits-ae-2d.safetensors").read_bytes()
    alice, bob = start("models"), start("models")
    alice.file_uploader(key="upload").upload("alice.safetensors", blob).run()
    bob.run()
    assert any("alice" in o for o in bob.selectbox(key="sb_ae").options)


@pytest.mark.parametrize("page", URLS)
def test_every_page_runs_in_shared_mode(app_env, monkeypatch, page):
    monkeypatch.setenv("VAE_EXPLORER_MODE", "shared")
    at = start(page)
    assert not at.exception and not at.error, [e.value for e in at.error]
