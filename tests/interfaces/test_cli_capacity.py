"""``wholesystem capacity``: the whole-system cost curve from the command line.

The system is the hand-checked one of tests/unit/system/test_capacity_costs.py: two a
day need a place that lasts beyond the ten-day run; £50 an occupied day, £300 a day
waiting, £20 a place a day. At 5 places: 41 occupied days (£2,050), 49 days waiting
(£14,700), places £1,000: £17,750. At 18 places nobody waits: 90 occupied days (£4,500)
and places £3,600: £8,100, the cheapest. At 20: £4,500 + £4,000 = £8,500.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.unit.system_factory import CAPACITY_HAND

from wholesystem.errors import ParameterError
from wholesystem.interfaces.cli import main
from wholesystem.interfaces.cli.capacity_command import parse_places

# The hand-derived system of tests/unit/system_factory.py (places paid for full or
# empty), without its intervention.
HAND = CAPACITY_HAND.split("interventions:")[0]


@pytest.fixture
def system_file(tmp_path: Path) -> Path:
    path = tmp_path / "hand.yaml"
    path.write_text(HAND)
    return path


def test_capacity_json_gives_the_curve_and_its_minimum(
        system_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["capacity", str(system_file), "--service", "care", "--places", "5,18,20",
                 "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [p["whole_system"] for p in data["points"]] == pytest.approx([17750, 8100, 8500])
    assert data["minimum"]["places"] == {"care": 18.0}


def test_capacity_text_times_and_plot(system_file: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """--times 1:4:1 sweeps 5, 10, 15, 20 places. 15 places: 86 occupied days (£4,300),
    4 days waiting (£1,200), places £3,000: £8,500, a tie with 20 places; the first of a
    tie is reported."""
    plot = tmp_path / "curve.png"
    code = main(["capacity", str(system_file), "--service", "care", "--places", "1:4:1",
                 "--times", "--plot", str(plot)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Cheapest for the whole system: care 15.0 (£8,500)." in out
    assert plot.stat().st_size > 0


def test_bad_places_and_unknown_service(system_file: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ParameterError):
        parse_places("5:1:1")
    assert main(["capacity", str(system_file), "--service", "care", "--places", "a"]) != 0
    assert "--places 'a'" in capsys.readouterr().err
    assert main(["capacity", str(system_file), "--service", "ward", "--places", "5"]) != 0
    assert "ward" in capsys.readouterr().err


def test_a_sweep_over_the_step_limit_is_refused_before_it_runs(
        system_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--places 5:20:1 is 16 points; the run is 10 days by the day, so the sweep is
    16 x 10 = 160 time steps: refused under --limit max_sweep_steps=159, run at 160."""
    command = ["capacity", str(system_file), "--service", "care", "--places", "5:20:1"]
    assert main([*command, "--limit", "max_sweep_steps=159"]) == 1
    err = capsys.readouterr().err
    assert ("error: the capacity sweep (16 runs of 10 steps) has 160 time steps over all "
            "its runs, over the limit of 159 (max_sweep_steps)") in err
    assert "--limit max_sweep_steps=N" in err
    assert main([*command, "--limit", "max_sweep_steps=160"]) == 0


def test_compare_capacity_walk_is_held_to_the_step_limit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scenario taking the 5 places to 20 walks one place at a time: 15 steps, 16
    points of 10 days each, 160 time steps in all."""
    path = tmp_path / "hand.yaml"
    path.write_text(HAND + """
interventions:
  more:
    name: More places
    changes:
      - {change: capacity, services: care, set: 20}
scenarios:
  more: {name: More places, interventions: [more]}
""")
    command = ["compare", str(path), "--scenario", "more"]
    assert main([*command, "--limit", "max_sweep_steps=159"]) == 1
    assert ("the walk from 'baseline' capacity to 'more' capacity (16 runs of 10 steps) "
            "has 160 time steps over all its runs, over the limit of 159") \
        in capsys.readouterr().err
    assert main([*command, "--limit", "max_sweep_steps=160"]) == 0
    assert "Capacity: " in capsys.readouterr().out
