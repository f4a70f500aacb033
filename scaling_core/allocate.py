"""Compute-optimal and inference-aware allocation of parameters and tokens.

- `compute_optimal`: minimise L(N, D) subject to 6ND = C; closed form for a Chinchilla law, a
  bounded one-dimensional search in log N over every allocation with N, D >= 1 for any other loss
  function (an optimum on that boundary is refused, never returned).
- `compute_optimal_tokens`: the training tokens that make a model of N parameters compute-optimal.
- `compute_optimal_for_loss`: the Chinchilla-style model of a given loss — the
  training-compute-optimal (N, D) that reaches it, in closed form. This is the reference Sardana et
  al. (2024) compare against ("an equal-quality Chinchilla-style model"): equal loss, not equal
  size, and not 20 tokens per parameter.
- `inference_optimal`: Sardana et al. (2024) — minimise lifetime FLOPs 6 N D_train + 2 N D_inference
  subject to L(N, D_train) = loss.
- `inference_demand_for_size`: the inverse question in closed form — at what inference demand is a
  model of N parameters the inference-optimal one for that loss?

Losses are used exactly as given. Worked examples quoted with rounded losses (Sardana et al.'s
repository passes `--loss 1.947` for a 70B model on 1T tokens, whose loss is 1.94727) must be fed
the rounded value to reproduce the printed digits: N_c ∝ (ℓ − E)^(−1/α) moves by 0.3 % and the
inference optimum by 0.4 %.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize_scalar

from ._checks import as_non_negative, as_positive
from ._typing import FloatArray
from .laws import ChinchillaLaw, DataConstrainedLaw

LossFunction = Callable[[FloatArray, FloatArray], FloatArray]

# A numerical optimum this close (in log N) to N = 1 or D = 1 is the boundary, not an optimum.
_AT_BOUND = 1e-6
_NEWTON_STEPS = (
    100  # the Newton iteration below converges in ≲ 10 steps; this only guards against a bug
)


def compute_optimal(
    law: ChinchillaLaw | LossFunction, C: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """(N_opt, D_opt) minimising the loss at 6ND = C.

    A `ChinchillaLaw` uses its closed form; any other callable `loss(N, D)` is minimised numerically
    over log N (one bounded Brent search per budget) across every allocation with at least one
    parameter and one token, which is how laws with no closed form are handled. A loss still falling
    at either end of that range has no optimum: it is refused rather than answered with the end.
    """
    if isinstance(law, ChinchillaLaw):
        return law.compute_optimal(C)
    budgets = as_positive("C (FLOP budget)", C)
    if np.any(budgets < 6):
        raise ValueError(
            "C (FLOP budget) must be at least 6 FLOP (one parameter, one token), got "
            f"{budgets.min():.4g}"
        )
    log_n = np.empty(budgets.shape)
    for index, budget in np.ndenumerate(budgets):
        high = np.log(budget / 6)
        objective = lambda x, c=budget: float(law(np.exp(x), c / (6 * np.exp(x))))  # noqa: E731
        result = minimize_scalar(
            objective, bounds=(0.0, high), method="bounded", options={"xatol": 1e-10}
        )
        if not np.isfinite(result.fun):
            raise ValueError(
                f"the loss is not finite at its numerical optimum for C = {budget:.4g} (got "
                f"{result.fun!r})"
            )
        if result.x < _AT_BOUND or result.x > high - _AT_BOUND:
            end = "N = 1 parameter" if result.x < _AT_BOUND else "D = 1 token"
            raise ValueError(
                f"the loss keeps falling toward {end} at C = {budget:.4g}: it has no "
                "compute-optimal allocation "
                "with N, D >= 1 (check that it falls with both N and D)"
            )
        log_n[index] = result.x
    N = np.exp(log_n)
    return N, budgets / (6 * N)


def _representable(N: FloatArray, D: FloatArray, what: str) -> tuple[FloatArray, FloatArray]:
    """(N, D) unchanged, or a refusal when the answer rounds to 0 or infinity."""
    if not (np.all((N > 0) & (N < np.inf)) and np.all((D > 0) & (D < np.inf))):
        raise ValueError(f"{what} is too extreme: N or D is beyond the float range")
    return N, D


def _reducible_loss(law: ChinchillaLaw, loss: ArrayLike) -> FloatArray:
    """ℓ − E, refusing a target at or below the irreducible loss."""
    target = as_positive("loss", loss)
    if np.any(target <= law.E):
        raise ValueError(
            f"loss must exceed the law's irreducible loss E = {law.E:.4g}, got {target.min():.4g}"
        )
    return target - law.E


def compute_optimal_tokens(law: ChinchillaLaw, N: ArrayLike) -> FloatArray:
    """D_opt for a model of N parameters: the D at which N is the compute-optimal size, from αA/N^α
    = βB/D^β (what "a Chinchilla-style 13B model" means under `law`)."""
    N = as_positive("N (parameters)", N)
    return (law.beta * law.B / (law.alpha * law.A) * N**law.alpha) ** (1 / law.beta)


def compute_optimal_for_loss(law: ChinchillaLaw, loss: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """(N_c, D_c): the training-compute-optimal model whose predicted loss equals `loss`.

    At the compute optimum αA/N^α = βB/D^β, so ℓ − E = (1 + α/β) A/N^α = (1 + β/α) B/D^β, which
    gives N_c = (A(1 + α/β)/(ℓ − E))^(1/α) and D_c = (B(1 + β/α)/(ℓ − E))^(1/β) exactly.
    """
    reducible = _reducible_loss(law, loss)
    with np.errstate(over="ignore", under="ignore"):
        N = (law.A * (1 + law.alpha / law.beta) / reducible) ** (1 / law.alpha)
        D = (law.B * (1 + law.beta / law.alpha) / reducible) ** (1 / law.beta)
    return _representable(N, D, f"loss = {np.max(reducible + law.E):.4g}")


def inference_optimal(
    law: ChinchillaLaw, loss: ArrayLike, inference_tokens: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """(N, D_train) minimising 6 N D_train + 2 N inference_tokens subject to law.loss(N, D_train) ==
    loss.

    The Lagrange conditions give A/N^α = (β/α) (B/D^β) (1 + T/(3D)); with the constraint this leaves
    one equation in D,
        g(x) = (1 + β/α) B e^(−βx) + (βBT/(3α)) e^(−(1+β)x) − (ℓ − E) = 0,   x = log D,
    whose left side is decreasing and convex in x. Newton's method started left of the root, where g
    ≥ 0, climbs to it monotonically with no overshoot, so all (loss, demand) pairs are solved at
    once to machine precision. `loss` and `inference_tokens` broadcast; with zero demand the answer
    is the Chinchilla-style model `compute_optimal_for_loss`.
    """
    reducible = _reducible_loss(law, loss)
    demand = as_non_negative("inference_tokens", inference_tokens)
    reducible, demand = np.broadcast_arrays(reducible, demand)
    alpha, beta, B = law.alpha, law.beta, law.B
    data_weight = (1 + beta / alpha) * B
    demand_weight = beta * B * demand / (3 * alpha)

    # Each term alone must not exceed ℓ − E: the root lies right of both of these points.
    with np.errstate(divide="ignore"):  # log 0 = −inf: a bound that does not bind
        x = np.maximum(
            np.log(data_weight / reducible) / beta,
            np.log(np.maximum(demand_weight, 1e-300) / reducible)
            / (1 + beta),  # 1e-300: no demand, no bound
        )
    for _ in range(_NEWTON_STEPS):
        with np.errstate(over="ignore", invalid="ignore"):
            first = data_weight * np.exp(-beta * x)
            second = np.where(
                demand_weight > 0, demand_weight * np.exp(-(1 + beta) * x), 0.0
            )  # no demand: no term
        value = first + second - reducible
        if not np.all(np.isfinite(value)):
            raise ValueError(
                "the (loss, inference_tokens) pair is too extreme: D is beyond the float range"
            )
        # Zero to rounding (exp(−βx) carries a relative error ≈ eps·|x|): D is then exact to ~1e-13.
        if np.all(value <= 16 * np.finfo(float).eps * reducible * np.maximum(np.abs(x), 1.0)):
            break
        step = value / (beta * first + (1 + beta) * second)
        x = x + np.maximum(step, 0.0)  # g ≥ 0 left of the root; a negative value is rounding only
    else:  # pragma: no cover - the iteration is monotone and quadratically convergent
        raise RuntimeError("inference_optimal: Newton iteration did not converge")
    with np.errstate(
        over="ignore", under="ignore", divide="ignore", invalid="ignore"
    ):  # refused just below
        D = np.exp(x)
        # A/N^α from the stationarity condition (no cancellation, unlike ℓ − E − B/D^β).
        params_term = (beta / alpha) * B * D**-beta * (1 + demand / (3 * D))
        N = (law.A / params_term) ** (1 / alpha)
    return _representable(N, D, "the (loss, inference_tokens) pair")


def inference_demand_for_size(law: ChinchillaLaw, loss: ArrayLike, N: ArrayLike) -> FloatArray:
    """Lifetime inference tokens T at which a model of N parameters is the inference-optimal way to
    reach `loss` — the inverse of `inference_optimal`, in closed form.

    N must lie between the smallest model that can reach the loss at all (A/N^α < ℓ − E) and the
    Chinchilla-style size N_c (reached at T = 0). From the stationarity condition,
    T = 3D (α A/N^α / (β B/D^β) − 1) with D the tokens that bring N to the loss.
    """
    reducible = _reducible_loss(law, loss)
    N = as_positive("N (parameters)", N)
    reducible, N = np.broadcast_arrays(reducible, N)
    params_term = law.A * N**-law.alpha
    N_c, _ = compute_optimal_for_loss(law, reducible + law.E)
    if np.any(params_term >= reducible):
        raise ValueError(
            "N (parameters) is too small: even infinite data cannot bring it to that loss"
        )
    if np.any(N > N_c * (1 + 1e-12)):
        raise ValueError(
            "N (parameters) must not exceed the Chinchilla-style size for that loss (larger models "
            "are never inference-optimal)"
        )
    data_term = reducible - params_term
    D = (law.B / data_term) ** (1 / law.beta)
    return np.maximum(3 * D * (law.alpha * params_term / (law.beta * data_term) - 1), 0.0)


def total_flops(N: ArrayLike, D_train: ArrayLike, inference_tokens: ArrayLike) -> FloatArray:
    """Lifetime FLOPs: 6 N D_train for training plus 2 N per inference token."""
    N = as_positive("N (parameters)", N)
    return 6 * N * as_positive("D_train (tokens)", D_train) + 2 * N * as_non_negative(
        "inference_tokens", inference_tokens
    )


def data_constrained_optimal(
    law: DataConstrainedLaw, C: ArrayLike, U: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """(N_opt, D_opt) minimising law.loss(N, D, min(U, D)) at 6ND = C: the compute-optimal model
    when only U unique tokens exist and further tokens are repetitions (Muennighoff et al. 2023).

    The law has no closed-form optimum, so each (C, U) pair (they broadcast) is one bounded search
    in log N through `compute_optimal`. While D ≤ U the answer is the base law's.
    """
    budgets, unique = np.broadcast_arrays(
        as_positive("C (FLOP budget)", C), as_positive("U (unique tokens)", U)
    )
    N = np.empty(budgets.shape)
    for index in np.ndindex(budgets.shape):
        cap = unique[index]
        loss = lambda n, d, cap=cap: law.loss(n, d, np.minimum(cap, d))  # noqa: E731
        N[index] = compute_optimal(loss, budgets[index])[0]
    return N, budgets / (6 * N)
