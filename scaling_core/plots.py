"""One house style for every figure of the book, and the figures that recur across chapters."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator
from numpy.typing import ArrayLike

from .formatting import format_compact

PALETTE = "colorblind"
# Seaborn's notebook sizes (ticks 11 pt) times this: ticks of 13.2 pt, 20 px at 110 dpi, still at
# least the site's 16-px body text when a 7-inch figure is shrunk to the text column (about 0.9 of
# its width).
FONT_SCALE = 1.2
FIGURE_WIDTH = 7.0
"""Inches: the widest a figure may be and keep its text at the body's size in the text column."""


TABLE_DIGITS = 6
"""Significant digits of a float in a table: enough to set a replication beside a printed value."""


def use_house_style() -> None:
    """Seaborn's colour-blind-safe palette on a light grid, sized for a book page; transparent
    backgrounds so figures read in the light and the dark theme alike. Tables print floats in the
    book's number style (plain decimals, or m.mm×10ⁿ instead of e-notation)."""
    pd.set_option("display.float_format", lambda value: format_compact(value, TABLE_DIGITS))
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=FONT_SCALE)
    plt.rcParams.update(
        {
            "figure.figsize": (FIGURE_WIDTH, 4.3),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "figure.facecolor": "white",
            "axes.titlesize": "medium",
            "axes.titleweight": "bold",
            "legend.frameon": True,
            "legend.framealpha": 0.9,
            "figure.constrained_layout.use": True,
        }
    )


def panels(
    count: int, *, per_row: int = 2, height: float = 3.4, **subplot_kw: object
) -> tuple[Figure, list[Axes]]:
    """`count` panels, at most `per_row` side by side, in a figure of the house width.

    Panels wrap onto further rows instead of widening the figure, which the page would shrink
    (text and all) to the text column. `height` is one row's height in inches; `subplot_kw` goes
    to `plt.subplots` (`sharex`, `sharey`, `gridspec_kw`, ...).
    """
    if not (isinstance(count, int) and count >= 1):
        raise ValueError(f"count must be a positive number of panels, got {count!r}")
    if not (isinstance(per_row, int) and per_row >= 1):
        raise ValueError(f"per_row must be a positive number of panels, got {per_row!r}")
    if not (np.isfinite(height) and height > 0):
        raise ValueError(f"height must be a positive number of inches, got {height!r}")
    columns = min(count, per_row)
    rows = -(-count // columns)
    fig, grid = plt.subplots(
        rows, columns, figsize=(FIGURE_WIDTH, height * rows), squeeze=False, **subplot_kw
    )
    axes = list(grid.ravel())
    for spare in axes[count:]:
        spare.remove()
    return fig, axes[:count]


def log_axes(ax: Axes, x: bool = True, y: bool = False) -> Axes:
    """Log scale with ticks at every decade and minor ticks between them."""
    for use, axis, setter in ((x, ax.xaxis, ax.set_xscale), (y, ax.yaxis, ax.set_yscale)):
        if use:
            setter("log")
            axis.set_major_locator(LogLocator(base=10, numticks=30))
            axis.set_minor_locator(LogLocator(base=10, subs=np.arange(2, 10) * 0.1, numticks=30))
    return ax


def isoflop_curves(
    ax: Axes,
    N: ArrayLike,
    loss: ArrayLike,
    budget: ArrayLike,
    *,
    palette: str = "viridis",
) -> dict[float, tuple]:
    """Scatter loss against N, one colour per compute budget (the IsoFLOP figure of Hoffmann Fig. 3,
    Porian Fig. 1 and their kin). Returns the colour used for each budget so fits can match it."""
    N, loss, budget = (np.asarray(v, dtype=float) for v in (N, loss, budget))
    budgets = np.unique(budget)
    colours = dict(zip(budgets, sns.color_palette(palette, len(budgets))))
    for c in budgets:
        mask = budget == c
        ax.scatter(N[mask], loss[mask], s=18, color=colours[c], label=f"{c:.0e}")
    log_axes(ax)
    ax.set_xlabel("parameters N")
    ax.set_ylabel("loss")
    return colours


def frontier(ax: Axes, C: ArrayLike, N_opt: ArrayLike, *, label: str, **style: object) -> Axes:
    """Optimal N against compute on log-log axes."""
    ax.plot(np.asarray(C, dtype=float), np.asarray(N_opt, dtype=float), label=label, **style)
    log_axes(ax, x=True, y=True)
    ax.set_xlabel("training compute C (FLOP)")
    ax.set_ylabel("optimal parameters N")
    return ax


def residuals(
    ax: Axes, x: ArrayLike, residual: ArrayLike, *, label: str | None = None, log_x: bool = True
) -> Axes:
    """Residuals against x with a zero line."""
    ax.scatter(
        np.asarray(x, dtype=float), np.asarray(residual, dtype=float), s=12, alpha=0.7, label=label
    )
    ax.axhline(0, color="0.3", lw=0.8)
    if log_x:
        log_axes(ax)
    ax.set_ylabel("residual")
    return ax
