"""The command line: `python -m scaling_core COMMAND …`, every command with `--json`.

Bad input (a non-numeric or non-positive value, an unknown law, a missing column) exits with status 2
and one line saying what was wrong.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .laws import LAWS, ChinchillaLaw


class CliError(Exception):
    """Bad input on the command line: printed as one line, exit status 2."""


def _argument(convert: Callable[[str], Any], accept: Callable[[Any], bool], expected: str) -> Callable[[str], Any]:
    """An argparse type: `convert` the text, then refuse what `accept` rejects, saying what was expected."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_positive = _argument(float, lambda v: math.isfinite(v) and v > 0, "a positive number")
_non_negative = _argument(float, lambda v: math.isfinite(v) and v >= 0, "a number >= 0")
_resamples = _argument(int, lambda v: v == 0 or v >= 2, "0 (no bootstrap) or a whole number of at least 2 resamples")
_seed = _argument(int, lambda v: v >= 0, "a whole number >= 0")
_level = _argument(float, lambda v: 0 < v < 1, "a probability between 0 and 1")


def _law(name: str) -> ChinchillaLaw:
    try:
        return LAWS[name]
    except KeyError:
        raise argparse.ArgumentTypeError(f"unknown law {name!r}; known laws: {', '.join(LAWS)}") from None


def _shown(value: object) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _text_lines(result: dict[str, object], indent: str = "") -> list[str]:
    """Plain-text view: one `key  value` line each; a dict of dicts or a list of dicts as a small table,
    a list of strings one per line."""
    lines = []
    width = max(len(k) for k in result)
    for key, value in result.items():
        rows = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        rows = list(rows)
        if rows and all(isinstance(row, dict) for _, row in rows):
            columns = list(rows[0][1])
            cells = [[str(k) if isinstance(value, dict) else "", *(_shown(row.get(c)) for c in columns)] for k, row in rows]
            widths = [max(len(x) for x in column) for column in zip(["", *columns], *cells)]
            lines.append(f"{indent}{key}")
            for cell in [["", *columns], *cells]:
                lines.append(indent + "  " + "  ".join(x.rjust(w) for x, w in zip(cell, widths)))
        elif isinstance(value, list) and all(isinstance(row, str) for row in value):
            lines.extend(f"{indent}{key}: {row}" for row in value) if value else lines.append(f"{indent}{key:<{width}}  none")
        elif isinstance(value, dict):
            lines.append(f"{indent}{key}")
            lines.extend(_text_lines(value, indent + "  "))
        else:
            lines.append(f"{indent}{key:<{width}}  {_shown(value)}")
    return lines


def _emit(result: dict[str, object], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=2))
        return
    print("\n".join(_text_lines(result)))


def _optimal(args: argparse.Namespace) -> dict[str, object]:
    if args.unique_tokens is not None:
        return _data_constrained_optimal(args)
    law = args.law or LAWS["hoffmann2022"]
    N, D = law.compute_optimal(args.flops)
    return {
        "law": law.name,
        "flops": args.flops,
        "params": float(N),
        "tokens": float(D),
        "tokens_per_param": float(D / N),
        "loss": float(law.loss(N, D)),
    }


def _data_constrained_optimal(args: argparse.Namespace) -> dict[str, object]:
    """The optimum when only U unique tokens exist: Muennighoff et al. (2023)'s law, the one law
    here that discounts repeated data, with the one-epoch (Chinchilla) optimum for comparison."""
    from .allocate import data_constrained_optimal
    from .laws import MUENNIGHOFF_2023 as law

    if args.law is not None:
        raise CliError(
            "--unique-tokens uses the data-constrained law muennighoff2023; --law does not apply"
        )
    unique = args.unique_tokens

    def answer(N: float, D: float) -> dict[str, float]:
        loss = float(law.loss(N, D, min(unique, D)))
        return {
            "params": N,
            "tokens": D,
            "epochs": D / unique,
            "tokens_per_param": D / N,
            "loss": loss,
        }

    N, D = (float(x) for x in data_constrained_optimal(law, args.flops, unique))
    N_c, D_c = (float(x) for x in law.base.compute_optimal(args.flops))
    constants = ("E", "A", "B", "alpha", "beta", "rd_star", "rn_star")
    return {
        "law": {"name": "muennighoff2023", "source": law.name}
        | {c: getattr(law, c) for c in constants},
        "flops": args.flops,
        "unique_tokens": unique,
        **answer(N, D),
        "chinchilla_optimal": answer(N_c, D_c),
    }


def _loss(args: argparse.Namespace) -> dict[str, object]:
    law = args.law
    return {
        "law": law.name,
        "params": args.params,
        "tokens": args.tokens,
        "flops": 6 * args.params * args.tokens,
        "loss": float(law.loss(args.params, args.tokens)),
    }


def _inference_optimal(args: argparse.Namespace) -> dict[str, object]:
    from .allocate import compute_optimal_for_loss, inference_optimal, total_flops

    law = args.law
    if args.loss <= law.E:
        raise CliError(f"--loss must exceed the law's irreducible loss E = {law.E:.4g}, got {args.loss}")
    N, D = (float(x) for x in inference_optimal(law, args.loss, args.inference_tokens))
    Nc, Dc = (float(x) for x in compute_optimal_for_loss(law, args.loss))
    cost = float(total_flops(N, D, args.inference_tokens))
    cost_c = float(total_flops(Nc, Dc, args.inference_tokens))
    return {
        "law": law.name,
        "loss": args.loss,
        "inference_tokens": args.inference_tokens,
        "params": N,
        "train_tokens": D,
        "tokens_per_param": D / N,
        "total_flops": cost,
        "chinchilla_params": Nc,
        "chinchilla_train_tokens": Dc,
        "chinchilla_total_flops": cost_c,
        "params_ratio": N / Nc,
        "tokens_ratio": D / Dc,
        "flops_ratio": cost / cost_c,
    }


def _read_runs(path: Path):  # -> pandas.DataFrame, imported lazily to keep --help fast
    import pandas as pd

    if not path.is_file():
        raise CliError(f"{path}: no such file")
    try:
        runs = pd.read_csv(path)
    except Exception as error:
        raise CliError(f"{path}: not a readable CSV file ({error})") from None
    missing = [c for c in ("N", "D", "loss") if c not in runs.columns]
    if missing:
        raise CliError(f"{path}: missing column(s) {', '.join(missing)}; expected columns N, D, loss")
    for column in ("N", "D", "loss"):
        values = pd.to_numeric(runs[column], errors="coerce")
        bad = values.isna() | ~(values > 0)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 2  # 1-based, after the header line
            raise CliError(f"{path}: column {column} must hold positive numbers; line {row} has {runs[column].iloc[row - 2]!r}")
        runs[column] = values.astype(float)
    return runs


# 95 % bootstrap spreads beyond which the runs leave a parameter open: high/low for E, A, B; high − low for α, β.
_WIDE = {"E": ("ratio", 2.0), "A": ("ratio", 100.0), "B": ("ratio", 100.0), "alpha": ("width", 0.5), "beta": ("width", 0.5)}


def _fit_warnings(runs, fit, boot) -> list[str]:  # runs: DataFrame; boot: ChinchillaBootstrap or None
    from .fit.chinchilla import design_warnings, term_warnings

    warnings = design_warnings(runs["N"], runs["D"]) + term_warnings(fit.law, runs["N"], runs["D"], runs["loss"])
    if boot is None:
        return warnings
    interval = boot.interval(0.95)
    for name, (kind, limit) in _WIDE.items():
        low, high = interval.loc[name]
        spread = high / low if kind == "ratio" else high - low
        if not (low > 0 and spread <= limit):
            warnings.append(f"the data do not pin {name} down: its 95 % bootstrap interval runs from {low:.4g} to {high:.4g}")
    failed = int((~boot.converged).sum())
    if failed:
        warnings.append(f"{failed} of {len(boot.converged)} bootstrap refits did not converge")
    return warnings


def _fit(args: argparse.Namespace) -> dict[str, object]:
    import numpy as np

    from .fit import bootstrap_chinchilla, fit_chinchilla
    from .fit.bootstrap import percentile_interval

    runs = _read_runs(args.file)
    N, D, loss = (runs[c].to_numpy() for c in ("N", "D", "loss"))
    try:
        if args.bootstrap:
            boot = bootstrap_chinchilla(N, D, loss, n_resamples=args.bootstrap, rng=np.random.default_rng(args.seed))
            fit = boot.fit
        else:
            boot, fit = None, fit_chinchilla(N, D, loss)
    except ValueError as error:
        raise CliError(f"{args.file}: {error}") from None
    law = fit.law
    estimates = {"E": law.E, "A": law.A, "B": law.B, "alpha": law.alpha, "beta": law.beta, "a": law.a}
    if boot is None:
        parameters = {name: {"estimate": value} for name, value in estimates.items()}
    else:
        errors, interval = boot.standard_errors(), boot.interval(args.level)
        parameters = {
            name: {"estimate": value, "standard_error": float(errors[name]), "low": float(interval.loc[name, "low"]), "high": float(interval.loc[name, "high"])}
            for name, value in estimates.items()
        }
    budgets = []
    for flops in args.budgets:
        n_opt, d_opt = (float(x) for x in law.compute_optimal(flops))
        row = {"flops": flops, "params": n_opt, "tokens": d_opt, "tokens_per_param": d_opt / n_opt, "loss": float(law.loss(n_opt, d_opt))}
        if boot is not None:
            low, high = percentile_interval(boot.derived(lambda draw, c=flops: draw.compute_optimal(c)[0]), args.level)
            row |= {"params_low": low, "params_high": high}
            low, high = percentile_interval(boot.tokens_per_parameter(flops), args.level)
            row |= {"tokens_per_param_low": low, "tokens_per_param_high": high}
        budgets.append(row)
    return {
        "file": str(args.file),
        "runs": len(runs),
        "parameters": parameters,
        "interval": f"{args.level:.0%} bootstrap percentile, {args.bootstrap} resamples, seed {args.seed}" if boot else "none (--bootstrap 0)",
        "compute_optimal": {"rule": "N_opt = G (C/6)^a, D_opt = (C/6)^b / G", "G": law.G, "a": law.a, "b": law.b},
        "budgets": budgets,
        "objective": fit.objective,
        "converged": fit.converged,
        "warnings": _fit_warnings(runs, fit, boot),
    }


def _data(args: argparse.Namespace) -> dict[str, object]:
    from .data import available
    from .data.registry import registry, search_roots, sha256_of

    result: dict[str, object] = {
        "datasets": {row.name: {"description": row.description} for row in available().itertuples()}
    }
    if not args.verify:
        return result
    entries = registry()
    local = {}
    for relative in entries:
        found = next((root / relative for root in search_roots() if (root / relative).is_file()), None)
        if found is not None:
            local[relative] = found
    bad = [(path, entries[relative].sha256, sha256_of(path)) for relative, path in local.items()]
    bad = [(path, expected, actual) for path, expected, actual in bad if expected != actual]
    if bad:
        path, expected, actual = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise CliError(f"{path}: expected sha256 {expected}, got {actual}{more}")
    result["files registered"] = len(entries)
    result["files verified"] = len(local)
    result["files not here (fetched with their checksum when first loaded)"] = len(entries) - len(local)
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scaling_core",
        description="Scaling-law calculations from the book Scaling Laws, Replicated.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    law_help = f"loss law: {', '.join(LAWS)} (default hoffmann2022)"

    def command(name: str, help_text: str, handler) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        sub.add_argument("--json", action="store_true", help="print the result as JSON")
        return sub

    optimal = command("optimal", "compute-optimal N, D, tokens per parameter and loss for a FLOP budget", _optimal)
    optimal.add_argument("--flops", type=_positive, required=True, help="training compute C = 6ND (FLOP)")
    optimal.add_argument("--law", type=_law, default=None, help=law_help)
    optimal.add_argument(
        "--unique-tokens",
        type=_positive,
        default=None,
        metavar="U",
        help="unique training tokens available: the optimum under Muennighoff et al. (2023)'s "
        "data-constrained law, which discounts repeated tokens (then --law does not apply)",
    )

    loss = command("loss", "predicted loss of N parameters trained on D tokens", _loss)
    loss.add_argument("--params", type=_positive, required=True, help="parameters N")
    loss.add_argument("--tokens", type=_positive, required=True, help="training tokens D")
    loss.add_argument("--law", type=_law, default=LAWS["hoffmann2022"], help=law_help)

    inference = command(
        "inference-optimal",
        "Sardana et al.'s inference-aware optimum for a target loss and inference demand",
        _inference_optimal,
    )
    inference.add_argument("--loss", type=_positive, required=True, help="target loss (nats)")
    inference.add_argument("--inference-tokens", type=_non_negative, required=True, help="tokens served over the model's life")
    inference.add_argument("--law", type=_law, default=LAWS["hoffmann2022"], help=law_help)

    fit = command(
        "fit",
        "fit the Chinchilla law to your own runs (CSV with columns N, D, loss): the law with bootstrap intervals "
        "and the compute-optimal rule it implies",
        _fit,
    )
    fit.add_argument("file", type=Path, help="CSV file with columns N (parameters), D (tokens), loss")
    fit.add_argument("--bootstrap", type=_resamples, default=1000, help="bootstrap resamples (default 1000; 0 for none)")
    fit.add_argument("--seed", type=_seed, default=0, help="seed of the bootstrap's random generator (default 0)")
    fit.add_argument("--level", type=_level, default=0.95, help="level of the percentile intervals (default 0.95)")
    fit.add_argument(
        "--budgets", type=_positive, nargs="+", default=[1e21, 1e23, 1e25], metavar="C", help="FLOP budgets for the optimum (default 1e21 1e23 1e25)"
    )

    data = command("data", "list the datasets; with --verify, check every data file against its registered sha256", _data)
    data.add_argument("--verify", action="store_true", help="check the sha256 of every registered file found locally")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.handler(args)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _emit(result, args.json)
    return 0
