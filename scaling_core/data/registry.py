"""The file registry: every data file the book reads, with its sha256, pinned URL and licence.

`files.csv` beside this module is the single source of truth. A file is looked up in
`$SCALING_CORE_DATA` first, then in the repository's `data/` folder, and otherwise fetched with
pooch from its pinned URL into the user cache; in every case its sha256 is checked before anything
reads it.
"""

from __future__ import annotations

import csv
import hashlib
import os
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

REGISTRY_CSV = Path(__file__).with_name("files.csv")
REPO_DATA = Path(__file__).resolve().parents[2] / "data"


class DataFileError(RuntimeError):
    """A data file is missing, cannot be fetched, or is not the file the registry pins."""


@dataclass(frozen=True)
class DataFile:
    path: str  # relative to the data folder, e.g. "epoch/data/svg_extracted_data.csv"
    sha256: str
    url: str
    licence: str


@cache
def registry() -> dict[str, DataFile]:
    """All registered files by relative path."""
    with REGISTRY_CSV.open(newline="") as handle:
        return {row["path"]: DataFile(**row) for row in csv.DictReader(handle)}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class DataFolderWarning(UserWarning):
    """`SCALING_CORE_DATA` names something that is not a folder: it is ignored."""


def search_roots() -> list[Path]:
    """Folders searched for a data file, in order; warns once when `SCALING_CORE_DATA` is not a
    folder."""
    roots = []
    configured = os.environ.get("SCALING_CORE_DATA")
    if configured:
        root = Path(configured)
        if root.is_dir():
            roots.append(root)
        else:
            problem = "is a file" if root.exists() else "does not exist"
            warnings.warn(
                f"SCALING_CORE_DATA={configured} {problem}, so it is ignored; it must name a "
                "folder of data files",
                DataFolderWarning,
                stacklevel=2,
            )
    roots.append(REPO_DATA)
    return roots


def verified(path: Path, entry: DataFile) -> Path:
    """Return `path` if its sha256 is the registered one, else refuse it by name."""
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise DataFileError(
            f"{path} is corrupted or not the registered file: expected sha256 {entry.sha256}, got "
            f"{actual}. "
            f"{_remedy(path)}"
        )
    return path


def _remedy(path: Path) -> str:
    """How to restore a bad copy: from git inside the repository, otherwise by deleting it."""
    try:
        inside = Path(path).resolve().is_relative_to(REPO_DATA)
    except OSError:
        inside = False
    if inside:
        return f"Restore it (git checkout -- {path}) or delete it so it is fetched again."
    return "Delete it (or replace it with the registered file) so it is fetched again."


def fetch(entry: DataFile) -> Path:
    """Download a registered file with pooch from its pinned URL (checked against its sha256)."""
    if not entry.url:
        raise DataFileError(
            f"data file {entry.path} is missing and has no download URL (it is made in the "
            "repository); "
            f"searched {', '.join(map(str, search_roots()))}."
        )
    import pooch  # imported here: nothing is fetched, or even prepared, at import time

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # no "Downloading …" chatter on stderr: a failure says what it tried
    try:
        local = pooch.retrieve(
            entry.url,
            known_hash=f"sha256:{entry.sha256}",
            fname=entry.path.replace("/", "__"),
            path=pooch.os_cache("scaling_core"),
            progressbar=False,
        )
    except Exception as error:  # pooch raises network and hash errors of several kinds
        raise DataFileError(
            f"data file {entry.path} is not in {', '.join(map(str, search_roots()))} and could not "
            "be "
            f"fetched from {entry.url}: {error}"
        ) from None
    finally:
        logger.setLevel(level)
    return Path(local)


def path_of(relative: str) -> Path:
    """Local, verified path of a registered data file (fetching it if no local copy exists)."""
    try:
        entry = registry()[relative]
    except KeyError:
        raise DataFileError(
            f"{relative!r} is not a registered data file (see {REGISTRY_CSV})"
        ) from None
    for root in search_roots():
        candidate = root / relative
        if candidate.is_file():
            return verified(candidate, entry)
    return fetch(entry)


EXACT_FLOATS = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
"""`read_csv` options that parse floats exactly: pandas 3 does by default (and deprecates the
option)."""


def read_csv(relative: str, **options: object) -> pd.DataFrame:
    """A registered CSV file (checked, fetched if missing), its floats parsed exactly, so that every
    supported pandas version reads the same numbers."""
    return pd.read_csv(path_of(relative), **EXACT_FLOATS, **options)
