"""Benchmark of the fit engine against a plain reference, on one machine in one run.

    python benchmarks/bench_fit.py            # everything (the plain reference takes minutes)
    python benchmarks/bench_fit.py --quick    # the reference on a tenth of the grid, smaller sweeps

1. `fit_chinchilla` on Epoch's 240 points vs the plain reference: scipy L-BFGS-B with its numerical
   gradient and default options, one start after another over Hoffmann's 4,500-start grid (objective
   written plainly with numpy over the points). L-BFGS-B on a finite-difference gradient stops ~1e-8
   short of the minimum, so the reference's best point is then polished by Nelder-Mead (no
   gradient); our objective must equal that to 1e-9 relative (and not exceed the reference's).
   Prints the speed-up.
2. The 4,000-resample bootstrap of that fit.
3. Time against the number of points: 240 to 24,000 synthetic runs drawn from a known law.
4. Time against the number of starts: batched BFGS refining k starts, vs k.

Timings are medians of repeated runs, wall clock and CPU time of this process (the steadier measure
on a shared machine). The exit status is 1 when the objective check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable

# One BLAS thread: on the reference's 5 × 5 matrices extra threads only spin, inflating its CPU
# time.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402  (after the thread settings, which numpy reads on import)
from scipy.optimize import minimize  # noqa: E402

from scaling_core.data import load  # noqa: E402
from scaling_core.fit import (  # noqa: E402
    bootstrap_chinchilla,
    chinchilla_objective,
    fit_chinchilla,
    hoffmann_grid,
)
from scaling_core.fit.multistart import minimize_batch  # noqa: E402
from scaling_core.laws import BESIROGLU_2024  # noqa: E402

RELATIVE_TOLERANCE = 1e-9


def seconds(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and median CPU time (this process) of `repeat` calls. On a shared machine
    the CPU time is the steadier of the two."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def plain_objective(
    theta: np.ndarray,
    log_n: np.ndarray,
    log_d: np.ndarray,
    log_loss: np.ndarray,
    delta: float = 1e-3,
) -> float:
    """The summed Huber objective for one parameter vector, as a straightforward numpy
    expression."""
    a, b, e, alpha, beta = theta
    terms = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
    top = terms.max(axis=0)
    residual = log_loss - (top + np.log(np.exp(terms - top).sum(axis=0)))
    small = np.abs(residual) <= delta
    return float(np.where(small, 0.5 * residual**2, delta * (np.abs(residual) - 0.5 * delta)).sum())


def plain_reference(
    N: np.ndarray, D: np.ndarray, loss: np.ndarray, starts: np.ndarray
) -> tuple[float, float, np.ndarray]:
    """Best of scipy L-BFGS-B (numerical gradient, scipy's default options) run from each start in
    turn, then that best point polished by Nelder-Mead with tight tolerances (L-BFGS-B on a
    finite-difference gradient stalls ~1e-8 above the minimum), so that its objective is exact to
    ~1e-13.

    Returns (best objective at default options, polished objective, polished parameters)."""
    data = (np.log(N), np.log(D), np.log(loss))
    best_value, best_x = np.inf, None
    began = time.perf_counter()
    for i, start in enumerate(starts, 1):
        if i % 500 == 0:
            print(
                f"   reference: {i} of {len(starts)} starts, {time.perf_counter() - began:.0f} s",
                flush=True,
            )
        result = minimize(plain_objective, start, args=data, method="L-BFGS-B")
        if result.fun < best_value:
            best_value, best_x = float(result.fun), result.x
    options = {"xatol": 1e-12, "fatol": 1e-18, "maxiter": 50_000, "maxfev": 100_000}
    polished = minimize(plain_objective, best_x, args=data, method="Nelder-Mead", options=options)
    return best_value, min(best_value, float(polished.fun)), polished.x


def synthetic_runs(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n runs spread over 1e7..1e10 parameters and 1..100 tokens per parameter, losses from Epoch's
    law with 1 % log-normal noise."""
    N = np.exp(rng.uniform(np.log(1e7), np.log(1e10), n))
    D = N * np.exp(rng.uniform(0.0, np.log(100.0), n))
    loss = BESIROGLU_2024.loss(N, D) * np.exp(rng.normal(0.0, 0.01, n))
    return N, D, loss


def relative_gap(ours: float, reference: float) -> float:
    return abs(ours - reference) / abs(reference)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="reference on every 10th start, smaller sweeps"
    )
    parser.add_argument(
        "--json", type=str, default=None, help="also write the results to this JSON file"
    )
    args = parser.parse_args(argv)

    print(
        f"cores available: {len(os.sched_getaffinity(0))}, load average: {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    runs = load("epoch_points")
    runs = runs[~runs["excluded"]]
    N, D, loss = (runs[c].to_numpy() for c in ("N", "D", "loss"))
    grid = hoffmann_grid()
    reference_starts = grid[::10] if args.quick else grid
    results: dict[str, object] = {"points": len(N), "reference_starts": len(reference_starts)}
    ok = True

    # 1. the full-grid fit against the plain reference
    fit = fit_chinchilla(N, D, loss)
    ours, ours_cpu = seconds(lambda: fit_chinchilla(N, D, loss), repeat=5)
    result: list[tuple[float, float, np.ndarray]] = []
    reference, reference_cpu = seconds(
        lambda: result.append(plain_reference(N, D, loss, reference_starts)), repeat=1
    )
    reference_default, reference_value, reference_x = result[0]
    gap = relative_gap(fit.objective, reference_value)
    same = gap <= RELATIVE_TOLERANCE and fit.objective <= reference_default
    ok &= same
    results.update(
        fit_seconds=ours,
        fit_cpu_seconds=ours_cpu,
        fit_objective=fit.objective,
        reference_seconds=reference,
        reference_cpu_seconds=reference_cpu,
        reference_objective=reference_value,
        reference_objective_default_options=reference_default,
        relative_gap=gap,
        speedup=reference / ours,
        speedup_cpu=reference_cpu / ours_cpu,
    )
    print(f"\n1. fit on {len(N)} points, Hoffmann's grid ({len(grid)} starts)")
    print(f"   ours       {ours:8.3f} s ({ours_cpu:.3f} s CPU)   objective {fit.objective:.12e}")
    print(
        f"   reference  {reference:8.1f} s ({reference_cpu:.1f} s CPU)   objective "
        f"{reference_default:.12e}   "
        f"({len(reference_starts)} starts, one after another)"
    )
    print(f"              its best point polished:  objective {reference_value:.12e}")
    print(
        f"   relative gap {gap:.1e} ({'same' if same else 'DIFFERENT'} to {RELATIVE_TOLERANCE:g}); "
        f"speed-up {reference / ours:.0f}x wall clock, {reference_cpu / ours_cpu:.0f}x CPU",
        flush=True,
    )
    print(f"   parameters ours {np.round(fit.theta, 5)}; reference {np.round(reference_x, 5)}")

    # 2. the bootstrap
    n_resamples = 4000
    boot, boot_cpu = seconds(
        lambda: bootstrap_chinchilla(
            N, D, loss, n_resamples=n_resamples, rng=np.random.default_rng(42), progress=False
        ),
        repeat=3,
    )
    results.update(
        bootstrap_resamples=n_resamples, bootstrap_seconds=boot, bootstrap_cpu_seconds=boot_cpu
    )
    print(
        f"\n2. bootstrap, {n_resamples} resamples (full-data fit included): {boot:.2f} s "
        f"({boot_cpu:.2f} s CPU)",
        flush=True,
    )

    # 3. time against the number of points
    sizes = [240, 2_400, 24_000]
    print("\n3. fit time against points (synthetic runs from Epoch's law, 1 % noise)")
    by_points = {}
    for n in sizes:
        Ns, Ds, losses = synthetic_runs(n, np.random.default_rng(n))
        t, t_cpu = seconds(lambda: fit_chinchilla(Ns, Ds, losses), repeat=3 if n < 24_000 else 1)
        by_points[n] = t
        print(
            f"   {n:>6} points  {t:7.3f} s ({t_cpu:.3f} s CPU)   ({t / by_points[sizes[0]]:.1f}x "
            f"the time of {sizes[0]})",
            flush=True,
        )
    results["seconds_by_points"] = by_points

    # 4. time against the number of starts: every start refined by batched BFGS
    print("\n4. batched BFGS refining k starts of Hoffmann's grid on the 240 points")
    data = (np.log(N), np.log(D), np.log(loss))
    counts = [45, 450, 4500] if not args.quick else [45, 450]
    by_starts = {}
    for k in counts:
        starts = grid[np.linspace(0, len(grid) - 1, k).astype(int)]
        t, t_cpu = seconds(
            lambda: minimize_batch(
                lambda x, rows: chinchilla_objective(x, *data), starts, ftol=1e-12, gtol=1e-14
            ),
            repeat=1,
        )
        by_starts[k] = t
        print(
            f"   {k:>5} starts  {t:7.3f} s ({t_cpu:.3f} s CPU)   ({1e3 * t / k:.2f} ms a start)",
            flush=True,
        )
    results["seconds_by_starts"] = by_starts
    per_start_reference = reference / len(reference_starts)
    print(f"   plain reference: {1e3 * per_start_reference:.2f} ms a start")

    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)
    print("\nobjective check:", "passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
