"""Price years, deflators and discounting (wholesystem.system.prices), hand-derived."""

from __future__ import annotations

import pytest

from wholesystem.errors import SystemFileError
from wholesystem.system.ledger import build_ledger
from wholesystem.system.model import SystemModel
from wholesystem.system.prices import (
    Deflator,
    discount_factor,
    index_from_changes,
    mixed_price_years,
    price_year_label,
)
from wholesystem.system.read import read_system_text

DEFLATOR = """
  deflator:
    name: test index
    source: made up for the test
    change: {2020/21: 0, 2021/22: 10, 2022/23: 20}
"""


def _system(prices: str, costs: str, horizon: int = 10) -> str:
    return f"""
name: One ward
time: {{horizon: {horizon}}}
prices:
{prices}
organisations: {{trust: Trust}}
services:
  ward:
    owner: trust
    capacity: 1
    length_of_stay: 5
    costs:
{costs}
"""


def test_change_table_and_factor():
    """Index 100 in 2020/21, x1.10 into 2021/22, x1.20 into 2022/23: 100, 110, 132;
    uprating 2020/21 money to 2022/23 multiplies by 132/100."""
    table = Deflator("t", "", index_from_changes(
        [("2020/21", 0.0), ("2021/22", 10.0), ("2022/23", 20.0)]))
    assert table.index == (("2020/21", 100.0), ("2021/22", 110.0), ("2022/23", 132.0))
    assert table.factor("2020/21", "2022/23") == pytest.approx(1.32)
    assert table.factor("2022/23", "2021/22") == pytest.approx(110 / 132)


def test_price_year_labels():
    assert price_year_label("2017-18") == "2017/18"
    assert price_year_label("2019/2020") == "2019/20"
    assert price_year_label(2023) == "2023"
    assert price_year_label("2017/19") is None


def test_costs_uprated_by_their_own_service_and_file_years():
    """Reported in 2022/23: £100 of 2020/21 -> £132; £100 of 2021/22 -> 100 x 132/110 =
    £120; a cost of 2022/23 stays £100. per_occupied_week 700 of 2021/22 -> 700/7 x 1.2
    = £120 a day."""
    text = _system("  year: 2022/23\n  costs_in: 2022/23\n" + DEFLATOR,
                   "      price_year: 2021/22\n"
                   "      per_occupied_week: 700\n"
                   "      per_delayed_day: {amount: 100, price_year: 2020/21}\n"
                   "      fixed: {amount: 100, per: day, price_year: 2022/23}\n")
    spec = read_system_text(text)
    costs = spec.service("ward").costs
    assert costs.per_occupied_day == pytest.approx(120.0)
    assert costs.per_delayed_day == pytest.approx(132.0)
    assert costs.fixed == pytest.approx(100.0)
    years = {r.field: (r.price_year, round(r.factor, 6)) for r in spec.price_records}
    assert years == {"services.ward.costs.per_occupied_week": ("2021/22", 1.2),
                     "services.ward.costs.per_delayed_day": ("2020/21", 1.32),
                     "services.ward.costs.fixed": ("2022/23", 1.0)}


def test_file_default_year_applies_when_the_service_gives_none():
    """costs_in 2020/21 -> £50 a day x 1.32 = £66."""
    spec = read_system_text(_system("  year: 2022/23\n  costs_in: 2020/21\n" + DEFLATOR,
                                    "      per_occupied_day: 50\n"))
    assert spec.service("ward").costs.per_occupied_day == pytest.approx(66.0)


def test_cost_without_a_price_year_is_an_error_at_its_line():
    text = _system("  year: 2022/23\n" + DEFLATOR, "      per_occupied_day: 50\n")
    with pytest.raises(SystemFileError) as caught:
        read_system_text(text, "ward.yaml")
    message = str(caught.value)
    assert "services.ward.costs.per_occupied_day" in message
    assert "no price year" in message
    line = text.splitlines().index("      per_occupied_day: 50") + 1
    assert caught.value.span.line == line


def test_price_year_outside_the_table_names_where_it_is_written():
    text = _system("  year: 2022/23\n" + DEFLATOR,
                   "      price_year: 2011/12\n      per_occupied_day: 50\n"
                   "      per_delayed_day: 60\n")
    with pytest.raises(SystemFileError) as caught:
        read_system_text(text, "ward.yaml")
    assert len(caught.value.diagnostics) == 1  # once, at the service's price_year
    assert "2011/12 is outside the deflator table 'test index' (2020/21 to 2022/23)" \
        in str(caught.value)
    assert caught.value.span.line == text.splitlines().index("      price_year: 2011/12") + 1


def test_reporting_year_outside_the_table_and_without_a_table():
    with pytest.raises(SystemFileError, match=r"prices\.year: 2030/31 is outside"):
        read_system_text(_system("  year: 2030/31\n" + DEFLATOR, "      per_contact: 1\n"))
    with pytest.raises(SystemFileError, match="needs a deflator table"):
        read_system_text(_system("  year: 2022/23\n", "      per_contact: 1\n"))


def test_without_a_reporting_year_costs_stay_as_written_and_mixing_is_found():
    spec = read_system_text(_system("  costs_in: 2020/21\n",
                                    "      per_occupied_day: 50\n"
                                    "      per_delayed_day: {amount: 9, price_year: 2023}\n"))
    assert spec.service("ward").costs.per_occupied_day == 50.0
    assert mixed_price_years(spec.price_records, spec.prices) == ("2020/21", "2023")


def test_green_book_discount_factors():
    """3.5% a year: D(1) = 1/1.035, D(2) = 1/1.035^2; the schedule drops to 3% from year
    31: D(31) = 1.035^-30 / 1.03."""
    assert discount_factor(0, 0.035) == 1.0
    assert discount_factor(2, 0.035) == pytest.approx(1.035 ** -2)
    assert discount_factor(31, "green_book") == pytest.approx(1.035 ** -30 / 1.03)
    assert discount_factor(30, "green_book") == pytest.approx(1.035 ** -30)


def test_ledger_present_value_discounts_the_second_year():
    """A fixed £365 a year (£1 a day) over 730 days: undiscounted £730; at 10% the second
    year's £365 is worth 365/1.1, so the present value is 365 + 331.818... = 696.818."""
    text = _system("  discount: 0.1\n", "      fixed: {amount: 365, per: year}\n",
                   horizon=730)
    ledger = build_ledger(SystemModel(read_system_text(text)).simulate("baseline"))
    assert ledger.whole_system == pytest.approx(730.0)
    assert ledger.present_value is not None
    assert ledger.present_value["whole_system"] == pytest.approx(365 + 365 / 1.1)
    assert ledger.present_value["trust"] == pytest.approx(365 + 365 / 1.1)


def test_check_warns_when_price_years_are_mixed(tmp_path):
    from wholesystem.system.files import check_path

    path = tmp_path / "ward.yaml"
    path.write_text(_system("  costs_in: 2020/21\n",
                            "      per_occupied_day: 50\n"
                            "      per_delayed_day: {amount: 9, price_year: 2023}\n"))
    report = check_path(path)
    warned = [d for d in report.warnings if d.code == "mixed-price-years"]
    assert len(warned) == 1
    assert "2020/21, 2023" in warned[0].message
    path.write_text(_system("  costs_in: 2020/21\n", "      per_occupied_day: 50\n"))
    assert not [d for d in check_path(path).warnings if d.code == "mixed-price-years"]
