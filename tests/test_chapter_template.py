"""Every chapter of the table of contents keeps the template's headings in order
(book/_templates/chapter.md).

The template is the written form of the book's conventions: the paper's claims and learning goals,
one setup cell holding the scorecard and every method setting, the data, the replication, the
scorecard, what lies beyond the paper, and exercises that open with the exploration-mode note.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "book" / "_templates" / "chapter.md"
# The headings every chapter has, as prefixes, in this order (the replication's own sections come
# between).
REQUIRED = ["# ", "## The data", "## Replication scorecard", "## Beyond the paper", "## Exercises"]


def toc_chapters() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [
        e["file"]
        for part in toc["parts"]
        for e in part["chapters"]
        if e["file"].startswith("chapters/")
    ]


def headings(text: str) -> list[str]:
    """Markdown headings outside code cells and fenced blocks."""
    found, fence = [], None
    for line in text.splitlines():
        marker = re.match(r"^(`{3,}|~{3,})", line)
        if marker:
            if fence is None:
                fence = marker.group(1)
            elif line.startswith(fence) and line.strip() == fence:
                fence = None
            continue
        if fence is None and re.match(r"^#{1,3} ", line):
            found.append(line)
    return found


def in_order(found: list[str]) -> list[str]:
    """The required prefixes matched in order; stops at the first one missing."""
    matched, position = [], 0
    for prefix in REQUIRED:
        level = prefix.split(" ")[0] + " "
        while position < len(found) and not (
            found[position].startswith(prefix) and found[position].startswith(level)
        ):
            position += 1
        if position == len(found):
            break
        matched.append(prefix)
        position += 1
    return matched


def test_the_template_itself_follows_the_order() -> None:
    assert in_order(headings(TEMPLATE.read_text(encoding="utf-8"))) == REQUIRED


@pytest.mark.parametrize("chapter", toc_chapters())
def test_chapter_follows_the_template(chapter: str) -> None:
    path = ROOT / f"{chapter}.md"
    text = path.read_text(encoding="utf-8")
    found = headings(text)
    assert in_order(found) == REQUIRED, f"{chapter}: headings {found} miss {REQUIRED} in order"
    assert sum(h.startswith("# ") for h in found) == 1, f"{chapter}: exactly one title"
    notebook = jupytext.read(path)
    first_section = text.index("\n## ")
    assert "Learning goals" in text[:first_section], (
        f"{chapter}: learning goals before the first section"
    )
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert "Scorecard(" in setup.source, (
        f"{chapter}: the scorecard is created in the first code cell"
    )
    exercises = text[text.index("\n## Exercises") :]
    first_exercise = exercises.find("{exercise}")
    assert first_exercise > 0 and "SCALING_CORE_EXPLORE" in exercises[:first_exercise], (
        f"{chapter}: the exercises open with the exploration-mode note"
    )
    assert exercises.count("{exercise}") >= 4, f"{chapter}: at least four exercises"
