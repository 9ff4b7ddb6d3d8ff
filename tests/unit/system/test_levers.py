"""Levers: a service's capacity, moved without recompiling, means what the file means."""

from __future__ import annotations

import pytest

import wholesystem
from wholesystem.errors import ParameterError, UnknownNameError
from wholesystem.system.levers import (
    check_levers,
    compare_levers,
    levers_changed,
    system_levers,
)
from wholesystem.system.model import load_system
from wholesystem.system.shunts import compare


@pytest.fixture(scope="module")
def system():  # type: ignore[no-untyped-def]
    return load_system(wholesystem.example_path("delayed_discharge_system"))


def test_a_capacity_lever_equals_the_files_own_capacity_intervention(system) -> None:  # type: ignore[no-untyped-def]
    """The file's ``cut_packages`` intervention sets home-care capacity to 700; moving the
    lever from 750 to 700 must give the same costs for every organisation."""
    by_lever = compare_levers(system, {"home_care capacity": 700})
    by_file = compare(system, "cut_packages")
    assert by_lever.verdict == by_file.verdict
    for lever_org, file_org in zip(by_lever.organisations, by_file.organisations,
                                   strict=True):
        assert lever_org.change == pytest.approx(file_org.change, rel=1e-9)


def test_levers_say_who_owns_them_and_what_they_affect(system) -> None:  # type: ignore[no-untyped-def]
    (lever,) = system_levers(system)
    assert (lever.name, lever.value, lever.organisation) == (
        "home_care capacity", 750.0, "adult_social_care")
    # room for three times today's capacity
    assert (lever.minimum, lever.maximum) == (0.0, 2250.0)
    assert lever.affects[0].startswith("Adult social care")
    assert lever.affects[1].startswith("Acute trust")  # it pays for the waiting
    assert lever.field == "services.home_care.capacity"


def test_unchanged_levers_are_no_change(system) -> None:  # type: ignore[no-untyped-def]
    assert compare_levers(system, {"home_care capacity": 750}).verdict == "no change"
    assert levers_changed(system, {"home_care capacity": 750}) == []
    ((lever, before, after),) = levers_changed(system, {"home_care capacity": 10})
    assert (lever.name, before, after) == ("home_care capacity", 750.0, 10.0)


def test_bad_levers_are_refused(system) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownNameError, match="not a lever"):
        check_levers(system, {"hospital capacity": 3})
    with pytest.raises(ParameterError, match="between 0 and 2250"):
        check_levers(system, {"home_care capacity": 5000})
    with pytest.raises(ParameterError):
        check_levers(system, {"home_care capacity": float("nan")})
