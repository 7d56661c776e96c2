"""The app's texts, read from ``ui/locales/<code>.toml`` (one file per language, one table per page id
plus ``[app]``, ``[shared]`` and ``[errors]``). Streamlit-free: ``Texts(lang)`` looks a key up in a
language that the caller names; ``ui.i18n`` reads the session's language and passes it.

A key is ``"<table>.<name>"`` (``"latent_map.title"``, ``"shared.sb_dataset"``); placeholders in
``{braces}`` are filled with ``.format(...)``. A key missing from a language falls back to English
(tests check that none is missing). Languages are the files present: adding ``fr.toml`` adds French.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

LOCALES = Path(__file__).resolve().parent / "locales"
DEFAULT_LANGUAGE = "en"


@functools.cache
def table(lang: str) -> dict[str, str]:
    """Every string of one language, flat: ``{"<table>.<name>": text}``."""
    with open(LOCALES / f"{lang}.toml", "rb") as f:
        data = tomllib.load(f)
    return {f"{section}.{name}": text for section, names in data.items() for name, text in names.items()}


def _discover() -> dict[str, str]:
    codes = sorted(p.stem for p in LOCALES.glob("*.toml"))
    codes.sort(key=lambda c: c != DEFAULT_LANGUAGE)  # English first
    return {c: table(c).get("app.language_name", c) for c in codes}


LANGUAGES: dict[str, str] = _discover()  # code → its own name, for the language switch


class Texts(Mapping):
    """``Texts("zh")[key]``: the string in that language (English when the language lacks the key)."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def __getitem__(self, key: str) -> str:
        if self.lang != DEFAULT_LANGUAGE:
            found = table(self.lang).get(key)
            if found is not None:
                return found
        return table(DEFAULT_LANGUAGE)[key]

    def __iter__(self) -> Iterator[str]:
        return iter(table(DEFAULT_LANGUAGE))

    def __len__(self) -> int:
        return len(table(DEFAULT_LANGUAGE))


def class_name(tx: Mapping, dataset: str, classes: tuple[str, ...], y: int) -> str:
    """A class's name for display: ``tx["shared.class_<dataset>_<y>"]`` when the dataset's class is the
    builtin one of that key (Fashion-MNIST, CIFAR-10), else the name the data carries (digits: "0".."9")."""
    y = int(y)
    name = classes[y] if 0 <= y < len(classes) else str(y)
    key = f"shared.class_{dataset}_{y}"
    return tx[key] if table(DEFAULT_LANGUAGE).get(key) == name else name


def class_names(tx: Mapping, dataset: str, classes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(class_name(tx, dataset, classes, y) for y in range(len(classes)))
