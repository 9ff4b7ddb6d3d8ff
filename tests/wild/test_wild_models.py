"""Every model of the wild corpus loads, checks and runs, or stops with a located error.

The corpus (``tests/wild/corpus.py``) is public models written by people; the files live
outside the repository, so a model that is absent, or whose bytes differ from the
manifest's SHA-256, is skipped with the reason. ``outcomes.toml`` records which models run
today and which stop with which documented diagnostic.
"""

from __future__ import annotations

import csv
import sys
import tomllib
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import (  # noqa: E402  (the corpus helpers sit beside this file)
    MODEL_SUFFIXES,
    ManifestRow,
    corpus_folders,
    find_model,
    manifest,
    sha256_of,
    try_model,
)

ROWS = manifest()
EXPECTED = tomllib.loads((HERE / "outcomes.toml").read_text(encoding="utf-8"))


def _present(row: ManifestRow) -> Path:
    path = find_model(row)
    if path is None:
        pytest.skip(f"{row.slug}: not in {', '.join(map(str, corpus_folders()))} "
                    "(WHOLESYSTEM_SHARED, WHOLESYSTEM_WILD)")
    if sha256_of(path) != row.sha256:
        pytest.skip(f"{row.slug}: {path} differs from the manifest's SHA-256")
    return path


def test_manifest_has_at_least_30_models_with_provenance() -> None:
    assert len(ROWS) >= 30
    assert len({row.slug for row in ROWS}) == len(ROWS)
    for row in ROWS:
        assert row.repository.count("/") == 1, row
        assert len(row.commit) == 40, row
        assert len(row.sha256) == 64, row
        assert row.licence, row
        assert row.output_source, row


def test_outcomes_name_only_manifest_models() -> None:
    assert set(EXPECTED) <= {row.slug for row in ROWS}
    for slug, entry in EXPECTED.items():
        assert entry["outcome"] in ("runs", "diagnostic"), slug
        assert entry.get("why"), slug


@pytest.mark.parametrize("row", ROWS, ids=[row.slug for row in ROWS])
def test_wild_model_runs_or_gets_a_located_diagnostic(row: ManifestRow) -> None:
    outcome = try_model(_present(row))
    assert outcome.status != "internal", outcome.detail
    expected = EXPECTED.get(row.slug, {"outcome": "runs"})
    if expected["outcome"] == "runs":
        assert outcome.status == "runs", outcome.detail
    elif outcome.status == "diagnostic":
        assert expected["says"] in outcome.detail, outcome.detail


def _unlisted_models() -> list[Path]:
    """Model files in the corpus folders that the manifest does not name."""
    listed = {(row.slug, Path(row.path).name) for row in ROWS}
    found = []
    for folder in corpus_folders():
        if folder.is_dir():
            found += [p for p in sorted(folder.glob("*/*"))
                      if p.suffix.lower() in MODEL_SUFFIXES
                      and (p.parent.name, p.name) not in listed]
    return found


@pytest.mark.parametrize("path", _unlisted_models() or [None],
                         ids=lambda p: p.parent.name if p else "none")
def test_unlisted_corpus_model_meets_the_contract(path: Path | None) -> None:
    if path is None:
        pytest.skip("no model files beyond the manifest's in the corpus folders")
    outcome = try_model(path)
    assert outcome.status != "internal", outcome.detail


def test_manifest_matches_the_shared_corpus_where_present() -> None:
    shared = corpus_folders()[0] / "manifest.csv"
    if not shared.is_file():
        pytest.skip(f"no {shared}")
    with open(shared, newline="", encoding="utf-8") as handle:
        theirs = {row["slug"]: row for row in csv.DictReader(handle)}
    for row in ROWS:
        if row.slug in theirs:
            assert theirs[row.slug]["commit"] == row.commit, row.slug
            assert theirs[row.slug]["repo"] == row.repository, row.slug
