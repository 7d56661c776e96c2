"""Every page's choices outlive a visit to another page (ui.state.PERSISTENT): each widget drawn with one
of those keys asks Streamlit to keep its value for the session (``persist_state=S.keep(key)``). The
browser test that caught the loss is tests/test_e2e.py::test_choices_survive_a_visit_to_another_page."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ui import state as S

ROOT = Path(__file__).resolve().parent.parent
WIDGETS = {"radio", "selectbox", "slider", "select_slider", "checkbox", "number_input", "text_input", "text_area",
           "segmented_control", "pills", "toggle", "multiselect", "date_input", "color_picker"}


def widget_calls(paths):
    """(file, line, key expression, persist_state expression or None) of every keyed widget call."""
    for p in paths:
        for n in ast.walk(ast.parse(p.read_text(), str(p))):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in WIDGETS:
                kw = {k.arg: k.value for k in n.keywords}
                if "key" in kw:
                    yield p.relative_to(ROOT), n.lineno, kw["key"], kw.get("persist_state")


def static_key(expr: ast.expr) -> str | None:
    """The key a widget is drawn with when it is written out: ``S.NAME`` or a string literal."""
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "S":
        return getattr(S, expr.attr, None)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


SOURCES = sorted((ROOT / "pages").rglob("*.py")) + sorted((ROOT / "ui").glob("*.py"))


def test_keep_says_session_for_the_kept_choices_only():
    assert all(S.keep(k) == "session" for k in S.PERSISTENT)
    assert S.keep(S.UPLOAD) is None and S.keep("anything else") is None


@pytest.mark.parametrize("where", [f"{f}:{line}" for f, line, key, _ in widget_calls(SOURCES)
                                   if static_key(key) in S.PERSISTENT])
def test_a_kept_choice_is_drawn_with_persist_state(where):
    f, line = where.rsplit(":", 1)
    [(_, _, key, persist)] = [c for c in widget_calls([ROOT / f]) if c[1] == int(line)]
    assert persist is not None, f"{where}: key={ast.unparse(key)} is in PERSISTENT but has no persist_state"
    assert ast.unparse(persist) == f"S.keep({ast.unparse(key)})", where


def test_a_widget_with_a_computed_key_asks_keep_about_that_key():
    """kind_picker, the label picker, the sidebar's model boxes and the index inputs take their key as an
    argument: they pass the same key to S.keep, which decides."""
    computed = [(f, line, key, persist) for f, line, key, persist in widget_calls(SOURCES) if static_key(key) is None]
    assert computed, "the helpers with a key argument were not found"
    for f, line, key, persist in computed:
        if persist is not None:
            assert ast.unparse(persist) == f"S.keep({ast.unparse(key)})", f"{f}:{line}"
    asked = {str(f) for f, _, _, persist in computed if persist is not None}
    assert {"ui/widgets.py", "ui/sidebar.py"} <= asked
