"""AE/VAE Latent Explorer: ``streamlit run app.py``. The navigation and the shared sidebar
(built in ``ui.core.nav`` and ``ui.core.sidebar``); nothing else."""

from ui.core import nav

nav.main()
