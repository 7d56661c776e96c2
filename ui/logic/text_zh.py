"""中文 strings of the app, keyed like ``text.EN`` (the terms Chinese ML texts use: 自动编码器,
变分自编码器, 潜在空间, 先验, 后验, 似然, 重参数化技巧, KL 散度, 判别式模型, 生成式模型, 条件生成模型)."""

from __future__ import annotations

ZH: dict[str, str] = {
    # app and navigation
    "app_title": "AE/VAE 潜在空间探索器",
}
