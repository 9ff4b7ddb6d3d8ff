"""wholesystem.system.stays: lengths of stay on the time-step grid."""

from __future__ import annotations

import pytest
from system_factory import MINIMAL

from wholesystem.system import read_system_text
from wholesystem.system.model import SystemModel
from wholesystem.system.spec import Distribution, Duration
from wholesystem.system.stays import step_probabilities


def test_a_fixed_stay_is_one_number_of_steps() -> None:
    p = step_probabilities(Duration(5.0, Distribution.FIXED), 1.0)
    assert p.tolist() == [0, 0, 0, 0, 0, 1]


def test_a_fixed_stay_of_a_billion_days_is_held_at_the_longest_tail() -> None:
    """It once allocated one number per step: 8 GB, and the process was killed."""
    p = step_probabilities(Duration(1e9, Distribution.FIXED), 1.0)
    assert len(p) == 200_001
    assert p[-1] == 1.0
    assert p.sum() == pytest.approx(1.0)


def test_a_system_with_a_fixed_stay_of_a_billion_days_runs() -> None:
    text = MINIMAL.replace("length_of_stay: 5\n",
                           "length_of_stay: {mean: 1000000000.0, distribution: fixed}\n")
    assert text != MINIMAL
    results = SystemModel(read_system_text(text, "s.yaml")).run()
    assert results is not None
