"""Executing a chapter twice, each time in a fresh kernel, records byte-identical scorecards."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from scaling_core.scorecard import RECORD_MIME

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ["01_chinchilla", "05_inference"]  # two chapters that execute in seconds


def execute(chapter: str) -> bytes:
    """The scorecard record a fresh execution of the chapter emits, as canonical JSON."""
    notebook = jupytext.read(ROOT / "chapters" / f"{chapter}.md")
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "chapters")}},
    ).execute()
    records = [
        output["data"][RECORD_MIME]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if RECORD_MIME in output.get("data", {})
    ]
    assert len(records) == 1, f"{chapter}: expected one scorecard record, found {len(records)}"
    return json.dumps(records[0], sort_keys=True).encode()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_two_runs_record_identical_scorecards(chapter: str) -> None:
    if not (ROOT / "chapters" / f"{chapter}.md").is_file():
        pytest.fail(f"chapters/{chapter}.md is missing: the determinism test needs it")
    first = execute(chapter)
    second = execute(chapter)
    assert first == second, f"{chapter}: two executions recorded different scorecards"
