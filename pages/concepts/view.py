"""The Concepts page body: the ideas of the tutorial, each as an explanation with its formula beside
a live picture and a number. Everything is computed on toy data by ``pages.concepts.logic``.

Its cached computations are in ``pages.concepts.compute``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from pages.concepts import compute
from pages.concepts import figures as F
from pages.concepts import logic as C
from ui import pagelist, widgets
from ui.i18n import T

# session-state keys of this page (all prefixed con_)
DATASET, N, NOISE = "con_dataset", "con_n", "con_noise"
GMM_K, GMM_SEED = "con_gmm_k", "con_gmm_seed"
CLASS, CLASS_SEED = "con_class", "con_class_seed"
BAYES_CHART, BAYES_X1, BAYES_X2, BAYES_LAST = "con_bayes_chart", "con_bayes_x1", "con_bayes_x2", "con_bayes_last"
LVM_CHART, LVM_X1, LVM_X2, LVM_LAST = "con_lvm_chart", "con_lvm_x1", "con_lvm_x2", "con_lvm_last"
LVM_SIGMA, LVM_K, LVM_SEED = "con_lvm_sigma", "con_lvm_k", "con_lvm_seed"
VAE_MU, VAE_LOGVAR = "con_vae_mu", "con_vae_logvar"

DATA_SEED = 0
N_SAMPLES = 200  # samples drawn by the generative models
GRID_N = 120


def _init() -> None:
    for k, v in {GMM_SEED: 0, CLASS_SEED: 0, LVM_SEED: 0, BAYES_X1: 0.25, BAYES_X2: 0.5,
                 LVM_X1: 0.8, LVM_X2: 0.0, BAYES_LAST: None, LVM_LAST: None}.items():
        st.session_state.setdefault(k, v)


# ------------------------------------------------------------------ helpers

def _class_names(k: int) -> list[str]:
    return [T["concepts.class"].format(k=i) for i in range(k)]


def _sync_click(chart_key: str, last_key: str, x1_key: str, x2_key: str) -> None:
    """A new click on a chart writes its point into the coordinate inputs (before they are drawn)."""
    event = st.session_state.get(chart_key)
    xy = C.clicked_xy(event)
    seen = repr(event)
    if xy is not None and seen != st.session_state[last_key]:
        st.session_state[x1_key], st.session_state[x2_key] = round(xy[0], 3), round(xy[1], 3)
    st.session_state[last_key] = seen


def _coords(x1_key: str, x2_key: str) -> tuple[float, float]:
    c1, c2 = st.columns(2)
    x1 = c1.number_input(T["concepts.axis_x1"], key=x1_key, step=0.1, format="%.3f")
    x2 = c2.number_input(T["concepts.axis_x2"], key=x2_key, step=0.1, format="%.3f")
    return float(x1), float(x2)


def _live(concept: str) -> None:
    """Links to the pages where ``concept`` is live, among the pages this app has right now."""
    urls = pagelist.URLS
    for url in C.live_pages(concept, urls):
        pagelist.link(url, T["concepts.live_on"].format(page=T[f"{url}.nav"]))


def _item(title: str, body: str, latex: str | list[str]) -> None:
    st.markdown(f"**{title}**  \n{body}")
    for f in [latex] if isinstance(latex, str) else latex:
        st.latex(f)


# ------------------------------------------------------------------ 1. three kinds of model

def toy_controls() -> tuple[str, int, float]:
    c1, c2, c3 = st.columns([1, 2, 2])
    kind = c1.radio(T["concepts.dataset"], C.TOY_KINDS, key=DATASET, horizontal=True,
                    format_func=lambda k: T[f"concepts.dataset_{k}"])
    n = c2.slider(T["concepts.n"], 100, 2000, 400, step=50, key=N)
    noise = c3.slider(T["concepts.noise"], 0.05, 1.0, 0.2, step=0.05, key=NOISE, help=T["concepts.noise_help"])
    return kind, n, noise


def three_models(kind: str, n: int, noise: float) -> None:
    _init()
    X, y, lr, cg = compute.fits(kind, n, noise, DATA_SEED)
    names = _class_names(cg.n_classes)
    grid = C.grid_over(X, GRID_N)

    st.subheader(T["concepts.disc_title"])
    left, right = st.columns([1, 1], gap="large")
    with left:
        _item(T["concepts.disc_name"], T["concepts.disc_body"],
              [r"p(y=k \mid x) = \operatorname{softmax}(Wx + b)_k",
               r"= \frac{\exp(w_k^\top x + b_k)}{\sum_j \exp(w_j^\top x + b_j)}"])
        st.metric(T["concepts.disc_acc"], f"{lr.score(X, y):.1%}")
        st.caption(T["concepts.disc_caption"])
    with right:
        hover = lr.predict_proba(F.click_points(grid))
        st.plotly_chart(F.regions(grid, lr.predict_proba(grid.points), X, y, names, T["concepts.disc_fig"],
                                  hover_probs=hover, tx=T), config=widgets.plotly_config(), key="con_disc_chart")

    st.subheader(T["concepts.gen_title"])
    left, right = st.columns([1, 1], gap="large")
    with left:
        _item(T["concepts.gen_name"], T["concepts.gen_body"], r"p(x) = \sum_{c=1}^{C} \pi_c\, \mathcal{N}(x;\, \mu_c, \Sigma_c)")
        k = st.slider(T["concepts.gen_k"], 1, 10, 4, key=GMM_K)
        if st.button(T["concepts.gen_new"], key="con_gmm_new"):
            st.session_state[GMM_SEED] += 1
        gmm = compute.gmm(kind, n, noise, DATA_SEED, k)
        st.metric(T["concepts.gen_ll"], f"{C.gmm_logpdf(gmm, X).mean():.3f}")
        st.caption(T["concepts.gen_caption"])
    with right:
        samples = C.sample_gmm(gmm, N_SAMPLES, st.session_state[GMM_SEED])
        st.plotly_chart(F.density(grid, np.exp(C.gmm_logpdf(gmm, grid.points)), X, samples, T["concepts.gen_fig"], tx=T),
                        config=widgets.plotly_config(), key="con_gen_chart")

    st.subheader(T["concepts.cond_title"])
    left, right = st.columns([1, 1], gap="large")
    with left:
        _item(T["concepts.cond_name"], T["concepts.cond_body"],
              [r"p(x \mid y=k) = \mathcal{N}(x;\, \mu_k, \Sigma_k), \qquad p(y=k) = \frac{N_k}{N}",
               r"\mu_k = \frac{1}{N_k} \sum_{y_i=k} x_i",
               r"\Sigma_k = \frac{1}{N_k} \sum_{y_i=k} (x_i-\mu_k)(x_i-\mu_k)^\top"])
        if st.session_state.get(CLASS, 0) >= cg.n_classes:  # blobs (3 classes) → moons (2)
            st.session_state[CLASS] = 0
        chosen = st.radio(T["concepts.cond_class"], list(range(cg.n_classes)), key=CLASS, horizontal=True,
                          format_func=lambda i: names[i])
        if st.button(T["concepts.cond_new"], key="con_class_new"):
            st.session_state[CLASS_SEED] += 1
        wide = C.grid_around(cg.means[chosen], cg.covs[chosen])
        area = C.integrate(np.exp(C.gaussian_logpdf(wide.points, cg.means[chosen], cg.covs[chosen])), wide)
        st.metric(T["concepts.cond_integral"].format(name=names[chosen]), f"{area:.4f}")
        st.caption(T["concepts.compete"])
    with right:
        dens = np.exp(C.class_logpdf(cg, grid.points))
        samples = C.sample_class(cg, chosen, N_SAMPLES // 2, st.session_state[CLASS_SEED])
        st.plotly_chart(F.class_densities(grid, dens, X, y, names, cg.means, chosen, samples, T["concepts.cond_fig"], tx=T),
                        config=widgets.plotly_config(), key="con_cond_chart")

    bayes_rule(X, y, lr, cg, grid, names)


def bayes_rule(X, y, lr, cg: C.ClassGaussians, grid: C.Grid, names: list[str]) -> None:
    st.subheader(T["concepts.bayes_title"])
    _sync_click(BAYES_CHART, BAYES_LAST, BAYES_X1, BAYES_X2)
    left, right = st.columns([1, 1], gap="large")
    with left:
        _item(T["concepts.bayes_name"], T["concepts.bayes_body"],
              r"p(y \mid x) = \frac{p(x \mid y)\, p(y)}{p(x)}, \qquad p(x) = \sum_{y} p(x \mid y)\, p(y)")
        _item(T["concepts.joint_name"], T["concepts.joint_body"], r"p(x, y) = p(x \mid y)\, p(y) = p(y \mid x)\, p(x)")
        st.caption(T["concepts.bayes_click"])
        x = _coords(BAYES_X1, BAYES_X2)
        post_grid = C.bayes_posterior(cg, grid.points).posterior
        lr_grid = lr.predict_proba(grid.points)
        st.metric(T["concepts.bayes_agree"], f"{C.argmax_agreement(post_grid, lr_grid):.1%}",
                  help=T["concepts.bayes_agree_help"])
    with right:
        fig = F.regions(grid, post_grid, X, y, names, T["concepts.bayes_fig"], point=x,
                        boundary=(lr_grid, T["concepts.lr_boundary"]), clickable=True, tx=T)
        st.plotly_chart(fig, config=widgets.plotly_config(), key=BAYES_CHART, on_select="rerun", selection_mode=("points",))
    st.markdown(T["concepts.bayes_at"].format(x1=x[0], x2=x[1]))  # full width: the table has five columns
    st.table(bayes_table(cg, lr, np.array([x]), names))


def bayes_table(cg: C.ClassGaussians, lr, x: np.ndarray, names: list[str]) -> pd.DataFrame:
    """One row per class (and a Σ row): p(y), p(x|y), p(x, y), p(y|x) by Bayes, p(y|x) of the
    logistic regression."""
    b = C.bayes_posterior(cg, x)
    lr_p = lr.predict_proba(x)[0]
    fmt = "{:.4g}".format
    rows = [[fmt(b.prior[k]), fmt(b.likelihood[0, k]), fmt(b.joint[0, k]), f"{b.posterior[0, k]:.4f}",
             f"{lr_p[k]:.4f}"] for k in range(cg.n_classes)]
    rows.append([fmt(b.prior.sum()), "", fmt(b.evidence[0]) + " = p(x)", f"{b.posterior[0].sum():.4f}",
                 f"{lr_p.sum():.4f}"])
    cols = [T[f"concepts.col_{c}"] for c in ("prior", "lik", "joint", "post", "lr")]
    return pd.DataFrame(rows, columns=cols, index=names + ["Σ"])


# ------------------------------------------------------------------ 2. the latent variable model

LVM_ITEMS = (  # (text id, formula, concept for the live-page links)
    ("prior", r"p(z) = \mathcal{N}(z;\, 0, I)", "prior"),
    ("lik", r"p(x \mid z) = \mathcal{N}\big(x;\, f_\theta(z), \sigma^2 I\big) \quad | \quad "
            r"\prod_i \operatorname{Bern}\big(x_i;\, f_\theta(z)_i\big)", "likelihood"),
    ("joint", r"p(x, z) = p(x \mid z)\, p(z)", None),
    ("marginal", [r"p(x) = \int p(x \mid z)\, p(z)\, dz",
                  r"\log p(x) \approx \log \frac{1}{K} \sum_{k=1}^{K} \frac{p(x \mid z_k)\, p(z_k)}{q(z_k \mid x)},"
                  r"\quad z_k \sim q(z \mid x)"], "marginal"),
    ("post", [r"p(z \mid x) = \frac{p(x \mid z)\, p(z)}{p(x)} \;\approx\; q_\phi(z \mid x)"], "posterior"),
    ("gen", [r"z \sim p(z), \quad x \sim p(x \mid z)", r"x \;\mapsto\; q(z \mid x)"], "generation"),
)


def latent_variable_model() -> None:
    _init()
    left, right = st.columns([1, 1], gap="large")
    with left:
        for tid, latex, concept in LVM_ITEMS:
            _item(T[f"concepts.lvm_{tid}_name"], T[f"concepts.lvm_{tid}_body"], latex)
            if concept is not None:
                _live(concept)
            if tid == "gen":
                _live("inference")
    with right:
        st.markdown(T["concepts.lvm_toy"])
        st.latex(r"z \sim \mathcal{N}(0, 1), \qquad x \mid z \sim \mathcal{N}\big((z,\ \sin 2z),\ \sigma^2 I\big)")
        c1, c2 = st.columns(2)
        sigma = c1.slider(T["concepts.lvm_sigma"], 0.05, 1.0, 0.25, step=0.05, key=LVM_SIGMA)
        k = c2.select_slider(T["concepts.lvm_k"], [1, 2, 5, 10, 50, 100, 500, 1000, 5000], 10, key=LVM_K)
        _sync_click(LVM_CHART, LVM_LAST, LVM_X1, LVM_X2)
        x = _coords(LVM_X1, LVM_X2)
        grid, dens = compute.lvm_density(sigma)
        _, samples = C.lvm_sample(300, sigma, seed=0)
        curve = C.lvm_decoder(np.linspace(-3.4, 3.4, 200))
        st.plotly_chart(F.lvm_plane(grid, dens, curve, samples, x, T["concepts.lvm_fig_x"], tx=T), config=widgets.plotly_config(), key=LVM_CHART,
                        on_select="rerun", selection_mode=("points",))
        xa = np.array([x])
        zs, post = C.lvm_posterior(xa, sigma)
        m, s = C.moment_match(zs, post)
        if st.button(T["concepts.lvm_new"], key="con_lvm_new"):
            st.session_state[LVM_SEED] += 1
        est = C.importance_log_marginal(xa, sigma, m, s, k, st.session_state[LVM_SEED])
        exact = float(C.lvm_log_marginal(xa, sigma)[0])
        c1, c2, c3 = st.columns(3)
        c1.metric(T["concepts.lvm_exact"], f"{exact:.3f}", help=T["concepts.lvm_exact_help"])
        c2.metric(T["concepts.lvm_is"].format(k=k), f"{est.log_px:.3f}", f"{est.log_px - exact:+.3f}",
                  delta_color="off", help=T["concepts.lvm_is_help"])
        c3.metric(T["concepts.lvm_elbo"], f"{est.elbo:.3f}", f"{est.elbo - exact:+.3f}", delta_color="off",
                  help=T["concepts.lvm_elbo_help"])
        st.plotly_chart(F.lvm_latent(zs, np.exp(C.std_normal_logpdf(zs)), post, np.exp(C.normal_logpdf(zs, m, s)),
                                     est.z, T["concepts.lvm_fig_z"], tx=T), config=widgets.plotly_config(), key="con_lvm_z_chart")
        st.caption(T["concepts.lvm_caption"])


# ------------------------------------------------------------------ 3. the autoencoder and the VAE

def autoencoder() -> None:
    ref = compute.reference_ae()
    left, right = st.columns([1, 1], gap="large")
    with left:
        _item(T["concepts.ae_name"], T["concepts.ae_body"].format(layers=ref["layers"]),
              [r"z = g_\phi(x), \qquad \hat{x} = f_\theta(z)"])
        _item(T["concepts.ae_loss_name"], T["concepts.ae_loss_body"],
              [r"\mathcal{L}_{\mathrm{BCE}} = -\sum_{i=1}^{D} \big[x_i \log \hat x_i"
               r" + (1 - x_i) \log (1 - \hat x_i)\big]",
               r"\mathcal{L}_{\mathrm{MSE}} = \sum_{i=1}^{D} (x_i - \hat x_i)^2"])
        c1, c2, c3 = st.columns(3)
        c1.metric(T["concepts.ae_in"], f"{ref['sizes'][0]:,}")
        c2.metric(T["concepts.ae_latent"], f"{ref['latent']:,}")
        c3.metric(T["concepts.ae_ratio"], f"{ref['sizes'][0] / ref['latent']:.0f}×")
        st.metric(T["concepts.ae_params"], f"{ref['params']:,}")
    with right:
        bottleneck = int(np.argmin(ref["sizes"]))
        st.plotly_chart(F.hourglass([T["concepts.ae_input"]] + ref["names"], ref["sizes"], bottleneck, tx=T), config=widgets.plotly_config(), key="con_ae_chart")
        st.code(ref["table"], language=None)


def vae() -> None:
    left, right = st.columns([1, 1], gap="large")
    with left:
        _item(T["concepts.vae_enc_name"], T["concepts.vae_enc_body"],
              r"q_\phi(z \mid x) = \mathcal{N}\big(z;\ \mu_\phi(x),\ \operatorname{diag} \sigma^2_\phi(x)\big)")
        _item(T["concepts.vae_rep_name"], T["concepts.vae_rep_body"],
              [r"z = \mu + \sigma \odot \varepsilon, \qquad \varepsilon \sim \mathcal{N}(0, I)",
               r"\sigma = \exp\big(\tfrac{1}{2} \log \sigma^2\big)"])
        _item(T["concepts.vae_kl_name"], T["concepts.vae_kl_body"],
              r"\mathrm{KL}\big(q \,\|\, p\big) = -\frac{1}{2} \sum_{j=1}^{d} "
              r"\big(1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2\big)")
        _item(T["concepts.vae_loss_name"], T["concepts.vae_loss_body"],
              [r"\mathcal{L}(x) = -\mathbb{E}_{q(z \mid x)} \log p(x \mid z)"
               r" + \beta \cdot \mathrm{KL}\big(q(z \mid x) \,\|\, p(z)\big)",
               r"\mathcal{L}(x) \;\geq\; -\log p(x) \quad (\beta = 1)"])
        st.caption(T["concepts.vae_cite"])
    with right:
        c1, c2 = st.columns(2)
        mu = c1.slider(T["concepts.vae_mu"], -3.0, 3.0, 1.0, step=0.1, key=VAE_MU)
        logvar = c2.slider(T["concepts.vae_logvar"], -4.0, 2.0, -1.0, step=0.1, key=VAE_LOGVAR)
        eps = np.random.default_rng(0).standard_normal(20_000)  # fixed ε: moving μ, σ moves every draw
        zs = np.linspace(-5, 5, 401)
        z = C.reparameterize(mu, logvar, eps[:40])
        st.plotly_chart(F.reparam(zs, np.exp(C.std_normal_logpdf(zs)),
                                  np.exp(C.normal_logpdf(zs, mu, float(np.exp(0.5 * logvar)))), z, mu,
                                  T["concepts.vae_fig"], tx=T), config=widgets.plotly_config(), key="con_vae_chart")
        c1, c2, c3 = st.columns(3)
        c1.metric("σ", f"{np.exp(0.5 * logvar):.3f}")
        c2.metric(T["concepts.vae_kl"], f"{C.kl_std_normal(mu, logvar):.4f}")
        c3.metric(T["concepts.vae_kl_mc"], f"{C.kl_monte_carlo(mu, logvar, eps):.4f}",
                  help=T["concepts.vae_kl_mc_help"].format(s=len(eps)))
        st.caption(T["concepts.vae_caption"])
