"""The Generate page body: prior samples with the holes number, CVAE classes and style/content,
interpolation picked on a map, per-dimension traversals, the posterior of one image, the β sweep."""

from __future__ import annotations

import json
import time

import numpy as np
import streamlit as st

from pages.generate import compute
from pages.generate import figures as gen_figures
from ui import decoder_component, projections, refs, shared_compute, texts, widgets
from ui import state as S
from ui.i18n import T
from ui.logic import clicks, paths, waits
from ui.sidebar import Context
from vae_core import latent as lat
from vae_core.config import ModelConfig
from vae_core.generate import active_units, beta_sweep, collapsed_dims, dims_by_kl, subset

IMG = 64  # on-screen width per small generated image (28-px images show at 2×)
# The sweep trains the classic MLP VAE (784–400–d), fast enough to train five on demand; measured
# on MNIST 2-D: a conv VAE with 3 epochs on 5,000 images never left its start (rate ≈ 0, distortion
# ≈ 201 nats for every β), while this setup gives the trade-off (rate 8.6 → 2.5 nats, distortion
# 164 → 171 as β goes 0.25 → 4; 112 s on a busy 2-core machine).
BETA_SWEEP = {"betas": (0.25, 0.5, 1.0, 2.0, 4.0), "epochs": 5, "n_train": 10000, "n_test": 1000, "hidden": 400}
INTERP_MAP_POINTS = 1000
SWEEP_PACE = waits.SweepPace()  # per server process: learns this machine's speed from each sweep


def _mosaic(images: np.ndarray, cols: int, size: int = IMG, caption: str | None = None, where=st) -> None:
    widgets.image(lat.tile(images, cols, pad=2), cols * size, caption=caption, where=where)


# ------------------------------------------------------------------ prior samples

def prior_tab(ctx: Context) -> None:
    st.markdown(T["generate.prior_explain"])
    c1, c2, c3 = st.columns([2, 1, 1])
    temperature = c1.slider(T["generate.temperature"], 0.0, 2.0, key=S.GEN_TEMPERATURE,
                            persist_state=S.keep(S.GEN_TEMPERATURE), step=0.1,
                            help=T["generate.temperature_help"])
    n = c2.select_slider(T["generate.n"], [16, 32, 64], key=S.GEN_N, persist_state=S.keep(S.GEN_N))
    if c3.button(T["generate.draw_again"], key="gen_draw_again"):
        st.session_state[S.GEN_SEED] += 1
    seed = st.session_state[S.GEN_SEED]
    kinds = [k for k in ("ae", "vae") if ctx.model(k) is not None]
    if compute.judge(ctx.dataset) is None:
        st.caption(T["generate.no_classifier"].format(dataset=widgets.plain(ctx.dataset)))
    for col, kind in zip(st.columns(len(kinds)), kinds):
        ref = ctx.ref(kind)
        _mosaic(shared_compute.prior_samples(ref, n, seed, temperature), 8, size=54, where=col,
                caption=T["generate.prior_caption"].format(kind=kind.upper(), name=widgets.plain(ctx.model(kind).name)))
        conf = compute.prior_confidence(ref, ctx.dataset, 256, seed, temperature)
        if conf is not None:
            m1, m2 = col.columns(2)
            m1.metric(T["generate.metric_confident"], f"{conf['share']:.0%}")
            m2.metric(T["generate.metric_classes"], f"{conf['classes']:.1f} / {conf['k']}")
            col.caption(T["generate.confident"].format(share=conf["share"], n=conf["n"], mean=conf["mean_conf"],
                                                  classes=conf["classes"], k=conf["k"]))


# ------------------------------------------------------------------ conditional generation

def cvae_tab(ctx: Context) -> None:
    st.markdown(T["generate.cvae_explain"])
    if ctx.model("cvae") is None:
        st.info(T["shared.cvae_need"].format(dataset=widgets.plain(ctx.dataset)))
        return
    ref = ctx.ref("cvae")
    classes = list(range(len(ctx.data.classes)))
    c1, c2 = st.columns([2, 1])
    label = c1.selectbox(T["shared.class_y"], classes, key=S.GEN_CLASS,
                         persist_state=S.keep(S.GEN_CLASS), format_func=lambda y: widgets.label_name(ctx, y))
    temperature = st.session_state[S.GEN_TEMPERATURE]
    seed = st.session_state[S.GEN_SEED]
    name = widgets.label_md(ctx, label)
    _mosaic(shared_compute.prior_samples(ref, 16, seed, temperature, (label,) * 16), 8,
            caption=T["generate.class_samples"].format(n=16, label=name))
    acc = compute.class_accuracy(ref, ctx.dataset, label, 500, seed, temperature)
    if acc is not None:
        st.caption(T["generate.class_acc"].format(acc=acc, n=500, label=name))
    st.markdown(f"**{T['generate.style_content']}**")
    rows = c2.slider(T["generate.rows"], 2, 10, key=S.GEN_ROWS, persist_state=S.keep(S.GEN_ROWS))
    grid = compute.style_content_grid(ref, rows, seed, temperature)
    widgets.image(grid, len(classes) * IMG, caption=" · ".join(widgets.label_md(ctx, y) for y in classes))


# ------------------------------------------------------------------ interpolation

def _take_click(event) -> None:
    """A new click on the interpolation map sets A or B (alternately)."""
    i = clicks.event_index(event)
    if i is None or i == st.session_state[S.GEN_MAP_LAST]:
        return
    st.session_state[S.GEN_MAP_LAST] = i
    slot = st.session_state[S.GEN_NEXT]
    st.session_state[S.GEN_A if slot == "a" else S.GEN_B] = i
    st.session_state[S.GEN_NEXT] = "b" if slot == "a" else "a"


@st.fragment
def interp_tab(ctx: Context) -> None:
    st.markdown(T["generate.interp_explain"])
    kinds = [k for k in ("ae", "vae", "cvae") if ctx.model(k) is not None]
    map_kind = "vae" if "vae" in kinds else kinds[0]
    hi = len(ctx.data.x_test) - 1
    _take_click(st.session_state.get(S.GEN_MAP))  # the map's event arrives before the widgets are drawn
    for k in (S.GEN_A, S.GEN_B):
        st.session_state[k] = int(np.clip(st.session_state[k], 0, hi))
    left, right = st.columns([2, 3])
    with left:
        st.caption(T["generate.interp_click"])
        c1, c2 = st.columns(2)
        a = c1.number_input(T["generate.interp_a"], 0, hi, key=S.GEN_A, persist_state=S.keep(S.GEN_A))
        b = c2.number_input(T["generate.interp_b"], 0, hi, key=S.GEN_B, persist_state=S.keep(S.GEN_B))
        st.radio(T["generate.interp_next"], ["a", "b"], key=S.GEN_NEXT,
                 persist_state=S.keep(S.GEN_NEXT), horizontal=True, format_func=str.upper)
        steps = st.slider(T["generate.interp_steps"], 8, 16, key=S.GEN_STEPS, persist_state=S.keep(S.GEN_STEPS))
        label_modes = interp_label_modes(ctx.model("cvae") is not None and ctx.ref("cvae").model.takes_soft_labels)
        if "cvae" in kinds:
            if st.session_state[S.GEN_INTERP_LABEL] not in label_modes:
                st.session_state[S.GEN_INTERP_LABEL] = label_modes[0]
            st.radio(T["generate.interp_label"], label_modes, key=S.GEN_INTERP_LABEL,
                     persist_state=S.keep(S.GEN_INTERP_LABEL), horizontal=True,
                     format_func=lambda mode: T[f"generate.interp_label_{mode}"])
        label_mode = st.session_state[S.GEN_INTERP_LABEL] if "cvae" in kinds else "a"
        ref, dref = ctx.ref(map_kind), ctx.data_ref
        enc = projections.latents(ref, dref, INTERP_MAP_POINTS)
        proj = projections.projection(ref, dref, INTERP_MAP_POINTS, "pca")
        labels = ctx.data.y_test.numpy()[enc["idx"]]
        fig = gen_figures.pick_map(clicks.display_coords(proj, labels), labels,
                                   texts.class_names(T, ctx.dataset, ctx.data.classes), enc["idx"], (int(a), int(b)),
                                   T["generate.interp_map"].format(kind=map_kind.upper(),
                                                              method=T["generate.plane_" + proj.method]), proj.method, tx=T)
        st.plotly_chart(fig, config=widgets.plotly_config(), key=S.GEN_MAP, on_select="rerun", selection_mode=("points",))
    with right:
        orig = lat.to_uint8_images(ctx.data.x_test[[int(a), int(b)]])
        widgets.image_row(list(orig), [f"A: #{a}", f"B: #{b}"], size=84, per_row=2)
        for kind in kinds:
            for method in ("linear", "slerp"):
                mode = label_mode if kind == "cvae" else "a"
                imgs = shared_compute.interpolation(ctx.ref(kind), ctx.data_ref, int(a), int(b), steps, method, mode)
                caption = T["generate.interp_row"].format(kind=kind.upper(), method=T[f"generate.method_{method}"], a=a, b=b)
                if kind == "cvae":
                    ya, yb = (widgets.label_name(ctx, int(ctx.data.y_test[i])) for i in (int(a), int(b)))
                    caption += " · " + T[f"generate.interp_label_row_{mode}"].format(ya=ya, yb=yb)
                _mosaic(imgs, steps, size=64, caption=caption)
    st.markdown(T["generate.interp_play"])
    label = int(ctx.data.y_test[int(a)]) if ref.model.conditional else None  # the player decodes with A's class
    decoder_component.model_decoder(ref, "interp", key=S.DEC_GEN_INTERP, label=label,
                                    z_a=_mu_of(ref, ctx, int(a)), z_b=_mu_of(ref, ctx, int(b)))


def interp_label_modes(soft: bool) -> list[str]:
    """A CVAE interpolation's label choices: the class mix first where the decoder reads soft labels."""
    return ["mix", "a", "b"] if soft else ["a", "b"]


# ------------------------------------------------------------------ latent sliders (decoded in the browser)

def _mu_of(ref, ctx: Context, index: int) -> np.ndarray:
    """μ (a point latent for an AE) of one test image; a conditional model encodes with its label."""
    y = ctx.data.y_test[index:index + 1] if ref.model.conditional else None
    mu, _ = lat.encode_dataset(ref.model, ctx.data.x_test[index:index + 1], y)
    return mu[0]


@st.fragment
def sliders_tab(ctx: Context, kind: str) -> None:
    st.markdown(T["generate.sliders_explain"])
    ref, dref = ctx.ref(kind), ctx.data_ref
    d = ctx.model(kind).latent_size
    c1, c2, c3 = st.columns([2, 1, 1])
    start = c1.radio(T["generate.sliders_start"], ["zero", "image"], key=S.GEN_SLIDERS_START,
                     persist_state=S.keep(S.GEN_SLIDERS_START), horizontal=True,
                     format_func=lambda s: T[f"generate.sliders_start_{s}"])
    z0, label = None, None
    if start == "image":
        with c2:
            i = _index_input(ctx, S.GEN_SLIDERS_INDEX)
        z0 = _mu_of(ref, ctx, i)
        c3.image(widgets.enlarge(lat.to_uint8_images(ctx.data.x_test[i:i + 1])[0], 56), width=56)
        if ref.model.conditional:
            label = int(ctx.data.y_test[i])
    if ref.model.conditional and label is None:
        label = widgets.label_picker(ctx, kind, key="gen_sliders_label")
    kl = compute.kl_per_dim(ref, dref)
    mu = None if kl is not None else projections.latents(ref, dref, 2000)["mu"]  # an AE's ranges: its data's
    setup = decoder_component.slider_setup(d, None if kl is None else np.asarray(kl), mu, kl is not None, z0)
    decoder_component.model_decoder(ref, "sliders", key=S.DEC_GEN_SLIDERS, label=label, **setup)


# ------------------------------------------------------------------ traversal

def _index_input(ctx: Context, key: str) -> int:
    hi = len(ctx.data.x_test) - 1
    st.session_state[key] = int(np.clip(st.session_state[key], 0, hi))
    return int(st.number_input(T["generate.index"], 0, hi, key=key, persist_state=S.keep(key)))


def traverse_tab(ctx: Context, kind: str) -> None:
    st.markdown(T["generate.traverse_explain"])
    ref, dref = ctx.ref(kind), ctx.data_ref
    d = ctx.model(kind).latent_size
    variational = ref.model.variational
    c1, c2, c3 = st.columns(3)
    with c1:
        index = _index_input(ctx, S.GEN_INDEX)
    st.session_state[S.GEN_DIMS] = int(np.clip(st.session_state[S.GEN_DIMS], 1, d))
    n_dims = c2.slider(T["generate.dims"], 1, d, key=S.GEN_DIMS, persist_state=S.keep(S.GEN_DIMS)) if d > 1 else 1
    span = (c3.slider(T["generate.span"], 0.5, 5.0, key=S.GEN_SPAN,
                      persist_state=S.keep(S.GEN_SPAN), step=0.5, help=T["generate.span_help"])
            if variational else 3.0)
    kl = compute.kl_per_dim(ref, dref)
    dims = tuple(dims_by_kl(kl, d)[:n_dims])
    mosaic = compute.traversal(ref, dref, index, dims, 9, float(span))
    names = ", ".join(f"z{j + 1}" for j in dims)
    row_text = (T["generate.traverse_row"].format(dims=names, span=span) if variational
                else T["generate.traverse_row_ae"].format(dims=names))
    orig = lat.to_uint8_images(ctx.data.x_test[index:index + 1])[0]
    c1, c2 = st.columns([1, 6])
    widgets.image(orig, 84, caption=f"#{index}", where=c1)
    widgets.image(mosaic, 9 * IMG, caption=row_text, where=c2)
    collapsed = collapsed_dims(kl, dims)
    if collapsed:
        st.caption(T["generate.traverse_collapsed"].format(dims=", ".join(f"z{j + 1}" for j in collapsed)))


# ------------------------------------------------------------------ posterior

def posterior_tab(ctx: Context, kind: str) -> None:
    st.markdown(T["generate.posterior_explain"])
    ref, dref = ctx.ref(kind), ctx.data_ref
    index = _index_input(ctx, S.GEN_POST_INDEX)
    post = shared_compute.posterior(ref, dref, index, 16, st.session_state[S.GEN_SEED])
    orig = lat.to_uint8_images(ctx.data.x_test[index:index + 1])[0]
    c1, c2, c3 = st.columns([1, 1, 4])
    widgets.image(orig, 84, caption=f"#{index}", where=c1)
    widgets.image(post["mean"], 84, caption=T["shared.post_mean"], where=c2)
    _mosaic(post["draws"], 8, size=64, caption=T["generate.post_draws"], where=c3)
    if not ref.model.variational:
        st.info(T["generate.post_ae"])
        return
    enc = compute.encode_indices(ref, dref, (index,))
    proj = projections.projection(ref, dref, 2000, "pca")
    bg = projections.latents(ref, dref, 2000)
    left, right = st.columns(2)
    if proj.method == "strip":  # a 1-D latent: no plane to draw q(z|x) on
        mu0, sigma0 = float(enc["mu"][0][0]), float(np.exp(0.5 * enc["logvar"][0][0]))
        left.caption(T["generate.post_1d"].format(mu=mu0, sigma=sigma0))
    else:
        comps = proj._components if proj.method == "pca" else None
        plane = T["generate.plane_pca" if comps is not None else "generate.plane_identity"]
        fig = gen_figures.posterior_plane(proj, bg["mu"], enc["mu"][0], enc["logvar"][0], post["z"],
                                          T["generate.post_ellipse"].format(plane=plane), tx=T)
        left.plotly_chart(fig, config=widgets.plotly_config(), key="gen_post_plane")
    with right:
        kl = compute.kl_per_dim(ref, dref)
        n = min(2000, len(ctx.data.x_test))
        st.plotly_chart(gen_figures.kl_bars(kl, T["generate.kl_title"].format(n=n), tx=T), config=widgets.plotly_config(), key="gen_kl_bars")
        st.markdown(T["generate.active"].format(active=active_units(kl), d=len(kl)))


# ------------------------------------------------------------------ β trade-off

def _sweep_file(ctx: Context, kind: str):
    chosen = refs.checkpoint(ctx.model(kind).path).model_config
    cfg = ModelConfig(kind="vae", backbone="mlp", in_channels=chosen.in_channels, image_size=chosen.image_size,
                      latent_dim=chosen.latent_size, hidden=BETA_SWEEP["hidden"], recon_loss=chosen.recon_loss)
    return paths.cache_dir() / f"betasweep-{refs.disk_key(ctx.dataset, cfg.to_dict(), BETA_SWEEP)}.json", cfg


def beta_tab(ctx: Context, kind: str) -> None:
    st.markdown(T["generate.beta_explain"])
    f, cfg = _sweep_file(ctx, kind)
    sweep = json.loads(f.read_text()) if f.is_file() else None
    n_betas = len(BETA_SWEEP["betas"])
    wait_s = SWEEP_PACE.estimate(n_betas, BETA_SWEEP["epochs"], min(BETA_SWEEP["n_train"], len(ctx.data.x_train) if ctx.data is not None else 0))
    if sweep is None:
        if ctx.data_mode != "full":
            st.info(T["generate.beta_need_full"].format(dataset=widgets.plain(ctx.dataset)))
        elif st.button(T["generate.beta_run"].format(n=n_betas, wait=waits.format_duration(wait_s, tx=T)),
                       key="gen_beta_run"):
            data = subset(ctx.data, BETA_SWEEP["n_train"], BETA_SWEEP["n_test"])
            t0 = time.time()
            with st.status(T["generate.beta_run"].format(n=n_betas, wait=waits.format_duration(wait_s, tx=T))) as status:
                def progress(i, beta):
                    status.update(label=T["generate.beta_running"].format(beta=beta, i=i + 1, n=n_betas))
                sweep = beta_sweep(data, cfg, BETA_SWEEP["betas"], BETA_SWEEP["epochs"], callback=progress)
                took = time.time() - t0
                SWEEP_PACE.record(n_betas, BETA_SWEEP["epochs"], len(data.x_train), took)
                status.update(label=T["generate.beta_finished"].format(n=n_betas, took=waits.format_duration(took, tx=T)),
                              state="complete")
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(json.dumps(sweep))
    shipped = []
    for k in ("vae", "cvae"):
        e = ctx.model(k)
        if e is not None:
            m = shared_compute.metrics(ctx.ref(k), ctx.data_ref)
            shipped.append({"name": T["shared.kind_name"].format(kind=k.upper(), name=e.name), "rate": m["kl"],
                            "distortion": m["recon"]})
    if sweep is not None:
        st.caption(T["generate.beta_done"].format(n=len(sweep), n_train=BETA_SWEEP["n_train"], epochs=BETA_SWEEP["epochs"]))
    st.plotly_chart(gen_figures.rate_distortion(sweep or [], shipped, BETA_SWEEP["epochs"], tx=T), config=widgets.plotly_config(), key="gen_beta_fig")
