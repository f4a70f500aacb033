"""Every data/<paper>/published.csv parses, and each of its rows names a chapter of the book.

Whether a chapter claims every verified row assigned to it (or says why not) is checked where the
claims are made: `Scorecard.check()` fails the chapter otherwise, under nbval and in the build.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scaling_core.scorecard import published_numbers

ROOT = Path(__file__).resolve().parents[1]
PAPERS = sorted(path.parent.name for path in (ROOT / "data").glob("*/published.csv"))
CHAPTERS = {path.stem for path in (ROOT / "chapters").glob("*.md")}


def test_every_paper_with_published_numbers_has_a_table() -> None:
    documented = {path.parent.name for path in (ROOT / "data").glob("*/published_numbers.md")}
    assert documented <= set(PAPERS), (
        f"published_numbers.md without published.csv: {documented - set(PAPERS)}"
    )


@pytest.mark.parametrize("paper", PAPERS)
def test_published_numbers_parse_and_name_existing_chapters(paper: str) -> None:
    rows = published_numbers(paper)
    assert rows, f"{paper}/published.csv has no rows"
    unknown = {row.chapter for row in rows.values()} - CHAPTERS
    assert not unknown, f"{paper}/published.csv names chapters that do not exist: {sorted(unknown)}"
