"""Demand from population (docs/tutorial-system.md section 9): arrivals are the sum over
age bands of people in the band times the band's rate, with the population a projection
(linear series) or a constant with compound growth."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wholesystem.system.ledger import build_ledger
from wholesystem.system.model import load_system

TUTORIAL = Path(__file__).resolve().parents[3] / "docs" / "tutorial-system.md"


@pytest.fixture(scope="module")
def population_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = TUTORIAL.read_text(encoding="utf-8")
    body = re.search(r"<!-- file: population\.yaml -->\n```yaml\n(.*?)```", text, re.S)
    assert body is not None, "the tutorial's population.yaml block is missing"
    path = tmp_path_factory.mktemp("population") / "population.yaml"
    path.write_text(body.group(1), encoding="utf-8")
    return path


def test_arrivals_are_population_times_rate_summed_over_bands(population_file: Path
                                                               ) -> None:
    """Day 0 (1 July 2024): (30,000 x 0.30 + 20,000 x 0.45 + 8,000 x 0.70) / 365 =
    23,600 / 365 = 64.658 a day. Day 2,191 (1 July 2030): the two series reach 33,000
    and 25,000; 85+ is 8,000 x 1.03^(2191/365); so (9,900 + 11,250 + 0.70 x 8,000 x
    1.03^(2191/365)) / 365 = 76.266 a day."""
    arrivals = load_system(population_file).simulate().series("emergency department arrivals")
    assert arrivals[0, 0] == pytest.approx(23_600 / 365)
    expected_2030 = (9_900 + 11_250 + 0.70 * 8_000 * 1.03 ** (2191 / 365)) / 365
    assert arrivals[-1, 0] == pytest.approx(expected_2030)
    assert arrivals[-1, 0] == pytest.approx(76.27, abs=0.005)


def test_midway_a_linear_projection_reads_straight_through(population_file: Path) -> None:
    """On day 1,095 the 65-74 band is 30,000 + 3,000 x 1095/2191 people (linear between
    its two points), each 0.30 a year: its arrivals a day are that x 0.30 / 365."""
    results = load_system(population_file).simulate()
    band = results.series("aged 65 74 with urgent care arriving")[:, 0]
    assert band[1095] == pytest.approx((30_000 + 3_000 * 1095 / 2191) * 0.30 / 365)


def test_ledger_counts_each_days_attendances_at_its_start(population_file: Path) -> None:
    """Contacts over the run = the sum of the arrival rate on days 0 to 2,190 (one-day
    steps); each costs £109."""
    system = load_system(population_file)
    run = system.simulate()
    arrivals = run.series("emergency department arrivals")[:-1, 0]
    ledger = build_ledger(run)
    line = next(s for s in ledger.services if s.id == "emergency_department")
    assert line.served == pytest.approx(arrivals.sum(), rel=1e-9)
    assert ledger.whole_system == pytest.approx(arrivals.sum() * 109, rel=1e-6)
