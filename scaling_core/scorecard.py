"""Replication scorecards: each claim compares a target with our value, within a tolerance whose
basis is stated.

A claim is of one of three kinds:

- **paper**: a number the paper or the authors' released outputs print, verified against that
  source;
- **unverified**: a number the paper prints that has not been checked against a primary source;
- **check**: our own cross-check (a derived value, one computation of ours against another).

Paper numbers live in one machine-readable file per paper, `data/<paper>/published.csv` (see
`published_numbers`), and chapters claim them by key, so no published value is typed twice. A
chapter collects its claims in a `Scorecard` and ends with `card.check()`, which shows the table,
emits the record as an output of the executing notebook (the book-wide page reads it from there, so
no side file can go stale), and raises one error listing every failed claim: executing the chapter
(the book build, `pytest`) fails as soon as a replication drifts.

A claim the replication does not reach stays in the table as an *expected discrepancy*, with the
reason. Its tolerance still applies: if the difference ever falls inside it, the mark is stale and
`check` fails.

Exploration mode (`SCALING_CORE_EXPLORE=1`) is for readers who change a chapter: `check()` then
shows the failures prominently and lets the notebook run on to the exercises. The build and the
tests never run in it.
"""

from __future__ import annotations

import base64
import csv
import html
import json
import math
import os
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from pathlib import Path

from .data.registry import search_roots
from .formatting import format_number, format_printed

RECORD_MIME = "application/vnd.scaling-core.scorecard+json"
RECORD_MARKER = "scaling-core-scorecard-record"
EXPLORE_ENV = "SCALING_CORE_EXPLORE"
PUBLISHED_COLUMNS = (
    "key",
    "what",
    "value",
    "unit",
    "where",
    "verified",
    "how",
    "chapter",
    "not_claimed",
)
PRINTED_PRECISION = "half the last printed digit"


class ScorecardError(AssertionError):
    """One or more claims of a scorecard failed, or a verified published number went unclaimed."""


class PublishedNumbersError(ValueError):
    """A `published.csv` file is missing, malformed, or has no such key."""


class Kind(str, Enum):
    """What a claim checks."""

    PAPER = "paper"
    UNVERIFIED = "unverified"
    CHECK = "check"


def exploring() -> bool:
    """Whether exploration mode is on (`SCALING_CORE_EXPLORE` set to 1, true or yes)."""
    return os.environ.get(EXPLORE_ENV, "").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class PublishedNumber:
    """One row of `data/<paper>/published.csv`: a number as printed, where, and whether it was
    verified."""

    paper: str
    key: str
    what: str
    printed: str
    unit: str
    where: str
    verified: bool
    how: str
    chapter: str
    not_claimed: str

    @property
    def value(self) -> float:
        return float(self.printed)

    @property
    def printed_half_digit(self) -> float:
        """Half a unit of the last printed digit: the precision the printed value itself carries."""
        return 0.5 * 10.0 ** Decimal(self.printed).as_tuple().exponent

    @property
    def significant_digits(self) -> int:
        return len(Decimal(self.printed).normalize().as_tuple().digits)


def _published_path(paper: str) -> Path:
    for root in search_roots():
        candidate = root / paper / "published.csv"
        if candidate.is_file():
            return candidate
    roots = ", ".join(str(root) for root in search_roots())
    raise PublishedNumbersError(
        f"no published numbers for paper {paper!r}: {paper}/published.csv is not in {roots}"
    )


def _parse_row(paper: str, path: Path, line: int, row: dict[str, str]) -> PublishedNumber:
    where = f"{path}, line {line}"
    key = (row.get("key") or "").strip()
    if not key or not key.replace("_", "").isalnum() or key != key.lower():
        raise PublishedNumbersError(
            f"{where}: key {key!r} must be a non-empty snake_case identifier"
        )
    printed = (row.get("value") or "").strip()
    try:
        number = Decimal(printed)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise PublishedNumbersError(
            f"{where}: value {printed!r} of {key!r} must be a finite number as printed (plain or "
            "e-notation, "
            "no thousands separators or %)"
        )
    verified = (row.get("verified") or "").strip()
    if verified not in ("yes", "no"):
        raise PublishedNumbersError(
            f"{where}: verified of {key!r} must be 'yes' or 'no', got {verified!r}"
        )
    text = {
        name: (row.get(name) or "").strip()
        for name in ("what", "unit", "where", "how", "chapter", "not_claimed")
    }
    for required in ("what", "where", "chapter"):
        if not text[required]:
            raise PublishedNumbersError(f"{where}: {required!r} of {key!r} is empty")
    return PublishedNumber(
        paper,
        key,
        text["what"],
        printed,
        text["unit"],
        text["where"],
        verified == "yes",
        text["how"],
        text["chapter"],
        text["not_claimed"],
    )


@cache
def published_numbers(paper: str) -> dict[str, PublishedNumber]:
    """The rows of `data/<paper>/published.csv` by key, validated (columns, keys, numbers, verified
    status)."""
    path = _published_path(paper)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != PUBLISHED_COLUMNS:
            raise PublishedNumbersError(
                f"{path}: columns must be {','.join(PUBLISHED_COLUMNS)}, got "
                f"{','.join(reader.fieldnames or ())}"
            )
        rows: dict[str, PublishedNumber] = {}
        for line, row in enumerate(reader, start=2):
            number = _parse_row(paper, path, line, row)
            if number.key in rows:
                raise PublishedNumbersError(
                    f"{path}, line {line}: key {number.key!r} appears twice"
                )
            rows[number.key] = number
    return rows


@dataclass(frozen=True, repr=False)
class Claim:
    """One target and our value of it.

    what: the quantity, in words. target: the published (or reference) value. ours: our value,
    computed in the chapter. tolerance: allowed |ours − target| (absolute), or with
    `relative=True` allowed |ours − target| / |target|. basis: why that tolerance (printed
    precision, a measured spread times a stated factor, or a reason). kind: paper, unverified or
    check. source: where the target comes from. expected_discrepancy: the reason, when the claim is
    known not to replicate.
    """

    what: str
    target: float
    ours: float
    tolerance: float
    basis: str
    kind: Kind
    source: str
    relative: bool = False
    expected_discrepancy: str | None = None
    digits: int = 4
    key: str = ""
    printed: str = ""
    unit: str = ""

    def __post_init__(self) -> None:
        for name in ("target", "ours", "tolerance"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise ValueError(
                    f"claim {self.what!r}: {name} must be a finite number, got {value!r}"
                )
            object.__setattr__(self, name, float(value))
        if self.tolerance < 0:
            raise ValueError(f"claim {self.what!r}: tolerance must be >= 0, got {self.tolerance!r}")
        if not self.basis.strip():
            raise ValueError(f"claim {self.what!r}: state the basis of its tolerance")
        if self.relative and self.target == 0:
            raise ValueError(f"claim {self.what!r}: a relative tolerance needs a non-zero target")
        object.__setattr__(self, "kind", Kind(self.kind))

    @property
    def difference(self) -> float:
        """ours − target, relative to |target| when the tolerance is relative."""
        gap = self.ours - self.target
        return gap / abs(self.target) if self.relative else gap

    @property
    def within_tolerance(self) -> bool:
        return abs(self.difference) <= self.tolerance * (1 + 1e-12)

    @property
    def status(self) -> str:
        if self.expected_discrepancy is None:
            return "pass" if self.within_tolerance else "FAIL"
        return "stale mark" if self.within_tolerance else "expected discrepancy"

    @property
    def ok(self) -> bool:
        return self.status in ("pass", "expected discrepancy")

    def __repr__(self) -> str:
        """One line in the scorecard's terms, for a notebook cell that ends with a claim."""
        row = self.cells()
        return (
            f"{row['kind']} claim {row['claim']!r}: ours {row['ours']}, target {row['target']}, "
            f"difference {row['difference']}: {row['result']}"
        )

    def cells(self) -> dict[str, str]:
        """The claim as the text of one table row."""
        unit = f" {self.unit}" if self.unit else ""
        target = self.printed and format_printed(self.printed)
        target = (target or format_number(self.target, self.digits)) + unit
        tolerance = f"±{format_number(self.tolerance, 3)}" + (" (rel.)" if self.relative else "")
        difference = (
            f"{self.difference:+.2%}" if self.relative else format_number(self.difference, 3)
        )
        if not self.relative and self.difference > 0:
            difference = "+" + difference
        return {
            "claim": self.what,
            "kind": self.kind.value,
            "target": target,
            "ours": format_number(self.ours, self.digits) + unit,
            "difference": difference,
            "tolerance": f"{tolerance}: {self.basis}",
            "result": self.status,
            "source": self.source,
            "note": self.expected_discrepancy or "",
        }


def summarise(claims: list[Claim] | list[dict[str, object]]) -> dict[str, dict[str, int]]:
    """Counts of claims by kind and status: {kind: {"claims", "passed", "expected discrepancies",
    "failed"}}."""
    counts = {
        kind.value: {"claims": 0, "passed": 0, "expected discrepancies": 0, "failed": 0}
        for kind in Kind
    }
    for claim in claims:
        kind, status = (
            (claim["kind"], claim["status"])
            if isinstance(claim, dict)
            else (claim.kind.value, claim.status)
        )
        row = counts[str(kind)]
        row["claims"] += 1
        bucket = {"pass": "passed", "expected discrepancy": "expected discrepancies"}.get(
            str(status), "failed"
        )
        row[bucket] += 1
    return counts


@dataclass
class Scorecard:
    """The claims of one chapter, against the published numbers of its papers."""

    chapter: str
    title: str
    papers: tuple[str, ...] = ()
    claims: list[Claim] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.papers = (self.papers,) if isinstance(self.papers, str) else tuple(self.papers)
        for paper in self.papers:
            published_numbers(paper)  # fail early, by name, on a missing or malformed file

    def _append(self, claim: Claim) -> Claim:
        if any(existing.what == claim.what for existing in self.claims):
            raise ValueError(f"scorecard {self.chapter!r} already has a claim {claim.what!r}")
        if claim.key and any(existing.key == claim.key for existing in self.claims):
            raise ValueError(f"scorecard {self.chapter!r} already claims {claim.key!r}")
        self.claims.append(claim)
        return claim

    def published(self, key: str) -> PublishedNumber:
        """The published number `key` (or `paper:key`) of this chapter's papers."""
        paper, _, bare = key.rpartition(":")
        papers = (paper,) if paper else self.papers
        if paper and paper not in self.papers:
            raise PublishedNumbersError(
                f"scorecard {self.chapter!r} has no paper {paper!r} (it has {self.papers})"
            )
        found = [published_numbers(p)[bare] for p in papers if bare in published_numbers(p)]
        if not found:
            raise PublishedNumbersError(
                f"no published number {key!r} in "
                f"{', '.join(f'{p}/published.csv' for p in papers) or 'no paper'} "
                f"(scorecard {self.chapter!r})"
            )
        if len(found) > 1:
            raise PublishedNumbersError(
                f"{key!r} is in several papers' files: write it as 'paper:{bare}'"
            )
        return found[0]

    def claim(
        self,
        key: str,
        ours: float,
        *,
        tolerance: float | None = None,
        basis: str | None = None,
        relative: bool = False,
        expected_discrepancy: str | None = None,
        digits: int | None = None,
    ) -> Claim:
        """Claim the published number `key`: kind paper if it is verified, else unverified.

        Without a tolerance, the claim must agree to half the last printed digit. With one, `basis`
        says why.
        """
        number = self.published(key)
        if tolerance is None:
            if relative:
                raise ValueError(
                    f"claim {key!r}: the printed-precision tolerance is absolute; give a tolerance"
                )
            tolerance, basis = number.printed_half_digit, basis or PRINTED_PRECISION
        elif not basis:
            raise ValueError(f"claim {key!r}: a tolerance of {tolerance} needs its basis")
        return self._append(
            Claim(
                what=number.what,
                target=number.value,
                ours=ours,
                tolerance=tolerance,
                basis=basis,
                kind=Kind.PAPER if number.verified else Kind.UNVERIFIED,
                source=number.where,
                relative=relative,
                expected_discrepancy=expected_discrepancy,
                digits=digits or max(4, number.significant_digits + 2),
                key=f"{number.paper}:{number.key}",
                printed=number.printed,
                unit=number.unit,
            )
        )

    def cross_check(
        self,
        what: str,
        target: float,
        ours: float,
        *,
        tolerance: float,
        basis: str,
        source: str,
        relative: bool = False,
        expected_discrepancy: str | None = None,
        digits: int = 4,
    ) -> Claim:
        """Our own check: `ours` against a target we derived or computed another way (kind
        check)."""
        return self._append(
            Claim(
                what,
                target,
                ours,
                tolerance,
                basis,
                Kind.CHECK,
                source,
                relative,
                expected_discrepancy,
                digits,
            )
        )

    def add(
        self,
        what: str,
        paper: float,
        ours: float,
        tolerance: float,
        source: str,
        verified: bool,
        relative: bool = False,
        expected_discrepancy: str | None = None,
        digits: int = 4,
    ) -> Claim:
        """Transitional form for chapters not yet claiming by key: a paper number typed in the
        chapter."""
        kind = Kind.PAPER if verified else Kind.UNVERIFIED
        return self._append(
            Claim(
                what,
                paper,
                ours,
                tolerance,
                "not stated",
                kind,
                source,
                relative,
                expected_discrepancy,
                digits,
            )
        )

    def unclaimed(self) -> list[PublishedNumber]:
        """Verified numbers this chapter should score that it neither claims nor explains."""
        claimed = {claim.key for claim in self.claims}
        return [
            number
            for paper in self.papers
            for number in published_numbers(paper).values()
            if number.chapter == self.chapter
            and number.verified
            and not number.not_claimed
            and f"{paper}:{number.key}" not in claimed
        ]

    @property
    def failures(self) -> list[Claim]:
        return [claim for claim in self.claims if not claim.ok]

    def summary(self) -> dict[str, dict[str, int]]:
        return summarise(self.claims)

    def record(self) -> dict[str, object]:
        """The scorecard as plain data (deterministic: no timestamps, claims in the order added)."""
        claims = [
            dict(
                asdict(claim),
                kind=claim.kind.value,
                difference=claim.difference,
                status=claim.status,
            )
            for claim in self.claims
        ]
        return {
            "chapter": self.chapter,
            "title": self.title,
            "explore": exploring(),
            "unclaimed": [f"{number.paper}:{number.key}" for number in self.unclaimed()],
            "summary": self.summary(),
            "claims": claims,
        }

    def problems(self) -> list[str]:
        """One line per failed claim or unclaimed verified number."""
        lines = [
            f"{claim.what}{f' [{claim.key}]' if claim.key else ''}: target {claim.target:.6g}, "
            f"ours {claim.ours:.6g}, "
            f"difference {claim.difference:+.4g}, tolerance {claim.tolerance:.4g}"
            f"{' (relative)' if claim.relative else ''} -> {claim.status}"
            for claim in self.failures
        ]
        lines += [
            f"{number.paper}:{number.key} ({number.what}) is verified and assigned to "
            f"{self.chapter} but neither "
            "claimed nor listed as not claimed (column not_claimed)"
            for number in self.unclaimed()
        ]
        return lines

    def check(self) -> None:
        """Show the table, emit the record with it, and raise `ScorecardError` naming every problem
        (unless in exploration mode, where the problems are shown and the notebook goes on)."""
        if not self.claims:
            raise ScorecardError(f"scorecard {self.chapter!r} has no claims")
        problems = self.problems()
        record = self.record()
        marker = record_marker(record)
        _display(
            {
                "text/html": self._html(problems) + marker,
                "text/markdown": self._markdown() + "\n\n" + marker,
                RECORD_MIME: record,
            }
        )
        if problems and not exploring():
            raise ScorecardError(
                f"{len(problems)} problem(s) in the scorecard of {self.chapter}:\n"
                + "\n".join(f"  - {line}" for line in problems)
            )

    def _markdown(self) -> str:
        rows = [claim.cells() for claim in self.claims]
        header = list(rows[0])
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += [
            "| " + " | ".join(row[h].replace("|", "\\|") for h in header) + " |" for row in rows
        ]
        return "\n".join([*lines, "", describe_counts(self.summary())])

    def _html(self, problems: list[str]) -> str:
        rows = [claim.cells() for claim in self.claims]
        header = [h for h in rows[0] if h != "note"]
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = ""
        for row in rows:
            cells = "".join(f"<td>{html.escape(row[h])}</td>" for h in header)
            css = f"claim-{row['result'].replace(' ', '-').lower()} kind-{row['kind']}"
            body += f'<tr class="{css}">{cells}</tr>'
            if row["note"]:
                note = html.escape(row["note"])
                body += f'<tr class="claim-note"><td colspan="{len(header)}">{note}</td></tr>'
        banner = ""
        if problems:
            items = "".join(f"<li>{html.escape(line)}</li>" for line in problems)
            mode = " Exploration mode: the notebook goes on." if exploring() else ""
            banner = (
                f'<div class="scorecard-failures"><strong>{len(problems)} problem(s).'
                f"{mode}</strong><ul>{items}</ul></div>"
            )
        return (
            f'{banner}<div class="scorecard-wrapper"><table '
            f'class="scorecard"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
            f'<p class="scorecard-summary">{html.escape(describe_counts(self.summary()))}</p>'
        )


def describe_others(summary: dict[str, dict[str, int]]) -> str:
    """Unverified paper numbers and our own checks, in words."""
    unverified, check = summary["unverified"], summary["check"]
    text = (
        f"{unverified['passed']} of {unverified['claims']} unverified paper numbers reproduced; "
        f"{check['passed']} of {check['claims']} checks of our own passed"
    )
    discrepant = unverified["expected discrepancies"] + check["expected discrepancies"]
    return text + (
        f" ({discrepant} more explained discrepancies among these)" if discrepant else ""
    )


def describe_counts(summary: dict[str, dict[str, int]]) -> str:
    """One sentence: published numbers reproduced, explained discrepancies, unverified numbers,
    checks."""
    paper = summary["paper"]
    failed = sum(row["failed"] for row in summary.values())
    text = (
        f"{paper['passed']} of {paper['claims']} published numbers reproduced, "
        f"{paper['expected discrepancies']} explained discrepancies; {describe_others(summary)}"
    )
    return text + (f"; {failed} FAILED." if failed else ".")


def record_marker(record: dict[str, object]) -> str:
    """The record as an HTML comment that travels inside the table's own HTML and markdown output,
    so that whatever renders the table (a page, a PDF) carries the record of the same execution."""
    payload = base64.b64encode(json.dumps(record, sort_keys=True).encode("utf-8")).decode("ascii")
    return f"<!-- {RECORD_MARKER}:{payload} -->"


def records_in_text(text: str) -> list[dict[str, object]]:
    """Every record marker in a text (a rendered output), decoded."""
    pattern = re.compile(rf"<!-- {RECORD_MARKER}:([A-Za-z0-9+/=]+) -->")
    return [json.loads(base64.b64decode(payload)) for payload in pattern.findall(text)]


def _display(bundle: dict[str, object]) -> None:
    """Show a MIME bundle in a notebook; print its markdown elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is installed with the book
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(bundle, raw=True)
    else:
        print(bundle["text/markdown"])
