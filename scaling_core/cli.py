"""The command line: `python -m scaling_core COMMAND …`, every command with `--json`.

Bad input (a non-numeric or non-positive value, an unknown law, a missing column) exits with
status 2 and one line saying what was wrong; `--json` is strict JSON; a closed pipe is not an error.
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


def _argument(
    convert: Callable[[str], Any], accept: Callable[[Any], bool], expected: str
) -> Callable[[str], Any]:
    """An argparse type: `convert` the text, then refuse what `accept` rejects, saying what was
    expected."""

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
_resamples = _argument(
    int, lambda v: v == 0 or v >= 2, "0 (no bootstrap) or a whole number of at least 2 resamples"
)
_seed = _argument(int, lambda v: v >= 0, "a whole number >= 0")
_level = _argument(float, lambda v: 0 < v < 1, "a probability between 0 and 1")


LAW_CHOICES = (*LAWS, "all")


def _law_name(name: str) -> str:
    if name not in LAW_CHOICES:
        raise argparse.ArgumentTypeError(
            f"unknown law {name!r}; known laws: {', '.join(LAW_CHOICES)}"
        )
    return name


def _chosen_laws(name: str) -> dict[str, ChinchillaLaw]:
    return dict(LAWS) if name == "all" else {name: LAWS[name]}


def _constants(name: str, law: ChinchillaLaw) -> dict[str, object]:
    """The law's short name, what it is, and its constants: every answer says which law gave it."""
    return {"name": name} | _row_constants(law)


def _row_constants(law: ChinchillaLaw) -> dict[str, object]:
    """The constants of a law in a `--law all` row (the row is keyed by the law's name)."""
    constants = law.constants()
    del constants["a"]  # a derived exponent, not a constant of the law
    return {"source": law.name} | constants


def _shown(value: object) -> str:
    if value is None:
        return "—"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _text_lines(result: dict[str, object], indent: str = "") -> list[str]:
    """Plain-text view: one `key  value` line each; a dict of dicts or a list of dicts as a small
    table, a list of strings one per line."""
    lines = []
    width = max(len(k) for k in result)
    for key, value in result.items():
        rows = (
            value.items()
            if isinstance(value, dict)
            else enumerate(value)
            if isinstance(value, list)
            else ()
        )
        rows = list(rows)
        if rows and all(isinstance(row, dict) for _, row in rows):
            columns = list(rows[0][1])
            cells = [
                [str(k) if isinstance(value, dict) else "", *(_shown(row.get(c)) for c in columns)]
                for k, row in rows
            ]
            widths = [max(len(x) for x in column) for column in zip(["", *columns], *cells)]
            lines.append(f"{indent}{key}")
            for cell in [["", *columns], *cells]:
                lines.append(indent + "  " + "  ".join(x.rjust(w) for x, w in zip(cell, widths)))
        elif isinstance(value, list) and all(isinstance(row, str) for row in value):
            lines.extend(f"{indent}{key}: {row}" for row in value) if value else lines.append(
                f"{indent}{key:<{width}}  none"
            )
        elif isinstance(value, dict):
            lines.append(f"{indent}{key}")
            lines.extend(_text_lines(value, indent + "  "))
        else:
            lines.append(f"{indent}{key:<{width}}  {_shown(value)}")
    return lines


def _why_not_finite(value: float) -> str:
    if math.isnan(value):
        return "undefined (not a number)"
    return f"beyond the float range ({'above 1.8e308' if value > 0 else 'below -1.8e308'})"


def _finite_only(value: object, path: str, nulls: dict[str, str]) -> object:
    """`value` with every NaN or infinity replaced by None (JSON null), the reason recorded under
    its path."""
    if isinstance(value, dict):
        return {
            k: _finite_only(v, f"{path}.{k}" if path else str(k), nulls) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_finite_only(v, f"{path}[{i}]", nulls) for i, v in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        nulls[path] = _why_not_finite(value)
        return None
    return value


def strict(result: dict[str, object]) -> dict[str, object]:
    """The result with only finite numbers (JSON has no NaN or Infinity): each value that is not
    finite becomes null and `null_values` says why."""
    nulls: dict[str, str] = {}
    clean = _finite_only(result, "", nulls)
    if nulls:
        clean["null_values"] = nulls
    return clean


def _emit(result: dict[str, object], as_json: bool) -> None:
    result = strict(result)
    if as_json:
        print(json.dumps(result, indent=2, allow_nan=False))
        return
    print("\n".join(_text_lines(result)))


def _optimum(law: ChinchillaLaw, flops: float) -> dict[str, object]:
    N, D = (float(x) for x in law.compute_optimal(flops))
    return {"params": N, "tokens": D, "tokens_per_param": D / N, "loss": float(law.loss(N, D))}


def _optimal(args: argparse.Namespace) -> dict[str, object]:
    if args.unique_tokens is not None:
        return _data_constrained_optimal(args)
    name = args.law or "besiroglu2024"  # None: not given (it does not apply with --unique-tokens)
    laws = _chosen_laws(name)
    if name == "all":
        return {
            "flops": args.flops,
            "laws": {
                name: _optimum(law, args.flops) | _row_constants(law) for name, law in laws.items()
            },
        }
    ((name, law),) = laws.items()
    return {"law": _constants(name, law), "flops": args.flops} | _optimum(law, args.flops)


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
    laws = _chosen_laws(args.law)
    common = {"params": args.params, "tokens": args.tokens, "flops": 6 * args.params * args.tokens}
    if args.law == "all":
        rows = {
            name: {"loss": float(law.loss(args.params, args.tokens))} | _row_constants(law)
            for name, law in laws.items()
        }
        return common | {"laws": rows}
    ((name, law),) = laws.items()
    return (
        {"law": _constants(name, law)}
        | common
        | {"loss": float(law.loss(args.params, args.tokens))}
    )


_INFERENCE_KEYS = (
    "params",
    "train_tokens",
    "tokens_per_param",
    "total_flops",
    "chinchilla_params",
    "chinchilla_train_tokens",
    "chinchilla_total_flops",
    "params_ratio",
    "tokens_ratio",
    "flops_ratio",
)


def _inference_answer(law: ChinchillaLaw, loss: float, demand: float) -> dict[str, float]:
    from .allocate import compute_optimal_for_loss, inference_optimal

    if loss <= law.E:
        raise CliError(f"--loss must exceed the law's irreducible loss E = {law.E:.4g}, got {loss}")
    N, D = (float(x) for x in inference_optimal(law, loss, demand))
    Nc, Dc = (float(x) for x in compute_optimal_for_loss(law, loss))
    cost = 6 * N * D + 2 * N * demand
    cost_c = 6 * Nc * Dc + 2 * Nc * demand
    flops_ratio = (
        (N / Nc) * (3 * D + demand) / (3 * Dc + demand)
    )  # cost / cost_c without overflowing
    values = (N, D, D / N, cost, Nc, Dc, cost_c, N / Nc, D / Dc, flops_ratio)
    return dict(zip(_INFERENCE_KEYS, values))


def _inference_optimal(args: argparse.Namespace) -> dict[str, object]:
    laws = _chosen_laws(args.law)
    common = {"loss": args.loss, "inference_tokens": args.inference_tokens}
    if args.law != "all":
        ((name, law),) = laws.items()
        return (
            {"law": _constants(name, law)}
            | common
            | _inference_answer(law, args.loss, args.inference_tokens)
        )
    rows, notes = {}, []
    for name, law in laws.items():
        try:
            answer = _inference_answer(law, args.loss, args.inference_tokens)
        except CliError as error:
            answer = dict.fromkeys(_INFERENCE_KEYS)
            notes.append(f"{name}: {error}")
        rows[name] = answer | _row_constants(law)
    return common | {"laws": rows, "notes": notes}


_EXPECTED_CSV = "a CSV file with a header line N,D,loss and one line per run"


def _read_source(source: str) -> tuple[str, str]:
    """The text of `source` (a path, or "-" for standard input) and the name to show in messages."""
    if source == "-":
        name, raw = "<stdin>", sys.stdin.buffer.read()
    else:
        path = Path(source)
        name = source
        if path.is_dir():
            raise CliError(f"{name}: is a directory; expected {_EXPECTED_CSV}")
        if not path.exists():
            raise CliError(f"{name}: no such file")
        try:
            raw = path.read_bytes()  # also reads a pipe or /dev/fd/N, e.g. from <(…)
        except OSError as error:
            raise CliError(f"{name}: cannot be read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or "\0" in text:
        raise CliError(f"{name}: not a text file (it holds binary data); expected {_EXPECTED_CSV}")
    return text, name


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _bad_value(raw: object, value: float) -> str:
    """Why one cell of a numeric column is refused, quoting what the file says."""
    if isinstance(raw, str):
        shown = repr(raw.strip())
        return (
            "is missing (empty)"
            if not raw.strip()
            else f"has {shown}, "
            + (
                "which is not a number"
                if math.isnan(value)
                else "which is not finite"
                if math.isinf(value)
                else "which is not positive"
            )
        )
    if math.isnan(value):
        return "is missing or not a number"
    return f"has {value:.17g}, which is " + ("not finite" if math.isinf(value) else "not positive")


def _read_runs(
    source: str,
):  # -> (pandas.DataFrame, name); pandas is imported lazily to keep --help fast
    import io

    import pandas as pd

    from .data.registry import EXACT_FLOATS

    text, name = _read_source(source)
    try:
        runs = pd.read_csv(
            io.StringIO(text), index_col=False, skipinitialspace=True, **EXACT_FLOATS
        )
    except pd.errors.EmptyDataError:
        raise CliError(f"{name}: is empty; expected {_EXPECTED_CSV}") from None
    except Exception as error:  # pandas' parser raises several kinds
        raise CliError(f"{name}: not a readable CSV file ({_one_line(error)})") from None
    runs.columns = [str(c).strip() for c in runs.columns]
    missing = [c for c in ("N", "D", "loss") if c not in runs.columns]
    if missing:
        raise CliError(
            f"{name}: missing column(s) {', '.join(missing)}; expected columns N, D, loss"
        )
    if runs.empty:
        raise CliError(f"{name}: has no rows, only a header; expected {_EXPECTED_CSV}")
    for column in ("N", "D", "loss"):
        values = pd.to_numeric(runs[column], errors="coerce").astype(float)
        bad = ~(values.abs() < math.inf) | ~(values > 0)
        if bad.any():
            first = int(bad.to_numpy().nonzero()[0][0])
            why = _bad_value(runs[column].iloc[first], float(values.iloc[first]))
            more = f" ({int(bad.sum()) - 1} more lines like it)" if bad.sum() > 1 else ""
            raise CliError(
                f"{name}: column {column} must hold positive numbers; line {first + 2} {why}{more}"
            )
        runs[column] = values
    return runs, name


# 95 % bootstrap spreads beyond which the runs leave a parameter open: high/low for E, A, B;
# high − low for α, β.
_WIDE = {
    "E": ("ratio", 2.0),
    "A": ("ratio", 100.0),
    "B": ("ratio", 100.0),
    "alpha": ("width", 0.5),
    "beta": ("width", 0.5),
}


def _fit_warnings(
    runs, fit, boot
) -> list[str]:  # runs: DataFrame; boot: ChinchillaBootstrap or None
    from .fit.chinchilla import term_warnings
    from .fit.runs import design_warnings

    warnings = design_warnings(runs["N"], runs["D"]) + term_warnings(
        fit.law, runs["N"], runs["D"], runs["loss"]
    )
    if boot is None:
        return warnings
    interval = boot.interval(0.95)
    for name, (kind, limit) in _WIDE.items():
        low, high = interval.loc[name]
        if not (low > 0 and (high / low if kind == "ratio" else high - low) <= limit):
            warnings.append(
                f"the data do not pin {name} down: its 95 % bootstrap interval runs from {low:.4g} "
                f"to {high:.4g}"
            )
    failed = int((~boot.converged).sum())
    if failed:
        warnings.append(f"{failed} of {len(boot.converged)} bootstrap refits did not converge")
    return warnings


def _fit(args: argparse.Namespace) -> dict[str, object]:
    import numpy as np

    from .fit import bootstrap_chinchilla, fit_chinchilla
    from .fit.bootstrap import percentile_interval

    runs, name = _read_runs(args.file)
    N, D, loss = (runs[c].to_numpy() for c in ("N", "D", "loss"))
    try:
        if args.bootstrap:
            rng = np.random.default_rng(args.seed)
            boot = bootstrap_chinchilla(
                N,
                D,
                loss,
                n_resamples=args.bootstrap,
                rng=rng,
                memory_limit=args.memory_limit * 2**20,
            )
            fit = boot.fit
        else:
            boot, fit = None, fit_chinchilla(N, D, loss)
    except ValueError as error:
        raise CliError(f"{name}: {error}") from None
    law = fit.law
    estimates = {
        "E": law.E,
        "A": law.A,
        "B": law.B,
        "alpha": law.alpha,
        "beta": law.beta,
        "a": law.a,
    }
    if boot is None:
        parameters = {name: {"estimate": value} for name, value in estimates.items()}
    else:
        errors, interval = boot.standard_errors(), boot.interval(args.level)
        parameters = {
            name: {
                "estimate": value,
                "standard_error": float(errors[name]),
                "low": float(interval.loc[name, "low"]),
                "high": float(interval.loc[name, "high"]),
            }
            for name, value in estimates.items()
        }
    budgets = []
    for flops in args.budgets:
        n_opt, d_opt = (float(x) for x in law.compute_optimal(flops))
        row = {
            "flops": flops,
            "params": n_opt,
            "tokens": d_opt,
            "tokens_per_param": d_opt / n_opt,
            "loss": float(law.loss(n_opt, d_opt)),
        }
        if boot is not None:
            low, high = percentile_interval(
                boot.derived(lambda draw, c=flops: draw.compute_optimal(c)[0]), args.level
            )
            row |= {"params_low": low, "params_high": high}
            low, high = percentile_interval(boot.tokens_per_parameter(flops), args.level)
            row |= {"tokens_per_param_low": low, "tokens_per_param_high": high}
        budgets.append(row)
    return {
        "file": name,
        "runs": len(runs),
        "parameters": parameters,
        "interval": f"{args.level:.0%} bootstrap percentile, {args.bootstrap} resamples, "
        f"seed {args.seed}"
        if boot
        else "none (--bootstrap 0)",
        "compute_optimal": {
            "rule": "N_opt = G (C/6)^a, D_opt = (C/6)^b / G",
            "G": law.G,
            "a": law.a,
            "b": law.b,
        },
        "budgets": budgets,
        "objective": fit.objective,
        "converged": fit.converged,
        "warnings": _fit_warnings(runs, fit, boot),
    }


def _data(args: argparse.Namespace) -> dict[str, object]:
    from .data import available
    from .data.registry import DataFileError, fetch, registry, search_roots, sha256_of

    result: dict[str, object] = {
        "datasets": {row.name: {"description": row.description} for row in available().itertuples()}
    }
    if not args.verify:
        return result
    entries = registry()
    roots = search_roots()
    local, fetched, unavailable = {}, 0, []
    for relative, entry in entries.items():
        found = next((root / relative for root in roots if (root / relative).is_file()), None)
        if found is None:
            try:
                found = fetch(entry)  # checked against its sha256 by the download itself
                fetched += 1
            except DataFileError as error:
                unavailable.append((relative, str(error)))
                continue
        local[relative] = found
    bad = [(path, entries[relative].sha256, sha256_of(path)) for relative, path in local.items()]
    bad = [(path, expected, actual) for path, expected, actual in bad if expected != actual]
    if bad:
        path, expected, actual = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise CliError(f"{path}: expected sha256 {expected}, got {actual}{more}")
    if unavailable:
        relative, why = unavailable[0]
        more = f" (and {len(unavailable) - 1} more files)" if len(unavailable) > 1 else ""
        raise CliError(f"{relative} is missing and could not be fetched{more}: {why}")
    result["files registered"] = len(entries)
    result["files verified"] = len(local)
    result["files fetched from their pinned URL"] = fetched
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scaling_core",
        description="Scaling-law calculations from the book Scaling Laws, Replicated. Every "
        "answer names the law and its constants.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def law_help(default: str, why: str) -> str:
        return f"loss law: {', '.join(LAWS)}, or all for one row per law (default {default}: {why})"

    def command(name: str, help_text: str, handler) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        sub.add_argument(
            "--json",
            action="store_true",
            help="print the result as strict JSON (no NaN or Infinity)",
        )
        return sub

    refit = "Epoch's refit of Chinchilla's approach 3, the law the book finds most credible"
    optimal = command(
        "optimal", "compute-optimal N, D, tokens per parameter and loss for a FLOP budget", _optimal
    )
    optimal.add_argument(
        "--flops", type=_positive, required=True, help="training compute C = 6ND (FLOP)"
    )
    optimal.add_argument(
        "--law", type=_law_name, default=None, help=law_help("besiroglu2024", refit)
    )
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
    loss.add_argument(
        "--law", type=_law_name, default="besiroglu2024", help=law_help("besiroglu2024", refit)
    )

    inference = command(
        "inference-optimal",
        "Sardana et al.'s inference-aware optimum for a target loss and inference demand",
        _inference_optimal,
    )
    inference.add_argument("--loss", type=_positive, required=True, help="target loss (nats)")
    inference.add_argument(
        "--inference-tokens",
        type=_non_negative,
        required=True,
        help="tokens served over the model's life",
    )
    inference.add_argument(
        "--law",
        type=_law_name,
        default="sardana2024",
        help=law_help("sardana2024", "Sardana et al.'s own constants"),
    )

    fit = command(
        "fit",
        "fit the Chinchilla law to your own runs (CSV with columns N, D, loss): the law with "
        "bootstrap intervals and the compute-optimal rule it implies",
        _fit,
    )
    fit.add_argument(
        "file",
        help="CSV file with columns N (parameters), D (tokens), loss; - reads standard input",
    )
    fit.add_argument(
        "--bootstrap",
        type=_resamples,
        default=1000,
        help="bootstrap resamples (default 1000; 0 for none)",
    )
    fit.add_argument(
        "--seed", type=_seed, default=0, help="seed of the bootstrap's random generator (default 0)"
    )
    fit.add_argument(
        "--level",
        type=_level,
        default=0.95,
        help="level of the percentile intervals (default 0.95)",
    )
    fit.add_argument(
        "--budgets",
        type=_positive,
        nargs="+",
        default=[1e21, 1e23, 1e25],
        metavar="C",
        help="FLOP budgets for the optimum (default 1e21 1e23 1e25)",
    )
    fit.add_argument(
        "--memory-limit",
        type=_positive,
        default=1024,
        metavar="MiB",
        help="working memory of the bootstrap (default 1024 MiB); its draws do not depend on it, "
        "larger is faster",
    )

    data = command(
        "data",
        "list the datasets; with --verify, check every data file against its registered sha256",
        _data,
    )
    data.add_argument(
        "--verify",
        action="store_true",
        help="check the sha256 of every registered file, fetching missing ones; exit 2 if any is "
        "bad or missing",
    )
    return parser


def _one_line_warning(message, category, filename, lineno, line=None) -> str:  # noqa: ANN001 - warnings' signature
    return f"warning: {message}\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit status 0 on success, 2 on bad input (one line on stderr), 1 out of
    memory."""
    import warnings

    import numpy as np

    parser = build_parser()
    args = parser.parse_args(argv)
    format_warning = warnings.formatwarning
    warnings.formatwarning = _one_line_warning
    try:
        with np.errstate(
            all="ignore"
        ):  # overflow shows as null with its reason, not as a numpy warning
            result = args.handler(args)
    except (CliError, ValueError) as error:
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("error: out of memory; for fit, lower --memory-limit or --bootstrap", file=sys.stderr)
        return 1
    finally:
        warnings.formatwarning = format_warning
    _emit(result, args.json)
    return 0
