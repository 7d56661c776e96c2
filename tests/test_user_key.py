"""Shared mode: a user's models stay theirs across a reload (issue 20 item 19). The user key lives in
the URL (?u=…), names the user's folder, and nothing but 32 hex digits is taken from it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import state as S


def start(query: dict | None = None) -> AppTest:
    at = AppTest.from_string("from ui import nav\nnav.main('models')\n", default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def test_valid_user_keys():
    assert S.valid_user_key("0123456789abcdef0123456789abcdef")
    for bad in (None, "", "../x", "0123456789ABCDEF0123456789ABCDEF", "ab" * 17, "ab" * 15, ["ab" * 16]):
        assert not S.valid_user_key(bad), bad


def test_a_reload_keeps_the_users_folder_and_its_models(app_env, monkeypatch, tiny_checkpoints):
    monkeypatch.setenv("VAE_EXPLORER_MODE", "shared")
    first = start()
    assert not first.exception, first.exception
    key = first.session_state[S.SESSION_ID]
    assert S.valid_user_key(key) and first.query_params[S.USER_PARAM] in (key, [key])  # written into the URL
    # the user's folder gets a model (as an upload would put it there)
    user_root = Path(app_env["VAE_EXPLORER_USER_MODELS"]) / f"session-{key}"
    user_root.mkdir(parents=True, exist_ok=True)
    (user_root / "mine-vae-2d.safetensors").write_bytes((tiny_checkpoints / "digits-vae-2d.safetensors").read_bytes())
    reloaded = start({S.USER_PARAM: key})  # a new Streamlit session with the same URL
    assert not reloaded.exception, reloaded.exception
    assert reloaded.session_state[S.SESSION_ID] == key
    names = [e.name for e in reloaded.session_state["ctx"].entries]
    assert "mine-vae-2d" in names, names
    other = start()  # another user: a new key, not the first user's models
    assert other.session_state[S.SESSION_ID] != key
    assert "mine-vae-2d" not in [e.name for e in other.session_state["ctx"].entries]


def test_a_hostile_key_in_the_url_is_not_taken(app_env, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_MODE", "shared")
    at = start({S.USER_PARAM: "../../etc"})
    assert not at.exception, at.exception
    key = at.session_state[S.SESSION_ID]
    assert S.valid_user_key(key) and key != "../../etc"
