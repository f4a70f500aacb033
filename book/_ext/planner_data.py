"""Sphinx extension: the planner page's data, written from scaling_core at build time.

`_static/planner-data.js` sets `window.PLANNER_DATA`: every law the command line knows (its
constants and the chapter that establishes it), Hoffmann's approach-1 and -2 rules of thumb, and the
bootstrap draws of Epoch's refit. The page's script, `_static/planner.js`, computes from these
alone, so no constant is typed twice. Both scripts and the page's style sheet are added to the
planner page only.
"""

from __future__ import annotations

import json
from pathlib import Path

from sphinx.application import Sphinx

from scaling_core.cli import build_parser
from scaling_core.laws import LAWS
from scaling_core.papers import besiroglu2024
from scaling_core.planner import hoffmann_rules

PAGE = "book/planner"
LEVEL = 0.8  # the interval shown on N and D: 10th to 90th percentile of the draws
CHAPTERS = {  # where the book establishes each law or rule
    "hoffmann2022": "chapters/01_chinchilla",
    "hoffmann2022-unrounded": "chapters/01_chinchilla",
    "hoffmann2022-approach1": "chapters/01_chinchilla",
    "hoffmann2022-approach2": "chapters/01_chinchilla",
    "besiroglu2024": "chapters/02_epoch",
    "sardana2024": "chapters/05_inference",
}


def _default_law() -> str:
    """The law the command line uses when none is given."""
    return build_parser().parse_args(["loss", "--params", "1", "--tokens", "1"]).law


def planner_data() -> dict[str, object]:
    boot = besiroglu2024.bootstrap()
    return {
        "default_law": _default_law(),
        "laws": [
            {
                "name": name,
                "title": law.name,
                "chapter": CHAPTERS.get(name),
                "E": law.E,
                "A": law.A,
                "B": law.B,
                "alpha": law.alpha,
                "beta": law.beta,
            }
            for name, law in LAWS.items()
        ],
        "rules": [
            {
                "name": name,
                "title": rule.name,
                "chapter": CHAPTERS.get(name),
                "a": rule.a,
                "G": rule.G,
            }
            for name, rule in hoffmann_rules().items()
        ],
        "bootstrap": {
            "law": "besiroglu2024",
            "level": LEVEL,
            "resamples": len(boot.theta),
            "seed": besiroglu2024.SEED,
            # rows (log A, log B, log E, alpha, beta); NaN marks a failed refit
            "theta": boot.theta.tolist(),
        },
    }


def _write_data(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "planner-data.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    # A script, not a JSON file, so that the page also works opened from disk (file://, no fetch).
    text = json.dumps(planner_data(), separators=(",", ":"))  # floats as repr: exact round trip
    target.write_text(f"window.PLANNER_DATA = {text};\n", encoding="utf-8")


def _add_page_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    if pagename == PAGE:
        app.add_js_file("planner-data.js")
        app.add_js_file("planner.js")
        app.add_css_file("planner.css")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("html-page-context", _add_page_assets)
    app.connect("build-finished", _write_data)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
