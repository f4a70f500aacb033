"""The PDF edition (`jupyter-book build . --builder pdflatex`), read back with poppler's pdftotext
and pdfimages: every page of the table of contents is in it under its title, the book-wide
scorecard's headline is there, no cross-reference is left unresolved ("??"), and the chapters'
figures are embedded.

Run after the PDF is built (`.ci/run` builds it). Without the PDF or poppler the tests are skipped
on a developer's machine; under CI (CI=true) both are required and their absence fails the tests.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess

import pytest
from book_pages import ROOT, page_title, toc_pages

PDF = ROOT / "_build" / "latex" / "book.pdf"
SITE = ROOT / "_build" / "html"
SITE_PDF = SITE / "scaling-laws-replicated.pdf"  # where .ci/run puts it, linked from the intro page
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


def plain(text: str) -> str:
    """Text with typographic quotes and dashes made plain, and every run of white space one
    space."""
    text = text.translate(
        str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00ad": ""})
    )
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdf_text() -> str:
    require(
        PDF.is_file(), f"no PDF at {PDF}: build it with `jupyter-book build . --builder pdflatex`"
    )
    require(
        shutil.which("pdftotext") is not None,
        "no pdftotext: install poppler (Debian: apt-get install poppler-utils)",
    )
    return plain(
        subprocess.run(
            ["pdftotext", str(PDF), "-"], capture_output=True, text=True, check=True
        ).stdout
    )


@pytest.mark.parametrize("docname", toc_pages())
def test_every_page_is_in_the_pdf_under_its_title(pdf_text: str, docname: str) -> None:
    assert plain(page_title(docname)) in pdf_text, (
        f"{docname}: title {page_title(docname)!r} not in the PDF"
    )


def test_the_scorecard_headline_is_in_the_pdf(pdf_text: str) -> None:
    page = SITE / "book" / "scorecard.html"
    require(page.is_file(), f"no built site page {page}: build the book first (README command 1)")
    bold = re.search(r"<p><strong>([^<]*)</strong></p>", page.read_text(encoding="utf-8"))
    assert bold, "the book-wide scorecard page has no headline (a paragraph in bold)"
    headline = plain(html.unescape(re.sub(r"<[^>]+>", "", bold.group(1))))
    assert headline in pdf_text, f"the scorecard's headline {headline!r} is not in the PDF"


def test_no_reference_is_left_unresolved(pdf_text: str) -> None:
    where = pdf_text.find("??")
    assert where < 0, f"an unresolved reference: …{pdf_text[max(where - 80, 0) : where + 20]}…"


def test_the_figures_are_embedded(pdf_text: str) -> None:
    require(
        shutil.which("pdfimages") is not None,
        "no pdfimages: install poppler (Debian: apt-get install poppler-utils)",
    )
    listing = subprocess.run(
        ["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True
    ).stdout
    embedded = sum(1 for line in listing.splitlines()[2:] if line.split()[2] == "image")
    figures = sum(
        len(
            re.findall(
                r'<img [^>]*src="[^"]*_images/', (SITE / f"{name}.html").read_text(encoding="utf-8")
            )
        )
        for name in toc_pages()
        if name.startswith("chapters/") and (SITE / f"{name}.html").is_file()
    )
    assert figures > 0 or not IN_CI, "the built chapters show no figures"
    assert embedded >= max(figures, 1), (
        f"{embedded} images embedded in the PDF, the chapters on the site show {figures}"
    )


def test_the_site_links_the_pdf() -> None:
    intro = SITE / "book" / "intro.html"
    require(
        intro.is_file() and SITE_PDF.is_file(),
        f"no built site with its PDF ({SITE_PDF}): run .ci/run",
    )
    assert 'href="../scaling-laws-replicated.pdf"' in intro.read_text(encoding="utf-8"), (
        "the intro page does not link the PDF"
    )
    assert SITE_PDF.read_bytes() == PDF.read_bytes(), "the site's PDF is not the one just built"
