"""What the app's pages share (each page lives in its own package, ``pages/<id>/``).

- ``pagelist`` (the page list, once: id + icon), ``nav`` (language, navigation, the sidebar),
  ``sidebar`` (dataset and one model slot per kind → ``Context``), ``state`` (session-state keys
  several pages share, and their defaults; a page's own keys may live in its package), ``widgets``
  (headers, guards, pickers, image rows), ``app.css``.
- Texts: ``texts`` (Streamlit-free ``Texts(lang)`` over ``locales/<lang>.toml``), ``i18n`` (the
  session's language, ``T``, ``error_text``, spinners).
- Cached computations several pages share, keyed by ``refs.ModelRef`` / ``refs.DataRef`` + plain
  parameters: ``refs`` (the references and their loaders), ``projections`` (latents, PCA / UMAP /
  t-SNE, the background UMAP pool, wait estimates), ``maps`` (a latent map's data and figure),
  ``shared_compute`` (reconstructions, metrics, prior samples, interpolations, posteriors),
  ``threads`` (thread limits). A page's own cached functions are in ``pages/<id>/compute.py``.
- ``ui/logic`` — Streamlit-free and unit-tested on its own: ``clicks`` (chart events → indices,
  cells, ellipses), ``catalog`` (which models exist), ``user_files`` (uploads of models and ONNX pairs, names, renames and
  deletes in the user's folder), ``user_data`` (uploaded datasets), ``figures`` (plotly builders several pages use), ``metric_rows``,
  ``paths``, ``points`` (which points a map shows), ``settings`` (local/shared mode and job limits,
  from the environment), ``waits`` (wait estimates, durations). Words reach it as a ``Texts``
  argument (``tx``), never from a session.

Where does new code go? Pure computation → ``vae_core`` if it is about models or data; a page's
own code → its package (``view.py``, ``compute.py``, ``logic.py``, ``figures.py``); what a second
page needs too → here. The recipes are in the README ("Add a page", "Add a model kind").
"""
