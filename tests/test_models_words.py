"""Issue 20 item 10: the Models page showed a training configuration's keys and values raw (dataset,
epochs, lr_schedule, constant, true…) and the layer table's English headers in 中文; "nats" stood
beside "奈特"."""

from __future__ import annotations

from test_i18n import EN, ZH, start

from pages.models.logic import config_rows, layer_columns
from ui import texts
from vae_core.config import TrainConfig


def test_config_rows_word_keys_booleans_and_closed_values_in_the_language():
    zh = texts.Texts("zh")
    rows = dict(config_rows(TrainConfig(dataset="mnist", lr_schedule="cosine").to_dict(), tx=zh))
    assert rows["训练轮数"] == "10" and rows["数据集"] == "mnist"  # the dataset's own name stays
    assert rows["学习率调度"] == "余弦（衰减到 0）" and rows["每轮计算测试损失"] == "是" and rows["设备"] == "自动"
    assert rows["学习率"] == "0.001" and rows["输入噪声（去噪）"] == "无"
    assert dict(config_rows({"future_setting": "x"}, tx=zh)) == {"future_setting": "x"}  # unknown: as it is
    assert layer_columns(tx=texts.Texts("en")) == ("Layer (type)", "Output Shape", "Param #")


def test_the_models_page_in_chinese_words_the_layer_table_and_the_training_configuration(app_env):
    at = start("models", "zh")
    layer_tables = [d.value for d in at.dataframe if "输出形状" in d.value.columns]
    assert layer_tables and list(layer_tables[0].columns) == ["层（类型）", "输出形状", "参数数"]
    assert len(layer_tables[0]) > 3
    configs = [t.value for t in at.table]
    assert configs, "the training configuration is a table"
    shown = set(configs[0].index) | {str(v) for v in configs[0].iloc[:, 0]}
    assert {"数据集", "训练轮数", "学习率调度", "恒定"} <= shown
    assert not {"epochs", "lr_schedule", "constant", "True", "true"} & shown


def test_one_word_for_the_unit_nat_per_language():
    assert not [k for k, v in ZH.items() if "nats" in v]
    assert not [k for k, v in EN.items() if "奈特" in v]
