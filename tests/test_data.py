"""scaling_core.data: the registry, checksums, and the datasets every chapter loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from scaling_core import data
from scaling_core.data import registry

EPOCH_FILE = "epoch/data/svg_extracted_data.csv"


def test_every_registered_file_is_vendored_with_its_checksum() -> None:
    for relative, entry in registry.registry().items():
        path = registry.REPO_DATA / relative
        assert path.is_file(), f"{relative} is registered but not in data/"
        assert registry.sha256_of(path) == entry.sha256, relative


def test_every_vendored_data_file_is_registered() -> None:
    documented = {"PROVENANCE.md", "published_numbers.md", "published.csv", "LICENSE", "LICENCE.md"}
    files = {
        p.relative_to(registry.REPO_DATA).as_posix()
        for p in registry.REPO_DATA.rglob("*")
        if p.is_file() and p.name not in documented and p.suffix not in (".py", ".md")
    }
    assert files <= set(registry.registry()), sorted(files - set(registry.registry()))[:5]


def test_every_dataset_loads_as_a_non_empty_frame() -> None:
    listed = data.available()
    assert list(listed.columns) == ["name", "description", "flop_definition", "parameters_counted"]
    for name in listed["name"]:
        frame = data.load(name)
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0, name


def test_every_dataset_states_how_it_counted_flops_and_parameters() -> None:
    listed = data.available().set_index("name")
    conventions = listed[["flop_definition", "parameters_counted"]]
    unstated = conventions[(conventions == data.catalogue.NOT_RECORDED).any(axis=1)]
    assert unstated.empty, f"datasets registered without their conventions: {list(unstated.index)}"


def test_epoch_points() -> None:
    points = data.load("epoch_points")
    assert len(points) == 245
    assert points["excluded"].sum() == 5
    assert (points.loc[points["excluded"], "C"].between(9e18, 1.01e19)).all()
    assert points["D"].to_numpy() == pytest.approx((points["C"] / (6 * points["N"])).to_numpy())


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known datasets: .*epoch_points"):
        data.load("chinchila_points")


def test_corrupted_file_is_refused_with_both_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / EPOCH_FILE
    target.parent.mkdir(parents=True)
    shutil.copy(registry.REPO_DATA / EPOCH_FILE, target)
    with target.open("a") as handle:
        handle.write("1,2,#000000,1,1,#000000,1\n")
    monkeypatch.setenv("SCALING_CORE_DATA", str(tmp_path))
    expected = registry.registry()[EPOCH_FILE].sha256
    with pytest.raises(data.DataFileError) as error:
        data.load("epoch_points")
    message = str(error.value)
    assert str(target) in message and expected in message and registry.sha256_of(target) in message


def test_missing_file_without_network_names_file_and_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no local copy, the file is fetched from its pinned URL; when that fails the error
    says which."""
    monkeypatch.setattr(registry, "REPO_DATA", tmp_path / "nowhere")
    monkeypatch.delenv("SCALING_CORE_DATA", raising=False)

    def offline(*args: object, **kwargs: object) -> str:
        raise OSError("network is unreachable")

    import pooch

    monkeypatch.setattr(pooch, "retrieve", offline)
    entry = registry.registry()[EPOCH_FILE]
    with pytest.raises(data.DataFileError) as error:
        registry.path_of(EPOCH_FILE)
    assert EPOCH_FILE in str(error.value) and entry.url in str(error.value)


def test_unregistered_path_is_refused() -> None:
    with pytest.raises(data.DataFileError, match="not a registered data file"):
        registry.path_of("epoch/data/other.csv")


def test_environment_folder_is_read_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / EPOCH_FILE
    target.parent.mkdir(parents=True)
    shutil.copy(registry.REPO_DATA / EPOCH_FILE, target)
    monkeypatch.setenv("SCALING_CORE_DATA", str(tmp_path))
    assert registry.path_of(EPOCH_FILE) == target


def test_hoffmann_tables_keep_the_misprints() -> None:
    a3 = data.load("hoffmann2022_tableA3")
    row = a3[(a3["approach"] == 3) & (a3["N"] == 1.75e11)]
    assert row["C"].item() == 1.26e24  # printed value; 6ND = 1.26e25
    assert data.load("hoffmann2022_table3")["gopher_units"].iloc[0] == "1/29968"
