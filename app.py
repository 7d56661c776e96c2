"""AE/VAE Latent Explorer: ``streamlit run app.py``. The navigation and the shared sidebar
(built in ``ui.nav`` and ``ui.sidebar``); nothing else."""

from ui import nav

nav.main()
