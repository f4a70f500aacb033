"""Run every chapter (MyST markdown, no stored outputs) as an nbval notebook.

nbval collects only `.ipynb` files; chapters are jupytext MyST notebooks. This hook hands each
`chapters/*.md` to a subclass of nbval's collector that reads the file through jupytext, so the
chapter runs in place (the kernel starts in its folder, as in the book build) and a failing cell is
reported as `chapters/<chapter>.md::Cell <n>` with its source and traceback. After a failing cell
the chapter's remaining cells are skipped ("after the failure in cell N"), so the first error is the
one a reader sees. Tests and chapters never run in exploration mode: `SCALING_CORE_EXPLORE` is
removed from the environment that the kernels inherit. It relies on nbval internals; nbval is pinned
exactly in requirements.txt for that reason.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import jupytext
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, find_comment_markers, find_metadata_tags

os.environ.pop("SCALING_CORE_EXPLORE", None)


def is_myst_notebook(path: Path) -> bool:
    """A markdown file is a notebook when its front matter declares a jupytext kernel."""
    if path.suffix != ".md":
        return False
    head = path.read_text(encoding="utf-8")[:2000]
    return head.startswith("---") and "jupytext:" in head and "kernelspec:" in head


class StopAfterFailureCell(IPyNbCell):
    """An nbval cell that is skipped once an earlier cell of its notebook has failed."""

    def runtest(self):
        failed = getattr(self.parent, "failed_cell", None)
        if failed is not None:
            pytest.skip(f"after the failure in cell {failed}")
        try:
            super().runtest()
        except pytest.skip.Exception:
            raise
        except BaseException:
            self.parent.failed_cell = self.cell_num
            raise


class MystNotebook(IPyNbFile):
    """nbval's notebook collector, reading a MyST markdown notebook through jupytext."""

    def collect(self):
        self.nb = jupytext.read(str(self.fspath))
        code_cells = (cell for cell in self.nb.cells if cell.cell_type == "code")
        for number, cell in enumerate(code_cells):
            options = defaultdict(bool, find_metadata_tags(cell.metadata))
            options.update(dict(find_comment_markers(cell.source)))
            options.setdefault("check", self.compare_outputs)
            yield StopAfterFailureCell.from_parent(
                self, name=f"Cell {number}", cell_num=number, cell=cell, options=options
            )


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    option = parent.config.option
    if (option.nbval or option.nbval_lax) and is_myst_notebook(file_path):
        return MystNotebook.from_parent(parent, path=file_path)
    return None
