"""Fitting the decay constants of a data-constrained law (Muennighoff et al. 2023, App. A, Eq. 16).

The base constants (E, A, B, α, β) stay at a fit on one-epoch data; only the two constants of the
discount are fitted, by minimising Σ_i w_i Huber_δ(LSE(a − α log N′_i, b − β log D′_i, e) − log L_i)
over θ = (R_D*, R_N*) from a grid of starts. Every start, every resample of a bootstrap and every
point of a profile is one problem of the same two-parameter objective, so they all run as one batch
of batched BFGS (`multistart`), with the analytic gradient.

BFGS runs in log θ on the objective divided by δ. In θ itself the gradient is ~1e-3 and the
objective is concave in places (where BFGS skips its curvature update), so unit steps of the
identity move θ by ~1e-3 and a start stalls far from any minimum; on the log scale, in units of δ,
steps are of order one. The minima are the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import product

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import as_positive
from .._typing import FloatArray
from ..laws import MUENNIGHOFF_2023, REPETITION_DECAYS, DataConstrainedLaw
from .bootstrap import resample_counts
from .huber import huber
from .multistart import BatchMinimum, BatchObjective, minimize_batch
from .report import FitReport, reports_fit, starts_phrase

PARAMETER_NAMES = ("rd_star", "rn_star")  # the order of θ
MAX_ITERATIONS = (
    200  # converged starts take ≲ 100; a start still moving after 200 runs off to R* → ∞
)


def muennighoff_starts() -> FloatArray:
    """The authors' grid of starts, R_D*, R_N* ∈ linspace(0, 20, 4), rows (R_D*, R_N*).

    The notebook's grid includes 0, where the discount is 0/0 for the runs without repetition: those
    starts give NaN in the notebook too and never win, so they are left out (9 starts remain)."""
    axis = np.linspace(0, 20, 4)[1:]
    return np.array(list(product(axis, axis)))


@dataclass(frozen=True)
class DataConstrainedRuns:
    """The runs as the objective needs them: U_N, R_N, U, R_D under a base law, and log loss."""

    unique_params: FloatArray
    param_repeats: FloatArray
    unique_tokens: FloatArray
    token_repeats: FloatArray
    log_loss: FloatArray
    law: DataConstrainedLaw  # base constants and forms of the discount (its R_D*, R_N* unused)

    @property
    def size(self) -> int:
        return len(self.log_loss)


def data_constrained_runs(
    law: DataConstrainedLaw, N: ArrayLike, D: ArrayLike, U: ArrayLike, loss: ArrayLike
) -> DataConstrainedRuns:
    """Check the runs (positive, U ≤ D, equal lengths) and derive what the objective reads."""
    N, D, U, loss = (
        np.atleast_1d(as_positive(name, v)).ravel()
        for name, v in (
            ("N (parameters)", N),
            ("D (tokens)", D),
            ("U (unique tokens)", U),
            ("loss", loss),
        )
    )
    if not len(N) == len(D) == len(U) == len(loss):
        raise ValueError(
            "N, D, U and loss must have one value per run, got lengths "
            f"{len(N)}, {len(D)}, {len(U)}, {len(loss)}"
        )
    law.effective_tokens(D, U)  # refuses U > D by name
    unique_params = np.minimum(N, law.unique_params(U))
    return DataConstrainedRuns(
        unique_params=unique_params,
        param_repeats=np.maximum(N / unique_params - 1, 0),
        unique_tokens=U,
        token_repeats=np.maximum(D / U - 1, 0),
        log_loss=np.log(loss),
        law=law,
    )


def data_constrained_objective(
    theta: ArrayLike,
    runs: DataConstrainedRuns,
    delta: float = 1e-3,
    weights: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Summed Huber loss of log L against the law's log prediction, and its gradient in θ.

    `theta` (m, 2) holds (R_D*, R_N*) per row; `weights` (m, n) or (n,) weighs the runs (a
    bootstrap's resample counts). Rows outside the forms' domains (a constant ≤ 0, or ≥ 1 for the
    geometric form) score +inf, so a line search steps back from them.
    """
    theta = np.array(theta, dtype=float, ndmin=2)
    law = runs.law
    rd_star, rn_star = theta[:, :1], theta[:, 1:]
    extra_d, dextra_d = REPETITION_DECAYS[law.data_decay](runs.token_repeats, rd_star)
    extra_n, dextra_n = REPETITION_DECAYS[law.params_decay](runs.param_repeats, rn_star)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        term_n = law.A * (runs.unique_params * (1 + extra_n)) ** -law.alpha
        term_d = law.B * (runs.unique_tokens * (1 + extra_d)) ** -law.beta
        total = law.E + term_n + term_d
        value, slope = huber(np.log(total) - runs.log_loss, delta)
        slope = slope if weights is None else slope * weights
        value = value if weights is None else value * weights
        # d log(total)/dθ: a term t = c·(U·(1 + extra))^(−γ) moves by −γ t · d extra / (1 + extra)
        grad_d = -(law.beta * term_d / total) * dextra_d / (1 + extra_d)
        grad_n = -(law.alpha * term_n / total) * dextra_n / (1 + extra_n)
        values = value.sum(axis=1)
        grads = np.stack([(slope * grad_d).sum(axis=1), (slope * grad_n).sum(axis=1)], axis=1)
    outside = (
        ~np.isfinite(values) | ~np.all(np.isfinite(grads), axis=1) | _outside_domain(law, theta)
    )
    values[outside] = np.inf
    grads[outside] = 0.0
    return values, grads


def _minimize_log(objective: BatchObjective, starts: FloatArray, delta: float) -> BatchMinimum:
    """Batched BFGS on objective/δ over log θ; the result is reported in θ and the objective
    itself."""

    def on_log_scale(u: FloatArray, rows: NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        with np.errstate(over="ignore"):
            theta = np.exp(u)
        values, grads = objective(theta, rows)
        finite = np.isfinite(values)[:, None]  # +inf rows carry a zero gradient, θ may be inf there
        return values / delta, np.where(finite, grads * np.where(finite, theta, 0.0), 0.0) / delta

    with np.errstate(over="ignore"):
        result = minimize_batch(
            on_log_scale, np.log(as_positive("starts", starts)), max_iterations=MAX_ITERATIONS
        )
    return replace(result, x=np.exp(result.x), fun=result.fun * delta)


def _outside_domain(law: DataConstrainedLaw, theta: FloatArray) -> NDArray[np.bool_]:
    outside = np.zeros(len(theta), dtype=bool)
    for column, form in enumerate((law.data_decay, law.params_decay)):
        if form not in ("none", "worthless"):
            outside |= theta[:, column] <= 0
        if form == "geometric":
            outside |= theta[:, column] >= 1
    return outside


@dataclass(frozen=True)
class DataConstrainedFit:
    """The fitted law, its constants by name, the objective at the best start and at every start's
    end."""

    law: DataConstrainedLaw
    params: dict[str, float]
    objective: float
    converged: bool
    objective_by_start: FloatArray
    ends_by_start: FloatArray  # (starts, 2): where each start's BFGS run ended, (R_D*, R_N*)
    report: FitReport = field(repr=False, compare=False)


def _report(
    law: DataConstrainedLaw,
    n_points: int,
    starts: FloatArray,
    authors_grid: bool,
    delta: float,
    weighted: bool,
) -> FitReport:
    grid = "muennighoff_starts()" if authors_grid else "given"
    return FitReport(
        form=f"L = E + A/N'^alpha + B/D'^beta (discounts: data {law.data_decay}, parameters "
        f"{law.params_decay}); R_D*, R_N* fitted, the rest of {law.name} kept",
        n_points=n_points,
        objective=f"Huber (delta = {delta:g}) on log L, summed"
        + (", runs weighted" if weighted else ""),
        optimiser="batched BFGS on log R*, analytic gradient",
        starts=f"{starts_phrase(len(starts))} ({grid}), best kept",
        flop_definition="not used (N, D and U given)",
    )


@reports_fit
def fit_data_constrained(
    N: ArrayLike,
    D: ArrayLike,
    U: ArrayLike,
    loss: ArrayLike,
    *,
    law: DataConstrainedLaw = MUENNIGHOFF_2023,
    starts: ArrayLike | None = None,
    delta: float = 1e-3,
    weights: ArrayLike | None = None,
) -> DataConstrainedFit:
    """Fit R_D* and R_N* of `law` (its base constants and forms of discount kept) to runs
    (N, D, U, loss) by the authors' procedure: Huber δ = 1e-3 on log loss, from
    `muennighoff_starts()` by default.

    A term whose form is "none" or "worthless" has no constant: its entry of θ stays at its start
    and is reported as 0.
    """
    runs = data_constrained_runs(law, N, D, U, loss)
    starts = muennighoff_starts() if starts is None else np.array(starts, dtype=float, ndmin=2)
    if starts.shape[1:] != (2,):
        raise ValueError(f"starts must have two columns (R_D*, R_N*), got shape {starts.shape}")
    run_weights = None if weights is None else np.asarray(weights, dtype=float)
    result = _minimize_log(
        lambda theta, rows: data_constrained_objective(theta, runs, delta, run_weights),
        starts,
        delta,
    )
    best = int(np.argmin(result.fun))
    rd_star, rn_star = (
        float(v) if form not in ("none", "worthless") else 0.0
        for v, form in zip(result.x[best], (law.data_decay, law.params_decay))
    )
    fitted = replace(law, rd_star=rd_star, rn_star=rn_star, name=f"{law.name}, refitted")
    return DataConstrainedFit(
        law=fitted,
        params={"rd_star": rd_star, "rn_star": rn_star},
        objective=float(result.fun[best]),
        converged=bool(result.converged[best]),
        objective_by_start=result.fun,
        ends_by_start=result.x,
        report=_report(
            law,
            runs.size,
            starts,
            np.array_equal(starts, muennighoff_starts()),
            delta,
            run_weights is not None,
        ),
    )


def profile_rd_star(
    rd_values: ArrayLike,
    N: ArrayLike,
    D: ArrayLike,
    U: ArrayLike,
    loss: ArrayLike,
    *,
    law: DataConstrainedLaw = MUENNIGHOFF_2023,
    rn_starts: ArrayLike = (1.0, 5.0, 20.0),
    delta: float = 1e-3,
) -> tuple[FloatArray, FloatArray]:
    """The profile of the objective over R_D*: for each value, the best objective over R_N* (from
    each of `rn_starts`, all in one batch). Returns (objective, R_N* at it), one entry per value."""
    runs = data_constrained_runs(law, N, D, U, loss)
    rd = np.atleast_1d(as_positive("rd_values", rd_values)).ravel()
    rn0 = np.atleast_1d(as_positive("rn_starts", rn_starts)).ravel()
    fixed_rd = np.repeat(rd, len(rn0))

    def objective(x: FloatArray, rows: NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        values, grads = data_constrained_objective(
            np.column_stack([fixed_rd[rows], x[:, 0]]), runs, delta
        )
        return values, grads[:, 1:]

    result = _minimize_log(objective, np.tile(rn0, len(rd))[:, None], delta)
    values = result.fun.reshape(len(rd), len(rn0))
    best = np.argmin(values, axis=1)
    return values[np.arange(len(rd)), best], result.x[:, 0].reshape(len(rd), len(rn0))[
        np.arange(len(rd)), best
    ]


@dataclass(frozen=True)
class DataConstrainedBootstrap:
    """Bootstrap refits: `theta` (resamples, 2) is each resample's best end (R_D*, R_N*),
    `objective` its objective, `converged` whether that end is a minimum (False: still running off
    to R* → ∞)."""

    theta: FloatArray
    objective: FloatArray
    converged: NDArray[np.bool_]
    report: FitReport = field(repr=False, compare=False)


@reports_fit
def bootstrap_data_constrained(
    N: ArrayLike,
    D: ArrayLike,
    U: ArrayLike,
    loss: ArrayLike,
    *,
    n_resamples: int,
    seed: int,
    law: DataConstrainedLaw = MUENNIGHOFF_2023,
    starts: ArrayLike | None = None,
    delta: float = 1e-3,
) -> DataConstrainedBootstrap:
    """Refit (R_D*, R_N*) on `n_resamples` bootstrap resamples of the runs (drawn by
    `resample_counts` from `seed`), each from every start, all resamples × starts in one batch.
    Starting from the ends of the full-data fit (its distinct local minima) costs a third of the
    authors' grid."""
    runs = data_constrained_runs(law, N, D, U, loss)
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples!r}")
    starts = muennighoff_starts() if starts is None else np.array(starts, dtype=float, ndmin=2)
    counts = resample_counts(np.random.default_rng(seed), n_resamples, runs.size).astype(float)
    problem_weights = np.repeat(counts, len(starts), axis=0)

    def objective(x: FloatArray, rows: NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        return data_constrained_objective(x, runs, delta, problem_weights[rows])

    result = _minimize_log(objective, np.tile(starts, (n_resamples, 1)), delta)
    values = result.fun.reshape(n_resamples, len(starts))
    best = np.argmin(values, axis=1)
    pick = np.arange(n_resamples), best
    return DataConstrainedBootstrap(
        theta=result.x.reshape(n_resamples, len(starts), 2)[pick],
        objective=values[pick],
        converged=result.converged.reshape(n_resamples, len(starts))[pick],
        report=_report(
            law, runs.size, starts, np.array_equal(starts, muennighoff_starts()), delta, False
        ).with_uncertainty(
            f"bootstrap of the runs, {n_resamples:,} resamples (seed {seed}), each refitted from "
            f"every start"
        ),
    )
