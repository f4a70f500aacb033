"""scaling_core.scorecard: published numbers by key, claim kinds, tolerance bases, the record and
its checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaling_core import scorecard as sc
from scaling_core.scorecard import Claim, Kind, PublishedNumbersError, Scorecard, ScorecardError

HEADER = "key,what,value,unit,where,verified,how,chapter,not_claimed\n"
ROWS = (
    "alpha,exponent alpha,0.34731,,Table 2,yes,notebook output,99_sample,\n"
    "runs,required runs,634773,,cell 31,yes,notebook output,99_sample,\n"
    "gopher,N_opt at Gopher's budget,40e9,,Table 3,no,not checked,99_sample,\n"
    "skipped,a number we do not score,1.5,,Table 9,yes,text,99_sample,needs the unreleased runs\n"
    "other,a number of another chapter,2.0,,Table 1,yes,text,98_other,\n"
)


def write_paper(root: Path, paper: str, body: str) -> None:
    (root / paper).mkdir(parents=True, exist_ok=True)
    (root / paper / "published.csv").write_text(HEADER + body, encoding="utf-8")


@pytest.fixture
def papers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    write_paper(tmp_path, "sample", ROWS)
    write_paper(tmp_path, "second", "alpha,another alpha,0.5,,Eq. 1,yes,text,99_sample,\n")
    monkeypatch.setenv("SCALING_CORE_DATA", str(tmp_path))
    monkeypatch.delenv(sc.EXPLORE_ENV, raising=False)
    sc.published_numbers.cache_clear()
    yield tmp_path
    sc.published_numbers.cache_clear()


def complete_card() -> Scorecard:
    card = Scorecard("99_sample", "Sample", papers=("sample",))
    card.claim("alpha", 0.347312)
    card.claim("runs", 634_000, tolerance=0.01, relative=True, basis="seed spread, 3 s.d.")
    return card


def test_claims_take_target_kind_and_printed_precision_from_the_file(papers: Path) -> None:
    card = complete_card()
    alpha, runs = card.claims
    assert alpha.kind is Kind.PAPER and alpha.target == 0.34731 and alpha.source == "Table 2"
    assert alpha.tolerance == pytest.approx(5e-6) and alpha.basis == sc.PRINTED_PRECISION
    assert runs.basis == "seed spread, 3 s.d." and runs.relative
    unverified = card.claim("gopher", 41e9)
    assert unverified.kind is Kind.UNVERIFIED and unverified.tolerance == pytest.approx(0.5e9)


def test_printed_precision_is_half_the_last_digit_and_can_fail(papers: Path) -> None:
    card = Scorecard("99_sample", "Sample", papers=("sample",))
    assert not card.claim("alpha", 0.347316).ok  # 6e-6 away, printed to 1e-5
    assert card.claim("runs", 634773.4).ok


def test_a_tolerance_needs_its_basis_and_an_unknown_key_is_refused(papers: Path) -> None:
    card = Scorecard("99_sample", "Sample", papers=("sample",))
    with pytest.raises(ValueError, match="needs its basis"):
        card.claim("alpha", 0.35, tolerance=0.01)
    with pytest.raises(PublishedNumbersError, match="no published number 'beta'"):
        card.claim("beta", 0.35)
    with pytest.raises(ValueError, match="basis"):
        Claim("x", 1.0, 1.0, 0.1, " ", Kind.CHECK, "s")


def test_a_key_in_two_papers_must_be_qualified(papers: Path) -> None:
    card = Scorecard("99_sample", "Sample", papers=("sample", "second"))
    with pytest.raises(PublishedNumbersError, match="paper:alpha"):
        card.claim("alpha", 0.3473)
    assert card.claim("second:alpha", 0.5).target == 0.5


def test_cross_checks_are_their_own_kind(papers: Path) -> None:
    card = complete_card()
    claim = card.cross_check(
        "a from alpha, beta", 0.5139, 0.5141, tolerance=0.001, basis="printed", source="derived"
    )
    assert claim.kind is Kind.CHECK
    assert card.summary()["check"] == {
        "claims": 1,
        "passed": 1,
        "expected discrepancies": 0,
        "failed": 0,
    }
    assert card.summary()["paper"]["passed"] == 2


def test_failed_claims_are_all_listed_and_raise(papers: Path) -> None:
    card = complete_card()
    card.cross_check("too far", 1.0, 1.5, tolerance=0.1, basis="reason", source="Eq. 10")
    card.cross_check(
        "also too far", 2.0, 3.0, tolerance=0.1, basis="reason", source="Eq. 11", relative=True
    )
    with pytest.raises(ScorecardError) as error:
        card.check()
    assert "2 problem(s)" in str(error.value)
    assert "too far" in str(error.value) and "also too far" in str(error.value)


def test_a_verified_number_of_the_chapter_must_be_claimed_or_explained(papers: Path) -> None:
    card = Scorecard("99_sample", "Sample", papers=("sample",))
    card.claim("alpha", 0.34731)
    with pytest.raises(ScorecardError, match="sample:runs .* neither claimed nor listed"):
        card.check()
    assert [n.key for n in card.unclaimed()] == [
        "runs"
    ]  # 'skipped' has a reason, 'gopher' is unverified


def test_expected_discrepancy_must_stay_discrepant(papers: Path) -> None:
    card = complete_card()
    claim = card.cross_check(
        "misprint",
        1.26e24,
        1.26e25,
        tolerance=0.01,
        basis="printed",
        source="Table A3",
        relative=True,
        expected_discrepancy="typo",
    )
    assert claim.status == "expected discrepancy" and claim.ok
    card.check()
    stale = Claim(
        "fixed misprint", 1.0, 1.0, 0.01, "printed", Kind.CHECK, "x", expected_discrepancy="typo"
    )
    assert stale.status == "stale mark" and not stale.ok


def test_exploration_mode_shows_problems_and_goes_on(
    papers: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(sc.EXPLORE_ENV, "1")
    card = complete_card()
    card.cross_check("too far", 1.0, 1.5, tolerance=0.1, basis="reason", source="Eq. 10")
    card.check()  # does not raise
    assert "FAIL" in capsys.readouterr().out
    assert card.record()["explore"] is True


def test_check_emits_the_record_with_the_table(
    papers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[dict] = []
    monkeypatch.setattr(sc, "_display", shown.append)
    card = complete_card()
    card.check()
    (bundle,) = shown
    record = bundle[sc.RECORD_MIME]
    assert (
        record["chapter"] == "99_sample"
        and record["unclaimed"] == []
        and record["explore"] is False
    )
    assert [c["kind"] for c in record["claims"]] == ["paper", "paper"]
    assert "scorecard" in bundle["text/html"] and "0.34731" in bundle["text/html"]
    assert json.loads(json.dumps(record)) == record


def test_record_is_deterministic(papers: Path) -> None:
    first = json.dumps(complete_card().record(), sort_keys=True)
    second = json.dumps(complete_card().record(), sort_keys=True)
    assert first == second


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Alpha,x,1,,T,yes,h,c,\n", "snake_case"),
        ("a,x,1.2%,,T,yes,h,c,\n", "finite number as printed"),
        ('a,x,"1,200",,T,yes,h,c,\n', "finite number as printed"),
        ("a,x,nan,,T,yes,h,c,\n", "finite number as printed"),
        ("a,x,1,,T,maybe,h,c,\n", "'yes' or 'no'"),
        ("a,x,1,,,yes,h,c,\n", "'where' of 'a' is empty"),
        ("a,x,1,,T,yes,h,c,\na,y,2,,T,yes,h,c,\n", "appears twice"),
    ],
)
def test_malformed_published_files_are_refused_by_name(
    papers: Path, row: str, message: str
) -> None:
    write_paper(papers, "broken", row)
    with pytest.raises(PublishedNumbersError, match=message) as error:
        Scorecard("99_sample", "Sample", papers=("broken",))
    assert "broken/published.csv" in str(error.value)


def test_a_missing_published_file_is_named(papers: Path) -> None:
    with pytest.raises(PublishedNumbersError, match="nowhere/published.csv is not in"):
        Scorecard("99_sample", "Sample", papers=("nowhere",))


def test_a_claim_shows_itself_in_one_line_of_the_tables_terms() -> None:
    claim = Claim(
        what="N_opt at 1e21 FLOP",
        target=41.3e9,
        ours=41.0e9,
        tolerance=0.01,
        relative=True,
        basis="printed precision",
        kind="check",
        source="ours",
    )
    assert repr(claim) == (
        "check claim 'N_opt at 1e21 FLOP': ours 4.100×10¹⁰, target 4.130×10¹⁰, "
        "difference -0.73%: pass"
    )
