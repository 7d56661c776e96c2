"""Latent map times: the first view of PCA / UMAP / t-SNE maps and a cached view, in-process.

    VAE_EXPLORER_DATA=../shared/data python bench/map_times.py [--model checkpoints/mnist-vae-16d.safetensors]
        [--rows pca10k,umap10k,tsne10k,pca70k,umap70k,cached] [--other-repo DIR]

A *first view* is everything the Latent map page computes before its chart can be sent, from cold
caches: the latents (encoding), the 2-D projection, the figure, and the figure's JSON as
``st.plotly_chart`` makes it (``return_figure_from_figure_or_data`` + ``plotly.io.to_json``). It calls
the app's own cached functions (``ui.projections``, ``ui.maps``) with Streamlit's caches of the map cleared and a
fresh, empty disk cache (``VAE_EXPLORER_CACHE``); the model and the dataset are loaded beforehand, as
the sidebar has them when the page opens. UMAP goes through ``projections.umap_fit`` (the background fit
the page shows progress for). numba's one-off compilation is warmed by a tiny UMAP fit first.

A *cached view* is a full run of the page script (sidebar included) with choices it has shown
before (``AppTest``, second and later runs): the script's own time, measured inside it, and the
AppTest run (its polling and message handling on top: an upper bound), for the test split (2,000
points, the default) and for all 70,000.

Reference, measured in the same run: encoding the 10,000 test images (``vae_core.latent.encode_dataset``,
batch 1,000 as before). Every row is printed with its ratio to it; wall and CPU seconds.
``--other-repo DIR`` times the first-view rows with another checkout's code (e.g. ``main``) in a
subprocess, for a before/after table. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = ("pca10k", "umap10k", "tsne10k", "pca70k", "umap70k", "cached")


def _quiet_streamlit() -> None:
    os.environ.setdefault("STREAMLIT_GLOBAL_SHOW_WARNING_ON_DIRECT_EXECUTION", "false")
    for name in ("streamlit", "streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api", "streamlit.runtime.caching.cache_resource_api"):
        logging.getLogger(name).setLevel(logging.ERROR)


def timed(fn):
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def load_avg() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def measure(repo: Path, model: Path, rows: list[str]) -> dict:
    """The first-view rows with the code of ``repo`` (imported from there); {row: (wall, cpu)}."""
    sys.path.insert(0, str(repo))
    _quiet_streamlit()
    import plotly
    import plotly.io as pio
    import streamlit as st
    import torch

    _quiet_streamlit()  # again: importing streamlit set its loggers' levels

    from ui import maps, projections, refs
    from vae_core import latent as lat

    new_api = hasattr(projections, "umap_fit")  # this branch's code (train + test maps, background UMAP)
    data_dir = os.environ["VAE_EXPLORER_DATA"]
    ref = refs.ModelRef.of(str(model), "vae")
    dref = refs.DataRef.of("mnist", data_dir)
    data, m = dref.data, ref.model
    out: dict[str, tuple[float, float]] = {}

    w, c, _ = timed(lambda: lat.encode_dataset(m, data.x_test, data.y_test))
    w2, c2, _ = timed(lambda: lat.encode_dataset(m, data.x_test, data.y_test))
    out["reference"] = (min(w, w2), min(c, c2))
    # umap-learn compiles its numba code in every new process (about 30 s here), on the first fit big enough
    # for its approximate neighbour search (4,096+ points): paid once per server start, timed apart
    w, c, _ = timed(lambda: lat.fit_projection(torch.randn(4500, 16).numpy(), "umap", reproducible=False))
    w2, c2, _ = timed(lambda: lat.fit_projection(torch.randn(4500, 16).numpy(), "umap", reproducible=False))
    out["umap_compile"] = (w - w2, c - c2)

    def first_view(n_max, method, source):
        for fn in (projections.latents, projections._projection, maps.cached_scatter):
            if hasattr(fn, "clear"):
                fn.clear()
        os.environ["VAE_EXPLORER_CACHE"] = tempfile.mkdtemp(prefix="map-times-")  # an empty disk cache

        def run():
            if new_api:
                if method == "umap":
                    fit = projections.umap_fit(ref, dref, n_max, False, source)
                    if fit is not None:
                        fit.future.result()
                fig = maps.cached_scatter(ref, dref, n_max, method, False, False, None, 520, "t", "en", source)
            else:
                fig = maps.cached_scatter(ref, dref, n_max, method, False, False, None, 520, "t", "en")
            return pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True),
                               validate=False)
        w, c, spec = timed(run)
        return w, c, len(spec)

    plan = {"pca10k": (None, "pca", "test"), "umap10k": (None, "umap", "test"), "tsne10k": (None, "tsne", "test"),
            "pca70k": (None, "pca", "all"), "umap70k": (None, "umap", "all")}
    for row in rows:
        if row not in plan:
            continue
        if plan[row][2] == "all" and not new_api:
            continue
        w, c, size = first_view(*plan[row])
        out[row] = (w, c)
        out[row + "_bytes"] = size
        print(f"  … {row}: {w:.2f} s (load {load_avg()})", file=sys.stderr, flush=True)
    st.cache_data.clear()
    return out


SCRIPT = """import time
_t0 = time.perf_counter()
from ui import nav
nav.main('latent_map')
import streamlit as st
st.session_state['_bench_script_s'] = time.perf_counter() - _t0
"""


def cached_views(model: Path, repeats: int = 7) -> dict:
    """A full page run (AppTest) after a first run with the same choices: the script's own time
    (server side; the page with the sidebar, the cached functions, the chart's JSON) and the
    AppTest run (which adds its polling and the message handling), medians."""
    from streamlit.testing.v1 import AppTest

    _quiet_streamlit()
    out = {}
    for name, source in (("cached_test2k", "test"), ("cached_all70k", "all")):
        at = AppTest.from_string(SCRIPT, default_timeout=600)
        at.session_state["sb_vae"] = str(model)
        at.session_state["map_source"] = source
        at.session_state["map_points"] = 2000 if source == "test" else 0  # 0: all
        at.run()
        if at.exception:
            raise SystemExit(f"the page failed: {at.exception}")
        walls, scripts = [], []
        for _ in range(repeats):
            w, _, _ = timed(at.run)
            walls.append(w)
            scripts.append(at.session_state["_bench_script_s"])
        out[name] = (statistics.median(scripts), None)
        out[name + "_apptest"] = (statistics.median(walls), None)
        title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
        print(f"  … {name}: {title}", file=sys.stderr, flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=str(ROOT / "checkpoints" / "mnist-vae-16d.safetensors"))
    ap.add_argument("--rows", default=",".join(ROWS))
    ap.add_argument("--other-repo", help="time the first-view rows with this checkout's code too (before)")
    ap.add_argument("--json-out", help=argparse.SUPPRESS)  # used by the subprocess of --other-repo
    ap.add_argument("--repo", default=str(ROOT), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if not os.environ.get("VAE_EXPLORER_DATA"):
        raise SystemExit("set VAE_EXPLORER_DATA to the folder with mnist.npz")
    rows = [r for r in a.rows.split(",") if r]
    model = Path(a.model).resolve()
    if a.json_out:  # the subprocess: one repo's first views
        Path(a.json_out).write_text(json.dumps(measure(Path(a.repo), model, rows)))
        return

    print(f"load average before: {load_avg()} ({os.cpu_count()} CPUs)", flush=True)
    results = {}
    for label, repo in (("before", a.other_repo), ("after", str(ROOT))):
        if repo is None:
            continue
        f = Path(tempfile.mkdtemp()) / "out.json"
        sub_rows = [r for r in rows if r != "cached"]  # a checkout without train + test maps skips the 70k rows
        subprocess.run([sys.executable, __file__, "--repo", str(Path(repo).resolve()), "--model", str(model),
                        "--rows", ",".join(sub_rows), "--json-out", str(f)], check=True, cwd=repo)
        results[label] = json.loads(f.read_text())
    if "cached" in rows:
        sys.path.insert(0, str(ROOT))
        os.chdir(ROOT)
        results["after"].update(cached_views(model))

    ref = results["after"]["reference"]
    print(f"\nreference: encode the 10,000 test images: {ref[0]:.2f} s wall, {ref[1]:.2f} s CPU")
    names = {"umap_compile": "UMAP's numba compilation, once per process",
             "pca10k": "first view, PCA, 10,000 test points", "umap10k": "first view, UMAP (fast), 10,000 test points",
             "tsne10k": "first view, t-SNE, 10,000 test points", "pca70k": "first view, PCA, 70,000 train + test",
             "umap70k": "first view, UMAP (fast), 70,000 train + test",
             "cached_test2k": "cached view, 2,000 test points: script",
             "cached_test2k_apptest": "  the same, AppTest run",
             "cached_all70k": "cached view, 70,000 train + test: script",
             "cached_all70k_apptest": "  the same, AppTest run"}
    print(f"{'':48s} {'wall s':>9s} {'CPU s':>8s} {'× ref':>7s} {'JSON MB':>8s}   before: wall s (× its ref)")
    for key, name in names.items():
        r = results["after"].get(key)
        if r is None:
            continue
        w, c = r
        size = results["after"].get(key + "_bytes")
        line = (f"{name:48s} {w:9.3f} {'' if c is None else f'{c:8.2f}':>8s} {w / ref[0]:7.2f} "
                f"{'' if size is None else f'{size / 1e6:8.2f}':>8s}")
        b = results.get("before", {})
        if key in b:
            line += f"   {b[key][0]:.3f} ({b[key][0] / b['reference'][0]:.2f}×)"
            line += f", JSON {b[key + '_bytes'] / 1e6:.2f} MB" if key + "_bytes" in b else ""
        print(line)
    print(f"load average after: {load_avg()}")


if __name__ == "__main__":
    main()
