"""Re-create every shipped checkpoint and test sample from scratch.

    VAE_EXPLORER_DATA=../shared/data python checkpoints/reproduce.py --out-dir /tmp/zoo

The list of files, with the exact ``python -m vae_core train`` arguments (seed and epochs
included), lives in ``vae_core/zoo.py``; ``--dry-run`` prints the commands. Options:
``--out-dir`` (default checkpoints/), ``--data-dir``, ``--only FILE…``, ``--no-samples``,
``--threads``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vae_core.zoo import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
