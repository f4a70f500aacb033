"""The fit report: what a reader needs to judge a fit, in the items of the (Mis)fitting checklist.

Li, Kudugunta and Zettlemoyer (2025) found that most scaling-law papers leave out how a law was
fitted. Every fit function of this library therefore returns, with its result, a `FitReport` saying
which form was fitted to how many points, by which objective, optimiser and starts, with which
uncertainty method, and (where the fit itself defines them) how FLOPs and parameters were counted.
Items the fit cannot know, because they belong to the data, say so and are filled in with
`with_data`.

Every public fit function is marked `@reports_fit`, which registers it by name: a test calls each
registered function and checks its result carries a report, and a table of the fits a text runs can
look the called names up in `registered_fits()` instead of guessing them from their spelling.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, TypeVar

GIVEN_BY_CALLER = "as in the data given"
"""What a report says of a data convention (FLOPs, parameters) that the fit takes as given."""


@dataclass(frozen=True)
class FitReport:
    """One fit in the checklist's terms; every item is a short phrase."""

    form: str
    n_points: int
    objective: str
    optimiser: str
    starts: str
    uncertainty: str = "none (point estimate)"
    flop_definition: str = GIVEN_BY_CALLER
    parameters_counted: str = GIVEN_BY_CALLER

    def __post_init__(self) -> None:
        if not (isinstance(self.n_points, int) and self.n_points > 0):
            raise ValueError(f"n_points must be a positive integer, got {self.n_points!r}")
        for name, value in self.as_row().items():
            if name != "n_points" and not (isinstance(value, str) and value.strip()):
                raise ValueError(
                    f"the report item {name} must be a non-empty phrase, got {value!r}"
                )

    def with_data(
        self, *, flop_definition: str | None = None, parameters_counted: str | None = None
    ) -> FitReport:
        """The same report with the data's conventions (the items a fit takes as given)."""
        changes = {"flop_definition": flop_definition, "parameters_counted": parameters_counted}
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def with_uncertainty(self, method: str) -> FitReport:
        """The same report with the uncertainty method of a procedure wrapped around the fit."""
        return replace(self, uncertainty=method)

    def as_row(self) -> dict[str, object]:
        """The items as a dict in checklist order (for one row of a table)."""
        return asdict(self)


def starts_phrase(count: int) -> str:
    """How many starts a report names: "1 start", "9 starts"."""
    return f"{count:,} start" + ("" if count == 1 else "s")


Fit = TypeVar("Fit", bound=Callable[..., Any])

_REGISTRY: dict[str, Callable[..., Any]] = {}

REPORT_KEY = "report"
"""Where a fit whose result is a DataFrame keeps its report: `frame.attrs[REPORT_KEY]`."""


def reports_fit(function: Fit) -> Fit:
    """Register a fit function by name; its result must carry a `FitReport` (see `report_of`)."""
    name = function.__name__
    known = _REGISTRY.get(name)
    if known is not None and known.__module__ != function.__module__:
        raise ValueError(
            f"two fit functions are named {name!r}: in {known.__module__} and {function.__module__}"
        )
    _REGISTRY[name] = function
    return function


def registered_fits() -> dict[str, Callable[..., Any]]:
    """Every registered fit function by name, after importing every module of `scaling_core.fit`
    and `scaling_core.papers` (where fits are defined), in name order."""
    for package_name in ("scaling_core.fit", "scaling_core.papers"):
        package = importlib.import_module(package_name)
        for module in pkgutil.iter_modules(package.__path__, f"{package_name}."):
            importlib.import_module(module.name)
    return dict(sorted(_REGISTRY.items()))


def report_of(result: object) -> FitReport:
    """The report a fit returned with its result: `result.report`, or `result.attrs["report"]` for
    a DataFrame; a result without one is refused by name."""
    attrs = getattr(result, "attrs", None)
    found = attrs.get(REPORT_KEY) if isinstance(attrs, dict) else getattr(result, "report", None)
    if not isinstance(found, FitReport):
        raise TypeError(f"the result {type(result).__name__} carries no FitReport")
    return found
