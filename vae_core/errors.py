"""The one base class of this library's errors."""

from __future__ import annotations


class VaeCoreError(Exception):
    """Every error this library raises on bad input (a bad file, argument, config or dataset).

    Its message is one line a user can act on: callers (the CLI, the app) show ``str(e)`` as it
    is and never need a traceback. Subclasses keep a second, built-in base (``ValueError``,
    ``RuntimeError``) so that older ``except`` clauses still catch them.
    """
