"""Reading system files: the spec built, and errors naming file, line, column and field."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from system_factory import MINIMAL, dedent

import wholesystem
from wholesystem.errors import SystemFileError
from wholesystem.system import read_system, read_system_text
from wholesystem.system.spec import Distribution, Interpolation, ServiceKind

EXAMPLES = sorted((Path(wholesystem.__file__).parent / "examples").glob("*/*.yaml"))


def error_of(text: str, file: str = "sys.yaml") -> SystemFileError:
    with pytest.raises(SystemFileError) as caught:
        read_system_text(text, file)
    return caught.value


def test_minimal_file_reads_into_a_spec() -> None:
    spec = read_system_text(MINIMAL, "m.yaml")
    assert [o.name for o in spec.organisations] == ["Acute trust", "Adult social care"]
    care = spec.service("care")
    assert care.kind is ServiceKind.PLACES
    assert care.capacity is not None
    assert care.capacity.value == 10
    assert care.length_of_stay is not None
    assert care.length_of_stay.distribution is Distribution.ERLANG
    assert care.length_of_stay.order == 2
    assert care.delay_payer == "trust"
    assert spec.service("ward").capacity is None  # unlimited
    assert spec.routes_from("care")[0].to == "leave"  # no pathway: everyone leaves
    assert spec.cohorts[0].needs[0].arrivals.value == 4


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_bundled_examples_read(path: Path) -> None:
    spec = read_system(path)
    assert spec.services
    assert spec.organisations


def test_unknown_field_names_line_column_and_field() -> None:
    text = MINIMAL.replace("    costs: {per_occupied_day: 400}",
                           "    costs: {per_occupied_dya: 400}")
    error = error_of(text)
    assert error.field == "services.ward.costs.per_occupied_dya"
    assert (error.span.line, error.span.column) == (10, 13)
    message = str(error)
    assert message.startswith("sys.yaml:10:13: error: services.ward.costs.per_occupied_dya")
    assert "unknown field" in message
    assert "per_occupied_day" in message
    assert "^" in message  # the line is shown with a caret


def test_wrong_type_points_at_the_value() -> None:
    error = error_of(MINIMAL.replace("capacity: 10", "capacity: lots"))
    assert error.field == "services.care.capacity"
    assert error.span.line == 13
    assert "a number or a time series" in error.message


def test_missing_required_field_points_at_the_mapping() -> None:
    error = error_of(MINIMAL.replace("    owner: trust\n", "", 1))
    assert "missing field 'owner'" in str(error)
    assert error.field == "services.ward"


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = MINIMAL.replace("capacity: 10", "capacity: -3").replace("arrivals: 4",
                                                                   "arrivals: many")
    error = error_of(text)
    assert len(error.diagnostics) == 2
    assert set(error.fields) == {"services.care.capacity",
                                 "cohorts.older.needs.illness.arrivals"}


def test_yaml_syntax_error_has_line_and_column() -> None:
    error = error_of("name: x\ntime: {horizon: 3\nservices: [\n")
    assert error.span is not None
    assert error.span.line >= 2
    assert "not valid YAML" in str(error)


def test_duplicate_keys_are_errors() -> None:
    text = MINIMAL.replace("  council: {name: Adult social care}\n",
                           "  council: {name: Adult social care}\n  council: Other\n")
    error = error_of(text)
    assert "written twice" in str(error)
    assert error.span.line == 6


def test_empty_file() -> None:
    assert "empty" in str(error_of(""))


def test_references_to_unknown_ids() -> None:
    error = error_of(MINIMAL.replace("owner: council", "owner: councl"))
    assert error.field == "services.care.owner"
    assert "no organisation 'councl'" in str(error)
    error = error_of(MINIMAL.replace("{to: care, fraction: 0.25}",
                                     "{to: carre, fraction: 0.25}"))
    assert error.field == "pathways[0].routes[0].to"


def test_fractions_must_add_up_to_one() -> None:
    error = error_of(MINIMAL.replace("fraction: 0.75", "fraction: 0.7"))
    assert error.field == "pathways[0].routes"
    assert "add up to 0.95" in str(error)


def test_places_need_a_length_of_stay() -> None:
    error = error_of(MINIMAL.replace("    length_of_stay: 5\n", ""))
    assert "needs 'length_of_stay'" in str(error)


def test_instant_loops_are_refused() -> None:
    text = dedent("""
        name: Loop
        time: {horizon: 10}
        organisations: {gp: GP}
        services:
          a: {owner: gp, kind: contacts}
          b: {owner: gp, kind: contacts}
        pathways:
          - from: a
            routes: [{to: b, fraction: 1}]
          - from: b
            routes: [{to: a, fraction: 0.5}, {to: leave, fraction: 0.5}]
        """)
    assert "within one time step" in str(error_of(text))


def test_lognormal_from_median_and_units() -> None:
    text = MINIMAL.replace("length_of_stay: 5",
                           "length_of_stay: {mean: 2, median: 1, unit: week, "
                           "distribution: lognormal}")
    stay = read_system_text(text).service("ward").length_of_stay
    assert stay is not None
    assert stay.mean == 14
    assert stay.sigma == pytest.approx(math.sqrt(2 * math.log(2)))


def test_weekly_profile_and_dates() -> None:
    text = MINIMAL.replace("time: {horizon: 30, step: 1, unit: day}",
                           "time: {start: 2023-01-01, horizon: 30}").replace(
        "arrivals: 4", "arrivals: {weekly: {mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, "
                       "sat: 6, sun: 7}}")
    spec = read_system_text(text)
    assert spec.time.start_date == dt.date(2023, 1, 1)
    arrivals = spec.cohorts[0].needs[0].arrivals
    assert arrivals.at(0) == 7  # 1 January 2023 was a Sunday
    assert arrivals.at(1) == 1
    assert spec.time.label(31) == "2023-02-01"


def test_csv_series_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "pop.csv").write_text("year,people\n2023-01-01,100\n2023-01-11,200\n")
    text = MINIMAL.replace("time: {horizon: 30, step: 1, unit: day}",
                           "time: {start: 2023-01-01, horizon: 30}").replace(
        "    name: Older people\n",
        "    name: Older people\n    population: {csv: pop.csv, time: year, column: people,"
        " interpolate: linear}\n").replace("arrivals: 4", "rate: 0.01")
    (tmp_path / "s.yaml").write_text(text)
    spec = read_system(tmp_path / "s.yaml")
    population = spec.cohorts[0].population
    assert population is not None
    assert population.interpolation is Interpolation.LINEAR
    assert population.at(5) == pytest.approx(150)
    assert spec.cohorts[0].needs[0].per_person


def test_missing_csv_column_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pop.csv").write_text("time,people\n0,100\n")
    text = MINIMAL.replace("    name: Older people\n",
                           "    name: Older people\n    population: {csv: pop.csv, "
                           "column: persons}\n")
    (tmp_path / "s.yaml").write_text(text)
    with pytest.raises(SystemFileError, match="no column 'persons'") as caught:
        read_system(tmp_path / "s.yaml")
    assert caught.value.field == "cohorts.older.population.column"


def test_csv_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pop.csv").write_bytes(b"time,people\n0,\xff\xfe\n")
    text = MINIMAL.replace("    name: Older people\n",
                           "    name: Older people\n    population: {csv: pop.csv, "
                           "column: people}\n")
    (tmp_path / "s.yaml").write_text(text)
    with pytest.raises(SystemFileError, match=r"cannot read 'pop\.csv'") as caught:
        read_system(tmp_path / "s.yaml")
    assert caught.value.field == "cohorts.older.population.csv"


@pytest.mark.parametrize(("content", "where"), [
    (b"name: x\ntime: {horizon: 1}\n  bad: \xff\n", "3:8"),
    (b"name: x\n\x1a", "2:1"),
])
def test_bytes_that_yaml_cannot_read_are_reported_at_their_line(
        tmp_path: Path, content: bytes, where: str) -> None:
    (tmp_path / "s.yaml").write_bytes(content)
    with pytest.raises(SystemFileError) as caught:
        read_system(tmp_path / "s.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 's.yaml'}:{where}: error: not ")


def test_a_document_nested_too_deeply_is_an_error() -> None:
    error = error_of("name: " + "[" * 5000 + "]" * 5000)
    assert str(error).startswith("sys.yaml:1:1: error: the document is nested too deeply")


def test_rates_per_year_and_growth_convert_to_the_time_unit() -> None:
    text = MINIMAL.replace("    name: Older people\n",
                           "    name: Older people\n    population: {value: 1000, growth: 0.1, "
                           "per: year}\n").replace("arrivals: 4", "rate: 0.365, per: year")
    spec = read_system_text(text)
    need = spec.cohorts[0].needs[0]
    assert need.arrivals.value == pytest.approx(0.001)
    population = spec.cohorts[0].population
    assert population is not None
    assert population.at(365) == pytest.approx(1100)


def test_missing_file() -> None:
    with pytest.raises(FileNotFoundError):
        read_system("no/such/system.yaml")
