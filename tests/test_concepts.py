"""The Concepts page: the science behind its numbers (Bayes' rule, normalised densities, samplers,
the importance-sampled marginal, the closed-form KL), then the page itself in AppTest."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from pages.concepts import logic as C


@pytest.fixture(scope="module")
def blobs():
    X, y = C.toy_data("blobs", 600, 0.3, seed=0)
    return X, y, C.fit_class_gaussians(X, y)


@pytest.fixture(scope="module")
def moons():
    X, y = C.toy_data("moons", 400, 0.2, seed=1)
    return X, y, C.fit_class_gaussians(X, y)


def test_toy_data_is_deterministic_given_a_seed():
    a, b = C.toy_data("moons", 50, 0.2, seed=3), C.toy_data("moons", 50, 0.2, seed=3)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], C.toy_data("moons", 50, 0.2, seed=4)[0])
    X, y = C.toy_data("blobs", 90, 0.1, seed=0)
    assert X.shape == (90, 2) and set(y) == {0, 1, 2}


def test_gaussian_logpdf_matches_scipy(blobs):
    _, _, cg = blobs
    pts = np.random.default_rng(0).normal(size=(20, 2)) * 2
    for m, c in zip(cg.means, cg.covs):
        assert np.allclose(C.gaussian_logpdf(pts, m, c), multivariate_normal(m, c).logpdf(pts))


def test_fitted_class_gaussians_are_the_class_statistics(blobs):
    X, y, cg = blobs
    assert np.allclose(cg.priors, np.bincount(y) / len(y)) and math.isclose(cg.priors.sum(), 1.0)
    for k in range(3):
        assert np.allclose(cg.means[k], X[y == k].mean(0))
        assert np.allclose(cg.covs[k], np.cov(X[y == k].T, bias=True), atol=1e-5)


@pytest.mark.parametrize("data", ["blobs", "moons"])
def test_bayes_rule_holds_at_random_points(data, request):
    X, _, cg = request.getfixturevalue(data)
    pts = np.random.default_rng(7).uniform(X.min(0) - 1, X.max(0) + 1, size=(200, 2))
    b = C.bayes_posterior(cg, pts)
    assert np.allclose(b.posterior.sum(1), 1.0)
    assert np.allclose(b.joint, b.likelihood * cg.priors)  # p(x, y) = p(x|y) p(y)
    assert np.allclose(b.evidence, b.joint.sum(1))  # p(x) = Σ_y p(x, y)
    direct = np.stack([multivariate_normal(m, c).pdf(pts) * p for m, c, p in zip(cg.means, cg.covs, cg.priors)], 1)
    assert np.allclose(b.posterior, direct / direct.sum(1, keepdims=True), atol=1e-9)


def test_bayes_agrees_with_logistic_regression_on_separated_blobs():
    # 2,000 points: with a few hundred, separable classes leave both boundaries loose in the empty
    # corners of the grid (≈ 94% agreement there, ≈ 99.8% where the data is)
    X, y = C.toy_data("blobs", 2000, 0.4, seed=0)
    grid = C.grid_over(X, 80)  # the grid the page draws
    lr = C.fit_logistic(X, y)
    bayes = C.bayes_posterior(C.fit_class_gaussians(X, y), grid.points)
    agree = C.argmax_agreement(bayes.posterior, lr.predict_proba(grid.points))
    assert agree >= 0.95, agree
    assert C.argmax_agreement(C.bayes_posterior(C.fit_class_gaussians(X, y), X).posterior, lr.predict_proba(X)) > 0.99


@pytest.mark.parametrize("data", ["blobs", "moons"])
def test_each_class_density_integrates_to_one(data, request):
    _, _, cg = request.getfixturevalue(data)
    for m, c in zip(cg.means, cg.covs):
        g = C.grid_around(m, c)
        assert abs(C.integrate(np.exp(C.gaussian_logpdf(g.points, m, c)), g) - 1) < 0.01


def test_class_samples_have_the_fitted_mean_and_covariance(moons):
    _, _, cg = moons
    for k in range(cg.n_classes):
        s = C.sample_class(cg, k, 4000, seed=k)
        se = np.sqrt(np.diag(cg.covs[k]) / len(s))
        assert np.all(np.abs(s.mean(0) - cg.means[k]) < 4 * se)
        assert np.allclose(np.cov(s.T), cg.covs[k], rtol=0.1, atol=0.01)
    assert np.array_equal(C.sample_class(cg, 0, 5, 1), C.sample_class(cg, 0, 5, 1))


def test_gmm_samples_lie_where_the_density_is_high(moons):
    X, _, _ = moons
    gmm = C.fit_gmm(X, 4, seed=0)
    s = C.sample_gmm(gmm, 1000, seed=0)
    level = np.quantile(C.gmm_logpdf(gmm, X), 0.05)  # 95% of the data lies above this density
    assert np.mean(C.gmm_logpdf(gmm, s) > level) > 0.9
    uniform = np.random.default_rng(0).uniform(X.min(0), X.max(0), size=(1000, 2))
    assert np.mean(C.gmm_logpdf(gmm, uniform) > level) < 0.6
    g = C.grid_over(X, 200, pad=1.5)
    assert abs(C.integrate(np.exp(C.gmm_logpdf(gmm, g.points)), g) - 1) < 0.01


def test_clicked_xy_reads_customdata_or_position():
    ev = {"selection": {"points": [{"point_index": 3, "customdata": [0.5, -1.25]}]}}
    assert C.clicked_xy(ev) == (0.5, -1.25)
    assert C.clicked_xy({"selection": {"points": [{"customdata": {"0": 1, "1": 2}}]}}) == (1.0, 2.0)
    assert C.clicked_xy({"selection": {"points": [{"x": 0.1, "y": 0.2}]}}) == (0.1, 0.2)
    assert C.clicked_xy({"selection": {"points": []}}) is None
    assert C.clicked_xy(None) is None


def test_lvm_marginal_is_a_density_and_is_estimate_converges():
    sigma = 0.3
    g = C.Grid(np.linspace(-6, 6, 160), np.linspace(-3, 3, 80))
    assert abs(C.integrate(np.exp(C.lvm_log_marginal(g.points, sigma, C.lvm_z_grid(801))), g) - 1) < 0.01
    x = np.array([[0.4, 0.2]])
    exact = float(C.lvm_log_marginal(x, sigma)[0])
    zs, post = C.lvm_posterior(x, sigma)
    assert math.isclose(np.sum(post) * (zs[1] - zs[0]), 1.0, rel_tol=1e-6)
    m, s = C.moment_match(zs, post)
    big = C.importance_log_marginal(x, sigma, m, s, 5000, seed=0)
    assert abs(big.log_px - exact) < 0.05
    assert big.elbo <= exact + 1e-9  # Jensen: the ELBO is a lower bound


def test_kl_closed_form_matches_vae_core_and_monte_carlo():
    import torch

    from vae_core.losses import kl_divergence

    mu, logvar = np.array([0.5, -1.0, 2.0]), np.array([-0.3, 0.4, -2.0])
    ours = C.kl_std_normal(mu, logvar)
    assert math.isclose(ours, float(kl_divergence(torch.tensor(mu)[None], torch.tensor(logvar)[None])[0]),
                        rel_tol=1e-9)
    assert C.kl_std_normal(0.0, 0.0) == 0.0
    eps = np.random.default_rng(0).standard_normal(200_000)
    assert abs(C.kl_monte_carlo(0.8, -0.5, eps) - C.kl_std_normal(0.8, -0.5)) < 0.01


def test_live_pages_only_lists_existing_urls():
    assert C.live_pages("generation", ("latent_grid", "compare")) == ["latent_grid", "compare"]
    assert C.live_pages("generation", ("generate", "latent_grid")) == ["generate", "latent_grid"]
    assert C.live_pages("inference", ()) == []


# ------------------------------------------------------------------ the page (AppTest)

def test_concepts_page_runs(app_env):
    from test_app import start

    at = start("concepts")
    assert not at.exception, at.exception
    assert at.title[0].value == "Concepts"
    assert len(at.table) == 1  # the Bayes table at the default point
    assert "Conv2d-1" in "\n".join(c.value for c in at.code)  # the reference AE's layer table
    assert any("softmax" in x.value for x in at.latex) and any(r"\varepsilon" in x.value for x in at.latex)


def test_a_click_shows_bayes_rule_at_that_point(app_env):
    from test_app import selection, start, texts

    at = start("concepts")
    at.session_state["con_bayes_chart"] = selection({"point_index": 0, "customdata": [0.5, 1.0]})
    at.run()
    assert not at.exception, at.exception
    assert "Bayes' rule at x = (0.500, 1.000)" in texts(at)
    assert (at.number_input(key="con_bayes_x1").value, at.number_input(key="con_bayes_x2").value) == (0.5, 1.0)
    table = at.table[0].value
    assert list(table.index) == ["class 0", "class 1", "class 2", "Σ"]
    assert float(table.iloc[-1]["p(y | x), Bayes"]) == pytest.approx(1.0)
    assert "p(y | x), logistic regression" in table.columns


def test_moons_have_two_classes_to_sample_from(app_env):
    from test_app import start

    at = start("concepts")
    at.radio(key="con_class").set_value(2).run()
    at.radio(key="con_dataset").set_value("moons").run()
    assert not at.exception, at.exception
    assert at.radio(key="con_class").options == ["class 0", "class 1"]
    assert list(at.table[0].value.index) == ["class 0", "class 1", "Σ"]
