"""Bundled examples run, and tell the story their READMEs promise."""

from __future__ import annotations

from pathlib import Path

import pytest

import wholesystem
from wholesystem.system.files import MODEL_SUFFIXES

EXAMPLES = Path(wholesystem.__file__).parent / "examples"
MODELS = sorted(p for p in EXAMPLES.glob("*/*") if p.suffix in MODEL_SUFFIXES)


def test_examples_cover_every_format() -> None:
    """Each format family wholesystem reads has a bundled example smoke-tested below."""
    suffixes = {p.suffix for p in MODELS}
    assert {".xmile", ".mdl", ".yaml"} <= suffixes


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.parent.name)
def test_example_runs_and_has_a_readme(path: Path) -> None:
    results = wholesystem.load(path).run()
    assert not results.empty
    assert results.notna().all().all()
    assert (path.parent / "README.md").exists()


def test_the_vensim_teacup_matches_the_xmile_one() -> None:
    xmile = wholesystem.load(wholesystem.example_path("teacup")).run()
    vensim = wholesystem.load(wholesystem.example_path("teacup_vensim")).run()
    assert vensim["Teacup Temperature"].tolist() == xmile["Teacup Temperature"].tolist()


def test_teacup_cools_towards_room_temperature() -> None:
    results = wholesystem.load(wholesystem.example_path("teacup")).run()
    temperature = results["Teacup Temperature"]
    assert temperature.iloc[0] == 180
    assert temperature.is_monotonic_decreasing
    assert 70 < temperature.iloc[-1] < 80


def test_delayed_discharge_steady_state_matches_published_numbers() -> None:
    results = wholesystem.load(wholesystem.example_path("delayed_discharge")).run()
    final = results.iloc[-1]
    # 20 referrals/day x 5 days = 100 beds; 20 x 5% x 730 days = 730 packages
    assert final["Patients in Treatment"] == pytest.approx(100, rel=1e-6)
    assert final["Packages in Use"] == pytest.approx(730, rel=0.01)
    assert final["Delayed in Hospital"] < 2


def test_delayed_discharge_queue_grows_without_bound_when_packages_are_short() -> None:
    model = wholesystem.load(wholesystem.example_path("delayed_discharge"))
    queue = model.run(params={"Package Capacity": 700})["Delayed in Hospital"]
    later = queue.iloc[len(queue) // 2:]
    assert later.is_monotonic_increasing
    assert queue.iloc[-1] > queue.iloc[len(queue) // 2] + 5
