"""The command line: optimal, loss and inference-optimal, their JSON, and one-line errors."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scaling_core.cli import main
from scaling_core.laws import BESIROGLU_2024, HOFFMANN_2022, LAWS, SARDANA_2024


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m scaling_core ARGS`, run in this process (a new interpreter per case would spend
    seconds on imports); the entry point itself is run as a program by the closed-pipe test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as stop:  # argparse's usage errors
            status = stop.code
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


def strict_json(text: str) -> dict:
    """Parse as a strict JSON parser does (Node's JSON.parse): NaN and Infinity are errors."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_optimal_at_gophers_budget_as_json() -> None:
    result = run("optimal", "--flops", "5.76e23", "--law", "hoffmann2022", "--json")
    assert result.returncode == 0, result.stderr
    answer = strict_json(result.stdout)
    N, D = HOFFMANN_2022.compute_optimal(5.76e23)
    assert answer["params"] == pytest.approx(N) and answer["tokens"] == pytest.approx(D)
    assert answer["tokens_per_param"] == pytest.approx(D / N)
    assert answer["loss"] == pytest.approx(1.9307, abs=5e-5)


def test_the_default_law_is_epochs_refit_and_every_answer_names_its_law(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["optimal", "--flops", "1e24", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["law"] == {
        "name": "besiroglu2024",
        "source": BESIROGLU_2024.name,
        "E": 1.8172,
        "A": 482.01,
        "B": 2085.43,
        "alpha": 0.3478,
        "beta": 0.3658,
    }
    assert answer["tokens_per_param"] == pytest.approx(
        float(BESIROGLU_2024.tokens_per_parameter(1e24))
    )
    assert 15 < answer["tokens_per_param"] < 30  # about 20, not the rounded law's 98
    assert main(["loss", "--params", "7e10", "--tokens", "1.4e12"]) == 0
    text = capsys.readouterr().out
    assert "besiroglu2024" in text and "2085.43" in text and "0.3658" in text
    assert main(["inference-optimal", "--loss", "2", "--inference-tokens", "1e12", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["law"]["alpha"] == SARDANA_2024.alpha


@pytest.mark.parametrize(
    "command",
    [
        ["optimal", "--flops", "1e24"],
        ["loss", "--params", "7e10", "--tokens", "1.4e12"],
        ["inference-optimal", "--loss", "2.1", "--inference-tokens", "1e12"],
    ],
)
def test_law_all_gives_one_row_per_law(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--law", "all", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["laws"]
    assert list(rows) == list(LAWS)
    for name, row in rows.items():
        assert row["source"] == LAWS[name].name and row["beta"] == LAWS[name].beta
    assert main([*command, "--law", "all"]) == 0
    text = capsys.readouterr().out
    assert all(name in text for name in LAWS)


def test_law_all_says_which_laws_cannot_reach_the_loss(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "inference-optimal",
                "--loss",
                "1.75",
                "--inference-tokens",
                "1e12",
                "--law",
                "all",
                "--json",
            ]
        )
        == 0
    )
    answer = strict_json(capsys.readouterr().out)
    assert (
        answer["laws"]["besiroglu2024"]["params"] is None
        and answer["laws"]["hoffmann2022"]["params"] > 0
    )
    assert any(note.startswith("besiroglu2024: --loss must exceed") for note in answer["notes"])


@pytest.mark.parametrize(
    ("args", "null"),
    [
        (["loss", "--params", "1e200", "--tokens", "1e200"], "flops"),
        (["inference-optimal", "--loss", "2", "--inference-tokens", "1e300"], "total_flops"),
    ],
)
def test_json_is_strict_and_says_why_a_value_is_null(args: list[str], null: str) -> None:
    result = run(*args, "--json")
    assert result.returncode == 0, result.stderr
    answer = strict_json(result.stdout)
    assert answer[null] is None
    assert "float range" in answer["null_values"][null]
    assert result.stderr == ""  # no numpy overflow warning either


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["optimal", "--flops", "5e-324"], "too extreme"),
        (["inference-optimal", "--loss", "1e100", "--inference-tokens", "1e12"], "too extreme"),
        (
            ["inference-optimal", "--loss", "1e300", "--inference-tokens", "0", "--law", "all"],
            "too extreme",
        ),
    ],
)
def test_extreme_values_exit_2_with_one_line(args: list[str], expected: str) -> None:
    result = run(*args)
    assert result.returncode == 2, result.stdout
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_closed_pipe_is_not_an_error() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as after `| head -1`
    try:
        result = subprocess.run(
            [sys.executable, "-m", "scaling_core", "optimal", "--flops", "1e24", "--law", "all"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 0
    assert result.stderr == ""


def test_loss_with_another_law(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "loss",
                "--params",
                "7e10",
                "--tokens",
                "1.4e12",
                "--law",
                "hoffmann2022-unrounded",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["loss"] == pytest.approx(1.9208, abs=5e-5)


def test_inference_optimal_is_cheaper_than_chinchilla(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["inference-optimal", "--loss", "1.95", "--inference-tokens", "2e12", "--json"]) == 0
    )
    answer = json.loads(capsys.readouterr().out)
    assert answer["flops_ratio"] <= 1 and answer["params_ratio"] < 1 < answer["tokens_ratio"]


def test_plain_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["optimal", "--flops", "1e21"]) == 0
    assert "tokens_per_param" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["optimal", "--flops", "-1"], "--flops: expected a positive number, got '-1'"),
        (["optimal", "--flops", "lots"], "--flops: expected a positive number, got 'lots'"),
        (
            ["optimal", "--flops", "1e21", "--law", "kaplan"],
            "unknown law 'kaplan'; known laws: hoffmann2022",
        ),
        (["loss", "--params", "1e9"], "--tokens"),
        (["inference-optimal", "--loss", "1.5", "--inference-tokens", "1e12"], "irreducible loss"),
        (
            ["inference-optimal", "--loss", "2", "--inference-tokens", "-3"],
            "expected a number >= 0",
        ),
    ],
)
def test_bad_input_exits_non_zero_with_one_clear_line(args: list[str], expected: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_inference_optimal_reproduces_sardanas_readme_example_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # README of nikhilsardana/beyond-chinchilla (verified in data/inference/published_numbers.md):
    # loss 1.947, 2e12 inference tokens -> 70.96 % parameters, 146.77 % tokens, 95.22 % FLOPs.
    assert (
        main(["inference-optimal", "--loss", "1.947", "--inference-tokens", "2e12", "--json"]) == 0
    )
    answer = json.loads(capsys.readouterr().out)
    assert answer["params_ratio"] == pytest.approx(0.7096, abs=5e-5)
    assert answer["tokens_ratio"] == pytest.approx(1.4677, abs=5e-5)
    assert answer["flops_ratio"] == pytest.approx(0.9522, abs=5e-5)


def test_data_lists_and_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "--verify", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "epoch_points" in answer["datasets"]
    assert answer["files verified"] == answer["files registered"] > 400


def test_data_verify_names_a_corrupted_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scaling_core.data import registry

    relative = "epoch/data/svg_extracted_data.csv"
    target = tmp_path / relative
    target.parent.mkdir(parents=True)
    target.write_text("not the data\n")
    monkeypatch.setenv("SCALING_CORE_DATA", str(tmp_path))  # read before the repository's copy
    result = run("data", "--verify")
    assert result.returncode == 2
    assert str(target) in result.stderr and registry.registry()[relative].sha256 in result.stderr
    assert registry.sha256_of(target) in result.stderr and "Traceback" not in result.stderr


def test_data_verify_fails_when_a_file_is_missing_and_cannot_be_fetched(
    monkeypatch, capsys
) -> None:
    from scaling_core.data import registry

    entries = dict(registry.registry())
    entries["nowhere/made_here.csv"] = registry.DataFile(
        "nowhere/made_here.csv", "0" * 64, "", "MIT"
    )
    entries["nowhere/remote.csv"] = registry.DataFile(
        "nowhere/remote.csv", "0" * 64, "http://127.0.0.1:9/remote.csv", "MIT"
    )
    monkeypatch.setattr(registry, "registry", lambda: entries)
    assert main(["data", "--verify"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(
        "error: nowhere/made_here.csv is missing and could not be fetched (and 1 more files)"
    )
    assert len(error.strip().splitlines()) == 1


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_misconfigured_data_folder_is_named_in_a_warning(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "data"
    if kind == "file":
        target.write_text("not a folder\n")
    result = subprocess.run(  # a program of its own: the warning comes once per process
        [sys.executable, "-m", "scaling_core", "data", "--verify"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"SCALING_CORE_DATA": str(target)},
    )
    assert result.returncode == 0, result.stderr
    problem = "is a file" if kind == "file" else "does not exist"
    assert (
        result.stderr.strip()
        == f"warning: SCALING_CORE_DATA={target} {problem}, so it is ignored; "
        "it must name a folder of data files"
    )


def test_advice_for_a_corrupted_file_outside_the_repository_is_not_git(tmp_path: Path) -> None:
    from scaling_core.data import registry

    relative = "epoch/data/svg_extracted_data.csv"
    copy = tmp_path / "copy.csv"
    copy.write_text("not the data\n")
    with pytest.raises(registry.DataFileError) as outside:
        registry.verified(copy, registry.registry()[relative])
    assert "git" not in str(outside.value) and "Delete it" in str(outside.value)
    inside = registry.REPO_DATA / relative
    assert registry.verified(inside, registry.registry()[relative]) == inside
