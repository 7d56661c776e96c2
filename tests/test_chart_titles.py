"""Issue 20 item 6: chart titles were cut in half-width columns at 1400 px and at 390 px, and legends on
the right took 40% of a small chart. Every chart each page draws is read back from its plotly spec."""

from __future__ import annotations

import json

import pytest
from test_i18n import ZH, cvae_env, start  # noqa: F401 (a fixture and the app on a page in a language)

from ui.logic.figures import display_width, wrap_title

# The narrowest plot a title must fit: a phone's full-width chart (390 px less Streamlit's padding) is
# about 350 px, a half-width column at 1400 px about 480 px. A 14-px sans-serif Latin glyph is about
# 0.55 em wide on average (7.7 px), a CJK glyph 1 em (two columns, 15.4 px).
PLOT_PX = 350
PX_PER_COL = 7.7
MAX_FONT = 14


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _title_problems(spec: dict) -> list[str]:
    title = spec["layout"].get("title") or {}
    text = title.get("text", "") if isinstance(title, dict) else str(title)
    problems = []
    if text and (title.get("font", {}).get("size") or 17) > MAX_FONT:
        problems.append(f"font of {text!r}")
    problems += [line for line in text.split("<br>") if display_width(line) * PX_PER_COL > PLOT_PX]
    return problems


def _legend_on_the_right(spec: dict) -> bool:
    shown = [t for t in spec["data"] if t.get("showlegend", True) and t.get("name")]
    if spec["layout"].get("showlegend") is False or len(shown) < 2:
        return False
    legend = spec["layout"].get("legend", {})
    return legend.get("orientation") != "h" and "x" not in legend  # plotly's default: vertical, on the right


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", ["generate", "uses", "concepts", "reconstructions"])
def test_every_chart_title_fits_a_phone_and_no_legend_takes_the_side(cvae_env, page, lang):
    at = start(page, lang)
    charts = _charts(at)
    assert charts
    too_long = {line for spec in charts for line in _title_problems(spec)}
    assert not too_long, too_long
    assert not [s["layout"].get("title") for s in charts if _legend_on_the_right(s)]
    # item 10: the toolbar's tooltips in the page's language, on every chart
    configs = [json.loads(c.proto.config) for c in at.get("plotly_chart")]
    assert all(c["locale"] == lang for c in configs)
    if lang == "zh":
        assert all(c["locales"]["zh"]["dictionary"]["Box Select"] == ZH["shared.plotly_box"] != "Box Select" for c in configs)


def test_wrap_title_breaks_between_words_and_between_chinese_characters():
    en = wrap_title("Test images in the VAE's latent space: principal components (PCA)", 30)
    assert en.split("<br>") == ["Test images in the VAE's", "latent space: principal", "components (PCA)"]
    zh = wrap_title("测试图像在 VAE 潜空间中的位置：主成分分析（PCA）", 20)
    assert len(zh.split("<br>")) == 3 and all(display_width(line) <= 20 for line in zh.split("<br>"))
    assert zh.replace("<br>", "").replace(" ", "") == "测试图像在VAE潜空间中的位置：主成分分析（PCA）"
    assert wrap_title("short") == "short"
