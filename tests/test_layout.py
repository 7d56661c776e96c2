"""One page, one place, one name: the page list, the page packages on disk and the texts' tables agree,
and a page added by the README's recipe ("Add a page": the list, its package, its texts) appears in
the app in every language."""

from __future__ import annotations

import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from ui import i18n, pagelist, texts
from ui.pagelist import PAGES, PageSpec

SHARED_TABLES = {"app", "shared", "errors"}  # the tables that belong to no page


def locale_tables(path) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def test_the_page_list_the_packages_and_the_texts_agree():
    ids = [p.id for p in PAGES]
    assert len(set(ids)) == len(ids)
    on_disk = sorted(f.stem for f in pagelist.PAGES_DIR.glob("*.py") if f.name != "__init__.py")
    assert on_disk == sorted(ids), "a page script without a list entry, or an entry without a script"
    packages = sorted(d.name for d in pagelist.PAGES_DIR.iterdir() if d.is_dir() and not d.name.startswith("_"))
    assert set(packages) <= set(ids), "a page package without a page"
    for p in PAGES:
        assert p.file == pagelist.PAGES_DIR / f"{p.id}.py" and p.file.is_file()
        pkg = pagelist.PAGES_DIR / p.id
        assert not pkg.exists() or (pkg / "__init__.py").is_file(), f"pages/{p.id}/ is not a package"
    files = sorted(texts.LOCALES.glob("*.toml"))
    assert {"en", "zh"} <= {f.stem for f in files}
    for f in files:
        tables = locale_tables(f)
        assert set(tables) == set(ids) | SHARED_TABLES, f"{f.name}: tables {sorted(set(tables) ^ (set(ids) | SHARED_TABLES))}"
        for p in PAGES:
            assert {"nav", "title", "intro"} <= set(tables[p.id]), f"{f.name} [{p.id}]"
    assert list(texts.LANGUAGES) == [f.stem for f in sorted(files, key=lambda f: f.stem != "en")]


def test_a_language_is_a_file(tmp_path, monkeypatch):
    """Adding a language is copying en.toml to <code>.toml and translating it: no Python."""
    for f in texts.LOCALES.glob("*.toml"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    fr = (texts.LOCALES / "en.toml").read_text(encoding="utf-8").replace('language_name = "English"',
                                                                         'language_name = "Français"')
    (tmp_path / "fr.toml").write_text(fr.replace('title = "AE/VAE Latent Explorer"', 'title = "Explorateur AE/VAE"'),
                                      encoding="utf-8")
    monkeypatch.setattr(texts, "LOCALES", tmp_path)
    texts.table.cache_clear()
    try:
        found = texts._discover()
        assert found == {"en": "English", "fr": "Français", "zh": "中文"}
        monkeypatch.setattr(texts, "LANGUAGES", found)
        assert texts.Texts("fr")["app.title"] == "Explorateur AE/VAE"
    finally:
        monkeypatch.undo()
        texts.table.cache_clear()


RECIPE_ID = "recipe_check"
RECIPE_PAGE = '''"""A page added by the README's recipe (a test's, removed after)."""

import streamlit as st

from ui import widgets
from ui.i18n import T

widgets.header("recipe_check")
st.write(T["recipe_check.body"])
'''
RECIPE_TEXTS = {"en": ("Recipe check", "A page added by the recipe.", "Body of the recipe page."),
                "zh": ("配方检查", "按配方添加的页面。", "配方页面的正文。")}


@pytest.fixture()
def recipe_page(tmp_path, monkeypatch):
    """The recipe, step by step, on copies: (1) one line in the page list, (2) the page's package
    ``pages/<id>.py`` (with its package ``pages/<id>/``), (3) a ``[<id>]`` table in every locale file. The real page packages are
    linked into a temp pages folder beside the new one; nothing in the checkout is written."""
    pages_dir = tmp_path / "pages"
    pages_dir.mkdir()
    for p in PAGES:
        (pages_dir / p.file.name).symlink_to(p.file)
    (pages_dir / RECIPE_ID).mkdir()
    (pages_dir / RECIPE_ID / "__init__.py").write_text("")
    (pages_dir / f"{RECIPE_ID}.py").write_text(RECIPE_PAGE)
    monkeypatch.setattr(pagelist, "PAGES_DIR", pages_dir)
    monkeypatch.setattr(pagelist, "PAGES", PAGES + (PageSpec(RECIPE_ID, ":material/check:"),))

    locales = tmp_path / "locales"
    locales.mkdir()
    for f in texts.LOCALES.glob("*.toml"):
        nav, intro, body = RECIPE_TEXTS[f.stem]
        (locales / f.name).write_text(f.read_text(encoding="utf-8") + f'\n[{RECIPE_ID}]\nnav = "{nav}"\n'
                                      f'title = "{nav}"\nintro = "{intro}"\nbody = "{body}"\n', encoding="utf-8")
    monkeypatch.setattr(texts, "LOCALES", locales)
    texts.table.cache_clear()
    yield RECIPE_ID
    texts.table.cache_clear()  # the real files again (monkeypatch puts LOCALES back)


def start(page: str, lang: str) -> AppTest:
    at = AppTest.from_string(f"from ui import nav\nnav.main({page!r})\n", default_timeout=120)
    at.query_params["lang"] = lang
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_page_added_by_the_recipe_appears_in_every_language(app_env, recipe_page, lang):
    nav, intro, body = RECIPE_TEXTS[lang]
    home = start("home", lang)
    assert not home.exception, home.exception
    links = {link.proto.page: link.proto.label for link in home.get("page_link")}
    assert links.get(recipe_page) == nav  # the home page's card, from the same list as the navigation
    at = start(recipe_page, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == nav and at.caption[0].value == intro
    assert body in [m.value for m in at.markdown]
    assert at.sidebar.header  # the whole app ran around it: navigation and sidebar
    assert i18n.outside_run_language == texts.DEFAULT_LANGUAGE
