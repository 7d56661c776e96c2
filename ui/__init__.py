"""The Streamlit side of the explorer. Three folders, one rule each:

- ``ui/core``  — infrastructure every page uses: ``pagelist`` (the page list, once), ``nav``
  (navigation + sidebar), ``sidebar`` (dataset and one model slot per kind → ``Context``),
  ``state`` (session-state key names and defaults), ``cache`` (EVERY cached function, keyed
  by ``ModelRef`` / ``DataRef`` + plain parameters), ``widgets`` (headers, guards, pickers,
  image rows).
- ``ui/logic`` — no Streamlit import, unit-tested on its own: ``clicks`` (chart events → indices,
  cells, ellipses), ``catalog`` (which models exist; uploads, names, renames), ``figures`` (plotly
  builders), ``paths``, ``settings`` (local/shared mode and job limits, from the environment),
  ``jobs`` (when a training job stops, its ETA, posterior collapse), ``text`` (every user-facing string).
- ``ui/views`` — one module per page body: reads widgets, calls ``ui.core.cache`` and
  ``vae_core``, draws. A page file in ``pages/`` stays a short script over its view.

Where does new code go? Pure computation → ``vae_core`` if it is about models or data,
``ui/logic`` if it is about what the screen shows; anything cached → ``ui/core/cache.py``;
drawing → ``ui/views/<page>.py``. The recipes are in the README ("Add a page", "Add a model kind").
"""
