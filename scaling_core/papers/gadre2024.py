"""Over-training and downstream error (Gadre et al. 2024): the two laws and their least-squares
fits.

Loss against compute C = 6ND and token multiplier M = D/N:

    L(C, M) = E + (a·M^η + b·M^(−η))·C^(−η),

so at fixed M loss is a power law in C with the same exponent η for every M. The authors' code
writes the same law in N and M, L = E + α·N^c + β·6^(c/2)·(M·N)^c with c = −2η; then a = α·6^η and b
= β.

Average top-1 error against loss: Err(L) = ε − k·exp(−γL).

Both laws are fitted as the authors do: ordinary least squares on the raw loss (or error), from a
grid of starts, the best fit by residual sum of squares, with the batched Levenberg–Marquardt engine
of `scaling_core.fit.least_squares` and analytic Jacobians.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import product

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._checks import as_positive
from .._typing import FloatArray
from ..fit.least_squares import ResidualsAndJacobian, best_least_squares
from ..fit.report import FitReport, reports_fit, starts_phrase
from ..fit.result import FitResult


def _finite(owner: str, **values: float) -> None:
    for name, value in values.items():
        if not np.isfinite(value):
            raise ValueError(f"{owner}.{name} must be finite, got {value!r}")


@dataclass(frozen=True)
class OvertrainingLaw:
    """L(C, M) = E + (a·M^η + b·M^(−η))·C^(−η): loss in nats per token, C in FLOP, M = D/N."""

    E: float
    a: float
    b: float
    eta: float
    name: str = "over-training law"

    def __post_init__(self) -> None:
        _finite("OvertrainingLaw", E=self.E, a=self.a, b=self.b, eta=self.eta)
        if self.eta <= 0:
            raise ValueError(f"OvertrainingLaw.eta must be > 0, got {self.eta!r}")

    @classmethod
    def from_code_form(
        cls, alpha: float, beta: float, c: float, E: float, name: str = "over-training law"
    ) -> OvertrainingLaw:
        """The law from the constants of the authors' N-form E + α·N^c + β·6^(c/2)·(M·N)^c."""
        eta = -c / 2
        return cls(E=E, a=alpha * 6.0**eta, b=beta, eta=eta, name=name)

    def code_form(self) -> tuple[float, float, float, float]:
        """(α, β, c, E) of the authors' N-form."""
        return self.a / 6.0**self.eta, self.b, -2 * self.eta, self.E

    def scale(self, M: ArrayLike) -> FloatArray:
        """λ(M) = a·M^η + b·M^(−η), so that L = E + λ(M)·C^(−η) along a line of fixed M."""
        M = as_positive("M (tokens per parameter)", M)
        return self.a * M**self.eta + self.b * M**-self.eta

    def loss(self, C: ArrayLike, M: ArrayLike) -> FloatArray:
        """Predicted loss; C and M broadcast against each other."""
        C = as_positive("C (training FLOP)", C)
        return self.E + self.scale(M) * C**-self.eta

    def loss_of_size(self, N: ArrayLike, M: ArrayLike) -> FloatArray:
        """Predicted loss of N parameters trained on M·N tokens (C = 6·M·N²)."""
        N = as_positive("N (parameters)", N)
        M = as_positive("M (tokens per parameter)", M)
        return self.loss(6.0 * M * N**2, M)

    def optimal_multiplier(self) -> float:
        """The M minimising loss at any fixed compute: (b/a)^(1/(2η)); needs a, b > 0."""
        if self.a <= 0 or self.b <= 0:
            raise ValueError(
                f"the optimal multiplier needs a > 0 and b > 0, got a={self.a!r}, b={self.b!r}"
            )
        return float((self.b / self.a) ** (1 / (2 * self.eta)))


@dataclass(frozen=True)
class DownstreamLaw:
    """Err(L) = ε − k·exp(−γL): average top-1 error (fraction) as a function of loss (nats)."""

    epsilon: float
    k: float
    gamma: float
    name: str = "downstream law"

    def __post_init__(self) -> None:
        _finite("DownstreamLaw", epsilon=self.epsilon, k=self.k, gamma=self.gamma)

    def error(self, loss: ArrayLike) -> FloatArray:
        """Predicted average top-1 error at the given loss."""
        return self.epsilon - self.k * np.exp(-self.gamma * as_positive("loss", loss))

    def loss_for_error(self, error: ArrayLike) -> FloatArray:
        """The loss at which the law predicts `error` (inverse of `error`; needs k·γ ≠ 0, error on
        the law's side of ε)."""
        error = np.asarray(error, dtype=float)
        ratio = (self.epsilon - error) / self.k
        if self.gamma == 0 or np.any(~(ratio > 0)):
            raise ValueError(
                f"error must lie strictly between ε={self.epsilon:.4g} and ε − k, got {error!r}"
            )
        return -np.log(ratio) / self.gamma


def _check_points(x_names: tuple[str, ...], *columns: ArrayLike) -> list[FloatArray]:
    arrays = [np.ravel(np.asarray(c, dtype=float)) for c in columns]
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(f"{', '.join(x_names)} must have the same length, got {lengths}")
    return [as_positive(name, a) for name, a in zip(x_names, arrays)]


def gadre2024_starts() -> FloatArray:
    """The authors' 128 starts, as rows (E, a, b, η) of the paper form.

    Their grid is in the N-form: α, β ∈ {100, 300, 1000, 3000}, c ∈ {−0.1, −0.3}, E ∈ {0, 1, 2, 10}.
    """
    rows = [
        (E, alpha * 6.0 ** (-c / 2), beta, -c / 2)
        for alpha, beta, c, E in product(
            (1e2, 3e2, 1e3, 3e3), (1e2, 3e2, 1e3, 3e3), (-0.1, -0.3), (0.0, 1.0, 2.0, 10.0)
        )
    ]
    return np.array(rows)


def overtraining_residuals(C: FloatArray, M: FloatArray, loss: FloatArray) -> ResidualsAndJacobian:
    """Residuals L(C, M; θ) − loss and their Jacobian for a batch of θ = (E, a, b, η)."""
    log_C, log_M = np.log(C), np.log(M)

    def evaluate(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        E, a, b, eta = (theta[:, i : i + 1] for i in range(4))
        up = np.exp(eta * (log_M - log_C))  # M^η C^−η
        down = np.exp(-eta * (log_M + log_C))  # M^−η C^−η
        residual = E + a * up + b * down - loss
        d_eta = a * up * (log_M - log_C) - b * down * (log_M + log_C)
        jacobian = np.stack([np.ones_like(up), up, down, d_eta], axis=-1)
        return residual, jacobian

    return evaluate


FIT_MODELS = ("0.011B", "0.079B", "0.154B", "0.411B")
"""The four small models of the authors' fitting runs."""
FIT_MULTIPLIER = 20
"""The token multiplier M at which the small models are fitted."""
EXTRA_FIT_RUN = ("0.011B", 320)
"""The one over-trained run (model, M) of the loss law's fitting set."""
ERROR_FIT_RUN = ("1.4B", 20)
"""The run (model, M) the error law adds to the loss law's fitting set."""


def _run_of(runs: pd.DataFrame, model: str, multiplier: float) -> pd.Series:
    return (runs["model"] == model) & (runs["M"] == multiplier)


def loss_fit_runs(
    runs: pd.DataFrame,
    *,
    models: tuple[str, ...] | list[str] = FIT_MODELS,
    multiplier: float = FIT_MULTIPLIER,
    extra: tuple[str, float] = EXTRA_FIT_RUN,
) -> pd.DataFrame:
    """The rows of `runs` (one training set and evaluation of `load("gadre2024_runs")`) that the
    loss law is fitted to: the `models` at token multiplier `multiplier` plus the `extra` run
    (model, M); by default the authors' five runs."""
    missing = {"model", "M"} - set(runs.columns)
    if missing:
        raise ValueError(f"runs needs the columns model and M; missing {sorted(missing)}")
    small = runs["model"].isin(models) & (runs["M"] == multiplier)
    return runs[small | _run_of(runs, *extra)]


def error_fit_runs(
    runs: pd.DataFrame,
    *,
    models: tuple[str, ...] | list[str] = FIT_MODELS,
    multiplier: float = FIT_MULTIPLIER,
    extra: tuple[str, float] = EXTRA_FIT_RUN,
    error_run: tuple[str, float] = ERROR_FIT_RUN,
) -> pd.DataFrame:
    """The rows the error law is fitted to: the loss law's runs plus `error_run` (model, M)."""
    loss_runs = loss_fit_runs(runs, models=models, multiplier=multiplier, extra=extra)
    return pd.concat([loss_runs, runs[_run_of(runs, *error_run)]])


def _least_squares_report(form: str, n_points: int, n_starts: int, authors_grid: bool) -> FitReport:
    return FitReport(
        form=form,
        n_points=n_points,
        objective="sum of squared errors",
        optimiser="batched Levenberg-Marquardt, then MINPACK LM from the best",
        starts=f"{starts_phrase(n_starts)} "
        f"({'the default grid' if authors_grid else 'given'}), best kept",
    )


@reports_fit
def fit_overtraining_law(
    C: ArrayLike,
    M: ArrayLike,
    loss: ArrayLike,
    *,
    starts: ArrayLike | None = None,
    name: str = "fit",
) -> FitResult[OvertrainingLaw]:
    """Least-squares fit of L(C, M) = E + (a·M^η + b·M^(−η))·C^(−η) to runs (compute, multiplier,
    loss).

    starts: (k, 4) rows of (E, a, b, η); by default the authors' 128 (`gadre2024_starts`).
    """
    C, M, loss = _check_points(("C", "M", "loss"), C, M, loss)
    if len(C) < 4:
        raise ValueError(f"fitting four parameters needs at least 4 runs, got {len(C)}")
    grid = gadre2024_starts() if starts is None else np.atleast_2d(np.asarray(starts, dtype=float))
    if grid.ndim != 2 or grid.shape[1] != 4:
        raise ValueError(f"starts must have shape (k, 4) for (E, a, b, eta), got {grid.shape}")
    theta, rss, converged, by_start = best_least_squares(overtraining_residuals(C, M, loss), grid)
    E, a, b, eta = (float(v) for v in theta)
    if not eta > 0:
        raise RuntimeError(
            f"the best fit has a non-positive exponent η = {eta:.4g}; the data do not support the "
            "law"
        )
    form = "L = E + (a M^eta + b M^-eta) C^-eta"
    authors_grid = np.array_equal(grid, gadre2024_starts())
    report = _least_squares_report(form, len(loss), len(grid), authors_grid)
    report = report.with_data(flop_definition="C as given (Gadre et al.: 6ND)")
    law = OvertrainingLaw(E, a, b, eta, name=name)
    return FitResult(law, theta, rss, converged, by_start, report)


def gadre2024_downstream_starts() -> FloatArray:
    """Starts (ε, k, γ) for the error law: the authors' single start (1, 1, 1) within a small
    grid."""
    return np.array(list(product((0.5, 1.0), (0.5, 1.0, 2.0, 5.0), (0.25, 0.5, 1.0, 2.0))))


def downstream_residuals(loss: FloatArray, error: FloatArray) -> ResidualsAndJacobian:
    """Residuals Err(loss; θ) − error and their Jacobian for a batch of θ = (ε, k, γ)."""

    def evaluate(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        epsilon, k, gamma = (theta[:, i : i + 1] for i in range(3))
        decay = np.exp(-gamma * loss)
        residual = epsilon - k * decay - error
        jacobian = np.stack([np.ones_like(decay), -decay, k * loss * decay], axis=-1)
        return residual, jacobian

    return evaluate


@reports_fit
def fit_downstream_law(
    loss: ArrayLike, error: ArrayLike, *, starts: ArrayLike | None = None, name: str = "fit"
) -> FitResult[DownstreamLaw]:
    """Least-squares fit of Err(L) = ε − k·exp(−γL) to (loss, average top-1 error) pairs.

    starts: (k, 3) rows of (ε, k, γ); by default `gadre2024_downstream_starts()`.
    """
    loss, error = _check_points(("loss", "error"), loss, error)
    if len(loss) < 3:
        raise ValueError(f"fitting three parameters needs at least 3 runs, got {len(loss)}")
    grid = (
        gadre2024_downstream_starts()
        if starts is None
        else np.atleast_2d(np.asarray(starts, dtype=float))
    )
    if grid.ndim != 2 or grid.shape[1] != 3:
        raise ValueError(f"starts must have shape (k, 3) for (epsilon, k, gamma), got {grid.shape}")
    theta, rss, converged, by_start = best_least_squares(downstream_residuals(loss, error), grid)
    law = DownstreamLaw(*(float(v) for v in theta), name=name)
    form = "Err = epsilon - k exp(-gamma L)"
    default_grid = np.array_equal(grid, gadre2024_downstream_starts())
    report = _least_squares_report(form, len(loss), len(grid), default_grid)
    unused = "not used (loss given)"
    report = report.with_data(flop_definition=unused, parameters_counted=unused)
    return FitResult(law, theta, rss, converged, by_start, report)


@dataclass(frozen=True)
class ParallelPowerLaws:
    """Per-group power laws with a shared floor: L = E + λ_g·C^(−η_g) for every group g (here, each
    token multiplier M). Exponent intervals are t intervals at the stated level with E held at its
    estimate: E's own uncertainty moves every η_g together and says nothing about whether they
    differ."""

    E: float
    groups: FloatArray
    scales: FloatArray  # λ_g
    exponents: FloatArray  # η_g
    intervals: FloatArray  # (g, 2) lower and upper bound of η_g
    rss: float
    dof: int
    report: FitReport | None = field(default=None, repr=False, compare=False)

    def loss(self, C: ArrayLike, group: float) -> FloatArray:
        """Predicted loss of the group `group` at compute C."""
        where = np.flatnonzero(self.groups == group)
        if len(where) != 1:
            raise ValueError(f"group must be one of {self.groups.tolist()}, got {group!r}")
        g = where[0]
        return self.E + self.scales[g] * as_positive("C (training FLOP)", C) ** -self.exponents[g]


@reports_fit
def fit_parallel_power_laws(
    C: ArrayLike, group: ArrayLike, loss: ArrayLike, *, level: float = 0.95
) -> ParallelPowerLaws:
    """Least-squares fit of L = E + λ_g·C^(−η_g) with one E shared by all groups (each needs ≥ 2
    runs of distinct C); starts: E ∈ {0.5, 1, 1.5, 2} × η ∈ {0.05, 0.1, 0.2}, λ_g matched to each
    group's mean."""
    from scipy.stats import t as student_t

    C, loss = _check_points(("C", "loss"), C, loss)
    group = np.ravel(np.asarray(group, dtype=float))
    if len(group) != len(C):
        raise ValueError(f"group must have one entry per run ({len(C)}), got {len(group)}")
    groups, index = np.unique(group, return_inverse=True)
    k = len(groups)
    log_C = np.log(C)
    for g in range(k):
        if len(np.unique(C[index == g])) < 2:
            raise ValueError(f"group {groups[g]!r} needs at least two runs of different compute")
    dof = len(C) - (1 + 2 * k)
    if dof < 1:
        raise ValueError(
            f"{len(C)} runs cannot determine {1 + 2 * k} parameters with residual degrees of "
            "freedom left"
        )
    rows = np.arange(len(C))

    def evaluate(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        E, log_scale, eta = theta[:, :1], theta[:, 1 : 1 + k], theta[:, 1 + k :]
        term = np.exp(log_scale[:, index] - eta[:, index] * log_C)
        J = np.zeros((len(theta), len(C), 1 + 2 * k))
        J[:, :, 0] = 1.0
        J[:, rows, 1 + index] = term
        J[:, rows, 1 + k + index] = -term * log_C
        return E + term - loss, J

    starts = []
    for E0, eta0 in product((0.5, 1.0, 1.5, 2.0), (0.05, 0.1, 0.2)):
        gap = np.maximum(loss - E0, 1e-3)
        log_scale = np.array(
            [np.mean(np.log(gap[index == g]) + eta0 * log_C[index == g]) for g in range(k)]
        )
        starts.append(np.r_[E0, log_scale, np.full(k, eta0)])
    theta, rss, _, _ = best_least_squares(evaluate, np.array(starts))
    report = _least_squares_report(
        f"L = E + lambda_g C^-eta_g, E shared by {k} groups", len(C), len(starts), False
    )
    report = replace(
        report,
        starts=f"{len(starts)} starts (E × eta grid, lambda_g matched to each group's mean), "
        "best kept",
        uncertainty=f"t intervals of each eta_g at {level:.0%}, E held at its estimate",
        flop_definition="C as given (Gadre et al.: 6ND)",
    )
    _, J = evaluate(theta[None, :])
    variance = rss / dof
    half = np.empty(k)
    for g in range(k):  # the (log λ_g, η_g) block, E held fixed
        block = J[0][np.ix_(index == g, [1 + g, 1 + k + g])]
        half[g] = np.sqrt(variance * np.linalg.pinv(block.T @ block)[1, 1])
    half *= student_t.ppf(0.5 + level / 2, dof)
    eta = theta[1 + k :]
    return ParallelPowerLaws(
        E=float(theta[0]),
        groups=groups,
        scales=np.exp(theta[1 : 1 + k]),
        exponents=eta,
        intervals=np.column_stack([eta - half, eta + half]),
        rss=rss,
        dof=dof,
        report=report,
    )
