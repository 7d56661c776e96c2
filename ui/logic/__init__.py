"""What several pages share, with no Streamlit import (unit-tested on its own); words come in as a ``tx`` argument."""
