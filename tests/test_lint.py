"""Lint: ruff's checks and formatting on the package, tests and extensions (100 characters), and on
the code cells of every chapter (88 characters, so that no line of the book scrolls sideways)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
PYTHON_PATHS = ["scaling_core", "tests", "benchmarks", "book/_ext", "conftest.py"]
CHAPTER_LINE_LENGTH = "88"

pytestmark = pytest.mark.skipif(
    RUFF is None, reason="ruff is not installed (it is pinned in requirements.txt)"
)


def ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RUFF, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_package_passes_ruff_check() -> None:
    result = ruff("check", *PYTHON_PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_is_formatted() -> None:
    result = ruff("format", "--check", *PYTHON_PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_chapter_code_cells_pass_ruff_at_88_characters(tmp_path: Path) -> None:
    for chapter in sorted((ROOT / "chapters").glob("*.md")):
        notebook = jupytext.read(chapter)
        notebook.cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        (tmp_path / f"{chapter.stem}.py").write_text(
            jupytext.writes(notebook, fmt="py:percent"), encoding="utf-8"
        )
    common = ["--line-length", CHAPTER_LINE_LENGTH, "--no-cache"]
    first_party = ["--config", "lint.isort.known-first-party = ['scaling_core']"]
    # Imports in later cells are normal in a notebook (E402).
    checked = ruff(
        "check", *common, "--select", "E,F,W,I", "--ignore", "E402", *first_party, ".", cwd=tmp_path
    )
    formatted = ruff("format", "--check", *common, ".", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert formatted.returncode == 0, formatted.stdout
