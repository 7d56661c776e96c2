"""The Uses page body: what autoencoders are good for, one tab per use, each with its formula, a live
picture and a measured number (compression, denoising, filling missing values, anomaly and
out-of-distribution detection, feature extraction with few labels, data augmentation)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st
import torch

from pages.uses import compute
from pages.uses import figures as uf
from ui import refs, shared_compute, widgets
from ui import state as S
from ui.i18n import T, error_text
from ui.logic import waits
from ui.sidebar import Context
from vae_core import latent as lat
from vae_core import uses
from vae_core.data import DataError
from vae_core.errors import VaeCoreError
from vae_core.kinds import KIND_NAMES

IMG = 56  # on-screen size of a small image
ROW = 8  # images per picture row
# The other dataset fed through a model for out-of-distribution detection: the other 28×28 grey builtin.
OTHER = {"mnist": "fashion-mnist", "fashion-mnist": "mnist", "digits": "fashion-mnist"}
TABS = ("compression", "denoising", "filling", "anomaly", "features", "augmentation")


def _latent_models(ctx: Context) -> list:
    """Every model (shipped and yours) of the dataset with a latent vector that runs on the loaded data
    (the sidebar's ``ctx.usable``: its shape matches) and loads, small latents first; a model that does
    not load is one line and left out."""
    es = []
    for e in ctx.entries:
        if ctx.usable(e) and e.latent_dim:
            try:
                refs.checkpoint(e.path)
                es.append(e)
            except (VaeCoreError, OSError) as err:
                st.caption(T["shared.sb_not_offered"].format(name=widgets.plain(e.name), msg=error_text(err, markdown=True)))
    return sorted(es, key=lambda e: (e.latent_dim, KIND_NAMES.index(e.kind) if e.kind in KIND_NAMES else 9, e.name))


def _ref(e) -> refs.ModelRef:
    return refs.ModelRef.of(e.path, e.kind)


def _name(ctx: Context, kind: str) -> str:
    return f"{kind.upper()} · {widgets.plain(ctx.model(kind).name)}"


def _indices(ctx: Context, n: int = ROW) -> tuple[int, ...]:
    """``n`` test images from the chosen first index on."""
    hi = len(ctx.data.x_test)
    start = int(np.clip(st.session_state[S.USE_INDEX], 0, max(0, hi - n)))  # read only: the widget may exist
    return tuple(range(start, min(hi, start + n)))


def _index_input(ctx: Context, where=st) -> None:
    hi = max(0, len(ctx.data.x_test) - ROW)
    st.session_state[S.USE_INDEX] = int(np.clip(st.session_state[S.USE_INDEX], 0, hi))
    where.number_input(T["uses.index"], 0, hi, key=S.USE_INDEX, persist_state=S.keep(S.USE_INDEX))


def _strip(images, caption: str, where=st, size: int = IMG) -> None:
    images = np.asarray(images)
    widgets.image(lat.tile(images, len(images), pad=2), len(images) * size, caption=caption, where=where)


def _tx(key: str) -> str:
    """A word of a formula in the language: ``\\text{…}`` of ``T[key]``."""
    return r"\text{" + T[key] + "}"


def _originals(ctx: Context, idx) -> np.ndarray:
    return lat.to_uint8_images(ctx.data.x_test[list(idx)])


# ------------------------------------------------------------------ compression

def compression_tab(ctx: Context) -> None:
    st.markdown(T["uses.cmp_explain"])
    st.latex(_tx("uses.tex_ratio") + r" = \frac{C\,H\,W \cdot 1\ " + _tx("uses.tex_byte") + r"}{d \cdot b / 8\ "
             + _tx("uses.tex_bytes") + r"}")
    st.latex(r"\mathrm{PSNR} = 10 \log_{10} \frac{1}{\mathrm{MSE}}")  # one formula a line: two were cut at 390 px
    st.latex(r"\hat z_j = lo_j + \frac{\operatorname{round}\!\big(\tfrac{z_j - lo_j}{hi_j - lo_j}(2^b - 1)\big)}"
             r"{2^b - 1}\,(hi_j - lo_j)")
    st.latex(r"\text{(}b" + _tx("uses.tex_codes"))
    entries = _latent_models(ctx)
    dref = ctx.data_ref
    n = min(compute.USE_N, len(ctx.data.x_test))
    with st.spinner(T["uses.spin_models"].format(n=len(entries), images=n)):
        rows = {e.name: compute.use_compression(_ref(e), dref) for e in entries}
    raw = uses.image_bytes(ctx.data.image_shape)
    left, right = st.columns([1, 1])
    with left:
        axis = st.radio(T["uses.cmp_axis"], ["bytes", "ratio"], key=S.USE_CMP_AXIS,
                        persist_state=S.keep(S.USE_CMP_AXIS), horizontal=True,
                        format_func=lambda a: T[f"uses.cmp_axis_{a}"])
        st.plotly_chart(uf.rate_distortion(rows, axis, raw, tx=T), config=widgets.plotly_config(), key="use_cmp_fig")
    with right:
        table = []
        for name, rs in rows.items():
            by = {r["bits"]: r for r in rs}
            table.append({T["uses.col_model"]: name, "d": by[32]["d"],
                          T["uses.cmp_col_float"]: f"{by[32]['bytes']:g} B · {by[32]['psnr']:.2f}",
                          T["uses.cmp_col_8"]: f"{by[8]['bytes']:g} B · {by[8]['psnr']:.2f}",
                          T["uses.cmp_col_4"]: f"{by[4]['bytes']:g} B · {by[4]['psnr']:.2f}"})
        st.dataframe(pd.DataFrame(table), hide_index=True)
        st.caption(T["uses.cmp_caption"].format(n=n, raw=raw))
        best = max(rows.items(), key=lambda kv: next(r["psnr"] for r in kv[1] if r["bits"] == 8), default=None)
        if best is not None:
            r8 = next(r for r in best[1] if r["bits"] == 8)
            st.metric(T["uses.cmp_metric"].format(name=widgets.plain(best[0])), f"{r8['ratio']:.0f}× · {r8['psnr']:.1f} dB")
    st.markdown(f"**{T['uses.cmp_picture']}**")
    c1, c2, c3 = st.columns([1, 1, 1])
    with c3:
        kind = widgets.kind_picker(ctx, key="use_kind_cmp")
    bits = c1.select_slider(T["uses.cmp_bits_pick"], [32, 8, 4, 2], key=S.USE_CMP_BITS,
                            persist_state=S.keep(S.USE_CMP_BITS))
    _index_input(ctx, c2)
    idx = _indices(ctx)
    ref = ctx.ref(kind)
    d = ctx.model(kind).latent_size
    nbytes = uses.latent_bytes(d, bits) + (1 if ref.model.conditional else 0)
    _strip(_originals(ctx, idx), T["uses.original_row"].format(b=raw))
    _strip(compute.use_quantised_images(ref, dref, idx, bits),
           T["uses.cmp_row"].format(name=_name(ctx, kind), d=d, bits=bits, b=nbytes, ratio=raw / nbytes))


# ------------------------------------------------------------------ denoising

def _noise_spec() -> tuple[str, str]:
    """The noise spec (``gaussian:0.3``, as ``--noise`` takes it) and how it reads in the language."""
    c1, c2 = st.columns(2)
    kind = c1.radio(T["uses.dn_kind"], ["gaussian", "saltpepper"], key=S.USE_NOISE_KIND,
                    persist_state=S.keep(S.USE_NOISE_KIND), horizontal=True,
                    format_func=lambda k: T[f"uses.dn_{k}"])
    level = c2.slider(T["uses.dn_sigma" if kind == "gaussian" else "uses.dn_p"], 0.05, 0.8, step=0.05,
                      key=S.USE_NOISE_LEVEL, persist_state=S.keep(S.USE_NOISE_LEVEL))
    return f"{kind}:{level:g}", T[f"uses.dn_spec_{kind}"].format(level=level)


def denoise_tab(ctx: Context) -> None:
    st.markdown(T["uses.dn_explain"])
    st.latex(r"\tilde x = \operatorname{clip}(x + \sigma\,\varepsilon,\ 0,\ 1)\ \ " + _tx("uses.tex_or_sp") + r"(p)")
    st.latex(_tx("uses.tex_gain") + r" = \mathrm{PSNR}\big(g(f(\tilde x)),\,x\big) - \mathrm{PSNR}(\tilde x,\,x)")
    st.latex(_tx("uses.tex_dae") + r"\quad \min_{f,\,g}\ \mathbb{E}_{x,\,\tilde x}\ \ell\big(g(f(\tilde x)),\ x\big)")
    st.latex(_tx("uses.tex_noisy_in"))
    spec, shown = _noise_spec()
    entries = _latent_models(ctx)
    dref = ctx.data_ref
    n = min(compute.USE_N, len(ctx.data.x_test))
    with st.spinner(T["uses.spin_models"].format(n=len(entries), images=n)):
        res = {e.name: compute.use_denoise(_ref(e), dref, spec) for e in entries}
    left, right = st.columns([3, 2])
    with left:
        _index_input(ctx)
        idx = _indices(ctx)
        _strip(_originals(ctx, idx), T["uses.dn_clean_row"])
        noisy = torch.from_numpy(compute.use_noisy(dref, idx, spec))
        _strip(lat.to_uint8_images(noisy),
               T["uses.dn_noisy_row"].format(spec=shown, psnr=next(iter(res.values()))["noisy"] if res else 0))
        for e in entries:
            _strip(compute.use_denoised(_ref(e), dref, idx, spec),
                   T["uses.dn_model_row"].format(name=widgets.plain(e.name), psnr=res[e.name]["recon"]))
    with right:
        st.plotly_chart(uf.denoise_bars(res, tx=T), config=widgets.plotly_config(), key="use_dn_fig")
        table = [{T["uses.col_model"]: name, T["uses.dn_col_recon"]: round(r["recon"], 2),
                  T["uses.dn_col_gain"]: round(r["recon"] - r["noisy"], 2),
                  T["uses.dn_col_clean"]: round(r["clean"], 2)} for name, r in res.items()]
        st.dataframe(pd.DataFrame(table), hide_index=True)
        st.caption(T["uses.dn_caption"].format(n=n))
        if res:
            best = max(res.items(), key=lambda kv: kv[1]["recon"])
            st.metric(T["uses.dn_metric"].format(name=widgets.plain(best[0])), f"{best[1]['recon']:.1f} dB",
                      f"{best[1]['recon'] - best[1]['noisy']:+.1f} dB")
        st.markdown(T["uses.dn_lesson"])


# ------------------------------------------------------------------ filling missing values

def _mask_spec(ctx: Context) -> tuple:
    _, h, w = ctx.data.image_shape
    mode = st.radio(T["uses.fill_mode"], ["box", "random"], key=S.USE_FILL_MODE,
                    persist_state=S.keep(S.USE_FILL_MODE), horizontal=True,
                    format_func=lambda m: T[f"uses.fill_{m}"])
    if mode == "random":
        frac = st.slider(T["uses.fill_fraction"], 0.1, 0.9, step=0.05, key=S.USE_FILL_FRACTION,
                         persist_state=S.keep(S.USE_FILL_FRACTION))
        return ("random", float(frac), 0)
    for key, hi in ((S.USE_BOX_TOP, h - 1), (S.USE_BOX_LEFT, w - 1), (S.USE_BOX_H, h), (S.USE_BOX_W, w)):
        st.session_state[key] = int(np.clip(st.session_state[key], 0 if key in (S.USE_BOX_TOP, S.USE_BOX_LEFT) else 1, hi))
    c1, c2 = st.columns(2)
    top = c1.slider(T["uses.fill_top"], 0, h - 1, key=S.USE_BOX_TOP, persist_state=S.keep(S.USE_BOX_TOP))
    left = c2.slider(T["uses.fill_left"], 0, w - 1, key=S.USE_BOX_LEFT, persist_state=S.keep(S.USE_BOX_LEFT))
    bh = c1.slider(T["uses.fill_h"], 1, h, key=S.USE_BOX_H, persist_state=S.keep(S.USE_BOX_H))
    bw = c2.slider(T["uses.fill_w"], 1, w, key=S.USE_BOX_W, persist_state=S.keep(S.USE_BOX_W))
    return ("box", int(top), int(left), int(bh), int(bw))


def fill_tab(ctx: Context) -> None:
    st.markdown(T["uses.fill_explain"])
    st.latex(r"x^{(0)} = m \odot x + (1 - m) \odot \bar x_{" + _tx("uses.tex_known") + r"}")
    st.latex(r"x^{(k+1)} = m \odot x + (1 - m) \odot g\big(f(x^{(k)})\big)")
    st.latex(r"\mathrm{MSE}_{" + _tx("uses.tex_missing") + r"} = \frac{\sum (1 - m)\,(\hat x - x)^2}{\sum (1 - m)}")
    st.latex(r"(m = 1 \text{ " + T["uses.tex_known"] + r"},\ m = 0 \text{ " + T["uses.tex_missing"] + "})")
    controls, picture = st.columns([2, 3])
    with controls:
        kind = widgets.kind_picker(ctx, key="use_kind_fill")
        mask = _mask_spec(ctx)
        iters = st.slider(T["uses.fill_iters"], 1, 50, key=S.USE_FILL_ITERS, persist_state=S.keep(S.USE_FILL_ITERS))
        _index_input(ctx)
    dref = ctx.data_ref
    idx = _indices(ctx)
    ref = ctx.ref(kind)
    with picture:
        imgs = compute.use_fill_images(ref, dref, idx, mask, iters)
        orig = _originals(ctx, idx)
        _strip([uf.show_mask(o, m) for o, m in zip(orig, imgs["mask"])], T["uses.fill_masked_row"])
        _strip(imgs["mean"], T["uses.fill_mean_row"])
        _strip(imgs["filled"], T["uses.fill_filled_row"].format(name=_name(ctx, kind), k=iters))
        _strip(orig, T["uses.fill_orig_row"])
    n = min(compute.USE_FILL_N, len(ctx.data.x_test))
    entries = _latent_models(ctx)
    with st.spinner(T["uses.spin_models"].format(n=len(entries), images=n)):
        scores = {e.name: compute.use_fill_scores(_ref(e), dref, mask, iters) for e in entries}
    left, right = st.columns([1, 1])
    left.plotly_chart(uf.fill_curve({k: v["per_iter"] for k, v in scores.items()}, tx=T), config=widgets.plotly_config(), key="use_fill_fig")
    with right:
        table = [{T["uses.col_model"]: name, T["uses.fill_col_mean"]: round(s["mean_fill"], 4),
                  T["uses.fill_col_model"]: round(s["fill"], 4),
                  T["uses.fill_col_gain"]: f"{1 - s['fill'] / s['mean_fill']:.0%}" if s["mean_fill"] > 0 else "—"}
                 for name, s in scores.items()]
        st.dataframe(pd.DataFrame(table), hide_index=True)
        s = scores.get(ctx.model(kind).name) or compute.use_fill_scores(ref, dref, mask, iters)
        st.metric(T["uses.fill_metric"].format(name=_name(ctx, kind)), f"{s['fill']:.4f}",
                  f"{s['fill'] - s['mean_fill']:+.4f} " + T["uses.fill_vs_mean"], delta_color="inverse")
        st.caption(T["uses.fill_caption"].format(n=n, k=iters))


# ------------------------------------------------------------------ anomaly / out-of-distribution

def _other_data(ctx: Context):
    """(name, DataRef) of the other dataset fed through the model, or (name or None, message)."""
    other = OTHER.get(ctx.dataset)
    if other is None:
        return None, T["uses.an_no_partner"].format(dataset=widgets.plain(ctx.dataset))
    try:
        data, _ = refs.dataset(other, ctx.data_dir)
    except DataError as e:
        return other, T["uses.an_no_other"].format(other=other, err=error_text(e, markdown=True))
    if data.image_shape != ctx.data.image_shape:
        return other, T["uses.an_shape"].format(other=other, a=data.image_shape, b=ctx.data.image_shape)
    return other, refs.DataRef.of(other, ctx.data_dir)


def anomaly_tab(ctx: Context) -> None:
    st.markdown(T["uses.an_explain"])
    st.latex(r"s_{" + _tx("uses.tex_rec") + r"}(x) = \tfrac{1}{D}\,\lVert x - g(f(x)) \rVert^2")
    st.latex(r"s_{\text{ELBO}}(x) = \mathbb{E}_{q(z|x)}\big[-\log p(x|z)\big]"
             r" + \mathrm{KL}\big(q(z|x)\,\Vert\,p(z)\big)")
    x_other, x_own = _tx("uses.tex_other"), _tx("uses.tex_own")
    st.latex(rf"\mathrm{{AUC}} = P\big(s(x_{{{x_other}}}) > s(x_{{{x_own}}})\big)"
             rf" + \tfrac12 P\big(s(x_{{{x_other}}}) = s(x_{{{x_own}}})\big)")
    kinds = [k for k in ctx.kinds if k != "cvae"]  # a CVAE needs a label: another lesson
    if ctx.model("cvae") is not None:
        st.caption(T["uses.an_no_cvae"])
    if not kinds:
        st.info(T["uses.an_need"].format(dataset=widgets.plain(ctx.dataset)))
        return
    dref = ctx.data_ref
    n = min(compute.USE_N, len(ctx.data.x_test))
    c1, c2 = st.columns([1, 1])
    with c1:
        kind = widgets.kind_picker(ctx, kinds=kinds, key="use_kind_anomaly")
    ref = ctx.ref(kind)
    choices = ["recon", "elbo"] if ref.model.variational else ["recon"]
    if st.session_state[S.USE_AN_SCORE] not in choices:
        st.session_state[S.USE_AN_SCORE] = "recon"
    score = c2.radio(T["uses.an_score"], choices, key=S.USE_AN_SCORE,
                     persist_state=S.keep(S.USE_AN_SCORE), horizontal=True,
                     format_func=lambda s: T[f"uses.an_{s}"])
    with st.spinner(T["uses.spin_models"].format(n=len(kinds), images=n)):
        own = {k: compute.use_anomaly(ctx.ref(k), dref) for k in kinds}
    s = own[kind][score]
    order = np.argsort(-s, kind="stable")
    labels = ctx.data.y_test.numpy()
    for title, picks in ((T["uses.an_top"].format(n=2 * ROW, total=n), order[:2 * ROW]),
                         (T["uses.an_typical"].format(n=ROW), order[::-1][:ROW])):
        st.markdown(f"**{title}**")
        widgets.image_row(list(_originals(ctx, picks)),
                          [f"#{i} · {widgets.label_md(ctx, labels[i])} · {s[i]:.3g}" for i in picks],
                          size=IMG, per_row=ROW)
    st.markdown(f"**{T['uses.an_ood']}**")
    other, dref_other = _other_data(ctx)
    if isinstance(dref_other, str):
        st.info(dref_other)
        return
    with st.spinner(T["uses.spin_models"].format(n=len(kinds), images=n)):
        out = {k: compute.use_anomaly(ctx.ref(k), dref_other) for k in kinds}
    curves, aucs = {}, {}
    for k in kinds:
        for sc in ("recon", "elbo"):
            if own[k][sc] is None:
                continue
            label = f"{k.upper()} · {T[f'uses.an_{sc}_short']}"
            fpr, tpr, _ = uses.roc_curve(own[k][sc], out[k][sc])
            aucs[label] = uses.auc(own[k][sc], out[k][sc])
            curves[label] = (fpr, tpr, aucs[label])
    n_other = len(out[kinds[0]]["recon"])
    for col, (label, a) in zip(st.columns(len(aucs)), aucs.items()):
        col.metric(T["uses.an_auc"].format(label=label), f"{a:.3f}")
    left, right = st.columns([3, 2])
    left.plotly_chart(uf.roc(curves, T["uses.an_roc"].format(other=other, own=ctx.dataset), tx=T), config=widgets.plotly_config(), key="use_an_roc")
    with right:
        st.caption(T["uses.an_caption"].format(n=n, m=n_other, other=other, own=ctx.dataset))
        st.plotly_chart(uf.score_histogram({ctx.dataset: own[kind][score], other: out[kind][score]},
                                           T["uses.an_hist"].format(kind=kind.upper()), T[f"uses.an_{score}"]),
                        config=widgets.plotly_config(), key="use_an_hist")
    other_idx = tuple(range(ROW))
    other_data = dref_other.data
    st.markdown(f"**{T['uses.an_through'].format(other=other, name=_name(ctx, kind))}**")
    _strip(lat.to_uint8_images(other_data.x_test[list(other_idx)]), T["uses.an_other_row"].format(other=other))
    _strip(shared_compute.reconstructions(ref, dref_other, other_idx), T["uses.an_other_recon"].format(kind=kind.upper()))


# ------------------------------------------------------------------ feature extraction

FEATURES = waits.FeaturePace()  # one per server process: the Features tab's estimate learns this machine
_FEATURES_DONE: set = set()  # (data, models) whose probes this process has computed (cached: no wait)


def features_tab(ctx: Context) -> None:
    st.markdown(T["uses.feat_explain"])
    st.latex(r"p(y \mid x) = \operatorname{softmax}\big(W\,\phi(x) + b\big)")
    st.latex(r"\phi(x) = \mu(x) \in \mathbb{R}^d\ \ " + _tx("uses.tex_latent") + r" \quad " + _tx("uses.tex_vs"))
    st.latex(r"\phi(x) = x \in \mathbb{R}^{CHW}\ \ " + _tx("uses.tex_pixels"))
    dref = ctx.data_ref
    models = _latent_models(ctx)
    key = (dref, tuple(_ref(e) for e in models))
    fresh = key not in _FEATURES_DONE
    if fresh:
        work = compute.probe_pixel_work(dref)
        wait = waits.format_duration(FEATURES.estimate(work, len(models)), tx=T)
    t0 = time.perf_counter()
    with st.spinner(T["uses.spin_feat_wait"].format(n=len(models), wait=wait) if fresh else T["uses.spin_feat"]):
        results = {T["uses.feat_pixels"]: compute.use_probe(None, dref)}
        for e in models:
            results[e.name] = compute.use_probe(_ref(e), dref)
    if fresh:  # this server's speed, for the next estimate
        FEATURES.record(work, len(models), time.perf_counter() - t0)
        _FEATURES_DONE.add(key)
    first = next(iter(results.values()))
    if first["pool_from_test"]:
        st.info(T["uses.sample_split"].format(dataset=widgets.plain(ctx.dataset)))
    if not first["rows"]:
        st.info(T["uses.feat_none"])
        return
    left, right = st.columns([3, 2])
    left.plotly_chart(uf.few_labels({k: v["rows"] for k, v in results.items()}, tx=T), config=widgets.plotly_config(), key="use_feat_fig")
    with right:
        table = [{T["uses.feat_col_features"]: name,
                  **{T["uses.feat_col_k"].format(k=r["per_class"]): f"{r['acc']:.1%}" for r in v["rows"]}}
                 for name, v in results.items()]
        st.dataframe(pd.DataFrame(table), hide_index=True)
        st.caption(T["uses.feat_caption"].format(n=first["n_test"]))
        few = first["rows"][0]
        best = max(((name, v["rows"][0]["acc"]) for name, v in results.items() if name != T["uses.feat_pixels"]),
                   key=lambda t: t[1], default=None)
        if best is not None:
            st.metric(T["uses.feat_metric"].format(k=few["per_class"], name=widgets.plain(best[0])), f"{best[1]:.1%}",
                      f"{(best[1] - few['acc']) * 100:+.1f} " + T["uses.feat_vs_pixels"])


# ------------------------------------------------------------------ data augmentation

def augment_tab(ctx: Context) -> None:
    st.markdown(T["uses.aug_explain"])
    st.latex(r"z = \mu(x) + \sigma(x) \odot \varepsilon,\ \ \varepsilon \sim \mathcal{N}(0, I)\ \ " + _tx("uses.tex_and"))
    st.latex(r"x \sim p(x \mid z, y),\ \ z \sim \mathcal{N}(0, I)\ \ " + _tx("uses.tex_class") + " y)")
    dref = ctx.data_ref
    variational = [k for k in ctx.kinds if k != "ae"]
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{T['uses.aug_posterior']}**")
        if not variational:
            st.info(T["uses.aug_need_vae"].format(dataset=widgets.plain(ctx.dataset)))
        else:
            kind = widgets.kind_picker(ctx, kinds=variational, key="use_kind_aug")
            hi = len(ctx.data.x_test) - 1
            st.session_state[S.USE_AUG_INDEX] = int(np.clip(st.session_state[S.USE_AUG_INDEX], 0, hi))
            index = int(st.number_input(T["uses.index_one"], 0, hi, key=S.USE_AUG_INDEX,
                                        persist_state=S.keep(S.USE_AUG_INDEX)))
            post = shared_compute.posterior(ctx.ref(kind), dref, index, 16, 0)
            c1, c2 = st.columns(2)
            widgets.image(_originals(ctx, [index])[0], 84, caption=f"#{index}", where=c1)
            widgets.image(post["mean"], 84, caption=T["shared.post_mean"], where=c2)
            widgets.image(lat.tile(post["draws"], 8, pad=2), 8 * IMG, caption=T["uses.aug_draws"].format(kind=kind.upper()))
    with right:
        st.markdown(f"**{T['uses.aug_cvae']}**")
        if ctx.model("cvae") is None:
            st.info(T["shared.cvae_need"].format(dataset=widgets.plain(ctx.dataset)))
            return
        ref = ctx.ref("cvae")
        classes = list(range(len(ctx.data.classes)))
        if st.session_state[S.USE_AUG_CLASS] not in classes:
            st.session_state[S.USE_AUG_CLASS] = 0
        label = st.selectbox(T["shared.class_y"], classes, key=S.USE_AUG_CLASS,
                             persist_state=S.keep(S.USE_AUG_CLASS), format_func=lambda y: widgets.label_name(ctx, y))
        widgets.image(lat.tile(shared_compute.prior_samples(ref, 16, 0, 1.0, (label,) * 16), 8, pad=2), 8 * IMG,
                      caption=T["uses.aug_samples"].format(label=widgets.label_md(ctx, label)))
    st.markdown(f"**{T['uses.aug_clf']}**")
    with st.spinner(T["uses.spin_aug"]):
        res = compute.use_augmentation(ref, dref)
    if res["pool_from_test"]:
        st.info(T["uses.sample_split"].format(dataset=widgets.plain(ctx.dataset)))
    c1, c2, c3 = st.columns(3)
    c1.metric(T["uses.aug_real"].format(n=res["n_real"]), f"{res['real']:.1%}")
    c2.metric(T["uses.aug_aug"].format(n=res["n_real"], g=res["n_gen"]), f"{res['augmented']:.1%}",
              f"{(res['augmented'] - res['real']) * 100:+.1f} " + T["uses.aug_points"])
    c3.caption(T["uses.aug_caption"].format(n=res["n_test"], name=widgets.plain(ctx.model("cvae").name)))
    st.markdown(T["uses.aug_lesson"])
