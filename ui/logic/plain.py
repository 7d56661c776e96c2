"""Text that came from a file or a user (model names, dataset names and label folders, metadata,
upload names, error lines that embed them), made plain for the places Streamlit renders as
Markdown: ``st.markdown``, captions, alerts, widget labels, radio options, image captions.
No Streamlit here.

Streamlit 1.67's Markdown renders links and images (the browser fetches an image's URL),
GitHub autolinks (``http://…``, ``www.…``, ``a@b.c``), LaTeX between ``$``, HTML entities, and its
own directives ``:red[…]``, ``:material/…:``. ``md`` backslash-escapes every character that starts
one of these (CommonMark escapes any ASCII punctuation; an escaped ``:`` starts no directive), the
dot of ``www.``, and folds line breaks into spaces so a name stays on its line. Places that render
plain text (selectbox options, tables, ``st.text``) take the text as it is."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~$:&@])")
_WWW = re.compile(r"(?i)\b(www)\.")
_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def md(text: object) -> str:
    """``text`` (any value; ``str()`` of it) as Markdown that renders as exactly that text."""
    s = _BREAKS.sub(" ", str(text))
    s = _SPECIAL.sub(r"\\\1", s)
    return _WWW.sub(r"\1\\.", s)
