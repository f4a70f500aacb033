"""The nbval harness itself: a MyST notebook runs cell by cell, and a failing cell names its file
and cell."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from notebooks import MYST_HEADER

ROOT = Path(__file__).resolve().parents[1]


def run_pytest_on(
    tmp_path: Path, body: str, *options: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "sample.md").write_text(MYST_HEADER + body, encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax"]
    return subprocess.run(
        [*command, "--nbval-current-env", "-q", *options, "sample.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_passing_notebook_runs_every_code_cell(tmp_path: Path) -> None:
    body = (
        "# A sample\n\n```{code-cell}\nx = 21\n```\n\nProse.\n\n"
        "```{code-cell}\nassert x * 2 == 42\n```\n"
    )
    result = run_pytest_on(tmp_path, body)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_failing_cell_is_named(tmp_path: Path) -> None:
    body = (
        "```{code-cell}\nx = 1\n```\n\n"
        "```{code-cell}\nraise ValueError('drifted replication')\n```\n"
    )
    result = run_pytest_on(tmp_path, body)
    assert result.returncode == 1
    assert "sample.md::Cell 1" in result.stdout
    assert "drifted replication" in result.stdout


def test_kernel_starts_in_the_notebook_folder(tmp_path: Path) -> None:
    body = (
        "```{code-cell}\nfrom pathlib import Path\nassert Path.cwd().name == %r\n```\n"
        % tmp_path.name
    )
    result = run_pytest_on(tmp_path, body)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cells_after_a_failure_are_skipped_with_its_cell_named(tmp_path: Path) -> None:
    body = (
        "```{code-cell}\nx = 1\n```\n\n```{code-cell}\nraise ValueError('first error')\n```\n\n"
        "```{code-cell}\ny = undefined_name\n```\n\n```{code-cell}\nz = 3\n```\n"
    )
    result = run_pytest_on(tmp_path, body)
    assert result.returncode == 1
    assert "1 failed, 1 passed, 2 skipped" in result.stdout
    assert "first error" in result.stdout and "NameError" not in result.stdout
    verbose = run_pytest_on(tmp_path, body, "-rs")
    assert "after the failure in cell 1" in verbose.stdout


def test_tests_never_run_in_exploration_mode(tmp_path: Path) -> None:
    body = "```{code-cell}\nimport os\nassert 'SCALING_CORE_EXPLORE' not in os.environ\n```\n"
    result = run_pytest_on(tmp_path, body, env={**os.environ, "SCALING_CORE_EXPLORE": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
