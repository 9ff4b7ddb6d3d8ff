"""Present values in the plain-text ledger and compare reports, hand-derived."""

from __future__ import annotations

from pathlib import Path

import pytest

from wholesystem.interfaces.cli import main
from wholesystem.interfaces.render import discount_words, present_value_note

# A ward with a fixed £365 a year (£1 a day) over 730 days, paid by the trust; the
# 'advice' scenario adds a council programme of £365 a year. Undiscounted each is £730;
# at 10% a year the second year's £365 counts 365/1.1 = 331.82, so each present value is
# 365 + 331.82 = £696.82, printed £697.
SYSTEM = """
name: One ward
time: {horizon: 730}
prices:
  year: 2024/25
  deflator: {name: flat index, source: made up for the test, index: {2024/25: 100}}
  discount: 0.1
organisations: {trust: Trust, council: Council}
services:
  ward:
    owner: trust
    capacity: 1
    length_of_stay: 5
    costs:
      fixed: {amount: 365, per: year, price_year: 2024/25}
interventions:
  advice:
    name: Advice line
    changes:
      - {change: capacity, services: ward, multiply: 1}
    cost: {payer: council, amount: 365, per: year, price_year: 2024/25}
scenarios:
  advice: {name: Advice, interventions: [advice]}
"""


@pytest.fixture
def system(tmp_path: Path) -> Path:
    path = tmp_path / "ward.yaml"
    path.write_text(SYSTEM, encoding="utf-8")
    return path


def _row(text: str, first: str, after: str) -> list[str]:
    """The cells of the first row starting with ``first`` after the line ``after``."""
    lines = text.splitlines()
    start = lines.index(after)
    row = next(line for line in lines[start:] if line.strip().startswith(first))
    return row.split()


def test_ledger_text_has_a_present_value_column(system: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", str(system)]) == 0
    out = capsys.readouterr().out
    header = _row(out, "organisation", "Cost by organisation")
    assert header[-2:] == ["present", "value"]
    assert _row(out, "Trust", "Cost by organisation")[1] == "£730"
    assert _row(out, "Trust", "Cost by organisation")[-1] == "£697"
    assert _row(out, "Whole system", "Cost by organisation")[-1] == "£697"
    assert present_value_note(0.1, "2024/25") in out


def test_compare_text_shows_the_discounted_change(system: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The council pays £730 more in cash and £697 more in present value; the trust's
    cost does not change."""
    assert main(["compare", str(system), "--scenario", "advice"]) == 0
    out = capsys.readouterr().out
    assert _row(out, "Council", "Present value of the change")[1:] == ["+£730", "+£697"]
    assert _row(out, "Trust", "Present value of the change")[1:] == ["£0", "£0"]
    assert _row(out, "Whole", "Present value of the change")[2:] == ["+£730", "+£697"]
    assert "at 10% a year, in 2024/25 prices." in out


def test_no_discount_no_present_values(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ward.yaml"
    path.write_text(SYSTEM.replace("  discount: 0.1\n", ""), encoding="utf-8")
    assert main(["compare", str(path), "--scenario", "advice"]) == 0
    assert main(["ledger", str(path)]) == 0
    out = capsys.readouterr().out
    assert "present value" not in out.lower()
    assert "Every cost in 2024/25 prices." in out


def test_discount_words() -> None:
    assert discount_words(0.035) == "3.5% a year"
    assert discount_words("green_book").startswith("the Green Book's declining rates")
