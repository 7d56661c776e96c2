"""The shape of vae_core: no import circles (function-local imports included), nothing from above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from vae_core.errors import CODES, CheckpointError, ConfigError, DataError, VaeCoreError

PKG = Path(__file__).resolve().parent.parent / "vae_core"


def import_graph(pkg: Path = PKG) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """({module: vae_core modules it imports}, {module: top-level packages it imports}), read with ast
    from every import statement anywhere in the file (in functions and TYPE_CHECKING blocks too)."""
    mods = {p.stem for p in pkg.glob("*.py")}
    inner: dict[str, set[str]] = {}
    outer: dict[str, set[str]] = {}
    for p in pkg.glob("*.py"):
        name = p.stem
        inner[name], outer[name] = set(), set()
        for node in ast.walk(ast.parse(p.read_text(), str(p))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1 or (node.module or "").split(".")[0] == "vae_core":
                    base = (node.module or "") if node.level == 1 else node.module.partition(".")[2]
                    if base:
                        inner[name].add(base.split(".")[0])
                    else:  # from . import x, y
                        inner[name].update(a.name for a in node.names if a.name in mods)
                elif node.level == 0:
                    outer[name].add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                for a in node.names:
                    top = a.name.split(".")
                    if top[0] == "vae_core" and len(top) > 1:
                        inner[name].add(top[1])
                    else:
                        outer[name].add(top[0])
        inner[name] &= mods
        inner[name].discard(name)
        inner[name].discard("__init__")  # `from . import __version__`: the package itself imports nothing
    return inner, outer


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (c := visit(n)):
                return c
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (c := visit(m)):
            return c
    return None


def test_vae_core_has_no_import_cycle():
    inner, _ = import_graph()
    assert {"config", "noise", "train", "distributed"} <= set(inner)
    assert find_cycle(inner) is None, " -> ".join(find_cycle(inner))


def test_find_cycle_sees_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_vae_core_imports_nothing_from_above():
    _, outer = import_graph()
    for mod, tops in outer.items():
        assert not tops & {"streamlit", "ui", "pages", "app", "plotly"}, (mod, tops)


def test_error_code_defaults_and_params():
    e = CheckpointError("plain message")
    assert (str(e), e.code, e.params) == ("plain message", "checkpoint_error", {})
    assert ConfigError("x").code == "config_error" and DataError("x").code == "data_error"
    assert VaeCoreError("x").code == "vae_core_error"
    e = DataError("one line", code="bad_labels", params={"path": "a.npz", "min": -1})
    assert str(e) == "one line" and e.code == "bad_labels" and e.params["min"] == -1
    assert DataError.code == "data_error"  # setting it on an instance leaves the class alone
    import pickle

    back = pickle.loads(pickle.dumps(e))
    assert (str(back), back.code, back.params) == (str(e), e.code, e.params)
    assert all(isinstance(v, tuple) for v in CODES.values())
@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_is_raised_somewhere(code):
    """Each listed code is set at a raise site in vae_core (so the app's wording is not dead text)."""
    text = "".join(p.read_text() for p in PKG.glob("*.py") if p.name != "errors.py")
    text += (PKG / "errors.py").read_text().partition("def write_error")[2]  # not the CODES table itself
    assert f'code="{code}"' in text or f"'{code}'" in text or f'"{code}"' in text


def test_package_docstring_lists_every_module():
    import vae_core

    doc = vae_core.__doc__
    for p in PKG.glob("*.py"):
        if p.stem != "__init__":
            assert f"``{p.stem}``" in doc, p.stem
    from vae_core.kinds import KIND_NAMES

    for k in KIND_NAMES:
        assert f"``{k}``" in doc, k
