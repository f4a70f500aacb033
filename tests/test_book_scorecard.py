"""The book-wide scorecard reads each chapter's record from the execution the page shows, and fails
the build on a failed claim, a missing record or a record made in exploration mode.

The tests share one small book, built with jupyter-book (cached execution, as the README's build
command does), and run in order: a clean build, a reader's own run followed by a rebuild, then two
broken chapters.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient
from notebooks import MYST_HEADER

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")

CONFIG = f"""title: Sample
execute:
  execute_notebooks: cache
  allow_errors: false
parse:
  myst_enable_extensions: [colon_fence, dollarmath]
sphinx:
  local_extensions:
    book_scorecard: {ROOT / "book" / "_ext"}
    execution_cache: {ROOT / "book" / "_ext"}
  config:
    execution_cache_sources: ["library/*.py"]
    nb_execution_raise_on_error: true
    suppress_warnings: ["mystnb.unknown_mime_type"]
"""
TOC = """format: jb-book
root: intro
chapters:
  - file: chapters/01_sample
  - file: scorecard
"""
CHAPTER = (
    MYST_HEADER
    + """
# A sample chapter

```{{code-cell}} ipython3
from scaling_core.scorecard import Scorecard

DELTA = {delta}
card = Scorecard("01_sample", "A sample chapter")
card.cross_check("a value", 1.0, 1.0 + DELTA, tolerance=0.01, basis="a reason", source="ours")
card.check()
```

## Exercises

```{{code-cell}} ipython3
print("the exercises ran")
```
"""
)


def make_book(folder: Path, delta: float) -> Path:
    (folder / "chapters").mkdir(parents=True)
    (folder / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (folder / "_toc.yml").write_text(TOC, encoding="utf-8")
    (folder / "intro.md").write_text("# Sample book\n", encoding="utf-8")
    (folder / "library").mkdir()
    (folder / "library" / "law.py").write_text("EXPONENT = 0.5\n", encoding="utf-8")
    (folder / "scorecard.md").write_text(
        "# Scorecard\n\n```{book-scorecard}\n```\n", encoding="utf-8"
    )
    (folder / "chapters" / "01_sample.md").write_text(CHAPTER.format(delta=delta), encoding="utf-8")
    return folder


def build(book: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
    )


def scorecard_page(book: Path) -> str:
    page = (book / "_build" / "html" / "scorecard.html").read_text(encoding="utf-8")
    return re.search(r'<div class="book-scorecard.*?</section>', page, re.S).group(0)


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book = make_book(tmp_path_factory.mktemp("scorecard") / "book", delta=0.001)
    result = build(book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 of 1 checks of our own passed" in scorecard_page(book)
    return book


def test_a_readers_own_run_cannot_change_the_published_page(built_book: Path) -> None:
    """A reader converts a chapter, breaks a claim and runs it (in exploration mode, to reach the
    exercises); rebuilding without cleaning publishes the same page as before."""
    before = scorecard_page(built_book)
    notebook = jupytext.read(built_book / "chapters" / "01_sample.md")
    notebook.cells[0].source = notebook.cells[0].source.replace("DELTA = 0.001", "DELTA = 0.5")
    jupytext.write(notebook, built_book / "chapters" / "01_sample.ipynb")
    os.environ["SCALING_CORE_EXPLORE"] = "1"
    try:
        NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(built_book / "chapters")}},
        ).execute()
    finally:
        del os.environ["SCALING_CORE_EXPLORE"]
    assert "the exercises ran" in str(notebook.cells[-1].outputs)
    (built_book / "chapters" / "01_sample.ipynb").unlink()
    (built_book / "chapters" / "01_sample.md").touch()  # re-read, outputs from the execution cache
    result = build(built_book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Using cached notebook" in result.stdout
    assert scorecard_page(built_book) == before


def test_a_change_to_the_library_executes_the_chapters_again(built_book: Path) -> None:
    unchanged = build(built_book)
    assert unchanged.returncode == 0 and "Executing notebook" not in unchanged.stdout
    (built_book / "library" / "law.py").write_text("EXPONENT = 0.6\n", encoding="utf-8")
    changed = build(built_book)
    assert changed.returncode == 0, changed.stdout[-3000:] + changed.stderr[-3000:]
    assert "Executing notebook" in changed.stdout and "Using cached notebook" not in changed.stdout


def test_a_failed_claim_fails_the_build_even_in_exploration_mode(built_book: Path) -> None:
    chapter = built_book / "chapters" / "01_sample.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace("DELTA = 0.001", "DELTA = 0.5"),
        encoding="utf-8",
    )
    result = build(built_book, SCALING_CORE_EXPLORE="1")
    assert result.returncode != 0
    assert "a value" in result.stdout + result.stderr


def test_a_chapter_without_a_record_fails_the_build(built_book: Path) -> None:
    chapter = built_book / "chapters" / "01_sample.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace("card.check()", "card"), encoding="utf-8"
    )
    result = build(built_book)
    assert result.returncode != 0
    assert "expected one scorecard record" in result.stdout + result.stderr
