"""The app in 中文: every key in both tables with the same placeholders, every page renders in both
languages, ``?lang=zh`` opens the app in Chinese, and no English is left on a page in Chinese (the
rendered texts of every element, plotly figures included, with the names that stay stripped)."""

from __future__ import annotations

import json
import re
import string

import pytest
from streamlit.testing.v1 import AppTest

from ui import i18n, texts
from ui.pagelist import URLS

EN, ZH = texts.table("en"), texts.table("zh")

# --------------------------------------------------------------------------- the tables

_FMT = string.Formatter()


def placeholders(s: str) -> list[tuple[str, str, str | None]]:
    """(name, format spec, conversion) of every ``{...}`` in a string, sorted."""
    return sorted((name, spec or "", conv) for _, name, spec, conv in _FMT.parse(s) if name is not None)


def test_every_english_key_is_translated():
    missing = sorted(set(EN) - set(ZH))
    assert not missing, f"keys of EN missing from ZH: {missing}"


def test_every_chinese_key_exists_in_english():
    extra = sorted(set(ZH) - set(EN))
    assert not extra, f"keys of ZH that EN does not have: {extra}"


def test_translations_keep_the_placeholders():
    bad = {k: (placeholders(EN[k]), placeholders(ZH[k])) for k in EN if k in ZH
           and placeholders(EN[k]) != placeholders(ZH[k])}
    assert not bad, f"placeholders differ (EN, ZH): {bad}"


def test_translations_are_not_empty_nor_english():
    same = [k for k, v in ZH.items()
            if not v.strip() or (v == EN.get(k) and english_words(re.sub(r"\{[^}]*\}", " ", v)))]
    assert not same, f"ZH strings that are empty or still the English text: {same}"


def test_every_backbone_has_a_name_in_both_tables():
    """The train view looks names up as T[f"shared.backbone_{b}"]: a backbone added to the config needs both."""
    from vae_core.config import BACKBONES

    missing = [(lang, b) for lang, table in (("en", EN), ("zh", ZH)) for b in BACKBONES
               if f"shared.backbone_{b}" not in table]
    assert not missing


def test_class_names_are_shown_in_the_language():
    from vae_core.data import BUILTIN, DIGIT_CLASSES

    zh = texts.Texts("zh")
    assert texts.class_name(zh, "fashion-mnist", BUILTIN["fashion-mnist"].classes, 0) == ZH["shared.class_fashion-mnist_0"]
    assert texts.class_names(zh, "cifar10", BUILTIN["cifar10"].classes) == tuple(
        ZH[f"shared.class_cifar10_{i}"] for i in range(10))
    assert texts.class_names(zh, "mnist", DIGIT_CLASSES) == DIGIT_CLASSES
    assert texts.class_name(zh, "my-folder", ("cat", "dog"), 1) == "dog"  # a custom dataset keeps its names
    assert texts.class_name(zh, "cifar10", ("cat", "dog"), 0) == "cat"  # … even under a builtin name
    assert texts.class_name(texts.Texts("en"), "fashion-mnist", BUILTIN["fashion-mnist"].classes, 0) == "T-shirt/top"


# --------------------------------------------------------------------------- what a page shows

# names that stay in 中文 (case-insensitive; longest first when stripped)
ALLOWED = ("Fashion-MNIST", "fashion-mnist", "fashion_mnist", "CIFAR-10", "cifar10", "MNIST", "digits", "t-SNE",
           "UMAP", "PCA", "CVAE", "VAE", "AE", "PSNR", "MSE", "KL", "ELBO", "NLL", "ROC", "AUC", "kNN", "dB", "nats",
           "OOD", "MLP", "CSV", "slerp", "safetensors", "npz", "pickle", "scikit-learn", "vae_core", "log",
           "epoch",  # 轮 (epoch): the English term beside the Chinese one, as Chinese ML texts gloss it
           "softmax", "sigmoid", "BCE",  # function names Chinese ML texts keep (softmax 函数)
           "float32",  # a dtype, named as in code
           "ONNX", "onnxruntime", "logits", "logvar", "torch")  # a format, a runtime and tensor names, as in code
# the authors and the title of a cited paper stay as published
CITED = ("Auto-Encoding Variational Bayes", "Kingma", "Welling", "Burda", "Grosse", "Salakhutdinov", "Loshchilov",
         "Hutter")
_FILE = re.compile(r"[\w.-]*\.(?:safetensors|npz|pt|pth|ckpt|csv|json|py|zip|onnx)\b", re.I)
_MODEL = re.compile(r"\b(?:[\w.]+(?:-[\w.]+)*-)?(?:ae|vae|cvae)-[\w.-]+", re.I)  # file stems: digits-vae-2d, and as the sidebar shows them: vae-2d
_PLOTLY = re.compile(r"%\{[^}]*\}|<[^>]*>")  # hovertemplate fields and tags
_CODE = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$", re.S)  # inline code, LaTeX (st.latex: $$…$$) and inline math
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")
_ALLOWED = re.compile("|".join(rf"(?<![A-Za-z]){re.escape(a)}(?![A-Za-z])"
                               for a in sorted(ALLOWED + CITED, key=len, reverse=True)), re.I)


def english_words(s: str) -> list[str]:
    """ASCII words of ≥ 3 letters left once the names that stay, files, code and formulas are removed."""
    for pattern in (_PLOTLY, _CODE, _FILE, _MODEL, _ALLOWED):
        s = pattern.sub(" ", s)
    return _WORD.findall(s)


def test_english_words_strips_what_stays():
    assert english_words("**序号：5** · VAE · digits-vae-2d（2 维，随附） mnist.npz `python -m x` q(z|x)") == []
    assert english_words("序号：%{customdata[0]}<br>标签：3<extra></extra>") == []
    assert english_words("index: 5") == ["index"]
    assert english_words("t-SNE 1 · UMAP · D = −E[log p(x|z)]") == []
    assert english_words("$$\np(y \\mid x) = \\frac{a}{b}\n$$") == []  # st.latex
    assert english_words("Kingma & Welling (2013)，Auto-Encoding Variational Bayes，附录 B") == []


# element fields that carry text a reader sees (values of inputs, urls and ids do not)
TEXT_FIELDS = {"body", "label", "caption", "help", "options", "text", "content", "placeholder", "delta"}
STYLE_ONLY = re.compile(r"\s*(<style[^>]*>.*?</style>\s*)+", re.S | re.I)  # st.html's invisible kind
SCRIPT_ONLY = re.compile(r"\s*<script>.*</script>\s*", re.S)  # our own JS (ui/tap_selects.js): never shown
SKIP_PROTOS = {"Code", "Json"}  # st.code (the layer table of vae_core.summary) and st.json (a raw config)


def _proto_strings(msg, out: list[str]) -> None:
    for field, value in msg.ListFields():
        items = value if field.is_repeated else [value]
        for v in items:
            if field.message_type is not None:
                _proto_strings(v, out)
            elif field.name in TEXT_FIELDS and isinstance(v, str) and v:
                out.append(v)


def _figure_strings(spec: str) -> list[str]:
    fig = json.loads(spec)
    out = []
    for tr in fig.get("data", []):
        if tr.get("showlegend") is not False and isinstance(tr.get("name"), str):
            out.append(tr["name"])
        for k in ("hovertemplate", "text"):
            v = tr.get(k)
            out += [v] if isinstance(v, str) else [x for x in (v or []) if isinstance(x, str)]
    layout = fig.get("layout", {})
    for k, v in layout.items():
        if (k == "title" or k.startswith(("xaxis", "yaxis"))) and isinstance(v, dict):
            t = v.get("title", v) if k != "title" else v
            if isinstance(t, dict) and isinstance(t.get("text"), str):
                out.append(t["text"])
    out += [a["text"] for a in layout.get("annotations", []) if isinstance(a.get("text"), str)]
    return out


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def rendered_texts(at: AppTest) -> list[str]:
    """Every text a reader of the page sees: headings, markdown, captions, alerts, widget labels,
    options and help, tabs and expanders, metrics, image captions, links, dataframe labels, and the
    titles, axis titles, legend names and hovers of plotly figures. The language switch is left
    out: its label and options name each language in that language, on purpose."""
    out: list[str] = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        kind = type(proto).__name__
        if kind in SKIP_PROTOS:
            continue
        if kind == "Html" and (STYLE_ONLY.fullmatch(proto.body) or SCRIPT_ONLY.fullmatch(proto.body)):
            continue  # CSS (ui/app.css) and our script (ui/tap_selects.js): never shown
        if kind == "ButtonGroup" and proto.label in (EN["shared.sb_language"], ZH["shared.sb_language"]):
            continue
        if kind == "PlotlyChart":
            out += _figure_strings(proto.spec)
            continue
        _proto_strings(proto, out)
    for df in at.dataframe:
        frame = df.value
        out += [str(c) for c in frame.columns] + [str(i) for i in frame.index]
    return out


def english_left(at: AppTest) -> dict[str, list[str]]:
    return {s: w for s in rendered_texts(at) if (w := english_words(s))}


# --------------------------------------------------------------------------- pages in both languages

def rerun(at: AppTest) -> AppTest:
    """``at.run()`` for a session in any language. AppTest formats the options of a selectbox or a
    radio (``format_func``, which reads ``T``) in the test's thread, outside the script run, where
    there is no session to ask for the language: the test says it, so that the options it sends
    back match the ones the page drew."""
    lang = at.session_state["lang"] if "lang" in at.session_state else texts.DEFAULT_LANGUAGE
    i18n.outside_run_language = lang
    try:
        at.run()
    finally:
        i18n.outside_run_language = texts.DEFAULT_LANGUAGE
    assert not at.exception, at.exception
    return at


def start(page: str, lang: str | None = None) -> AppTest:
    """The whole app on ``page``, opened as ``/<page>?lang=<lang>``."""
    at = AppTest.from_string(f"from ui import nav\nnav.main({page!r})\n", default_timeout=180)
    if lang is not None:
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture()
def cvae_env(app_env, tiny_checkpoints_cvae, monkeypatch):
    """The AE, VAE and CVAE with a classifier: every view of every page has something to show."""
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_cvae))
    return app_env


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", URLS)
def test_every_page_renders_in_both_languages(app_env, page, lang):
    at = start(page, lang)
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == texts.table(lang)[f"{page}.title"]


@pytest.mark.parametrize("page", URLS)
def test_the_language_from_the_url_holds_on_every_page(app_env, page):
    at = start(page, "zh")
    assert at.session_state["lang"] == "zh"
    assert at.query_params["lang"] in ("zh", ["zh"])  # kept in the URL: a page change keeps it
    rerun(at)  # a rerun (another widget, another page) keeps it too
    assert at.session_state["lang"] == "zh"
    assert at.sidebar.header[0].value == ZH["shared.sb_title"]


def test_without_a_query_parameter_the_app_is_in_english(app_env):
    at = start("home")
    assert at.session_state["lang"] == "en"
    assert at.title[0].value == EN["home.title"]


def _select(*points) -> dict:
    return {"selection": {"points": list(points), "point_indices": [0] * len(points), "box": [], "lasso": []}}


# after the first run: clicks and options that bring more texts on screen
INTERACTIONS = {
    "latent_map": [("session", "latent_scatter", _select({"point_index": 0, "customdata": [5]})),
                   ("checkbox", "map_sigma", True), ("radio", "map_source", "all"),
                   ("session", "latent_scatter", _select({"point_index": 0, "customdata": [5, 1]}))],
    "latent_grid": [("session", "grid_chart", _select({"point_index": 7, "customdata": [0, 7, 0.0, 0.0]})),
                    ("checkbox", "grid_overlay", True)],
    "compare": [("session", "compare_map_ae", _select({"point_index": 0, "customdata": [11]}))],
    "generate": [("session", "gen_map", _select({"point_index": 0, "customdata": [5]}))],
    "reconstructions": [("radio", "rec_mode", "worst_vae")],
    "concepts": [("radio", "con_dataset", "moons"),
                 ("session", "con_bayes_chart", _select({"point_index": 0, "customdata": [0.5, -0.25]}))],
}


@pytest.mark.parametrize("page", URLS)
def test_no_english_is_left_on_a_page_in_chinese(cvae_env, page):
    at = start(page, "zh")
    left = english_left(at)
    for how, key, value in INTERACTIONS.get(page, []):
        if how == "session":
            at.session_state[key] = value
        elif how == "checkbox":
            at.checkbox(key=key).set_value(value)
        else:
            at.radio(key=key).set_value(value)
        left |= english_left(rerun(at))
    assert not left, f"English on /{page}?lang=zh (text → words): {left}"


USE_TABS = ("compression", "denoising", "filling", "anomaly", "features", "augmentation")
# per tab: radios that bring other texts on screen (the other options' labels, hovers and axis titles)
USE_INTERACTIONS = {"compression": [("use_cmp_axis", "ratio")], "denoising": [("use_noise_kind", "saltpepper")],
                    "filling": [("use_fill_mode", "random")], "anomaly": [("use_an_score", "elbo")]}


def test_every_tab_of_the_uses_page_is_in_chinese(cvae_env):
    """Only the open tab of the Uses page runs: open each in 中文 (with a Fashion-MNIST file made from
    the shipped sample, so the out-of-distribution view draws its ROC curves and histogram)."""
    from pathlib import Path

    import numpy as np

    samples = Path(__file__).resolve().parent.parent / "checkpoints" / "samples"
    with np.load(samples / "fashion-mnist.npz", allow_pickle=False) as z:
        x, y = z["x_test"][:400], z["y_test"][:400]
    np.savez(Path(cvae_env["VAE_EXPLORER_DATA"]) / "fashion_mnist.npz", x_train=x[:200], y_train=y[:200],
             x_test=x[200:], y_test=y[200:])
    at = start("uses", "zh")
    assert [t.label for t in at.tabs] == [ZH[f"uses.tab_{t}"] for t in USE_TABS]
    left, charts = english_left(at), 0
    for tab in USE_TABS:
        at.session_state["use_tab"] = ZH[f"uses.tab_{tab}"]
        left |= english_left(rerun(at))
        assert not at.error, (tab, [e.value for e in at.error])
        charts += len(at.get("plotly_chart"))
        for key, value in USE_INTERACTIONS.get(tab, []):
            at.radio(key=key).set_value(value)
            left |= english_left(rerun(at))
    assert charts >= 6  # rate–distortion, denoising, filling, ROC and histogram, few labels
    assert not left, f"English on /uses?lang=zh (text → words): {left}"


def test_managing_your_models_is_in_chinese(app_env, tiny_checkpoints):
    """The Models page's rename/delete box (shown only when you have models) and its messages
    (file names are ones the checker lets through: a user's names are theirs)."""
    import shutil
    from pathlib import Path

    user = Path(app_env["VAE_EXPLORER_USER_MODELS"])
    user.mkdir()
    shutil.copy(tiny_checkpoints / "digits-vae-2d.safetensors", user / "digits-vae-mine.safetensors")
    at = start("models", "zh")
    left = english_left(at)
    at.text_input(key="manage_name").input("../../x1")
    rerun(at).button(key="manage_rename").click()
    rerun(at)
    assert [e.value for e in at.error] == [ZH["models.name_bad"].format(name="../../x1")]
    left |= english_left(at)
    at.text_input(key="manage_name").input("digits-vae-2d-b")
    rerun(at).button(key="manage_rename").click()
    left |= english_left(rerun(at))
    assert ZH["models.renamed"].format(old="digits-vae-mine.safetensors", new="digits-vae-2d-b.safetensors") in [s.value for s in at.success]
    at.checkbox(key="manage_confirm").check()
    rerun(at).button(key="manage_delete").click()
    left |= english_left(rerun(at))
    assert ZH["models.deleted"].format(name="digits-vae-2d-b.safetensors") in [s.value for s in at.success]
    assert not left, f"English on /models?lang=zh (text → words): {left}"


def test_a_language_switch_rebuilds_the_cached_figures(app_env):
    at = start("latent_map", "en")
    at.checkbox(key="map_sigma").set_value(True).run()
    before = "\n".join(_figure_strings(at.get("plotly_chart")[0].proto.spec))
    assert EN["shared.sigma_trace"] in before and "index: " in before
    at.session_state["lang"] = "zh"  # what the sidebar's switch does
    at.run()  # the options were drawn in English: AppTest sends them back formatted so
    assert not at.exception, at.exception
    after = "\n".join(_figure_strings(at.get("plotly_chart")[0].proto.spec))
    assert ZH["shared.sigma_trace"] in after and EN["shared.sigma_trace"] not in after and "index: " not in after
    assert ZH["latent_map.fig_title"].split(" ")[1] in after


def test_a_language_switch_rebuilds_the_cached_grid(app_env):
    at = start("latent_grid", "en")
    cell = EN["latent_grid.cell"].split(":")[0]
    assert cell in "\n".join(_figure_strings(at.get("plotly_chart")[0].proto.spec))
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    after = "\n".join(_figure_strings(at.get("plotly_chart")[0].proto.spec))
    assert ZH["latent_grid.cell"].split("：")[0] in after and cell not in after


def test_the_english_texts_other_tests_look_for_are_unchanged():
    """Browser tests and AppTests find these in the default language."""
    assert EN["shared.index_of"].format(i=5) == "index: 5"
    assert EN["latent_grid.cell"].format(r=1, c=2) == "cell: (1, 2)"
    assert EN["latent_map.decoded"] == "decoded from its latent" and EN["latent_grid.decoded"] == "decoded live"
    assert "from #5 to #9" in EN["generate.interp_row"].format(kind="AE", method="linear", a=5, b=9)
    assert EN["shared.sb_ae"] == "Autoencoder (AE)"
    assert "yours" in EN["shared.sb_model_label"].format(name="x", d="2-D", source=EN["shared.source_yours"])


def test_rendered_texts_finds_english(app_env):
    """The checker itself: the English app is full of words it reports."""
    at = start("home", "en")
    assert english_left(at)


# --------------------------------------------------------------------------- messages from threads and errors

class _CodedError(ValueError):
    """A library error as ``vae_core.errors`` makes them: a stable ``code`` and the ``params`` of its message."""

    def __init__(self, message: str, code: str, params: dict):
        super().__init__(message)
        self.code, self.params = code, params


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_errors_are_worded_in_the_language_by_their_code(lang):
    tx = texts.Texts(lang)
    table = EN if lang == "en" else ZH
    e = _CodedError("x.pt: a pickle file is never loaded", "pickle_refused", {"path": "x.pt", "suffix": ".pt"})
    assert i18n.error_text(e, tx) == table["errors.pickle_refused"].format(path="x.pt", suffix=".pt")
    assert "x.pt" in i18n.error_text(e, tx)
    # a code this app has no wording for, params that do not fit, or an error from before codes: its own line
    assert i18n.error_text(_CodedError("raw line", "no_such_code", {}), tx) == "raw line"
    assert i18n.error_text(_CodedError("raw line", "pickle_refused", {"path": "x"}), tx) == "raw line"
    assert i18n.error_text(ValueError("plain"), tx) == "plain"


def test_the_apps_own_refusals_carry_their_text_key():
    from ui.logic import catalog, user_files

    e = catalog.refusal(user_files.CatalogError, "models.name_bad", name="../x")
    assert str(e) == EN["models.name_bad"].format(name="../x")  # the English line (logs, tests)
    assert i18n.error_text(e, texts.Texts("zh")) == ZH["models.name_bad"].format(name="../x")


def test_a_training_jobs_message_is_worded_by_the_page_in_its_language():
    """The worker thread records a key and values; the page words them (durations included) in its session's language."""
    from pages.train import jobs
    from pages.train import view as train_view

    msg = jobs.Message("train.job_gone", {"limit_s": 1.0})
    try:
        for lang, table in (("en", EN), ("zh", ZH)):
            i18n.outside_run_language = lang
            limit = texts.Texts(lang)["shared.dur_s"].format(s=1)
            assert train_view.word(msg) == table["train.job_gone"].format(limit=limit)
    finally:
        i18n.outside_run_language = texts.DEFAULT_LANGUAGE
