"""The pages of the book, read from the table of contents, for the tests of the built site and
the PDF."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_pages() -> list[str]:
    """Docnames of the table of contents, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [entry["file"] for entry in part["chapters"]]
    return pages


def page_title(docname: str) -> str:
    """The page's `# Title` as a reader sees it: inline markup and math delimiters removed."""
    text = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    title = next(line[2:] for line in text.splitlines() if line.startswith("# "))
    return re.sub(r"[*`$]", "", title).strip()
