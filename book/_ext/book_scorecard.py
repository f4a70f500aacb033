"""Sphinx extension: the book-wide scorecard, read from the chapters' own executed outputs.

A chapter's `Scorecard.check()` shows its table with the record inside it: an HTML comment in both
the HTML and the markdown rendering of the same output. When Sphinx reads a chapter, myst-nb
executes it (or takes its outputs from the execution cache) and renders the table into the chapter's
doctree; right after, this extension takes the record from that rendered output and keeps it in the
build environment beside the doctree. The record on the book-wide page is therefore always the one
the chapter page shows, whichever builder runs: no side file exists that a reader's own run could
overwrite.

The build fails (an error, whatever the warning settings) when a chapter of the table of contents
has no record or more than one, when a record was made in exploration mode, or when any claim
failed, carries a stale expected-discrepancy mark, or a verified published number went unclaimed.

The `book-scorecard` directive renders the records: a headline that counts verified published
numbers apart from unverified ones and from our own checks, a summary table, and one folded table
per chapter. The page holding the directive is read after every other page and on every build.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

from scaling_core.formatting import format_number
from scaling_core.scorecard import (
    EXPLORE_ENV,
    describe_counts,
    describe_others,
    records_in_text,
    summarise,
)

DIRECTIVE = "book-scorecard"
CHAPTER_PREFIX = "chapters/"


def _records(env: BuildEnvironment) -> dict[str, list[dict]]:
    if not hasattr(env, "scorecard_records"):
        env.scorecard_records = {}
    return env.scorecard_records


def _collect(app: Sphinx, doctree: nodes.document) -> None:
    """After a chapter is read: keep the records carried by its rendered outputs."""
    docname = app.env.docname
    if docname.startswith(CHAPTER_PREFIX):
        # One output is rendered in several forms (HTML, markdown) that carry the same record: keep
        # it once.
        found = {
            json.dumps(record, sort_keys=True): record
            for node in doctree.findall(nodes.raw)
            for record in records_in_text(node.astext())
        }
        _records(app.env)[docname] = list(found.values())


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _records(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    _records(env).update(
        {name: records for name, records in _records(other).items() if name in docnames}
    )


def _chapters(env: BuildEnvironment) -> list[str]:
    """Chapter docnames in reading order: every `chapters/...` document the toc includes."""
    return sorted(name for name in env.found_docs if name.startswith(CHAPTER_PREFIX))


def record_problems(docname: str, records: list[dict]) -> list[str]:
    """Why a chapter's records cannot be published (empty when they can)."""
    if len(records) != 1:
        return [
            f"{docname}: expected one scorecard record among its rendered outputs, found "
            f"{len(records)}"
        ]
    record = records[0]
    problems = []
    if record.get("explore"):
        problems.append(
            f"{docname}: the scorecard was recorded in exploration mode ({EXPLORE_ENV})"
        )
    for claim in record["claims"]:
        if claim["status"] not in ("pass", "expected discrepancy"):
            problems.append(f"{docname}: claim {claim['what']!r} -> {claim['status']}")
    problems += [
        f"{docname}: verified published number {key} is unclaimed"
        for key in record.get("unclaimed", [])
    ]
    return problems


def _check(app: Sphinx, env: BuildEnvironment) -> None:
    """Fail the build on any chapter without a clean record."""
    problems = [
        line
        for name in _chapters(env)
        for line in record_problems(name, _records(env).get(name, []))
    ]
    if problems:
        raise ExtensionError("book scorecard: " + "; ".join(problems))


def _cell(text: object) -> str:
    """Claim text as a markdown table cell: pipes and dollar signs are literal, not table or math
    syntax."""
    return str(text).replace("|", "\\|").replace("$", "\\$").replace("\n", " ")


def _claim_row(claim: dict) -> str:
    relative = claim["relative"]
    digits = claim["digits"]
    unit = f" {claim['unit']}" if claim.get("unit") else ""
    target = (claim.get("printed") or format_number(claim["target"], digits)) + unit
    difference = (
        f"{claim['difference']:+.2%}" if relative else format_number(claim["difference"], 3)
    )
    if not relative and claim["difference"] > 0:
        difference = "+" + difference
    tolerance = f"±{format_number(claim['tolerance'], 3)}" + (" (rel.)" if relative else "")
    result = claim["status"] + (
        f": {claim['expected_discrepancy']}" if claim["expected_discrepancy"] else ""
    )
    cells = [
        claim["what"],
        claim["kind"],
        target,
        format_number(claim["ours"], digits) + unit,
        difference,
        f"{tolerance} ({claim['basis']})",
        result,
        claim["source"],
    ]
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _markdown(env: BuildEnvironment) -> str:
    all_claims: list[dict] = []
    summary_rows: list[str] = []
    sections: list[str] = []
    for docname in _chapters(env):
        records = _records(env).get(docname, [])
        if len(records) != 1:
            continue  # the consistency check fails the build with the reason
        record = records[0]
        all_claims += record["claims"]
        counts = record["summary"]
        paper, unverified, check = counts["paper"], counts["unverified"], counts["check"]
        summary_rows.append(
            f"| {{doc}}`{_cell(record['title'])} </{docname}>` | {paper['passed']} of "
            f"{paper['claims']} | "
            f"{paper['expected discrepancies']} | {unverified['passed']} of {unverified['claims']} "
            "| "
            f"{check['passed']} of {check['claims']} | "
            f"{unverified['expected discrepancies'] + check['expected discrepancies']} |"
        )
        rows = [
            "| claim | kind | target | ours | difference | tolerance (basis) | result | source |",
            "|---|---|---|---|---|---|---|---|",
            *(_claim_row(claim) for claim in record["claims"]),
        ]
        sections.append(
            f":::{{dropdown}} {_cell(record['title'])}: {describe_counts(counts)}\n\n"
            + "\n".join(rows)
            + "\n:::"
        )
    totals = summarise(all_claims)
    paper = totals["paper"]
    lines = [
        f"**{paper['passed']} of {paper['claims']} published numbers reproduced, "
        f"{paper['expected discrepancies']} explained discrepancies.**",
        "",
        f"Apart from these, {describe_others(totals)}.",
        "",
        "| chapter | published numbers reproduced | explained discrepancies | unverified numbers "
        "reproduced "
        "| our checks passed | other explained discrepancies |",
        "|---|---|---|---|---|---|",
        *summary_rows,
        "",
        *(f"{section}\n" for section in sections),
    ]
    return "\n".join(lines)


class BookScorecard(SphinxDirective):
    """Render every chapter's scorecard record."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(__file__)
        container = nodes.container(classes=["book-scorecard"])
        self.state.nested_parse(
            StringList(_markdown(self.env).splitlines(), source="scorecard"),
            self.content_offset,
            container,
        )
        return [container]


def _pages_with_directive(app: Sphinx, docnames: list[str]) -> list[str]:
    marker = "{" + DIRECTIVE + "}"
    found = []
    for name in docnames:
        path = Path(app.env.doc2path(name))
        if path.suffix == ".md" and marker in path.read_text(encoding="utf-8"):
            found.append(name)
    return found


def _read_last(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Read the scorecard page after the chapters, whose execution produces the records."""
    for name in _pages_with_directive(app, list(docnames)):
        docnames.remove(name)
        docnames.append(name)


def _always_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    return _pages_with_directive(app, sorted(env.found_docs))


def setup(app: Sphinx) -> dict[str, object]:
    # The chapters this build executes inherit this process's environment: never in exploration
    # mode.
    os.environ.pop(EXPLORE_ENV, None)
    app.add_directive(DIRECTIVE, BookScorecard)
    app.connect("env-get-outdated", _always_outdated)
    app.connect("env-before-read-docs", _read_last)
    app.connect("doctree-read", _collect)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", _check)
    return {
        "parallel_read_safe": False,
        "parallel_write_safe": True,
        "version": "2",
        "env_version": 2,
    }
