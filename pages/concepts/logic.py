"""The ideas behind the app, computed on toy data (no Streamlit import): three kinds of model on
2-D points, Bayes' rule from class-conditional Gaussians, a 1-D latent variable model with its
exact marginal and the importance-sampled estimate, and the VAE's closed-form KL.

Every function is pure and deterministic given its ``seed``; densities are computed in log space.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ui.logic import clicks

TOY_KINDS = ("blobs", "moons")
BLOB_CENTRES = np.array([[-1.0, -0.3], [1.5, -0.3], [0.25, 1.4]])  # the scale of make_moons
LOG_2PI = math.log(2 * math.pi)


# ------------------------------------------------------------------ toy data

def toy_data(kind: str, n: int, noise: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n labelled 2-D points (X (n, 2), y (n,)).

    blobs: 3 isotropic Gaussians around BLOB_CENTRES, std = noise (``sklearn.datasets.make_blobs``);
    moons: two interleaved half circles plus Gaussian noise of std = noise (``make_moons``).
    """
    from sklearn.datasets import make_blobs, make_moons

    if kind == "blobs":
        X, y = make_blobs(n_samples=n, centers=BLOB_CENTRES, cluster_std=max(noise, 1e-3), random_state=seed)
    elif kind == "moons":
        X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    else:
        raise ValueError(f"unknown toy data {kind!r}")
    return X.astype(np.float64), y.astype(np.int64)


@dataclass(frozen=True)
class Grid:
    """A regular grid over a rectangle: ``points`` (H·W, 2) row-major, rows along y (bottom first)."""

    xs: np.ndarray  # (W,)
    ys: np.ndarray  # (H,)

    @property
    def points(self) -> np.ndarray:
        gx, gy = np.meshgrid(self.xs, self.ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys), len(self.xs)

    @property
    def cell_area(self) -> float:
        return float((self.xs[1] - self.xs[0]) * (self.ys[1] - self.ys[0]))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1])

    def image(self, values: np.ndarray) -> np.ndarray:
        """(H·W, …) values at ``points`` → (H, W, …)."""
        return np.asarray(values).reshape(*self.shape, *np.shape(values)[1:])


def grid_over(X: np.ndarray, n: int = 120, pad: float = 0.15) -> Grid:
    """An n×n grid over the points' bounding box, widened by ``pad`` of its size on every side."""
    lo, hi = X.min(0), X.max(0)
    span = np.maximum(hi - lo, 1e-6)
    lo, hi = lo - pad * span, hi + pad * span
    return Grid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))


def grid_around(mean: np.ndarray, cov: np.ndarray, n: int = 200, n_std: float = 8.0) -> Grid:
    """A wide grid around one Gaussian: mean ± n_std standard deviations along each axis."""
    s = n_std * np.sqrt(np.diag(cov))
    return Grid(np.linspace(mean[0] - s[0], mean[0] + s[0], n), np.linspace(mean[1] - s[1], mean[1] + s[1], n))


def integrate(density: np.ndarray, grid: Grid) -> float:
    """∫ p(x) dx ≈ Σ_cells p(x_cell)·Δx·Δy (a Riemann sum over the grid)."""
    return float(np.sum(density) * grid.cell_area)


def logsumexp(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """log Σ exp(a) along ``axis``, computed as m + log Σ exp(a − m) with m = max a."""
    a = np.asarray(a, dtype=np.float64)
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.squeeze(m, axis) + np.log(np.sum(np.exp(a - m), axis=axis))


# ------------------------------------------------------------------ the three kinds of model

def gaussian_logpdf(X: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """log N(x; μ, Σ) = −½ [(x − μ)ᵀ Σ⁻¹ (x − μ) + log |Σ| + d log 2π], for each row of X (N, d)."""
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    L = np.linalg.cholesky(cov)
    sol = np.linalg.solve(L, (X - mean).T)  # L⁻¹ (x − μ): its squared norm is the Mahalanobis term
    maha = np.sum(sol ** 2, axis=0)
    logdet = 2.0 * np.sum(np.log(np.diag(L)))
    return -0.5 * (maha + logdet + X.shape[1] * LOG_2PI)


def fit_logistic(X: np.ndarray, y: np.ndarray, seed: int = 0):
    """The discriminative model p(y|x) = softmax(W x + b)_y, fitted by (L2-regularised) maximum
    likelihood: ``sklearn.linear_model.LogisticRegression``. It never models x itself."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(random_state=seed, max_iter=1000).fit(X, y)


def fit_gmm(X: np.ndarray, n_components: int, seed: int = 0):
    """The generative model p(x) = Σ_c π_c N(x; μ_c, Σ_c), a Gaussian mixture fitted by EM
    (``sklearn.mixture.GaussianMixture``, full covariances). Labels are not used."""
    from sklearn.mixture import GaussianMixture

    return GaussianMixture(n_components=n_components, covariance_type="full", random_state=seed).fit(X)


def gmm_logpdf(gmm, X: np.ndarray) -> np.ndarray:
    """log p(x) = log Σ_c π_c N(x; μ_c, Σ_c) under a fitted mixture, for each row of X."""
    return np.asarray(gmm.score_samples(np.atleast_2d(X)), dtype=np.float64)


def sample_gmm(gmm, n: int, seed: int) -> np.ndarray:
    """Ancestral sampling from the mixture: c ~ Categorical(π), then x = μ_c + L_c ε with
    ε ~ N(0, I), L_c Lᵀ_c = Σ_c. Returns (n, d)."""
    rng = np.random.default_rng(seed)
    comp = rng.choice(len(gmm.weights_), size=n, p=gmm.weights_ / gmm.weights_.sum())
    eps = rng.standard_normal((n, gmm.means_.shape[1]))
    chol = np.linalg.cholesky(gmm.covariances_)  # (C, d, d)
    return gmm.means_[comp] + np.einsum("nij,nj->ni", chol[comp], eps)


@dataclass(frozen=True)
class ClassGaussians:
    """The conditional generative model p(x|y=k) = N(x; μ_k, Σ_k) with the prior p(y=k) = π_k."""

    means: np.ndarray  # (K, d)
    covs: np.ndarray  # (K, d, d)
    priors: np.ndarray  # (K,)

    @property
    def n_classes(self) -> int:
        return len(self.priors)


def fit_class_gaussians(X: np.ndarray, y: np.ndarray, ridge: float = 1e-6) -> ClassGaussians:
    """Maximum likelihood, one class at a time:

        μ_k = (1/N_k) Σ_{i: y_i = k} x_i
        Σ_k = (1/N_k) Σ_{i: y_i = k} (x_i − μ_k)(x_i − μ_k)ᵀ   (+ ridge·I, for a safe inverse)
        π_k = p(y = k) = N_k / N                               (the class frequencies)
    """
    X = np.asarray(X, dtype=np.float64)
    classes = np.unique(y)
    means, covs, priors = [], [], []
    for k in classes:
        Xk = X[y == k]
        mu = Xk.mean(0)
        d = Xk - mu
        means.append(mu)
        covs.append(d.T @ d / len(Xk) + ridge * np.eye(X.shape[1]))
        priors.append(len(Xk) / len(X))
    return ClassGaussians(np.array(means), np.array(covs), np.array(priors))


def class_logpdf(cg: ClassGaussians, X: np.ndarray) -> np.ndarray:
    """log p(x|y=k) for every row of X and every class: (N, K)."""
    return np.stack([gaussian_logpdf(X, m, c) for m, c in zip(cg.means, cg.covs)], axis=1)


def sample_class(cg: ClassGaussians, k: int, n: int, seed: int) -> np.ndarray:
    """x ~ p(x|y=k): x = μ_k + L_k ε with ε ~ N(0, I), L_k L_kᵀ = Σ_k. Returns (n, d)."""
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal((n, cg.means.shape[1]))
    return cg.means[k] + eps @ np.linalg.cholesky(cg.covs[k]).T


@dataclass(frozen=True)
class Bayes:
    """Bayes' rule at N points for K classes (probabilities, not logs)."""

    prior: np.ndarray  # (K,)    p(y)
    likelihood: np.ndarray  # (N, K) p(x|y)
    joint: np.ndarray  # (N, K)  p(x, y) = p(x|y) p(y)
    evidence: np.ndarray  # (N,)  p(x) = Σ_y p(x|y) p(y)
    posterior: np.ndarray  # (N, K) p(y|x) = p(x|y) p(y) / p(x)


def bayes_posterior(cg: ClassGaussians, X: np.ndarray) -> Bayes:
    """p(y|x) = p(x|y) p(y) / p(x),  p(x) = Σ_y p(x|y) p(y)  (Bayes' rule), in log space:
    log p(y|x) = log p(x|y) + log p(y) − logsumexp_y [log p(x|y) + log p(y)]."""
    log_lik = class_logpdf(cg, X)
    log_joint = log_lik + np.log(cg.priors)
    log_px = logsumexp(log_joint, axis=1)
    return Bayes(cg.priors, np.exp(log_lik), np.exp(log_joint), np.exp(log_px), np.exp(log_joint - log_px[:, None]))


def argmax_agreement(p: np.ndarray, q: np.ndarray) -> float:
    """The fraction of rows where two (N, K) probability tables pick the same class."""
    return float(np.mean(np.argmax(p, 1) == np.argmax(q, 1)))


def clicked_xy(event: Any) -> tuple[float, float] | None:
    """The (x₁, x₂) a click on a concepts chart picked: the point's customdata [x₁, x₂, …],
    else its plotted x, y; None when nothing (or more than one point) is selected."""
    sel = event.get("selection") if hasattr(event, "get") else None
    pts = sel.get("points") if hasattr(sel, "get") else None
    if not pts or len(pts) != 1 or not hasattr(pts[0], "get"):
        return None
    p = pts[0]
    vals = clicks.customdata_values(p.get("customdata"))
    for a, b in ((vals[:2] if len(vals) >= 2 else (None, None)), (p.get("x"), p.get("y"))):
        try:
            xy = float(a), float(b)
        except (TypeError, ValueError):
            continue
        if all(math.isfinite(v) for v in xy):
            return xy
    return None


# ------------------------------------------------------------------ a latent variable model

def lvm_decoder(z: np.ndarray) -> np.ndarray:
    """The toy decoder mean f(z) = (z, sin 2z): a 1-D latent bent into the plane. (N,) → (N, 2)."""
    z = np.asarray(z, dtype=np.float64)
    return np.stack([z, np.sin(2.0 * z)], -1)


def lvm_z_grid(n: int = 2001, half_width: float = 6.0) -> np.ndarray:
    """The z values the exact integrals over z are summed on (the prior N(0, 1) is ~0 beyond ±6)."""
    return np.linspace(-half_width, half_width, n)


def std_normal_logpdf(z: np.ndarray) -> np.ndarray:
    """log p(z) = log N(z; 0, 1) = −½ (z² + log 2π)."""
    return -0.5 * (np.asarray(z, dtype=np.float64) ** 2 + LOG_2PI)


def lvm_log_likelihood(x: np.ndarray, z: np.ndarray, sigma: float) -> np.ndarray:
    """log p(x|z) = log N(x; f(z), σ² I) for every x (N, 2) and z (M,): (N, M)."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    d2 = np.sum((x[:, None, :] - lvm_decoder(z)[None, :, :]) ** 2, -1)
    return -0.5 * d2 / sigma ** 2 - 2 * math.log(sigma) - LOG_2PI  # d = 2: −½‖x − f(z)‖²/σ² − d log σ − (d/2) log 2π


def lvm_log_joint(x: np.ndarray, z: np.ndarray, sigma: float) -> np.ndarray:
    """log p(x, z) = log p(x|z) + log p(z): (N, M)."""
    return lvm_log_likelihood(x, z, sigma) + std_normal_logpdf(z)[None, :]


def lvm_log_marginal(x: np.ndarray, sigma: float, zs: np.ndarray | None = None) -> np.ndarray:
    """log p(x) = log ∫ p(x|z) p(z) dz ≈ log Σ_j p(x|z_j) p(z_j) Δz (quadrature on a z grid): (N,).
    Exact enough in one dimension; in a VAE's 2–100 dimensions it is what cannot be computed."""
    zs = lvm_z_grid() if zs is None else zs
    return logsumexp(lvm_log_joint(x, zs, sigma), axis=1) + math.log(zs[1] - zs[0])


def lvm_posterior(x: np.ndarray, sigma: float, zs: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """p(z|x) = p(x|z) p(z) / p(x) on a z grid, for one x: (zs, density)."""
    zs = lvm_z_grid() if zs is None else zs
    lj = lvm_log_joint(x, zs, sigma)[0]
    return zs, np.exp(lj - lvm_log_marginal(x, sigma, zs)[0])


def moment_match(zs: np.ndarray, density: np.ndarray) -> tuple[float, float]:
    """The Gaussian q(z|x) = N(m, s²) with the mean and variance of a density on a grid:
    m = ∫ z p dz, s² = ∫ (z − m)² p dz. A stand-in for an encoder's output (μ, σ)."""
    dz = zs[1] - zs[0]
    w = density * dz / np.sum(density * dz)
    m = float(np.sum(w * zs))
    return m, float(math.sqrt(max(np.sum(w * (zs - m) ** 2), 1e-12)))


def normal_logpdf(z: np.ndarray, m: float, s: float) -> np.ndarray:
    """log N(z; m, s²) = −½ ((z − m)²/s² + log 2π) − log s."""
    z = np.asarray(z, dtype=np.float64)
    return -0.5 * (((z - m) / s) ** 2 + LOG_2PI) - math.log(s)


@dataclass(frozen=True)
class ISEstimate:
    log_px: float  # log (1/K) Σ_k w_k
    elbo: float  # (1/K) Σ_k log w_k  ≤ log p(x)
    z: np.ndarray  # (K,) the draws z_k ~ q(z|x)
    log_w: np.ndarray  # (K,) log w_k


def importance_log_marginal(x: np.ndarray, sigma: float, m: float, s: float, k: int, seed: int) -> ISEstimate:
    """The importance-sampled estimate of Burda, Grosse & Salakhutdinov (2016, eq. 8), the app's NLL:

        log p(x) ≈ log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x),   z_k ~ q(z|x) = N(m, s²).

    Its expectation is a lower bound that tightens as K grows; K = 1 in expectation is the ELBO,
    here reported as the mean of the log-weights."""
    rng = np.random.default_rng(seed)
    z = m + s * rng.standard_normal(k)
    log_w = lvm_log_joint(x, z, sigma)[0] - normal_logpdf(z, m, s)
    return ISEstimate(float(logsumexp(log_w) - math.log(k)), float(np.mean(log_w)), z, log_w)


def lvm_sample(n: int, sigma: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Generation (ancestral sampling): z ~ p(z) = N(0, 1), then x ~ p(x|z) = N(f(z), σ² I)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    return z, lvm_decoder(z) + sigma * rng.standard_normal((n, 2))


# ------------------------------------------------------------------ the VAE's pieces

def reparameterize(mu: np.ndarray, logvar: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """z = μ + σ·ε with σ = exp(½ log σ²) and ε ~ N(0, I) (Kingma & Welling, 2013, §2.4): the draw
    is a differentiable function of (μ, σ), the randomness sits in ε."""
    return np.asarray(mu) + np.exp(0.5 * np.asarray(logvar)) * np.asarray(eps)


def kl_std_normal(mu: np.ndarray, logvar: np.ndarray) -> float:
    """KL(N(μ, diag σ²) ‖ N(0, I)) = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²)
    (Kingma & Welling, 2013, Appendix B; ``vae_core.losses.kl_divergence`` for one image)."""
    mu, logvar = np.atleast_1d(mu).astype(np.float64), np.atleast_1d(logvar).astype(np.float64)
    return float(-0.5 * np.sum(1 + logvar - mu ** 2 - np.exp(logvar)))


def kl_monte_carlo(mu: float, logvar: float, eps: np.ndarray) -> float:
    """KL(q ‖ p) ≈ (1/S) Σ_s [log q(z_s) − log p(z_s)], z_s = μ + σ ε_s: what the closed form replaces."""
    s = math.exp(0.5 * logvar)
    z = reparameterize(mu, logvar, eps)
    return float(np.mean(normal_logpdf(z, mu, s) - std_normal_logpdf(z)))


# ------------------------------------------------------------------ links to the live pages

LIVE_PAGES: dict[str, tuple[str, ...]] = {  # concept → the page urls where it is live, best first
    "prior": ("compare",),
    "likelihood": ("latent_grid", "generate"),
    "marginal": ("compare",),
    "posterior": ("latent_map",),
    "generation": ("generate", "latent_grid", "compare"),
    "inference": ("latent_map",),
}


def live_pages(concept: str, available: tuple[str, ...] | list[str]) -> list[str]:
    """The pages that show ``concept`` live, among the urls the app has right now."""
    return [u for u in LIVE_PAGES.get(concept, ()) if u in available]
