"""Peak memory and time of a large bootstrap: 1,000,000 runs × 1,000 resamples (goal: under 2 GB).

    python benchmarks/bench_bootstrap_memory.py                  # 1M runs, 1,000 resamples
    python benchmarks/bench_bootstrap_memory.py --runs 100000 --resamples 50
    python benchmarks/bench_bootstrap_memory.py --json out.json  # also write the numbers down

The runs are a sweep drawn from Epoch's law with 1 % log-normal noise (sizes 1e7..3e9, 2..200 tokens
per parameter). The script times the bootstrap (its full-data fit included), shows its progress bar,
and reports the peak resident memory of the whole process (`ru_maxrss`: Python, numpy and the data
included), as `/usr/bin/time -v` would.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

from scaling_core.fit import bootstrap_chinchilla
from scaling_core.fit.bootstrap import DEFAULT_MEMORY_LIMIT
from scaling_core.laws import BESIROGLU_2024


def sweep(runs: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`runs` synthetic runs: log-uniform sizes and tokens-per-parameter ratios, losses from Epoch's
    law."""
    rng = np.random.default_rng(seed)
    N = np.exp(rng.uniform(np.log(1e7), np.log(3e9), runs))
    D = N * np.exp(rng.uniform(np.log(2), np.log(200), runs))
    return N, D, BESIROGLU_2024.loss(N, D) * np.exp(rng.normal(0.0, 0.01, runs))


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument(
        "--memory-limit",
        type=float,
        default=DEFAULT_MEMORY_LIMIT / 2**20,
        help="MiB (default 1024)",
    )
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()

    N, D, loss = sweep(args.runs)
    start, start_cpu = time.perf_counter(), time.process_time()
    boot = bootstrap_chinchilla(
        N,
        D,
        loss,
        n_resamples=args.resamples,
        rng=np.random.default_rng(0),
        progress=True,
        memory_limit=args.memory_limit * 2**20,
    )
    results = {
        "runs": args.runs,
        "resamples": args.resamples,
        "memory_limit_mib": args.memory_limit,
        "seconds": round(time.perf_counter() - start, 1),  # the full-data fit and the refits
        "cpu_seconds": round(time.process_time() - start_cpu, 1),
        "peak_rss_gib": round(peak_rss_bytes() / 2**30, 3),
        "converged": int(boot.converged.sum()),
        "alpha": [
            round(boot.fit.law.alpha, 4),
            [round(x, 4) for x in boot.interval(0.95).loc["alpha"]],
        ],
    }
    print(json.dumps(results, indent=2))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
