"""World3-03 (the Limits to Growth 30-year update model, Vensim file read unedited)
reproduces its published standard run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import wholesystem

HERE = Path(__file__).parent
SHARED = Path(os.environ.get("WHOLESYSTEM_SHARED", HERE.parents[1].parent / "shared"))
WORLD3 = SHARED / "benchmarks" / "world3" / "World3_03_Scenarios.mdl"

pytestmark = pytest.mark.skipif(not WORLD3.exists(),
                                reason=f"World3-03 not found at {WORLD3} (WHOLESYSTEM_SHARED)")


@pytest.fixture(scope="module")
def population() -> object:
    results = wholesystem.load(WORLD3).run(return_columns=["population"])
    return results["population"]


def test_population_starts_at_1_6_billion_in_1900(population: object) -> None:
    assert population.loc[1900.0] == pytest.approx(1.6e9, rel=1e-6)


def test_population_peaks_near_7_47_billion_around_2026_2027(population: object) -> None:
    peak_year = population.idxmax()
    assert 2025.5 <= peak_year <= 2028.0
    assert population.max() == pytest.approx(7.47e9, rel=0.005)


def test_population_falls_to_about_3_46_billion_in_2100(population: object) -> None:
    assert population.loc[2100.0] == pytest.approx(3.46e9, rel=0.005)


def test_world3_runs_as_an_ensemble() -> None:
    model = wholesystem.load(WORLD3)
    ensemble = model.run_many({"scenario": [0, 0]}, return_columns=["population"])
    assert ensemble.variable("population").iloc[-1].tolist() == pytest.approx([3.46e9] * 2,
                                                                            rel=0.005)
