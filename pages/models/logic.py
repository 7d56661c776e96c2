"""The Models page's Streamlit-free wording: a checkpoint's training configuration and layer table as
rows in the page's language (the CLI's ``summary`` keeps torchsummary's English headers)."""

from __future__ import annotations

from collections.abc import Mapping

# settings whose values are words of a closed set: each value has a text key models.cfg_<key>_<value>
WORDED_VALUES = ("lr_schedule", "device", "precision")


def config_rows(cfg: Mapping, *, tx: Mapping[str, str]) -> list[tuple[str, str]]:
    """(setting, value) rows of a training configuration: the names from ``models.cfg_<key>``, yes/no
    for booleans, closed-set values worded, a blank one as "none"; a key or a value with no text stays
    as it is (a newer file's setting, the dataset's own name)."""
    out = []
    for key, value in cfg.items():
        name = tx.get(f"models.cfg_{key}", key)
        if isinstance(value, bool):
            shown = tx["models.cfg_yes" if value else "models.cfg_no"]
        elif value == "" or value is None:
            shown = tx["models.cfg_none"]
        elif key in WORDED_VALUES:
            shown = tx.get(f"models.cfg_{key}_{value}", str(value))
        else:
            shown = f"{value:g}" if isinstance(value, float) else str(value)
        out.append((name, shown))
    return out


def layer_columns(*, tx: Mapping[str, str]) -> tuple[str, str, str]:
    """The layer table's headers (torchsummary's Layer (type) / Output Shape / Param #), worded."""
    return tx["models.layer_name"], tx["models.layer_shape"], tx["models.layer_params"]
