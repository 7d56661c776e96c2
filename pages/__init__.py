"""The app's pages: one package per page, named by the page's id (its URL path and its texts' table).

``pages/<id>.py`` (beside the package) is the script ``st.Page`` runs (read widgets → call the view → draw); ``view.py`` the page
body; ``compute.py`` its ``@st.cache_*`` computations; ``logic.py`` / ``figures.py`` its Streamlit-free
code. The list of pages is ``ui.pagelist.PAGES``: ``st.navigation`` runs these files, Streamlit does not
discover this folder by itself.
"""
