"""The house figure layout: panels wrap onto rows instead of widening the figure."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from scaling_core.plots import FIGURE_WIDTH, panels  # noqa: E402


@pytest.mark.parametrize(("count", "per_row", "rows"), [(1, 2, 1), (2, 2, 1), (3, 2, 2), (9, 3, 3)])
def test_panels_wrap_onto_rows_at_the_house_width(count: int, per_row: int, rows: int) -> None:
    fig, axes = panels(count, per_row=per_row, height=3.0)
    try:
        assert len(axes) == len(fig.axes) == count
        width, height = fig.get_size_inches()
        assert width == FIGURE_WIDTH
        assert height == pytest.approx(3.0 * rows)
    finally:
        plt.close(fig)


def test_panels_pass_sharing_to_subplots() -> None:
    fig, (left, right) = panels(2, sharey=True)
    try:
        left.set_ylim(0, 5)
        assert right.get_ylim() == (0, 5)
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"count": 0}, "count"),
        ({"count": 2, "per_row": 0}, "per_row"),
        ({"count": 2, "height": -1.0}, "height"),
        ({"count": 2, "height": float("nan")}, "height"),
    ],
)
def test_panels_refuse_bad_layouts_by_name(kwargs: dict, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        panels(**kwargs)
