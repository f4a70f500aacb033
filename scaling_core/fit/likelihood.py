"""Maximum likelihood for the Chinchilla law with a Huber density of fitted scale.

Besiroglu et al. (2024) report the estimates that maximise the likelihood of log L under
log L = LSE(a − α log N, b − β log D, e) + ε, where ε has the Huber density of threshold δ and
scale s = e^σ:

    p(ε) = exp(−ρ_δ(ε / s)) / (s Z_δ),   Z_δ = √(2π) (1 − 2 Φ̄(δ)) + 2 e^{−δ²/2} / δ,

ρ_δ being the Huber function (quadratic inside ±δ, linear outside). Unlike the summed Huber loss,
the likelihood lets the data choose the scale, and makes log-likelihoods (hence likelihood-ratio
tests) comparable between laws. The negative log-likelihood and its analytic gradient in (a, b, e,
α, β, σ) are evaluated in one vectorised pass; BFGS does the search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq, minimize
from scipy.stats import norm

from .._checks import as_positive
from .._typing import FloatArray
from ..laws import ChinchillaLaw
from .chinchilla import fit_chinchilla, theta_from_law
from .huber import huber
from .report import FitReport, reports_fit


def huber_log_normaliser(delta: float) -> float:
    """log Z_δ, the log of the integral of exp(−ρ_δ(x)) over the real line."""
    delta = _checked_delta(delta)
    return float(
        np.log(np.sqrt(2 * np.pi) * (1 - 2 * norm.sf(delta)) + 2 * np.exp(-0.5 * delta**2) / delta)
    )


def _checked_delta(delta: float) -> float:
    if not (np.isfinite(delta) and delta > 0):
        raise ValueError(f"delta must be finite and > 0, got {delta!r}")
    return float(delta)


def _log_prediction(
    theta: FloatArray, log_n: FloatArray, log_d: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """LSE(a − α log N, b − β log D, e) and its softmax weights (the derivatives by the three
    terms)."""
    a, b, e, alpha, beta = theta
    terms = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
    top = terms.max(axis=0)
    weights = np.exp(terms - top)
    total = weights.sum(axis=0)
    return top + np.log(total), weights / total


def huber_negative_log_likelihood(
    params: ArrayLike,
    log_n: FloatArray,
    log_d: FloatArray,
    log_loss: FloatArray,
    delta: float = 1e-3,
) -> tuple[float, FloatArray]:
    """−log-likelihood of (a, b, e, α, β, σ) and its analytic gradient, σ being the log of the
    scale."""
    params = np.asarray(params, dtype=float)
    if params.shape != (6,):
        raise ValueError(
            f"params must have shape (6,) for (a, b, e, alpha, beta, log_scale), got {params.shape}"
        )
    prediction, weights = _log_prediction(params[:5], log_n, log_d)
    scale = np.exp(params[5])
    z = (log_loss - prediction) / scale
    rho, psi = huber(z, delta)
    value = rho.sum() + len(z) * (params[5] + huber_log_normaliser(delta))
    slope = psi / scale  # d ρ(z) / d prediction = −slope
    gradient = np.array(
        [
            -(slope * weights[0]).sum(),
            -(slope * weights[1]).sum(),
            -(slope * weights[2]).sum(),
            (slope * weights[0] * log_n).sum(),
            (slope * weights[1] * log_d).sum(),
            len(z) - (psi * z).sum(),
        ]
    )
    return float(value), gradient


def best_log_scale(residuals: ArrayLike, delta: float = 1e-3) -> float:
    """The log-scale σ maximising the Huber likelihood of fixed residuals.

    It solves Σ z ψ_δ(z) = n with z = r / e^σ; the left side falls monotonically with σ, so the root
    is unique and bracketed by the all-linear (s = δ·mean|r|) and all-quadratic (s = rms r)
    solutions.
    """
    delta = _checked_delta(delta)
    r = np.abs(np.ravel(np.asarray(residuals, dtype=float)))
    if r.size == 0 or not np.all(np.isfinite(r)):
        raise ValueError("residuals must be a non-empty array of finite numbers")
    if not r.any():
        raise ValueError("residuals are all zero: the likelihood has no maximum in the scale")

    def excess(log_scale: float) -> float:
        z = r / np.exp(log_scale)
        return float((z * huber(z, delta)[1]).sum() - r.size)

    guesses = np.log([delta * r.mean(), np.sqrt((r**2).mean())])
    return float(brentq(excess, guesses.min() - 1.0, guesses.max() + 1.0, xtol=1e-14, rtol=1e-14))


def _validated_logs(
    N: ArrayLike, D: ArrayLike, loss: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    arrays = [
        as_positive(name, np.ravel(np.asarray(x, dtype=float)))
        for name, x in (("N", N), ("D", D), ("loss", loss))
    ]
    if len({len(x) for x in arrays}) != 1:
        raise ValueError(f"N, D and loss must have the same length, got {[len(x) for x in arrays]}")
    if len(arrays[0]) < 6:
        raise ValueError(f"fitting six parameters needs at least 6 runs, got {len(arrays[0])}")
    return tuple(np.log(x) for x in arrays)  # type: ignore[return-value]


def log_likelihood(
    law: ChinchillaLaw, N: ArrayLike, D: ArrayLike, loss: ArrayLike, delta: float = 1e-3
) -> float:
    """Huber log-likelihood of the runs under `law`, the scale set to its best value for that law.

    This is how a published law (whose scale was never reported) is compared with a fitted one."""
    if law.E <= 0:
        raise ValueError(f"law.E must be > 0 for the log-sum-exp form, got {law.E!r}")
    log_n, log_d, log_loss = _validated_logs(N, D, loss)
    theta = theta_from_law(law)
    residuals = log_loss - _log_prediction(theta, log_n, log_d)[0]
    sigma = best_log_scale(residuals, delta)
    return -huber_negative_log_likelihood(np.r_[theta, sigma], log_n, log_d, log_loss, delta)[0]


@dataclass(frozen=True)
class LikelihoodFit:
    """Result of `fit_huber_likelihood`: the law, (a, b, e, α, β), the log-scale σ and how BFGS
    went.

    The likelihood is nearly that of a Laplace density (its optimum is close to a least-absolute-
    deviations fit), so BFGS usually ends on "precision loss" at a kink: `converged` is then False
    although the optimum is reached (check it by restarting from elsewhere)."""

    law: ChinchillaLaw
    theta: FloatArray
    log_scale: float
    log_likelihood: float
    n_runs: int
    converged: bool
    n_iterations: int
    message: str
    report: FitReport | None = field(default=None, repr=False, compare=False)

    @property
    def scale(self) -> float:
        """The fitted scale s = e^σ of the Huber density (in units of log-loss)."""
        return float(np.exp(self.log_scale))


@reports_fit
def fit_huber_likelihood(
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    *,
    delta: float = 1e-3,
    start: ArrayLike | None = None,
    max_iterations: int = 10_000,
) -> LikelihoodFit:
    """Maximum-likelihood fit of L = E + A/N^α + B/D^β with a Huber density of fitted scale.

    start: (a, b, e, α, β) to start BFGS from; by default the summed-Huber optimum of
    `fit_chinchilla`. Besiroglu et al. start from Hoffmann's unrounded estimates. The log-scale
    starts at its best value for `start`.
    """
    delta = _checked_delta(delta)
    log_n, log_d, log_loss = _validated_logs(N, D, loss)
    start_given = start is not None
    if start is None:
        start = fit_chinchilla(N, D, loss, delta=delta).theta
    theta0 = np.asarray(start, dtype=float)
    if theta0.shape != (5,) or not np.all(np.isfinite(theta0)):
        raise ValueError(f"start must be 5 finite numbers (a, b, e, alpha, beta), got {start!r}")
    sigma0 = best_log_scale(log_loss - _log_prediction(theta0, log_n, log_d)[0], delta)
    result = minimize(
        huber_negative_log_likelihood,
        np.r_[theta0, sigma0],
        args=(log_n, log_d, log_loss, delta),
        jac=True,
        method="BFGS",
        options={"maxiter": max_iterations},
    )
    a, b, e, alpha, beta, sigma = result.x
    law = ChinchillaLaw(
        E=float(np.exp(e)),
        A=float(np.exp(a)),
        B=float(np.exp(b)),
        alpha=float(alpha),
        beta=float(beta),
        name="Huber likelihood fit",
    )
    return LikelihoodFit(
        law=law,
        theta=result.x[:5].copy(),
        log_scale=float(sigma),
        log_likelihood=-float(result.fun),
        n_runs=len(log_n),
        converged=bool(result.success),
        n_iterations=int(result.nit),
        message=str(result.message),
        report=FitReport(
            form="L = E + A/N^alpha + B/D^beta (log-sum-exp parameters)",
            n_points=len(log_n),
            objective=f"likelihood of log L, Huber density (delta = {delta:g}) of fitted scale",
            optimiser="BFGS",
            starts="one: the summed-Huber optimum" if start_given is False else "one, given",
            flop_definition="not used (N and D given)",
        ),
    )
